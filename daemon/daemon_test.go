package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/internal/testlog"
	"github.com/ogsync/ogsync/statedir"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// yearly is a schedule that never fires during a test.
const yearly = "0 0 1 1 *"

func testConfig(t *testing.T, schedule string) *Settings {
	t.Helper()
	cfg := Settings{Schedule: schedule, TimeZone: "UTC"}
	cfg.StateDir = t.TempDir()
	cfg.MaxFailedCycles = 2
	cfg.Origin = "ogsync.yaml"
	return &cfg
}

func testLogger() (*slog.Logger, *testlog.Buffer) { return testlog.New() }

// fakeCycle counts its calls and runs fn for each; the call number starts at 1.
type fakeCycle struct {
	calls atomic.Int32
	fn    func(ctx context.Context, n int) (engine.Result, error)
	ran   chan int // receives each call number when the call returns
}

func newFakeCycle(fn func(ctx context.Context, n int) (engine.Result, error)) *fakeCycle {
	return &fakeCycle{fn: fn, ran: make(chan int, 100)}
}

func (f *fakeCycle) cycle(ctx context.Context) (engine.Result, error) {
	n := int(f.calls.Add(1))
	defer func() { f.ran <- n }()
	if f.fn == nil {
		return engine.Result{}, nil
	}
	return f.fn(ctx, n)
}

// wait waits for the cycle's call number n to return.
func (f *fakeCycle) wait(t *testing.T, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case got := <-f.ran:
			if got >= n {
				return
			}
		case <-deadline:
			t.Fatalf("cycle %d did not run within %s (%d calls)", n, timeout, f.calls.Load())
		}
	}
}

type daemonFixture struct {
	d       *Daemon
	cfg     *Settings
	logs    *testlog.Buffer
	reg     *prometheus.Registry
	cancel  context.CancelFunc
	runErr  chan error
	metrics *Metrics
}

