package tests

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// cycleSetup is one setting of the cycle benchmark: the client limiter
// (a fixed rate, burst 20, default concurrency), the emulator's per-second limit
// above it in both domains, and the emulator's latency.
type cycleSetup struct {
	users, teams    int
	rate, simLimit  int
	latency, jitter time.Duration
}

// BenchmarkCycle measures, for an account of U users and T teams:
//
//   - the initial import (one cycle with apply, from an account with one
//     Owner): its API calls and wall time, and the request rate achieved
//     while applying next to the client limiter's rate, with the 429s seen;
//   - then a no-op cycle: its API calls next to the lower bound opsgenie.UserPages(U)+1.
//
// The client's limiter is below the emulator's limit. Two settings: 200/s
// against an emulator answering at once (limit 250/s), and 50/s against one
// that takes 50–70 ms per request (limit 60/s), where the requests in
// flight must keep the limiter busy. 10,000 × 500 runs with OGSYNC_LONG=1:
//
//	go test -run '^$' -bench Cycle -benchtime 1x ./tests/
//	OGSYNC_LONG=1 go test -run '^$' -bench Cycle -benchtime 1x -timeout 30m ./tests/
func BenchmarkCycle(b *testing.B) {
	setups := []cycleSetup{
		{users: 1000, teams: 20, rate: 200, simLimit: 250},
		{users: 1000, teams: 20, rate: 50, simLimit: 60, latency: 50 * time.Millisecond, jitter: 20 * time.Millisecond},
	}
	if longRun() {
		setups = append(setups, cycleSetup{users: 10000, teams: 500, rate: 200, simLimit: 250})
	}
	for _, s := range setups {
		b.Run(fmt.Sprintf("users=%d/teams=%d/rate=%d/latency=%s", s.users, s.teams, s.rate, s.latency), func(b *testing.B) {
			w := newWorld(s.users-1, s.teams) // the owner is the U-th user
			dir := b.TempDir()
			w.writeYAML(b, dir)
			var m cycleFigures
			for b.Loop() {
				m = runCycleBench(b, w, dir, s)
			}
			b.ReportMetric(float64(m.importCalls), "import-calls")
			b.ReportMetric(m.importWall.Seconds(), "import-s")
			b.ReportMetric(m.rate, "write-req/s")
			b.ReportMetric(float64(s.rate), "limit-req/s")
			b.ReportMetric(100*m.rate/float64(s.rate), "rate-%")
			b.ReportMetric(float64(m.throttled), "429s")
			b.ReportMetric(float64(m.noopCalls), "noop-calls")
			b.ReportMetric(float64(lowerBound(w.userCount())), "lower-bound")
			b.Logf("\n| users × teams | latency | no-op calls | lower bound | import calls | import wall | write rate | limiter | rate | 429s |\n"+
				"| %d × %d | %s | %d | %d | %d | %.1f s | %.1f/s | %d/s | %.1f%% | %d |",
				w.userCount(), len(w.teams), s.latency, m.noopCalls, lowerBound(w.userCount()), m.importCalls, m.importWall.Seconds(),
				m.rate, s.rate, 100*m.rate/float64(s.rate), m.throttled)
		})
	}
}

type cycleFigures struct {
	importCalls int
	importWall  time.Duration
	rate        float64
	throttled   int
	noopCalls   int
}

