package opsgenie

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

func TestRetryStatuses(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		status   int
		attempts int // requests seen by the server
		ok       bool
	}{
		{"GET 500 retried", "GET", 500, 2, true},
		{"GET 502 retried", "GET", 502, 2, true},
		{"GET 503 retried", "GET", 503, 2, true},
		{"GET 504 retried", "GET", 504, 2, true},
		{"GET 501 not retried", "GET", 501, 1, false},
		{"GET 400 not retried", "GET", 400, 1, false},
		{"GET 404 not retried", "GET", 404, 1, false},
		{"GET 422 not retried", "GET", 422, 1, false},
		{"PATCH 500 retried", "PATCH", 500, 2, true},
		{"PATCH 409 not retried", "PATCH", 409, 1, false},
		{"DELETE 503 retried", "DELETE", 503, 2, true},
		{"DELETE 428 not retried", "DELETE", 428, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t)
			acct := newSimAccount(t, env, ogsim.Options{Seed: seedUsers(1)})
			acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.Method != tc.method {
					t.Errorf("method = %s", r.Method)
				}
				if n == 1 {
					writeError(w, tc.status, "first attempt fails")
					return true
				}
				return false
			}
			var err error
			switch tc.method {
			case "GET":
				_, err = env.client.GetUser(t.Context(), "u-00001")
			case "PATCH":
				err = env.client.UpdateUser(t.Context(), "u-00001", UserPatch{FullName: model.Ptr("A")})
			case "DELETE":
				err = env.client.DeleteUser(t.Context(), "u-00001")
			}
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
			if !tc.ok && statusOf(err) != tc.status {
				t.Errorf("status in error = %d, want %d", statusOf(err), tc.status)
			}
			if got := acct.count(tc.method + " /v2/users/{id}"); got != tc.attempts {
				t.Errorf("attempts = %d, want %d", got, tc.attempts)
			}
			if tc.ok && !slices.Equal(env.clock.Slept(), []time.Duration{200 * time.Millisecond}) {
				t.Errorf("slept %v, want one 200ms backoff", env.clock.Slept())
			}
		})
	}
}

func TestRetryBudget(t *testing.T) {
	env := setup(t, func(o *Options) { o.MaxRetries = 4 })
	var n atomic.Int32
	env.mux.HandleFunc("GET /v2/users/u1", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeError(w, http.StatusServiceUnavailable, "down")
	})
	_, err := env.client.GetUser(t.Context(), "u1")
	if statusOf(err) != http.StatusServiceUnavailable {
		t.Fatalf("err = %v, want the last 503", err)
	}
	if n.Load() != 5 {
		t.Errorf("attempts = %d, want 5 (1 + 4 retries)", n.Load())
	}
	want := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond}
	if !slices.Equal(env.clock.Slept(), want) {
		t.Errorf("backoffs = %v, want %v", env.clock.Slept(), want)
	}
	if st := env.client.RequestStats(); st.Retries != 4 || st.Total != 5 {
		t.Errorf("stats = %+v", st)
	}
}

func TestNoRetries(t *testing.T) {
	env := setup(t, func(o *Options) { o.MaxRetries = 0 })
	var n atomic.Int32
	env.mux.HandleFunc("GET /v2/users/u1", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeError(w, http.StatusInternalServerError, "boom")
	})
	if _, err := env.client.GetUser(t.Context(), "u1"); statusOf(err) != 500 {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("attempts = %d, want 1", n.Load())
	}
}

func TestBackoffCap(t *testing.T) {
	id := func(d time.Duration) time.Duration { return d }
	for n, want := range map[int]time.Duration{0: 200 * time.Millisecond, 3: 1600 * time.Millisecond, 7: 25600 * time.Millisecond, 8: 30 * time.Second, 40: 30 * time.Second} {
		if got := backoff(n, id); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
	for range 1000 {
		if d := equalJitter(time.Second); d < 500*time.Millisecond || d > time.Second {
			t.Fatalf("equalJitter(1s) = %v, outside [0.5s, 1s]", d)
		}
	}
}

func TestDroppedConnection(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{Seed: seedUsers(1)})
	acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n <= 2 {
			dropConnection(t, w)
			return true
		}
		return false
	}
	u, err := env.client.GetUser(t.Context(), "u-00001")
	if err != nil || u.ID != "u-00001" {
		t.Fatalf("GetUser = %+v, %v", u, err)
	}
	if n := acct.count("GET /v2/users/{id}"); n != 3 {
		t.Errorf("attempts = %d, want 3", n)
	}
	st := env.client.RequestStats()
	if got := st.Calls; len(got) != 2 || got[0] != (CallCount{"GET", "/v2/users/{id}", 0, 2}) || got[1] != (CallCount{"GET", "/v2/users/{id}", 200, 1}) {
		t.Errorf("calls = %+v, want 2 without answer and 1 OK", got)
	}
}

