package ogsim

import "net/http"

// tallyHeartbeats is the group of the heartbeat ping counters.
const tallyHeartbeats = "heartbeats"

// pingHeartbeat answers GET or POST /v2/heartbeats/{name}/ping as OpsGenie
// does: 202 and "PONG - Heartbeat received" whatever the name, since
// OpsGenie processes pings asynchronously and does not check that the
// heartbeat exists. It counts the ping per name in Stats.Heartbeats.
func (s *Server) pingHeartbeat(c *call) reply {
	s.h.Counter.Tally(tallyHeartbeats, c.params[0])
	return reply{status: http.StatusAccepted, body: appendMember(nil, "result", "PONG - Heartbeat received")}
}
