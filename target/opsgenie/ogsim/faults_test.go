package ogsim

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
)

// faultCounts sends n sequential requests over a real loopback server and
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
		req, _ := http.NewRequest("GET", ts.URL+"/v2/teams", nil)
		req.Header.Set("Authorization", "GenieKey "+testKey)
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

func TestFaultsAreSeededAndShared(t *testing.T) {
	const n = 300
	opts := FaultOptions{Seed: 42, ErrorRate: 0.2, DropRate: 0.1}
	ok1, failed1, dropped1 := faultCounts(t, opts, n)
	ok2, failed2, dropped2 := faultCounts(t, opts, n)
	if ok1 != ok2 || failed1 != failed2 || dropped1 != dropped2 {
		t.Errorf("same seed, different outcomes: %d/%d/%d vs %d/%d/%d", ok1, failed1, dropped1, ok2, failed2, dropped2)
	}
	// The shares are the configured ones, within a generous margin.
	for _, c := range []struct {
		name      string
		got, want int
	}{{"5xx", failed1, 60}, {"drops", dropped1, 30}, {"ok", ok1, 210}} {
		if c.got < c.want*6/10 || c.got > c.want*14/10 {
			t.Errorf("%s = %d of %d, want about %d", c.name, c.got, n, c.want)
		}
	}
	opts.Seed = 7
	ok3, failed3, dropped3 := faultCounts(t, opts, n)
	if ok3 == ok1 && failed3 == failed1 && dropped3 == dropped1 {
		t.Errorf("seeds 42 and 7 gave identical outcomes %d/%d/%d", ok1, failed1, dropped1)
	}
}

func TestFaultErrorAnswer(t *testing.T) {
	srv := newTestServer(t, Options{Faults: FaultOptions{Seed: 1, ErrorRate: 1}})
	seen := map[int]bool{}
	for range 40 {
		r := do(t, srv, "GET", "/v2/users", "")
		if !slices.Contains(simkit.FaultStatuses[:], r.code) {
			t.Fatalf("status %d, want a 5xx", r.code)
		}
		seen[r.code] = true
		if r.str("message") != http.StatusText(r.code) || r.header.Get("X-Request-Id") != r.str("requestId") {
			t.Errorf("5xx body/headers: %s %v", r.raw, r.header)
		}
	}
	if len(seen) != len(simkit.FaultStatuses) {
		t.Errorf("statuses seen %v, want all of %v", seen, simkit.FaultStatuses)
	}
	// Admin endpoints are never faulted.
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest("GET", "/_sim/stats", nil))
	if w.Code != 200 {
		t.Errorf("admin endpoint faulted: %d", w.Code)
	}
}

func TestFaultAfterEffect(t *testing.T) {
	body := `{"username":"late@example.com","fullName":"L","role":{"name":"User"}}`
	for _, after := range []bool{false, true} {
		srv := newTestServer(t, Options{Faults: FaultOptions{ErrorRate: 1, AfterEffect: after}})
		if r := do(t, srv, "POST", "/v2/users", body); r.code < 500 {
			t.Fatalf("AfterEffect=%v: status %d, want 5xx", after, r.code)
		}
		created := slices.ContainsFunc(srv.State().Users, func(u StateUser) bool { return u.Username == "late@example.com" })
		if created != after {
			t.Errorf("AfterEffect=%v: user created = %v", after, created)
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
	r := httptest.NewRequest("GET", "/v2/users", nil)
	r.Header.Set("Authorization", "GenieKey "+testKey)
	srv.ServeHTTP(httptest.NewRecorder(), r)
	t.Error("a drop on a recorder did not abort")
}

func TestFaultLatency(t *testing.T) {
	f := newFaulter(FaultOptions{Seed: 3, Latency: 100 * time.Millisecond, Jitter: 50 * time.Millisecond})
	var min, max time.Duration = time.Hour, 0
	for range 500 {
		d := f.Draw().Delay
		min, max = minDur(min, d), maxDur(max, d)
	}
	if min < 100*time.Millisecond || max >= 150*time.Millisecond || max-min < 40*time.Millisecond {
		t.Errorf("delays in [%v, %v], want spread over [100ms, 150ms)", min, max)
	}
	if d := newFaulter(FaultOptions{}).Draw(); d != (fault{}) {
		t.Errorf("zero options drew %+v", d)
	}
	// The delay is served: a request takes at least the latency, and took
	// reports it.
	srv := newTestServer(t, Options{Faults: FaultOptions{Latency: 30 * time.Millisecond}})
	start := time.Now()
	r := do(t, srv, "GET", "/v2/teams", "")
	if time.Since(start) < 30*time.Millisecond || r.get("took").(float64) < 0.03 {
		t.Errorf("latency not applied: elapsed %v, took %v", time.Since(start), r.get("took"))
	}
	// A cancelled request stops waiting.
	ctxReq := httptest.NewRequest("GET", "/v2/teams", nil)
	ctx, cancel := contextWithCancel(ctxReq)
	cancel()
	w := httptest.NewRecorder()
	srvSlow := newTestServer(t, Options{Faults: FaultOptions{Latency: time.Hour}})
	srvSlow.ServeHTTP(w, ctx)
	if w.Body.Len() != 0 || strings.Contains(w.Body.String(), "data") {
		t.Errorf("cancelled request answered: %s", w.Body)
	}
}

func minDur(a, b time.Duration) time.Duration { return min(a, b) }
func maxDur(a, b time.Duration) time.Duration { return max(a, b) }

// TestCalm: after Calm, no fault is injected and the actor stops.
func TestCalm(t *testing.T) {
	s, err := New(Options{APIKey: "k", Faults: FaultOptions{Seed: 1, ErrorRate: 1},
		Seed:  &Seed{Users: []SeedUser{{Username: "a@x.io", FullName: "A", Role: "User"}}, Teams: []SeedTeam{{Name: "t"}}},
		Actor: &ActorOptions{Seed: 1, Every: 1, Users: []string{"a@x.io"}, Ops: []string{ActorAddMember}}})
	if err != nil {
		t.Fatal(err)
	}
	get := func() int {
		req := httptest.NewRequest("GET", "/v2/users", nil)
		req.Header.Set("Authorization", "GenieKey k")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := get(); code < 500 {
		t.Fatalf("before Calm: %d, want an injected 5xx", code)
	}
	before := len(s.Journal())
	if before == 0 {
		t.Fatal("the actor did not act")
	}
	s.Calm()
	for range 5 {
		if code := get(); code != 200 {
			t.Fatalf("after Calm: %d", code)
		}
	}
	if n := len(s.Journal()); n != before {
		t.Errorf("the actor acted after Calm: %d mutations, was %d", n, before)
	}
}
