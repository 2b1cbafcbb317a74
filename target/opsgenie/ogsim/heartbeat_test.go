package ogsim

import (
	"encoding/json"
	"testing"
)

// A ping is answered 202 PONG whatever the name (OpsGenie does not check
// it), by GET or POST, with a key; each is counted under its name in
// /_sim/stats.
func TestHeartbeatPing(t *testing.T) {
	srv := newTestServer(t, Options{})
	expect(t, do(t, srv, "GET", "/v2/heartbeats/ogsync-roster/ping", ""), 202, `"result":"PONG - Heartbeat received"`)
	expect(t, do(t, srv, "POST", "/v2/heartbeats/ogsync-roster/ping", ""), 202, `"requestId":`)
	expect(t, do(t, srv, "GET", "/v2/heartbeats/eu%20roster/ping", ""), 202, "PONG")
	expect(t, send(t, srv, "", "GET", "/v2/heartbeats/ogsync-roster/ping", ""), 401, "")
	expect(t, do(t, srv, "DELETE", "/v2/heartbeats/ogsync-roster/ping", ""), 405, "")

	if got := srv.Stats().Heartbeats; len(got) != 2 || got["ogsync-roster"] != 2 || got["eu roster"] != 1 {
		t.Errorf("heartbeats = %v, want ogsync-roster 2 and eu roster 1", got)
	}
	code, body := admin(t, srv, "GET", "/_sim/stats")
	var st struct {
		Heartbeats map[string]int `json:"heartbeats"`
	}
	if err := json.Unmarshal([]byte(body), &st); code != 200 || err != nil || st.Heartbeats["ogsync-roster"] != 2 {
		t.Errorf("/_sim/stats %d %v:\n%s", code, err, body)
	}
	srv.ResetStats()
	if got := srv.Stats().Heartbeats; len(got) != 0 {
		t.Errorf("after a reset: %v", got)
	}
}