// startDaemon builds a daemon over the fake cycle and runs it until the test ends.
func startDaemon(t *testing.T, cfg *Settings, fc *fakeCycle, load func() (*Settings, error)) *daemonFixture {
	t.Helper()
	f := newDaemon(t, cfg, func(*Settings) (engine.Cycle, error) { return fc.cycle, nil }, load)
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	f.runErr = make(chan error, 1)
	go func() { f.runErr <- f.d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-f.runErr:
		case <-time.After(15 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	return f
}

func newDaemon(t *testing.T, cfg *Settings, factory cycleFactory, load func() (*Settings, error)) *daemonFixture {
	t.Helper()
	logger, logs := testLogger()
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg, "test")
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDaemon(Options{Settings: *cfg, Cycle: mustCycle(t, factory, cfg), Load: loader(factory, load), Logger: logger, Metrics: m, ShutdownTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &daemonFixture{d: d, cfg: cfg, logs: logs, reg: reg, metrics: m}
}

// job returns the daemon's wrapped job, what a cron tick runs.
func (f *daemonFixture) job(t *testing.T) func() {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		f.d.mu.Lock()
		j := f.d.job
		f.d.mu.Unlock()
		if j != nil {
			return j.Run
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the daemon did not start")
	return nil
}

func readResult(t *testing.T, dir string) engine.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, statedir.ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	var r engine.Result
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDaemonCycleAtStart(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, yearly)
	fc := newFakeCycle(func(ctx context.Context, n int) (engine.Result, error) {
		r := engine.Result{Commit: "abc123", APICalls: 7, Actions: []engine.ActionResult{act("user", "create", engine.ActionApplied)}}
		return r, nil
	})
	f := startDaemon(t, cfg, fc, nil)
	fc.wait(t, 1, 10*time.Second)

	f.cancel()
	if err := <-f.runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
	f.runErr <- nil // for the cleanup
	if n := fc.calls.Load(); n != 1 {
		t.Errorf("%d cycles, want 1", n)
	}
	r := readResult(t, cfg.StateDir)
	if r.Outcome != engine.OutcomeChangesApplied || r.Commit != "abc123" || r.APICalls != 7 || r.Start.IsZero() || r.End.Before(r.Start) {
		t.Errorf("last result = %+v", r)
	}
	if _, err := os.Stat(filepath.Join(cfg.StateDir, statedir.ReportFile)); err != nil {
		t.Error(err)
	}
	if got := testutil.ToFloat64(f.metrics.cycles.WithLabelValues("changes-applied")); got != 1 {
		t.Errorf("changes-applied cycles = %v, want 1", got)
	}
	logs := f.logs.String()
	for _, want := range []string{"daemon started", "cycle finished", "outcome=changes-applied", "commit=abc123", "daemon stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestDaemonCronTicks(t *testing.T) {
	t.Parallel()
	fc := newFakeCycle(nil)
	startDaemon(t, testConfig(t, "@every 1s"), fc, nil)
	fc.wait(t, 3, 15*time.Second) // the cycle at start and two ticks
}

func TestDaemonSkipIfStillRunning(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	started := make(chan struct{})
	fc := newFakeCycle(func(ctx context.Context, n int) (engine.Result, error) {
		if n == 1 {
			close(started)
			<-release
		}
		return engine.Result{}, nil
	})
	f := startDaemon(t, testConfig(t, yearly), fc, nil)
	tick := f.job(t)
	<-started

	tick() // a tick while the start-up cycle runs: skipped, returns at once
	if n := fc.calls.Load(); n != 1 {
		t.Fatalf("%d cycles while one was running, want 1", n)
	}
	if got := testutil.ToFloat64(f.metrics.skippedTicks); got != 1 {
		t.Errorf("skipped ticks = %v, want 1", got)
	}
	if !strings.Contains(f.logs.String(), "scheduled cycle skipped") {
		t.Errorf("no skip warning in:\n%s", f.logs.String())
	}

	close(release)
	tickUntil(t, tick, fc, 2)
}

// tickUntil runs ticks until the cycle has run n times. A tick right after a
// cycle returns may still find the skip guard held for a moment.
func tickUntil(t *testing.T, tick func(), fc *fakeCycle, n int32) {
	t.Helper()
	waitFor(t, func() bool {
		tick()
		return fc.calls.Load() >= n
	})
	if got := fc.calls.Load(); got != n {
		t.Errorf("%d cycles, want %d", got, n)
	}
}

func TestDaemonPanicRecovery(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, yearly)
	fc := newFakeCycle(func(ctx context.Context, n int) (engine.Result, error) {
		if n == 1 {
			panic("nil map in planner")
		}
		return engine.Result{}, nil
	})
	f := startDaemon(t, cfg, fc, nil)
	tick := f.job(t)
	fc.wait(t, 1, 10*time.Second)
	waitFor(t, func() bool { return readResultOK(cfg.StateDir) })

	r := readResult(t, cfg.StateDir)
	if r.Outcome != engine.OutcomeFailed || !strings.Contains(r.Error, "cycle panicked: nil map in planner") {
		t.Errorf("result after a panic = %+v", r)
	}
	if !strings.Contains(f.logs.String(), "stack=") {
		t.Error("the panic's stack is not logged")
	}

	tickUntil(t, tick, fc, 2) // the skip guard was released despite the panic
	if r := readResult(t, cfg.StateDir); r.Outcome != engine.OutcomeOK {
		t.Errorf("outcome after recovery = %q", r.Outcome)
	}
	if !f.d.Health().Healthy() {
		t.Error("unhealthy after recovering")
	}
}

func readResultOK(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, statedir.ResultFile))
	return err == nil
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 2s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDaemonReload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		load      func(old *Settings) (*Settings, error)
		factory   func(cfg *Settings) error
		wantErr   string
		wantSched string
		wantCycle string
	}{
		{
			name:      "bad config keeps the old one",
			load:      func(*Settings) (*Settings, error) { return nil, errors.New("ogsync.yaml:3:1: schedule: bad") },
			wantErr:   "reloading the configuration: ogsync.yaml:3:1: schedule: bad",
			wantSched: yearly,
			wantCycle: "old",
		},
		{
			name: "cycle that cannot be built keeps the old one",
			load: func(old *Settings) (*Settings, error) {
				c := *old
				c.Schedule = "*/5 * * * *"
				return &c, nil
			},
			factory:   func(*Settings) error { return errors.New("reading API key file: permission denied") },
			wantErr:   "building the sync cycle: reading API key file: permission denied",
			wantSched: yearly,
			wantCycle: "old",
		},
		{
			name: "settings the daemon refuses keep the old ones",
			load: func(old *Settings) (*Settings, error) {
				c := *old
				c.Schedule = "@every 0s"
				return &c, nil
			},
			wantErr:   `schedule: "@every 0s": the interval must be at least 1s`,
			wantSched: yearly,
			wantCycle: "old",
		},
		{
			name: "good config replaces the cycle",
			load: func(old *Settings) (*Settings, error) {
				c := *old
				c.Schedule = "*/5 * * * *"
				c.MaxFailedCycles = 1
				return &c, nil
			},
			wantSched: "*/5 * * * *",
			wantCycle: "new",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig(t, yearly)
			var lastCommit atomic.Value
			built := 0
			factory := func(c *Settings) (engine.Cycle, error) {
				built++
				if built > 1 && tc.factory != nil {
					if err := tc.factory(c); err != nil {
						return nil, err
					}
				}
				name := "old"
				if built > 1 {
					name = "new"
				}
				return func(context.Context) (engine.Result, error) {
					lastCommit.Store(name)
					return engine.Result{}, nil
				}, nil
			}
			f := newDaemon(t, cfg, factory, func() (*Settings, error) { return tc.load(cfg) })
			err := f.d.Reload()
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Reload: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Reload error = %v, want %q", err, tc.wantErr)
			}
			if got := f.d.Settings().Schedule; got != tc.wantSched {
				t.Errorf("schedule in force = %q, want %q", got, tc.wantSched)
			}
			if _, err := f.d.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := lastCommit.Load(); got != tc.wantCycle {
				t.Errorf("cycle run = %v, want the %s one", got, tc.wantCycle)
			}
			wantOK := 1.0
			if tc.wantErr != "" {
				wantOK = 0
				if !strings.Contains(f.logs.String(), "keeping the configuration in force") {
					t.Errorf("the failed reload is not logged:\n%s", f.logs.String())
				}
			}
			if got := testutil.ToFloat64(f.metrics.reloadOK); got != wantOK {
				t.Errorf("reload successful gauge = %v, want %v", got, wantOK)
			}
		})
	}
}

