package ogsim

import "net/http"

// pingHeartbeat answers GET or POST /v2/heartbeats/{name}/ping as OpsGenie
// does: 202 and "PONG - Heartbeat received" whatever the name, since
// OpsGenie processes pings asynchronously and does not check that the
// heartbeat exists. It counts the ping per name in Stats.Heartbeats.
func (s *Server) pingHeartbeat(c *call) reply {
	s.statsMu.Lock()
	if s.stats.Heartbeats == nil {
		s.stats.Heartbeats = map[string]int{}
	}
	s.stats.Heartbeats[c.params[0]]++
	s.statsMu.Unlock()
	return reply{status: http.StatusAccepted, body: appendMember(nil, "result", "PONG - Heartbeat received")}
}
