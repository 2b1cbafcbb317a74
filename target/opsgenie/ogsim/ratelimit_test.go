package ogsim

import (
	"strings"
	"testing"
	"time"
)

// TestRateLimit drives the buckets with a fake clock: no sleeping.
func TestRateLimit(t *testing.T) {
	type step struct {
		advance time.Duration
		path    string // GET path; /v2/users is the Search domain
		code    int
		period  string // X-RateLimit-Period-In-Sec on a 429
	}
	tests := []struct {
		name  string
		opts  RateLimitOptions
		steps []step
	}{
		{"per-second bucket", RateLimitOptions{Configuration: Bucket{PerSecond: 2}}, []step{
			{0, "/v2/teams", 200, ""}, {0, "/v2/teams", 200, ""}, {0, "/v2/teams", 429, "1"},
			{500 * time.Millisecond, "/v2/teams", 200, ""}, {0, "/v2/teams", 429, "1"},
			{time.Second, "/v2/teams", 200, ""}, {0, "/v2/teams", 200, ""}, {0, "/v2/teams", 429, "1"},
		}},
		{"per-minute bucket", RateLimitOptions{Configuration: Bucket{PerSecond: 10, PerMinute: 3}}, []step{
			{0, "/v2/teams", 200, ""}, {0, "/v2/teams", 200, ""}, {0, "/v2/teams", 200, ""}, {0, "/v2/teams", 429, "60"},
			{10 * time.Second, "/v2/teams", 429, "60"}, {10 * time.Second, "/v2/teams", 200, ""}, {0, "/v2/teams", 429, "60"},
		}},
		{"per-second checked before per-minute", RateLimitOptions{Search: Bucket{PerSecond: 1, PerMinute: 1}}, []step{
			{0, "/v2/users", 200, ""}, {0, "/v2/users", 429, "1"}, {time.Second, "/v2/users", 429, "60"},
		}},
		{"domains are separate", RateLimitOptions{Configuration: Bucket{PerSecond: 1}, Search: Bucket{PerSecond: 1}}, []step{
			{0, "/v2/users", 200, ""}, {0, "/v2/users/", 429, "1"}, {0, "/v2/teams", 200, ""}, {0, "/v2/users/user@example.com", 429, "1"},
			{0, "/v2/users?limit=5", 429, "1"},
		}},
		{"search only limits list users", RateLimitOptions{Search: Bucket{PerMinute: 1}}, []step{
			{0, "/v2/users", 200, ""}, {0, "/v2/users", 429, "60"}, {0, "/v2/teams", 200, ""}, {0, "/v2/users/user@example.com", 200, ""},
		}},
		{"a throttled request spends no token", RateLimitOptions{Configuration: Bucket{PerSecond: 1, PerMinute: 2}}, []step{
			{0, "/v2/teams", 200, ""}, {0, "/v2/teams", 429, "1"}, {0, "/v2/teams", 429, "1"},
			{time.Second, "/v2/teams", 200, ""}, {time.Second, "/v2/teams", 429, "60"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{t: testEpoch}
			srv := newTestServer(t, Options{RateLimit: tc.opts, Clock: clock.now})
			throttled := 0
			for i, st := range tc.steps {
				clock.advance(st.advance)
				r := do(t, srv, "GET", st.path, "")
				if r.code != st.code {
					t.Fatalf("step %d (%s): status %d, want %d", i, st.path, r.code, st.code)
				}
				if st.code != 429 {
					if r.header.Get("X-RateLimit-State") != "OK" {
						t.Errorf("step %d: X-RateLimit-State = %q", i, r.header.Get("X-RateLimit-State"))
					}
					continue
				}
				throttled++
				for h, want := range map[string]string{"X-RateLimit-State": "THROTTLED", "X-RateLimit-Reason": "ACCOUNT", "X-RateLimit-Period-In-Sec": st.period} {
					if got := r.header.Get(h); got != want {
						t.Errorf("step %d: %s = %q, want %q", i, h, got, want)
					}
				}
				if r.str("message") != "TooManyRequests" || r.str("requestId") == "" {
					t.Errorf("step %d: 429 body %s", i, r.raw)
				}
			}
			if st := srv.Stats(); st.Throttled != throttled || st.Total != len(tc.steps) {
				t.Errorf("stats = %+v, want %d throttled of %d", st, throttled, len(tc.steps))
			}
		})
	}
}

func TestRateLimitOffByDefault(t *testing.T) {
	srv := newTestServer(t, Options{})
	for i := range 200 {
		if r := do(t, srv, "GET", "/v2/users", ""); r.code != 200 {
			t.Fatalf("request %d: %d", i, r.code)
		}
	}
}

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no key", Options{}, "an API key is required"},
		{"negative rate", Options{APIKey: "k", RateLimit: RateLimitOptions{Search: Bucket{PerSecond: -1}}}, "search limits must not be negative"},
		{"error rate above one", Options{APIKey: "k", Faults: FaultOptions{ErrorRate: 1.5}}, "error rate 1.5"},
		{"rates add above one", Options{APIKey: "k", Faults: FaultOptions{ErrorRate: 0.6, DropRate: 0.6}}, "must not exceed 1"},
		{"negative latency", Options{APIKey: "k", Faults: FaultOptions{Latency: -time.Second}}, "must not be negative"},
		{"bad default zone", Options{APIKey: "k", Behavior: Behavior{DefaultTimeZone: "Atlantis"}}, "Atlantis"},
		{"bad default locale", Options{APIKey: "k", Behavior: Behavior{DefaultLocale: "xx"}}, "locale"},
		{"bad limits", Options{APIKey: "k", Behavior: Behavior{DefaultListLimit: 50, MaxListLimit: 10}}, "list limits"},
		{"seed key equals API key", Options{APIKey: testKey, Seed: &Seed{Keys: []SeedKey{{Key: testKey, Rights: []string{"read"}}}}}, "equals the server's API key"},
		{"bad seed", Options{APIKey: "k", Seed: &Seed{Users: []SeedUser{{Username: "x@example.com", FullName: "X", Role: "Wizard"}}}}, "seed: users[0].role: role \"Wizard\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
			if err != nil && tc.opts.APIKey != "" && strings.Contains(err.Error(), tc.opts.APIKey) && tc.opts.APIKey != "k" {
				t.Errorf("error leaks the key: %v", err)
			}
		})
	}
}

func TestListLimitBehavior(t *testing.T) {
	srv := newTestServer(t, Options{Seed: manyUsers(30), Behavior: Behavior{DefaultListLimit: 5, MaxListLimit: 10, RejectOverMaxLimit: true}})
	if n := len(do(t, srv, "GET", "/v2/users", "").list("data")); n != 5 {
		t.Errorf("default page = %d, want 5", n)
	}
	expect(t, do(t, srv, "GET", "/v2/users?limit=11", ""), 422, "limit can be at most 10")
	if n := len(do(t, srv, "GET", "/v2/users?limit=10", "").list("data")); n != 10 {
		t.Errorf("limit=10 page = %d", n)
	}
}