func TestDaemonReloadReschedules(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, yearly)
	fc := newFakeCycle(nil)
	f := startDaemon(t, cfg, fc, func() (*Settings, error) {
		c := *cfg
		c.Schedule = "@every 1s"
		c.TimeZone = "Europe/Berlin"
		c.Listen = "127.0.0.1:9999"
		return &c, nil
	})
	f.job(t)
	fc.wait(t, 1, 10*time.Second)
	if next := f.d.Next(); time.Until(next) < 24*time.Hour {
		t.Fatalf("next cycle at %v with a yearly schedule", next)
	}
	if err := f.d.Reload(); err != nil {
		t.Fatal(err)
	}
	if next := f.d.Next(); time.Until(next) > 2*time.Second || next.Location().String() != "Europe/Berlin" {
		t.Errorf("next cycle at %v after rescheduling to every second in Berlin", next)
	}
	fc.wait(t, 2, 10*time.Second) // a tick of the new schedule
	logs := f.logs.String()
	if !strings.Contains(logs, "configuration reloaded") || !strings.Contains(logs, "rescheduled=true") || !strings.Contains(logs, "listen changed") {
		t.Errorf("logs:\n%s", logs)
	}
}

func TestDaemonReloadWithoutLoader(t *testing.T) {
	f := newDaemon(t, testConfig(t, yearly), func(*Settings) (engine.Cycle, error) { return newFakeCycle(nil).cycle, nil }, nil)
	if err := f.d.Reload(); err == nil {
		t.Error("Reload without a loader succeeded")
	}
}

func TestDaemonShutdownFinishesCycleInFlight(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	var finished atomic.Bool
	fc := newFakeCycle(func(ctx context.Context, n int) (engine.Result, error) {
		close(started)
		<-ctx.Done()
		time.Sleep(100 * time.Millisecond) // the action in flight
		finished.Store(true)
		return engine.Result{Actions: []engine.ActionResult{act("user", "create", engine.ActionApplied), act("user", "create", engine.ActionCancelled)}}, ctx.Err()
	})
	cfg := testConfig(t, yearly)
	f := startDaemon(t, cfg, fc, nil)
	<-started
	f.cancel()
	if err := <-f.runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
	f.runErr <- nil
	if !finished.Load() {
		t.Error("Run returned before the cycle in flight finished")
	}
	if r := readResult(t, cfg.StateDir); r.Outcome != engine.OutcomePartial || r.Counts["user"].Cancelled != 1 {
		t.Errorf("result of the cancelled cycle = %+v", r)
	}
}

