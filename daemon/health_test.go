package daemon

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/engine"
)

func outcomeResult(o engine.Outcome, end time.Time) *engine.Result {
	r := &engine.Result{Start: end.Add(-time.Second), End: end, Outcome: o}
	if !o.Succeeded() {
		r.Error = "listing users: 503 Service Unavailable"
	}
	r.Finish(nil)
	return r
}

func TestHealthz(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		max      int
		outcomes []engine.Outcome
		code     int
		contains []string
	}{
		{"before the first cycle", 3, nil, 200, []string{"ok\n", "last_cycle: none finished yet"}},
		{"one success", 3, []engine.Outcome{engine.OutcomeOK}, 200, []string{"ok\n", "last_cycle: ok", "last_success: 2026-03-01T10:00:00Z", "consecutive_failed_cycles: 0"}},
		{"failures below the limit", 3, []engine.Outcome{engine.OutcomeFailed, engine.OutcomePartial}, 200, []string{"ok\n", "last_cycle: partial", "consecutive_failed_cycles: 2", "last_cycle_error: listing users: 503"}},
		{"failures at the limit", 3, []engine.Outcome{engine.OutcomeFailed, engine.OutcomeRefused, engine.OutcomeFailed}, 503, []string{"unhealthy: 3 cycles in a row did not succeed (limit 3)", "last_cycle: failed"}},
		{"success resets the count", 2, []engine.Outcome{engine.OutcomeFailed, engine.OutcomeFailed, engine.OutcomeDryRun}, 200, []string{"ok\n", "last_cycle: dry-run", "consecutive_failed_cycles: 0"}},
		{"success then failures", 2, []engine.Outcome{engine.OutcomeChangesApplied, engine.OutcomeFailed, engine.OutcomeFailed}, 503, []string{"unhealthy: 2 cycles", "last_success: 2026-03-01T10:00:00Z"}},
		{"limit of one", 1, []engine.Outcome{engine.OutcomeRefused}, 503, []string{"unhealthy: 1 cycles in a row"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHealth(tc.max, t0.Add(-time.Hour))
			for i, o := range tc.outcomes {
				h.Record(outcomeResult(o, t0.Add(time.Duration(i)*time.Minute)))
			}
			srv := httptest.NewServer(NewHandler(h, nil))
			defer srv.Close()
			code, body := scrape(t, srv.URL+"/healthz")
			if code != tc.code {
				t.Errorf("status = %d, want %d; body:\n%s", code, tc.code, body)
			}
			if h.Healthy() != (tc.code == 200) {
				t.Errorf("Healthy() = %v with status %d", h.Healthy(), code)
			}
			for _, c := range tc.contains {
				if !strings.Contains(body, c) {
					t.Errorf("body lacks %q:\n%s", c, body)
				}
			}
		})
	}
}

func TestHealthzSetMaxFailed(t *testing.T) {
	h := NewHealth(5, time.Now())
	for range 2 {
		h.Record(outcomeResult(engine.OutcomeFailed, time.Now()))
	}
	if !h.Healthy() {
		t.Fatal("unhealthy after 2 of 5")
	}
	h.SetMaxFailed(2)
	if h.Healthy() {
		t.Error("still healthy after lowering the limit to 2")
	}
}

func TestHealthzMethods(t *testing.T) {
	h := NewHealth(1, time.Now())
	for _, tc := range []struct {
		method string
		code   int
		body   bool
	}{
		{http.MethodGet, 200, true},
		{http.MethodHead, 200, false},
		{http.MethodPost, 405, true},
	} {
		t.Run(tc.method, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, "/healthz", nil))
			if rec.Code != tc.code {
				t.Errorf("status = %d, want %d", rec.Code, tc.code)
			}
			if (rec.Body.Len() > 0) != tc.body {
				t.Errorf("body = %q", rec.Body.String())
			}
		})
	}
}

// Blocked actions are a normal outcome: only with max_blocked_cycles set
// does an action blocked that many cycles in a row make /healthz unhealthy,
// and only until it is no longer blocked. Failed and refused cycles, which
// say nothing new about it, keep its count.
func TestHealthzMaxBlockedCycles(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	blocked := func(actions ...string) *engine.Result {
		r := &engine.Result{Start: t0, End: t0}
		for _, a := range actions {
			r.Actions = append(r.Actions, engine.ActionResult{Action: a, Kind: "user", Op: "delete", Outcome: engine.ActionBlocked})
		}
		r.Finish(nil)
		return r
	}
	failed := &engine.Result{Start: t0, End: t0}
	failed.Finish(errors.New("listing users: 503"))
	refused := &engine.Result{Start: t0, End: t0, Violations: []string{"max_deletes"}, Actions: []engine.ActionResult{{Action: "delete user b", Outcome: engine.ActionBlocked}}}
	refused.Finish(nil)

	type step struct {
		r       *engine.Result
		healthy bool
	}
	tests := []struct {
		name  string
		max   int
		steps []step
	}{
		{"off by default", 0, []step{{blocked("delete user a"), true}, {blocked("delete user a"), true}, {blocked("delete user a"), true}}},
		{"limit reached", 3, []step{{blocked("delete user a"), true}, {blocked("delete user a"), true}, {blocked("delete user a"), false}}},
		{"another action each time", 2, []step{{blocked("delete user a"), true}, {blocked("delete user b"), true}, {blocked("delete user a"), true}}},
		{"unblocked recovers", 2, []step{{blocked("delete user a"), true}, {blocked("delete user a"), false}, {blocked(), true}}},
		{"failed and refused cycles keep the count", 3, []step{{blocked("delete user a"), true}, {failed, true}, {refused, true}, {blocked("delete user a"), true}, {blocked("delete user a"), false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHealth(10, t0)
			h.SetMaxBlocked(tc.max)
			for i, s := range tc.steps {
				h.Record(s.r)
				if h.Healthy() != s.healthy {
					t.Fatalf("after cycle %d: healthy = %v, want %v", i+1, h.Healthy(), s.healthy)
				}
			}
			srv := httptest.NewServer(NewHandler(h, nil))
			defer srv.Close()
			code, body := scrape(t, srv.URL+"/healthz")
			if want := tc.steps[len(tc.steps)-1].healthy; (code == 200) != want {
				t.Errorf("status %d; body:\n%s", code, body)
			}
			if code != 200 && !strings.Contains(body, `unhealthy: "delete user a" blocked`) {
				t.Errorf("body does not name the action:\n%s", body)
			}
		})
	}
}
