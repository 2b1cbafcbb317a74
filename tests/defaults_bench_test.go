package tests

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// defaultConfig is baseConfig with ogsync's default rate limiting: no
// opsgenie.rate_limit (the adaptive limiter from its documented start, no
// learned rates) and the default apply.concurrency.
func defaultConfig(url, dir string) *config.Config {
	cfg := baseConfig(url, dir, 0, 0)
	cfg.OpsGenie.RateLimit = config.RateLimit{}
	return cfg
}

// seedOf is the account a world was imported into, with a drift of n full
// names changed and n memberships missing (2n writes to converge).
func seedOf(w world, drift int) *ogsim.Seed {
	s := &ogsim.Seed{Users: make([]ogsim.SeedUser, len(w.users)), Teams: make([]ogsim.SeedTeam, len(w.teams))}
	for i, u := range w.users {
		full := u.fullName
		if i > 0 && i <= drift {
			full += " (old)"
		}
		s.Users[i] = ogsim.SeedUser{Username: u.username, FullName: full, Role: u.role, TimeZone: u.timeZone, Locale: u.locale, Tags: u.tags}
	}
	dropped := 0
	for i, t := range w.teams {
		ms := make([]ogsim.SeedMember, 0, len(t.members))
		for k, m := range t.members {
			if k == len(t.members)-1 && k > 0 && dropped < drift {
				dropped++
				continue
			}
			ms = append(ms, ogsim.SeedMember{Username: m.username, Role: m.role})
		}
		s.Teams[i] = ogsim.SeedTeam{Name: t.name, Description: t.description, Members: ms}
	}
	return s
}

// BenchmarkDefaults measures one cycle with default settings (the adaptive
// limiter from its start, apply.concurrency 16), as a fresh daemon runs its
// first cycle, against an emulator without rate limits:
//
//   - noop: the account equals the YAML;
//   - change: 10 full names and 10 memberships differ (20 writes).
//
// At 1,000 × 20 and 5,000 × 100, with 0 and 50 ms of latency per request.
// It reports the requests, the 429s and the wall time of the cycle (pull
// off, load, read, plan, audit, apply), and the wall time of the next
// cycle, a no-op that starts from the rates the limiter learned. The Terraform figures of README's
// comparison are for the same worlds.
//
//	go test -run '^$' -bench Defaults -benchtime 1x ./tests/
func BenchmarkDefaults(b *testing.B) {
	for _, size := range []struct{ users, teams int }{{1000, 20}, {5000, 100}} {
		w := newWorld(size.users-1, size.teams)
		dir := b.TempDir()
		w.writeYAML(b, dir)
		for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
			for _, tc := range []struct {
				name  string
				drift int
			}{{"noop", 0}, {"change", 10}} {
				b.Run(fmt.Sprintf("users=%d/teams=%d/latency=%s/%s", size.users, size.teams, latency, tc.name), func(b *testing.B) {
					var calls, throttled int
					var wall, again time.Duration
					var res engine.Result
					for b.Loop() {
						e := startEmu(b, ogsim.Options{Seed: seedOf(w, tc.drift), Faults: ogsim.FaultOptions{Latency: latency}})
						eng, _ := newEngine(b, defaultConfig(e.url, dir), true, testLogger(b))
						start := time.Now()
						var err error
						res, err = eng.RunCycle(context.Background())
						wall = time.Since(start)
						if err != nil || !res.Outcome.Succeeded() {
							b.Fatalf("cycle: %s, %v", res.Outcome, err)
						}
						calls, throttled = e.sim.Stats().Total, e.sim.Stats().Throttled
						// The next cycle, a no-op, starts from the rates the
						// limiter learned in this one; as in the daemon, whose
						// cycles are minutes apart, the buckets have refilled.
						time.Sleep(2 * time.Second)
						start = time.Now()
						if r, err := eng.RunCycle(context.Background()); err != nil || r.Outcome != engine.OutcomeOK {
							b.Fatalf("next cycle: %s, %v", r.Outcome, err)
						}
						again = time.Since(start)
					}
					if want := 2 * tc.drift; len(res.Actions) != want {
						b.Fatalf("%d actions, want %d", len(res.Actions), want)
					}
					b.ReportMetric(float64(calls), "calls")
					b.ReportMetric(float64(throttled), "429s")
					b.ReportMetric(wall.Seconds(), "wall-s")
					b.ReportMetric(again.Seconds(), "next-noop-s")
					b.Logf("\n| %d × %d | %s | %s | %d actions | %d calls | %d × 429 | %.2f s | next no-op %.2f s |",
						size.users, size.teams, latency, tc.name, len(res.Actions), calls, throttled, wall.Seconds(), again.Seconds())
				})
			}
		}
	}
}

