package atlsim

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
)

func TestAuth(t *testing.T) {
	srv := newTestServer(t, Options{})
	teams := teamsBase + "/teams"
	ops := opsBase + "/v1/teams"
	jira := "/rest/api/3/user/search?query=a"
	dir := dirBase + "/users"
	manage := "/users/acc-erin/manage"
	tests := []struct {
		name, path, auth string
		code             int
		shape            string // a key the error body must hold
	}{
		{"teams basic", teams, siteAuth, 200, ""},
		{"teams any e-mail", teams, basicAuth("someone.else@example.com", testKey), 200, ""},
		{"teams wrong token", teams, basicAuth(botEmail, "wrong"), 401, "code"},
		{"teams no e-mail", teams, basicAuth("", testKey), 401, "code"},
		{"teams no colon", teams, "Basic " + "Ym90", 401, "code"},
		{"teams not base64", teams, "Basic !!!", 401, "code"},
		{"teams no header", teams, "", 401, "code"},
		{"teams bearer", teams, adminAuth, 401, "code"},
		{"ops basic", ops, siteAuth, 200, ""},
		{"ops wrong token", ops, basicAuth(botEmail, "nope"), 401, "message"},
		{"ops genie key", ops, "GenieKey " + testKey, 401, "message"},
		{"jira basic", jira, siteAuth, 200, ""},
		{"jira none", jira, "", 401, "errorMessages"},
		{"admin bearer", dir, adminAuth, 200, ""},
		{"admin lower-case scheme", dir, "bearer " + testKey, 200, ""},
		{"admin basic", dir, siteAuth, 401, "errors"},
		{"admin wrong key", dir, "Bearer nope", 401, "errors"},
		{"manage bearer", manage, adminAuth, 200, ""},
		{"manage basic", manage, siteAuth, 401, "errors"},
		{"tenant info needs none", "/_edge/tenant_info", "", 200, ""},
		{"suspended caller", teams, basicAuth("dave@example.com", testKey), 401, "code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := doAuth(t, srv, "GET", tc.path, "", tc.auth)
			want(t, r, tc.code)
			if tc.code == 401 {
				if strings.Contains(string(r.body), testKey) {
					t.Error("a 401 repeats the key")
				}
				var m map[string]any
				if tc.shape == "errorMessages" || tc.shape == "errors" || tc.shape == "code" || tc.shape == "message" {
					m = r.obj(t)
				}
				if _, ok := m[tc.shape]; !ok {
					t.Errorf("401 body %s lacks %q", r.body, tc.shape)
				}
			}
		})
	}
	r := doAuth(t, srv, "GET", ops, "", "")
	if m := r.obj(t); m["code"] != 401.0 {
		t.Errorf("ops 401 must be {code: 401, message}: %s", r.body)
	}
}

func TestRoutingErrors(t *testing.T) {
	srv := newTestServer(t, Options{})
	tests := []struct {
		method, path string
		code         int
		route        string
	}{
		{"GET", teamsBase + "/nothing", 404, "GET (unmatched)"},
		{"PUT", teamsBase + "/teams", 405, "PUT (unmatched)"},
		{"GET", "/rest/api/3/nothing", 404, "GET (unmatched)"},
		{"GET", "/admin/v2/orgs/" + testOrg + "/nothing", 404, "GET (unmatched)"},
		{"POST", teamsBase + "/teams/", 400, "POST " + teamsPrefix + "/teams"},
		{"GET", opsBase + "/v1/schedules/", 200, "GET " + opsPrefix + "/v1/schedules"},
	}
	for _, tc := range tests {
		srv.ResetStats()
		r := do(t, srv, tc.method, tc.path, "")
		if r.code != tc.code {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, r.code, tc.code)
		}
		if st := srv.Stats(); st.ByRoute[tc.route] != 1 || st.Total != 1 {
			t.Errorf("%s %s: stats %+v, want one under %q", tc.method, tc.path, st, tc.route)
		}
	}
}

// TestLogsHoldNoSecret: debug logs of good and bad requests, faults
// included, never hold the key.
func TestLogsHoldNoSecret(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := newTestServer(t, Options{Logger: logger, Faults: FaultOptions{Seed: 1, ErrorRate: 0.5}})
	for _, auth := range []string{siteAuth, adminAuth, basicAuth(botEmail, testKey+"x"), "Bearer " + testKey + "x"} {
		doAuth(t, srv, "GET", teamsBase+"/teams", "", auth)
		doAuth(t, srv, "GET", dirBase+"/users", "", auth)
	}
	mu.Lock()
	defer mu.Unlock()
	if buf.Len() == 0 {
		t.Fatal("nothing logged")
	}
	if strings.Contains(buf.String(), testKey) {
		t.Errorf("the logs hold the key:\n%s", buf.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
