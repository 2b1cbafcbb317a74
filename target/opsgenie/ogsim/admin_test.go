package ogsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func admin(t *testing.T, srv http.Handler, method, path string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest(method, path, nil)) // no key
	return w.Code, w.Body.String()
}

func TestAdminEndpoints(t *testing.T) {
	srv := newTestServer(t, Options{RateLimit: RateLimitOptions{Search: Bucket{PerMinute: 1}}})
	do(t, srv, "GET", "/v2/users", "")
	do(t, srv, "GET", "/v2/users/", "")
	do(t, srv, "GET", "/v2/users/owner@example.com", "")
	send(t, srv, "", "GET", "/v2/teams", "")
	do(t, srv, "GET", "/v2/unknown/thing", "")

	code, body := admin(t, srv, "GET", "/_sim/stats")
	if code != 200 {
		t.Fatalf("stats: %d %s", code, body)
	}
	var st Stats
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"GET /v2/users": 2, "GET /v2/users/{identifier}": 1, "GET /v2/teams": 1, "GET (unmatched)": 1}
	if st.Total != 5 || st.Throttled != 1 || len(st.ByRoute) != len(want) {
		t.Errorf("stats = %+v", st)
	}
	for k, v := range want {
		if st.ByRoute[k] != v {
			t.Errorf("byRoute[%q] = %d, want %d", k, st.ByRoute[k], v)
		}
	}
	for _, key := range []string{`"total"`, `"throttled"`, `"byRoute"`} {
		if !strings.Contains(body, key) {
			t.Errorf("stats body lacks %s: %s", key, body)
		}
	}
	if strings.Contains(body, "took") {
		t.Errorf("admin bodies are plain: %s", body)
	}

	code, body = admin(t, srv, "GET", "/_sim/state")
	var state State
	if err := json.Unmarshal([]byte(body), &state); code != 200 || err != nil {
		t.Fatalf("state: %d %v", code, err)
	}
	if len(state.Users) != 5 || state.Users[0].Username != "a+b@example.com" || len(state.Teams) != 2 ||
		len(state.Schedules) != 3 || len(state.Escalations) != 3 || len(state.CustomRoles) != 1 {
		t.Errorf("state = %+v", state)
	}
	if got := state.Schedules[1].Rotations[0].Participants[0]; got.Type != "user" || got.Name != "oncall@example.com" {
		t.Errorf("participant = %+v", got)
	}
	if got := state.Escalations[1].Rules[1]; got.DelayMinutes != 5 || got.Recipient.Name != "sre_oncall" || got.NotifyType != "next" {
		t.Errorf("rule = %+v", got)
	}

	if code, _ := admin(t, srv, "POST", "/_sim/reset-stats"); code != 200 {
		t.Errorf("reset-stats: %d", code)
	}
	if st := srv.Stats(); st.Total != 0 || st.Throttled != 0 || len(st.ByRoute) != 0 {
		t.Errorf("after reset: %+v", st)
	}
	// Admin calls themselves are never counted nor limited.
	for range 5 {
		admin(t, srv, "GET", "/_sim/stats")
	}
	if st := srv.Stats(); st.Total != 0 {
		t.Errorf("admin calls counted: %+v", st)
	}
	tests := []struct {
		method, path string
		code         int
	}{
		{"GET", "/_sim/reset-stats", 405},
		{"POST", "/_sim/stats", 405},
		{"GET", "/_sim/nothing", 404},
	}
	for _, tc := range tests {
		if code, body := admin(t, srv, tc.method, tc.path); code != tc.code {
			t.Errorf("%s %s: %d, want %d (%s)", tc.method, tc.path, code, tc.code, body)
		}
	}
}

// TestConcurrentUse runs readers and writers at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	srv := newTestServer(t, Options{Seed: manyUsers(200)})
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 50 {
				switch (g + i) % 4 {
				case 0:
					do(t, srv, "GET", "/v2/users?limit=50&sort=fullName", "")
				case 1:
					do(t, srv, "PATCH", "/v2/users/user010@example.com", `{"fullName":"X"}`)
				case 2:
					do(t, srv, "POST", "/v2/teams", `{"name":"t`+string(rune('a'+g))+`","members":[{"user":{"username":"user001@example.com"}}]}`)
				default:
					srv.State()
					srv.Stats()
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	if st := srv.Stats(); st.Total == 0 {
		t.Error("nothing counted")
	}
}
