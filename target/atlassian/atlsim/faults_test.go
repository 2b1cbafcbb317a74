package atlsim

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
)

func TestRateLimit(t *testing.T) {
	type step struct {
		advance time.Duration
		path    string
		code    int
		retry   string // Retry-After on a 429
	}
	teams, ops, jira, dir := teamsBase+"/teams", opsBase+"/v1/teams", "/rest/api/3/user/search?query=a", dirBase+"/users"
	tests := []struct {
		name  string
		opts  RateLimitOptions
		beh   Behavior
		steps []step
	}{
		{"per-second bucket", RateLimitOptions{Teams: Bucket{PerSecond: 2}}, Behavior{}, []step{
			{0, teams, 200, ""}, {0, teams, 200, ""}, {0, teams, 429, "1"},
			{500 * time.Millisecond, teams, 200, ""}, {0, teams, 429, "1"},
			{time.Second, teams, 200, ""}, {0, teams, 200, ""}, {0, teams, 429, "1"},
		}},
		{"per-minute bucket", RateLimitOptions{Ops: Bucket{PerMinute: 3}}, Behavior{}, []step{
			{0, ops, 200, ""}, {0, ops, 200, ""}, {0, ops, 200, ""}, {0, ops, 429, "20"},
			{10 * time.Second, ops, 429, "10"}, {10 * time.Second, ops, 200, ""}, {0, ops, 429, "20"},
		}},
		{"APIs are separate", RateLimitOptions{Teams: Bucket{PerSecond: 1}, Jira: Bucket{PerSecond: 1}, Admin: Bucket{PerSecond: 1}}, Behavior{}, []step{
			{0, teams, 200, ""}, {0, teams, 429, "1"}, {0, ops, 200, ""}, {0, ops, 200, ""},
			{0, jira, 200, ""}, {0, jira, 429, "1"}, {0, dir, 200, ""}, {0, dir, 429, "1"},
		}},
		{"no Retry-After on Teams and Ops", RateLimitOptions{Teams: Bucket{PerSecond: 1}, Jira: Bucket{PerSecond: 1}}, Behavior{NoRetryAfterTeamsOps: true}, []step{
			{0, teams, 200, ""}, {0, teams, 429, "-"}, {0, jira, 200, ""}, {0, jira, 429, "1"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{t: testEpoch}
			srv := newTestServer(t, Options{RateLimit: tc.opts, Clock: clock.now, Behavior: tc.beh})
			throttled := 0
			for i, st := range tc.steps {
				clock.advance(st.advance)
				r := do(t, srv, "GET", st.path, "")
				if r.code != st.code {
					t.Fatalf("step %d (%s): status %d, want %d", i, st.path, r.code, st.code)
				}
				if st.code != 429 {
					continue
				}
				throttled++
				wantRetry := st.retry
				if wantRetry == "-" {
					wantRetry = ""
				}
				if got := r.header.Get("Retry-After"); got != wantRetry {
					t.Errorf("step %d: Retry-After %q, want %q", i, got, wantRetry)
				}
				isJira, isAdmin := strings.HasPrefix(st.path, "/rest/"), strings.HasPrefix(st.path, "/admin/")
				if got := r.header.Get("X-RateLimit-Remaining"); (got == "0") != (isJira || isAdmin) {
					t.Errorf("step %d: X-RateLimit-Remaining %q", i, got)
				}
				if isJira || isAdmin {
					reset := clock.now().Add(time.Second).UTC().Format("2006-01-02T15:04Z")
					if r.header.Get("X-RateLimit-Reset") != reset || r.header.Get("X-RateLimit-Limit") != "1" {
						t.Errorf("step %d: reset %q limit %q, want %q and 1", i, r.header.Get("X-RateLimit-Reset"), r.header.Get("X-RateLimit-Limit"), reset)
					}
				}
				if got := r.header.Get("RateLimit-Reason"); (got == "jira-burst-based") != isJira {
					t.Errorf("step %d: RateLimit-Reason %q", i, got)
				}
			}
			if st := srv.Stats(); st.Throttled != throttled || st.Total != len(tc.steps) {
				t.Errorf("stats %+v, want %d throttled of %d", st, throttled, len(tc.steps))
			}
		})
	}
}

// TestNearLimit: Jira answers carry X-RateLimit-NearLimit once less than
// 20 % of a bucket is left.
func TestNearLimit(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	srv := newTestServer(t, Options{Clock: clock.now, RateLimit: RateLimitOptions{Jira: Bucket{PerMinute: 10}, Teams: Bucket{PerMinute: 10}}})
	var near []bool
	for range 10 {
		r := do(t, srv, "GET", "/rest/api/3/user/search?query=a", "")
		want(t, r, 200)
		near = append(near, r.header.Get("X-RateLimit-NearLimit") == "true")
		if r := do(t, srv, "GET", teamsBase+"/teams", ""); r.header.Get("X-RateLimit-NearLimit") != "" {
			t.Fatal("NearLimit on the Teams API")
		}
	}
	if want := []bool{false, false, false, false, false, false, false, false, true, true}; !slices.Equal(near, want) {
		t.Errorf("NearLimit %v, want %v", near, want)
	}
}

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no key", Options{}, "an API key is required"},
		{"negative rate", Options{APIKey: "k", RateLimit: RateLimitOptions{Admin: Bucket{PerSecond: -1}}}, "admin limits must not be negative"},
		{"error rate above one", Options{APIKey: "k", Faults: FaultOptions{ErrorRate: 1.5}}, "error rate 1.5"},
		{"rates add above one", Options{APIKey: "k", Faults: FaultOptions{ErrorRate: 0.6, DropRate: 0.6}}, "must not exceed 1"},
		{"invisible status", Options{APIKey: "k", Behavior: Behavior{OpsInvisibleStatus: 500}}, "404 or 422"},
		{"enable again", Options{APIKey: "k", Behavior: Behavior{EnableAgain: "maybe"}}, "enable-again"},
		{"delete status", Options{APIKey: "k", Behavior: Behavior{TeamDeleteStatus: 202}}, "200 or 204"},
		{"add existing", Options{APIKey: "k", Behavior: Behavior{AddExistingMember: "merge"}}, "add-existing-member"},
		{"ops errors", Options{APIKey: "k", Behavior: Behavior{OpsErrors: "xml"}}, "ops errors"},
		{"members max", Options{APIKey: "k", Behavior: Behavior{MembersPageMax: -1}}, "members page max"},
		{"invisible for", Options{APIKey: "k", Behavior: Behavior{OpsInvisibleFor: -time.Second}}, "invisible-for"},
		{"org id", Options{APIKey: "k", OrgID: "a/b"}, "org id"},
		{"bad seed", Options{APIKey: "k", Seed: &Seed{Users: []SeedUser{{Email: "x"}}}}, "seed: users[0].email"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	srv, err := New(Options{APIKey: "k"})
	if err != nil || srv.OrgID() == "" || srv.CloudID() == "" || srv.OrgID() == srv.CloudID() {
		t.Errorf("generated ids: %v %q %q", err, srv.OrgID(), srv.CloudID())
	}
}

// faultCounts sends n sequential requests over a loopback server and
// counts the outcomes.
func faultCounts(t *testing.T, opts FaultOptions, n int) (ok, failed, dropped int) {
	t.Helper()
	srv := newTestServer(t, Options{Faults: opts})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	// A fresh connection per request: net/http retries some requests that
	// fail on a reused connection, which would hide drops.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	for range n {
		req, _ := http.NewRequest("GET", ts.URL+teamsBase+"/teams", nil)
		req.Header.Set("Authorization", siteAuth)
		resp, err := client.Do(req)
		if err != nil {
			dropped++
			continue
		}
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode == 200:
			ok++
		case slices.Contains(simkit.FaultStatuses[:], resp.StatusCode):
			failed++
		default:
			t.Fatalf("unexpected status %d", resp.StatusCode)
		}
	}
	if st := srv.Stats(); st.Total != n {
		t.Errorf("stats total = %d, want %d (faulted requests count too)", st.Total, n)
	}
	return ok, failed, dropped
}