func TestDroppedConnectionExhausted(t *testing.T) {
	env := setup(t, func(o *Options) { o.MaxRetries = 1 })
	env.mux.HandleFunc("GET /v2/users/u1", func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w) })
	_, err := env.client.GetUser(t.Context(), "u1")
	var te *TransportError
	if !errors.As(err, &te) || te.Timeout || te.Route != "/v2/users/{id}" {
		t.Fatalf("err = %#v, want a TransportError", err)
	}
}

func TestTimeoutRetried(t *testing.T) {
	env := setup(t, func(o *Options) { o.Timeout = 50 * time.Millisecond })
	acct := newSimAccount(t, env, ogsim.Options{Seed: seedUsers(1)})
	acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 1 {
			// Slower than the client's timeout.
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return true
		}
		return false
	}
	if _, err := env.client.GetUser(t.Context(), "u-00001"); err != nil {
		t.Fatal(err)
	}
	if n := acct.count("GET /v2/users/{id}"); n != 2 {
		t.Errorf("attempts = %d, want 2", n)
	}
}

func TestTimeoutError(t *testing.T) {
	env := setup(t, func(o *Options) { o.Timeout = 30 * time.Millisecond; o.MaxRetries = 0 })
	env.mux.HandleFunc("GET /v2/users/u1", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	_, err := env.client.GetUser(t.Context(), "u1")
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

func TestSlowBodyTimesOut(t *testing.T) {
	env := setup(t, func(o *Options) { o.Timeout = 50 * time.Millisecond; o.MaxRetries = 0 })
	env.mux.HandleFunc("GET /v2/users/u1", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"data":{"id":"u1",`))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	_, err := env.client.GetUser(t.Context(), "u1")
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout {
		t.Fatalf("err = %v, want a timeout while reading the body", err)
	}
}

func TestContextCancelledDuringRequest(t *testing.T) {
	env := setup(t)
	ctx, cancel := context.WithCancel(t.Context())
	var n atomic.Int32
	env.mux.HandleFunc("GET /v2/users/u1", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		cancel()
		<-r.Context().Done()
	})
	_, err := env.client.GetUser(ctx, "u1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n.Load() != 1 {
		t.Errorf("attempts = %d, want 1: a cancelled call is not retried", n.Load())
	}
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var slept []time.Duration
	env := setup(t, func(o *Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			slept = append(slept, d)
			cancel()
			return ctx.Err()
		}
	})
	var n atomic.Int32
	env.mux.HandleFunc("GET /v2/users/u1", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeError(w, http.StatusBadGateway, "bad gateway")
	})
	_, err := env.client.GetUser(ctx, "u1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n.Load() != 1 || len(slept) != 1 {
		t.Errorf("attempts = %d, sleeps = %v; want 1 and 1", n.Load(), slept)
	}
}

func TestContextCancelledDuringRateLimitWait(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	env := setup(t, func(o *Options) {
		o.Rate = Rate{PerSecond: 1, Burst: 1}
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			cancel()
			return ctx.Err()
		}
	})
	acct := newSimAccount(t, env, ogsim.Options{Seed: seedUsers(1)})
	if _, err := env.client.GetUser(ctx, "u-00001"); err != nil {
		t.Fatal(err)
	}
	// The burst is spent: the second call must wait, and the wait is cancelled.
	_, err := env.client.GetUser(ctx, "u-00001")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := acct.count("GET /v2/users/{id}"); n != 1 {
		t.Errorf("attempts = %d, want 1", n)
	}
}

func TestRateLimitWaitPastDeadline(t *testing.T) {
	env := setup(t, func(o *Options) { o.Rate = Rate{PerSecond: 0.1, Burst: 1} })
	newSimAccount(t, env, ogsim.Options{Seed: seedUsers(1)})
	if _, err := env.client.GetUser(t.Context(), "u-00001"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(time.Second))
	defer cancel()
	// The fake clock says the next token comes in 10 s: past the deadline.
	_, err := env.client.GetUser(ctx, "u-00001")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded without waiting", err)
	}
	if len(env.clock.Slept()) != 0 {
		t.Errorf("slept %v, want no wait", env.clock.Slept())
	}
}

// TestThrottleStorm answers 429 to the first requests and checks the waits,
// the shared hold and the slow-down.
func TestThrottleStorm(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		waits   []time.Duration
		// rate is the Configuration rate after the storm: halved once per
		// second of 429s (100/s configured).
		rate float64
	}{
		{"no hint: exponential backoff", nil, []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}, 50},
		{"per-second window", map[string]string{"X-RateLimit-Period-In-Sec": "1"}, []time.Duration{time.Second, time.Second, time.Second}, 12.5},
		{"per-minute window", map[string]string{"X-RateLimit-Period-In-Sec": "60"}, []time.Duration{time.Minute, time.Minute, time.Minute}, 12.5},
		{"Retry-After seconds", map[string]string{"Retry-After": "3"}, []time.Duration{3 * time.Second, 3 * time.Second, 3 * time.Second}, 12.5},
		{"absurd period is capped", map[string]string{"X-RateLimit-Period-In-Sec": "86400"}, []time.Duration{maxServerWait, maxServerWait, maxServerWait}, 12.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t, func(o *Options) { o.Rate = Rate{PerSecond: 100, Burst: 1} })
			acct := newSimAccount(t, env, ogsim.Options{})
			acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n > 3 {
					return false
				}
				w.Header().Set("X-RateLimit-State", "THROTTLED")
				w.Header().Set("X-RateLimit-Reason", "ACCOUNT")
				for k, v := range tc.headers {
					w.Header().Set(k, v)
				}
				writeError(w, http.StatusTooManyRequests, "TooManyRequests")
				return true
			}
			if _, err := env.client.ListTeams(t.Context()); err != nil {
				t.Fatal(err)
			}
			st := env.client.RequestStats()
			if st.Throttled != 3 || st.Total != 4 {
				t.Errorf("stats = %+v, want 3 throttled of 4", st)
			}
			// Every wait is at least the expected one (the limiter may add
			// its own small spacing).
			slept := env.clock.Slept()
			var holds []time.Duration
			for _, d := range slept {
				if d >= 200*time.Millisecond {
					holds = append(holds, d)
				}
			}
			if !slices.Equal(holds, tc.waits) {
				t.Errorf("waits = %v, want %v", slept, tc.waits)
			}
			if r := env.client.config.current(); r.PerSecond != tc.rate || r.Burst != 1 {
				t.Errorf("rate after the storm = %v, want %g/s burst 1", r, tc.rate)
			}
		})
	}
}

func TestThrottledExhausted(t *testing.T) {
	env := setup(t, func(o *Options) { o.MaxRetries = 2 })
	env.mux.HandleFunc("GET /v2/teams", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Period-In-Sec", "1")
		writeError(w, http.StatusTooManyRequests, "TooManyRequests")
	})
	_, err := env.client.ListTeams(t.Context())
	if !IsThrottled(err) {
		t.Fatalf("err = %v, want 429", err)
	}
	var ae *APIError
	if errors.As(err, &ae); ae.RateLimitPeriod != 1 || ae.Route != "/v2/teams" {
		t.Errorf("APIError = %+v", ae)
	}
	if env.client.RequestStats().Total != 3 {
		t.Errorf("attempts = %d, want 3", env.client.RequestStats().Total)
	}
}

// TestThrottlePostIsResent: a 429 means the request was refused, so even a
// create is simply sent again, without a lookup.
func TestThrottlePostIsResent(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{})
	acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Pattern == "POST /v2/users" && n == 1 {
			writeError(w, http.StatusTooManyRequests, "TooManyRequests")
			return true
		}
		return false
	}
	res, err := env.client.CreateUser(t.Context(), model.User{Username: "new@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if res.ID == "" || res.Existed || res.Confirmed {
		t.Errorf("result = %+v", res)
	}
	if acct.count("POST /v2/users") != 2 || acct.count("GET /v2/users/{id}") != 0 {
		t.Errorf("posts = %d, lookups = %d; want 2 and 0", acct.count("POST /v2/users"), acct.count("GET /v2/users/{id}"))
	}
}

// TestSearchAndConfigurationDomains: list users spends the Search limiter,
// everything else the Configuration one.
func TestSearchAndConfigurationDomains(t *testing.T) {
	env := setup(t, func(o *Options) {
		o.Rate = Rate{PerSecond: 1, Burst: 1}
		o.SearchRate = &Rate{PerSecond: 10, Burst: 1}
		// One page at a time: the waits below are those of one caller.
		o.Concurrency = 1
	})
	newSimAccount(t, env, ogsim.Options{Seed: seedUsers(298)})
	if _, err := env.client.ListUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	// 3 pages (100 + 99 + 99 users, each page after the first starting at
	// the last user of the one before) at 10/s burst 1: two waits of 100 ms.
	if got := env.clock.Total(); got != 200*time.Millisecond {
		t.Errorf("waited %v for 3 search calls, want 200ms", got)
	}
	for range 3 {
		if _, err := env.client.GetUser(t.Context(), "u-00001"); err != nil {
			t.Fatal(err)
		}
	}
	// 3 configuration calls at 1/s burst 1: two more waits of 1 s; the
	// search limiter's spending did not count against it.
	if got := env.clock.Total(); got != 200*time.Millisecond+2*time.Second {
		t.Errorf("waited %v in total, want 2.2s", got)
	}
}

// TestConcurrentCallersShareTheLimiter runs many goroutines against one
// client: the fake clock must show the spacing of a single shared bucket.
func TestConcurrentCallersShareTheLimiter(t *testing.T) {
	env := setup(t, func(o *Options) { o.Rate = Rate{PerSecond: 5, Burst: 5} })
	newSimAccount(t, env, ogsim.Options{Seed: seedUsers(1)})
	var wg sync.WaitGroup
	for range 25 {
		wg.Go(func() {
			if _, err := env.client.GetUser(t.Context(), "u-00001"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// 25 requests at 5/s with a burst of 5: 20 had to wait for a token;
	// the clock advanced by at least the 4 s those tokens take to refill.
	if got := env.clock.Elapsed(); got < 4*time.Second {
		t.Errorf("clock advanced %v, want at least 4s", got)
	}
	if env.client.RequestStats().Total != 25 {
		t.Errorf("total = %d", env.client.RequestStats().Total)
	}
}

func TestObserver(t *testing.T) {
	type call struct {
		method, route string
		status        int
	}
	var mu sync.Mutex
	var calls []call
	env := setup(t, func(o *Options) {
		o.Observer = func(method, route string, status int, d time.Duration) {
			mu.Lock()
			calls = append(calls, call{method, route, status})
			mu.Unlock()
		}
	})
	acct := newSimAccount(t, env, ogsim.Options{Seed: seedUsers(1)})
	acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Pattern == "DELETE /v2/users/{id}" && n == 1 {
			writeError(w, http.StatusInternalServerError, "oops")
			return true
		}
		return false
	}
	if _, err := env.client.GetUser(t.Context(), "user00001@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := env.client.DeleteUser(t.Context(), "u-00001"); err != nil {
		t.Fatal(err)
	}
	want := []call{{"GET", "/v2/users/{id}", 200}, {"DELETE", "/v2/users/{id}", 500}, {"DELETE", "/v2/users/{id}", 200}}
	if !slices.Equal(calls, want) {
		t.Errorf("observed %v, want %v", calls, want)
	}
	st := env.client.RequestStats()
	if st.ByRoute["DELETE /v2/users/{id}"] != 2 || st.ByRoute["GET /v2/users/{id}"] != 1 {
		t.Errorf("by route = %v", st.ByRoute)
	}
	d := st.Sub(Stats{Total: 1, ByRoute: map[string]int{"GET /v2/users/{id}": 1}, Calls: []CallCount{{"GET", "/v2/users/{id}", 200, 1}}})
	if d.Total != 2 || len(d.Calls) != 2 || d.ByRoute["GET /v2/users/{id}"] != 0 {
		t.Errorf("Sub = %+v", d)
	}
}