func runCycleBench(b *testing.B, w world, dir string, s cycleSetup) cycleFigures {
	b.Helper()
	limit := ogsim.Bucket{PerSecond: s.simLimit}
	e := startEmu(b, ogsim.Options{Seed: ownerSeed(), RateLimit: ogsim.RateLimitOptions{Configuration: limit, Search: limit},
		Faults: ogsim.FaultOptions{Latency: s.latency, Jitter: s.jitter}})
	cfg := baseConfig(e.url, dir, float64(s.rate), 20)
	// The limiter's accuracy at a fixed rate: no learning.
	cfg.OpsGenie.RateLimit.Adaptive = new(false)
	eng, client := newEngine(b, cfg, true, testLogger(b))
	ctx := context.Background()
	var f cycleFigures

	start := time.Now()
	p, err := eng.Plan(ctx)
	if err != nil {
		b.Fatal(err)
	}
	beforeApply := client.RequestStats()
	applyStart := time.Now()
	results := eng.Apply(ctx, p)
	applyWall := time.Since(applyStart)
	f.importWall = time.Since(start)
	after := client.RequestStats()
	for _, r := range results {
		if r.Outcome != engine.ActionApplied {
			b.Fatalf("import: %s: %s %s", r.Action, r.Outcome, r.Error)
		}
	}
	f.importCalls = after.Total
	writes := after.Sub(beforeApply).Total
	f.rate = float64(writes) / applyWall.Seconds()
	f.throttled = e.sim.Stats().Throttled

	if d := differences(e.sim.State(), w, nil, 5); len(d) > 0 {
		b.Fatalf("after the import: %v", d)
	}
	e.sim.ResetStats()
	res, err := eng.RunCycle(ctx)
	if err != nil || res.Outcome != engine.OutcomeOK {
		b.Fatalf("no-op cycle: %s, %v", res.Outcome, err)
	}
	f.noopCalls = e.sim.Stats().Total
	f.throttled += e.sim.Stats().Throttled
	return f
}

// BenchmarkLoadPlan measures loading (source.LoadFS over generated YAML
// files) plus planning (planner.Compute) of 10,000 users / 1,000 teams and
// 100,000 users / 10,000 teams (members spread evenly): CPU time
// (getrusage, user+system), wall time, the peak of the Go heap
// (runtime/metrics, sampled every millisecond) and the peak resident set
// (VmHWM, reset before the run). Two accounts: one equal to the desired
// state but for a 1% drift (the steady state), and an account with one
// Owner (the initial plan: every user and team created, members travel in
// the team creates). drift=1%/cached is the steady state as the daemon
// meets it after its first cycle: the files are those its source.Cache
// has seen, so they are read and hashed but not decoded (the cache's
// decoded state is part of the live heap).
//
//	go test -run '^$' -bench LoadPlan -benchtime 1x ./tests/
func BenchmarkLoadPlan(b *testing.B) {
	for _, size := range []struct{ users, teams int }{{10_000, 1_000}, {100_000, 10_000}} {
		nUsers, nTeams := size.users, size.teams
		w := newWorld(nUsers-1, nTeams)
		dir := b.TempDir()
		w.writeYAML(b, dir)
		fsys := os.DirFS(dir)
		for _, tc := range []struct {
			name    string
			current func() model.Current
			cached  bool // a source.Cache that has seen the files (the daemon's next cycles)
		}{
			{"drift=1%", func() model.Current { return currentOf(w, 100) }, false},
			{"drift=1%/cached", func() model.Current { return currentOf(w, 100) }, true},
			{"from-one-owner", func() model.Current {
				return model.Current{Users: []model.User{{ID: "owner", Username: owner, FullName: model.Ptr("Account Owner"), Role: model.Ptr(model.RoleOwner),
					TimeZone: model.Ptr("UTC"), Locale: model.Ptr("en_US"), Tags: &[]string{}, Details: &map[string][]string{}}}, Teams: []model.Team{}}
			}, false},
		} {
			b.Run(fmt.Sprintf("users=%d/teams=%d/%s", nUsers, nTeams, tc.name), func(b *testing.B) {
				cur := tc.current()
				cfg := config.Default()
				cfg.Policy = config.Policy{Users: config.PolicySync, Teams: config.PolicySync, Members: config.PolicySync}
				cfg.Safeguards.MaxDeletes = config.MaxDeletes{Count: 1 << 20, Percent: 100}
				opts := cfg.PlannerOptions()
				var srcOpts source.Options
				if tc.cached {
					srcOpts.Cache = &source.Cache{}
					if _, err := source.LoadFS(context.Background(), fsys, srcOpts); err != nil {
						b.Fatal(err)
					}
				}
				var m resourceFigures
				var actions int
				for b.Loop() {
					var p *planner.Plan
					m = measure(func() {
						d, err := source.LoadFS(context.Background(), fsys, srcOpts)
						if err != nil {
							b.Fatal(err)
						}
						if len(d.Users) != nUsers || len(d.Teams) != nTeams {
							b.Fatalf("loaded %d users and %d teams", len(d.Users), len(d.Teams))
						}
						if p, err = planner.Compute(*d, cur, opts); err != nil {
							b.Fatal(err)
						}
					})
					if p.Refused() {
						b.Fatalf("plan refused: %v", p.Violations)
					}
					actions = len(p.Actions)
				}
				runtime.KeepAlive(cur)
				b.ReportMetric(float64(actions), "actions")
				b.ReportMetric(m.cpu.Seconds(), "cpu-s")
				b.ReportMetric(m.wall.Seconds(), "wall-s")
				b.ReportMetric(float64(m.peakHeap)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(m.peakRSS)/(1<<20), "peak-RSS-MB")
				b.Logf("\n| load + plan %d users / %d teams, %s | %d actions | CPU %.2f s | wall %.2f s | peak heap %.0f MB | peak RSS %.0f MB (%s) |",
					nUsers, nTeams, tc.name, actions, m.cpu.Seconds(), m.wall.Seconds(), float64(m.peakHeap)/(1<<20), float64(m.peakRSS)/(1<<20), m.rssHow)
			})
		}
	}
}