func TestFaultsAreSeeded(t *testing.T) {
	const n = 200
	opts := FaultOptions{Seed: 42, ErrorRate: 0.2, DropRate: 0.1}
	ok1, failed1, dropped1 := faultCounts(t, opts, n)
	ok2, failed2, dropped2 := faultCounts(t, opts, n)
	if ok1 != ok2 || failed1 != failed2 || dropped1 != dropped2 {
		t.Errorf("same seed, different outcomes: %d/%d/%d vs %d/%d/%d", ok1, failed1, dropped1, ok2, failed2, dropped2)
	}
	for _, c := range []struct {
		name      string
		got, want int
	}{{"5xx", failed1, 40}, {"drops", dropped1, 20}, {"ok", ok1, 140}} {
		if c.got < c.want*6/10 || c.got > c.want*14/10 {
			t.Errorf("%s = %d of %d, want about %d", c.name, c.got, n, c.want)
		}
	}
}

func TestFaultErrorAnswer(t *testing.T) {
	srv := newTestServer(t, Options{Faults: FaultOptions{Seed: 1, ErrorRate: 1}})
	seen := map[int]bool{}
	for range 40 {
		r := do(t, srv, "GET", teamsBase+"/teams", "")
		if !slices.Contains(simkit.FaultStatuses[:], r.code) {
			t.Fatalf("status %d, want a 5xx", r.code)
		}
		seen[r.code] = true
		if r.obj(t)["code"] != "SERVER_ERROR" {
			t.Errorf("5xx body %s", r.body)
		}
		if (r.header.Get("Retry-After") == "1") != (r.code == 503) {
			t.Errorf("%d with Retry-After %q", r.code, r.header.Get("Retry-After"))
		}
	}
	if len(seen) != len(simkit.FaultStatuses) {
		t.Errorf("statuses seen %v, want all of %v", seen, simkit.FaultStatuses)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/_sim/stats", nil))
	if rec.Code != 200 {
		t.Errorf("admin endpoint faulted: %d", rec.Code)
	}
	srv.Calm()
	want(t, do(t, srv, "GET", teamsBase+"/teams", ""), 200)
}

func TestFaultAfterEffect(t *testing.T) {
	body := `{"displayName":"Late","description":"","teamType":"OPEN"}`
	for _, after := range []bool{false, true} {
		srv := newTestServer(t, Options{Faults: FaultOptions{ErrorRate: 1, AfterEffect: after}})
		if r := do(t, srv, "POST", teamsBase+"/teams", body); r.code < 500 {
			t.Fatalf("AfterEffect=%v: status %d, want 5xx", after, r.code)
		}
		created := slices.ContainsFunc(srv.State().Teams, func(t StateTeam) bool { return t.DisplayName == "Late" })
		if created != after {
			t.Errorf("AfterEffect=%v: team created = %v", after, created)
		}
	}
}

func TestFaultDropWithoutHijacker(t *testing.T) {
	srv := newTestServer(t, Options{Faults: FaultOptions{DropRate: 1}})
	defer func() {
		if v := recover(); v == nil || !errors.Is(v.(error), http.ErrAbortHandler) {
			t.Errorf("recovered %v, want http.ErrAbortHandler", v)
		}
	}()
	do(t, srv, "GET", teamsBase+"/teams", "")
	t.Error("a drop on a recorder did not abort")
}

func TestFaultLatencyCancelled(t *testing.T) {
	f := newFaulter(FaultOptions{Seed: 3, Latency: 100 * time.Millisecond, Jitter: 50 * time.Millisecond})
	for range 100 {
		if d := f.Draw().Delay; d < 100*time.Millisecond || d >= 150*time.Millisecond {
			t.Fatalf("delay %v outside [100ms, 150ms)", d)
		}
	}
	srv := newTestServer(t, Options{Faults: FaultOptions{Latency: time.Hour}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", teamsBase+"/teams", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Body.Len() != 0 {
		t.Errorf("cancelled request answered: %s", rec.Body)
	}
}

// TestLateWrites: a late write lands after the client gave up, unless the
// server is closed first.
func TestLateWrites(t *testing.T) {
	for _, closeFirst := range []bool{false, true} {
		srv := newTestServer(t, Options{Faults: FaultOptions{LateRate: 1, LateDelay: 300 * time.Millisecond}})
		ts := httptest.NewServer(srv)
		client := &http.Client{Timeout: 50 * time.Millisecond}
		req, _ := http.NewRequest("POST", ts.URL+teamsBase+"/teams", strings.NewReader(`{"displayName":"Late","description":"","teamType":"OPEN"}`))
		req.Header.Set("Authorization", siteAuth)
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			t.Fatalf("closeFirst=%v: the client got an answer (%d) before the late delay", closeFirst, resp.StatusCode)
		}
		if closeFirst {
			srv.Close()
		}
		// Reads are never late; wait (bounded) for the write to land.
		landed := false
		for range 100 {
			if slices.ContainsFunc(srv.State().Teams, func(t StateTeam) bool { return t.DisplayName == "Late" }) {
				landed = true
				break
			}
			if closeFirst {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		srv.Close()
		ts.Close()
		if landed == closeFirst {
			t.Errorf("closeFirst=%v: late write landed = %v", closeFirst, landed)
		}
	}
}