func TestDaemonShutdownTimeout(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	fc := newFakeCycle(func(ctx context.Context, n int) (engine.Result, error) {
		close(started)
		<-release // ignores ctx
		return engine.Result{}, nil
	})
	logger, _ := testLogger()
	d, err := NewDaemon(Options{Settings: *testConfig(t, yearly), Cycle: fc.cycle, Logger: logger, ShutdownTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	<-started
	cancel()
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "did not finish within 100ms") {
			t.Errorf("Run error = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not give up after the shutdown timeout")
	}
}

func TestDaemonUnhealthyAfterFailures(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, yearly) // max_failed_cycles: 2
	fc := newFakeCycle(func(context.Context, int) (engine.Result, error) {
		return engine.Result{}, errors.New("listing users: 503 Service Unavailable")
	})
	f := newDaemon(t, cfg, func(*Settings) (engine.Cycle, error) { return fc.cycle, nil }, nil)
	for i, wantHealthy := range []bool{true, false} {
		res, err := f.d.RunOnce(context.Background())
		if err == nil || res.Outcome != engine.OutcomeFailed {
			t.Fatalf("cycle %d: outcome %q, err %v", i+1, res.Outcome, err)
		}
		if f.d.Health().Healthy() != wantHealthy {
			t.Errorf("after %d failed cycles healthy = %v, want %v", i+1, !wantHealthy, wantHealthy)
		}
	}
	if got := testutil.ToFloat64(f.metrics.consecutiveFailed); got != 2 {
		t.Errorf("consecutive failed gauge = %v", got)
	}
	if !strings.Contains(f.logs.String(), `level=ERROR msg="cycle did not succeed"`) {
		t.Errorf("logs:\n%s", f.logs.String())
	}
}

func TestDaemonStateWriteFailureIsCounted(t *testing.T) {
	cfg := testConfig(t, yearly)
	cfg.StateDir = filepath.Join(cfg.StateDir, "missing")
	f := newDaemon(t, cfg, func(*Settings) (engine.Cycle, error) { return newFakeCycle(nil).cycle, nil }, nil)
	if _, err := f.d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(f.metrics.stateErrors); got != 1 {
		t.Errorf("state write errors = %v, want 1", got)
	}
}

func TestNewDaemonErrors(t *testing.T) {
	logger, _ := testLogger()
	ok := newFakeCycle(nil).cycle
	with := func(mod func(*Settings)) Settings {
		s := testConfig(t, yearly)
		mod(s)
		return *s
	}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"missing options", Options{}, "needs Cycle and Logger"},
		{"bad schedule", Options{Settings: *testConfig(t, "not a schedule"), Cycle: ok, Logger: logger}, `schedule: "not a schedule" is not a cron schedule`},
		{"schedule under a second", Options{Settings: *testConfig(t, "@every 0s"), Cycle: ok, Logger: logger}, `schedule: "@every 0s": the interval must be at least 1s`},
		{"no failed cycles allowed", Options{Settings: with(func(s *Settings) { s.MaxFailedCycles = 0 }), Cycle: ok, Logger: logger}, "max_failed_cycles: must be at least 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewDaemon(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCronLogger(t *testing.T) {
	logger, logs := testLogger()
	skipped := 0
	cl := &cronLogger{l: logger, skipped: func() { skipped++ }}
	cl.Info("wake", "now", "x")
	cl.Error(errors.New("boom"), "panic", "stack", "...")
	cl.Info("skip")
	got := logs.String()
	for _, want := range []string{`level=DEBUG msg="cron: wake" now=x`, `level=ERROR msg="cron: panic" err=boom stack=...`, `level=WARN msg="scheduled cycle skipped`} {
		if !strings.Contains(got, want) {
			t.Errorf("logs lack %q:\n%s", want, got)
		}
	}
	if skipped != 1 {
		t.Errorf("skipped = %d", skipped)
	}
}

// A reload that moves state_dir keeps the one in force, where the lock is
// held: the next cycle's files are written there, not in the new one.
func TestDaemonReloadKeepsStateDir(t *testing.T) {
	cfg := testConfig(t, yearly)
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Mkdir(moved, 0o750); err != nil {
		t.Fatal(err)
	}
	f := newDaemon(t, cfg, func(*Settings) (engine.Cycle, error) { return newFakeCycle(nil).cycle, nil }, func() (*Settings, error) {
		c := *cfg
		c.StateDir = moved
		c.MaxFailedCycles = 5
		return &c, nil
	})
	if err := f.d.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := f.d.Settings(); got.StateDir != cfg.StateDir || got.MaxFailedCycles != 5 {
		t.Errorf("settings in force: state_dir %q, max_failed_cycles %d; want %q and 5", got.StateDir, got.MaxFailedCycles, cfg.StateDir)
	}
	if _, err := f.d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	readResult(t, cfg.StateDir)
	if _, err := os.Stat(filepath.Join(moved, statedir.ResultFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the moved state_dir got a result: %v", err)
	}
	if !strings.Contains(f.logs.String(), "state_dir changed; it takes effect at the next restart") {
		t.Errorf("not logged:\n%s", f.logs.String())
	}
}