// currentOf is the account a world was imported into, with a drift: every
// every-th user has another full name, every every-th team lacks a member.
func currentOf(w world, every int) model.Current {
	c := model.Current{Users: make([]model.User, len(w.users)), Teams: make([]model.Team, len(w.teams))}
	ids := make(map[string]string, len(w.users))
	for i, u := range w.users {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		ids[u.username] = id
		full := u.fullName
		if i%every == every-1 {
			full += " (old)"
		}
		tz, loc := cmpOr(u.timeZone, "America/New_York"), cmpOr(u.locale, "en_US")
		tags := model.SortedCopy(u.tags)
		if tags == nil {
			tags = []string{}
		}
		c.Users[i] = model.User{ID: id, Username: u.username, FullName: &full, Role: model.Ptr(u.role), TimeZone: &tz, Locale: &loc,
			Tags: &tags, Details: &map[string][]string{"managed-by": {"ogsync"}}}
	}
	for i, t := range w.teams {
		ms := make([]model.Member, 0, len(t.members))
		for k, m := range t.members {
			if i%every == every-1 && k == len(t.members)-1 {
				continue
			}
			ms = append(ms, model.Member{Username: m.username, UserID: ids[m.username], Role: m.role})
		}
		c.Teams[i] = model.Team{ID: fmt.Sprintf("t%06d", i), Name: t.name, Description: model.Ptr(t.description), Members: &ms}
	}
	return c
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// resourceFigures are what measure observed of one run.
type resourceFigures struct {
	cpu, wall time.Duration
	peakHeap  uint64 // bytes of heap objects, sampled
	peakRSS   uint64 // bytes
	rssHow    string // how peakRSS was measured
}

// measure runs fn and observes its CPU time, wall time, peak heap and peak
// RSS. The process should do nothing else meanwhile.
func measure(fn func()) resourceFigures {
	runtime.GC()
	debug.FreeOSMemory()
	how := "VmHWM reset before the run"
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		how = "getrusage maxrss: the process's peak, setup included"
	}
	var stop = make(chan struct{})
	var wg sync.WaitGroup
	var peak uint64
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	cpu0 := cpuTime()
	start := time.Now()
	fn()
	wall := time.Since(start)
	cpu := cpuTime() - cpu0
	close(stop)
	wg.Wait()
	return resourceFigures{cpu: cpu, wall: wall, peakHeap: peak, peakRSS: peakRSS(), rssHow: how}
}

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is VmHWM from /proc/self/status, else getrusage's maxrss.
func peakRSS() uint64 {
	if data, err := fs.ReadFile(os.DirFS("/proc/self"), "status"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return uint64(ru.Maxrss) << 10 // kilobytes on Linux
}