// BenchmarkImportLimited imports 200 users and 10 teams, with default
// settings, into an account limited to 10 requests a second per domain
// (both windows' per-second bucket; OpsGenie's actual limits are not
// published). It reports the requests, the 429s and the wall time of the
// cycle: the adaptive limiter starts at 10/s, climbs, is halved at the
// first 429 and saws below the limit.
//
//	go test -run '^$' -bench ImportLimited -benchtime 1x ./tests/
func BenchmarkImportLimited(b *testing.B) {
	w := newWorld(199, 10)
	dir := b.TempDir()
	w.writeYAML(b, dir)
	var calls, throttled int
	var wall time.Duration
	for b.Loop() {
		limit := ogsim.Bucket{PerSecond: 10}
		e := startEmu(b, ogsim.Options{Seed: ownerSeed(), RateLimit: ogsim.RateLimitOptions{Configuration: limit, Search: limit}})
		eng, _ := newEngine(b, defaultConfig(e.url, dir), true, testLogger(b))
		start := time.Now()
		res, err := eng.RunCycle(context.Background())
		wall = time.Since(start)
		if err != nil || res.Outcome != engine.OutcomeChangesApplied {
			b.Fatalf("import: %s, %v", res.Outcome, err)
		}
		if d := differences(e.sim.State(), w, nil, 5); len(d) > 0 {
			b.Fatalf("after the import: %v", d)
		}
		calls, throttled = e.sim.Stats().Total, e.sim.Stats().Throttled
	}
	b.ReportMetric(float64(calls), "calls")
	b.ReportMetric(float64(throttled), "429s")
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.Logf("\n| import 200 × 10 at 10/s | %d calls | %d × 429 | %.1f s |", calls, throttled, wall.Seconds())
}

// TestDefaultsCost checks, with default settings, what BenchmarkDefaults
// times: a no-op over 1,000 users and 20 teams costs opsgenie.UserPages(U)+1 requests
// and a 20-write change 20 more, with no 429 (counts only, no timing).
func TestDefaultsCost(t *testing.T) {
	w := newWorld(999, 20)
	dir := t.TempDir()
	w.writeYAML(t, dir)
	for _, drift := range []int{0, 10} {
		e := startEmu(t, ogsim.Options{Seed: seedOf(w, drift)})
		eng, _ := newEngine(t, defaultConfig(e.url, dir), true, testLogger(t))
		res, err := eng.RunCycle(t.Context())
		if err != nil || !res.Outcome.Succeeded() {
			t.Fatalf("drift %d: %s, %v", drift, res.Outcome, err)
		}
		st := e.sim.Stats()
		if want := lowerBound(w.userCount()) + 2*drift; st.Total != want || st.Throttled != 0 || len(res.Actions) != 2*drift {
			t.Errorf("drift %d: %d requests (%d × 429), %d actions; want %d requests, no 429, %d actions",
				drift, st.Total, st.Throttled, len(res.Actions), want, 2*drift)
		}
	}
}

// TestWriteWorld writes a generated desired state for measuring the built
// binary, when OGSYNC_WORLD is DIR:USERS:TEAMS (it is skipped otherwise):
//
//	OGSYNC_WORLD=/tmp/w100k:100000:10000 go test -run TestWriteWorld ./tests/
//	/usr/bin/time -v ogsync validate --desired /tmp/w100k
func TestWriteWorld(t *testing.T) {
	spec := os.Getenv("OGSYNC_WORLD")
	if spec == "" {
		t.Skip("set OGSYNC_WORLD=DIR:USERS:TEAMS to write a world")
	}
	var dir string
	var users, teams int
	parts := strings.Split(spec, ":")
	if len(parts) == 3 {
		dir = parts[0]
		users, _ = strconv.Atoi(parts[1])
		teams, _ = strconv.Atoi(parts[2])
	}
	if dir == "" || users < 1 || teams < 0 {
		t.Fatalf("OGSYNC_WORLD=%q: want DIR:USERS:TEAMS", spec)
	}
	newWorld(users-1, teams).writeYAML(t, dir)
}
