// Package daemon runs ogsync's cycles: one at start and then on the
// configured cron schedule, never two at once, with the bookkeeping around
// them: the last cycle's files in the state directory, /healthz,
// Prometheus metrics and systemd notifications. The cycle plugs in as an
// engine.Cycle; the daemon knows its Settings, never the configuration
// file: a reload calls the Load function the caller gives.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/statedir"
	"github.com/robfig/cron/v3"
)

// Loader re-reads the configuration on a reload: the daemon's settings and
// the cycle built from it. An error keeps the settings and cycle in force.
type Loader func() (Settings, engine.Cycle, error)

// Options configure a Daemon.
type Options struct {
	// Settings are the settings to start with; they must be valid
	// (Settings.Validate).
	Settings Settings
	// Cycle is the cycle to start with. Required.
	Cycle engine.Cycle
	// Load re-reads the configuration on Reload; nil means Reload is refused.
	Load Loader
	// Logger receives the daemon's logs. Required.
	Logger *slog.Logger
	// Metrics, when set, count cycles and reloads.
	Metrics *Metrics
	// Health, when set, is fed every cycle; else the daemon makes its own.
	Health *Health
	// Notifier, when set, tells systemd when the daemon is ready, reloading
	// and stopping, the last cycle's outcome, and that its scheduler is alive
	// (WATCHDOG=1 from a job of the scheduler itself).
	Notifier *Notifier
	// ShutdownTimeout bounds the wait for the cycle in flight when Run's
	// context is cancelled; 0 means one minute.
	ShutdownTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Redact, when set, hides secrets in what is written to the state
	// directory (a server may echo the API key in its data).
	Redact func([]byte) []byte
}

// Daemon runs cycles: one at start, then on the configured cron schedule in
// the configured time zone, never two at once. It records every cycle in
// Health, Metrics and the state directory, and reloads its configuration on
// request.
type Daemon struct {
	load    Loader
	logger  *slog.Logger
	metrics *Metrics
	health  *Health
	notify  *Notifier
	timeout time.Duration
	now     func() time.Time
	redact  func([]byte) []byte

	mu       sync.Mutex // guards the fields below
	status   string     // the last cycle's STATUS= line
	settings Settings
	cycle    engine.Cycle
	running  bool
	stopping bool
	cron     *cron.Cron
	job      cron.Job
	schedule cron.Schedule
	loc      *time.Location

	inflight sync.WaitGroup // cycles started by Run
}

// NewDaemon checks the options and settings.
func NewDaemon(opts Options) (*Daemon, error) {
	if opts.Cycle == nil || opts.Logger == nil {
		return nil, errors.New("daemon: NewDaemon needs Cycle and Logger")
	}
	if err := opts.Settings.Validate().Err(); err != nil {
		return nil, err
	}
	d := &Daemon{
		load:    opts.Load,
		logger:  opts.Logger,
		metrics: opts.Metrics,
		health:  opts.Health,
		notify:  opts.Notifier,
		timeout: opts.ShutdownTimeout,
		now:     opts.Now,
		redact:  opts.Redact,
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.timeout <= 0 {
		d.timeout = time.Minute
	}
	if d.health == nil {
		d.health = NewHealth(opts.Settings.MaxFailedCycles, d.now())
	}
	d.health.SetMaxBlocked(opts.Settings.MaxBlockedCycles)
	if _, _, err := parseSchedule(opts.Settings); err != nil {
		return nil, err
	}
	d.settings, d.cycle = opts.Settings, opts.Cycle
	d.metrics.ConfigLoaded(true, d.now())
	return d, nil
}

// Health returns the health the daemon feeds.
func (d *Daemon) Health() *Health { return d.health }

// Settings returns the settings in force.
func (d *Daemon) Settings() Settings {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.settings
}

// parseSchedule returns the settings' cron schedule and time zone.
func parseSchedule(s Settings) (cron.Schedule, *time.Location, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, nil, fmt.Errorf("time_zone %q: %w", s.TimeZone, err)
	}
	sched, err := cron.ParseStandard(s.Schedule)
	if err != nil {
		return nil, nil, fmt.Errorf("schedule %q: %w", s.Schedule, err)
	}
	return sched, loc, nil
}

// Run runs a cycle at once and then on the schedule until ctx is cancelled.
// Cycles get ctx itself, so cancelling it also tells the cycle in flight to
// start no new action; Run then waits for that cycle to return, for up to
// the shutdown timeout, and returns. It returns an error only when the cycle
// in flight outlived the timeout.
func (d *Daemon) Run(ctx context.Context) error {
	sched, loc, err := parseSchedule(d.Settings())
	if err != nil {
		return err
	}
	cl := &cronLogger{l: d.logger, skipped: d.metrics.TickSkipped}
	d.mu.Lock()
	if d.running {
		d.mu.Unlock()
		return errors.New("engine: Run called twice")
	}
	d.running = true
	// The chain wraps the one job once, not per scheduler, so the skip guard
	// spans the start-up cycle and every scheduler a reload creates. Recover
	// is the outer guard; runCycle recovers the cycle's own panics, because a
	// panic through SkipIfStillRunning would keep its token and skip every
	// later run.
	d.job = cron.NewChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)).Then(cron.FuncJob(func() { d.tick(ctx) }))
	d.startScheduler(sched, loc, cl)
	d.mu.Unlock()

	d.logger.Info("daemon started", "schedule", d.Settings().Schedule, "time_zone", loc.String())
	d.notify.Ready("started; the first cycle is running")
	go d.job.Run() // the cycle at start

	<-ctx.Done()
	d.notify.Stopping()
	d.mu.Lock()
	d.stopping = true
	stopped := d.cron.Stop()
	d.mu.Unlock()
	d.logger.Info("stopping: waiting for the cycle in flight", "timeout", d.timeout)

	done := make(chan struct{})
	go func() {
		<-stopped.Done()
		d.inflight.Wait()
		close(done)
	}()
	timer := time.NewTimer(d.timeout)
	defer timer.Stop()
	select {
	case <-done:
		d.logger.Info("daemon stopped")
		return nil
	case <-timer.C:
		return fmt.Errorf("the cycle in flight did not finish within %s of the stop request", d.timeout)
	}
}

// startScheduler replaces the scheduler with one for sched in loc. The caller
// holds d.mu. A cycle started by the old scheduler runs to its end.
func (d *Daemon) startScheduler(sched cron.Schedule, loc *time.Location, cl cron.Logger) {
	if d.cron != nil {
		d.cron.Stop()
	}
	c := cron.New(cron.WithLocation(loc), cron.WithLogger(cl))
	c.Schedule(sched, d.job)
	if wd := d.notify.WatchdogInterval(); wd > 0 {
		// A job of the scheduler: the keep-alives stop when its loop does.
		c.Schedule(cron.Every(wd), cron.FuncJob(d.notify.Watchdog))
	}
	c.Start()
	d.cron, d.schedule, d.loc = c, sched, loc
}

// Next returns when the next scheduled cycle starts; zero when not running.
func (d *Daemon) Next() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.schedule == nil || d.stopping {
		return time.Time{}
	}
	return d.schedule.Next(d.now().In(d.loc))
}

// tick is the scheduled job: one cycle, unless the daemon is stopping.
func (d *Daemon) tick(ctx context.Context) {
	d.mu.Lock()
	if d.stopping || ctx.Err() != nil {
		d.mu.Unlock()
		return
	}
	d.inflight.Add(1)
	d.mu.Unlock()
	defer d.inflight.Done()
	_, _ = d.RunOnce(ctx) // recorded and logged by RunOnce
}

// RunOnce runs one cycle now and records it: Health, Metrics, the state
// directory and a log line. It returns the cycle's result and error; a
// panicking cycle is a failed cycle. It does not guard against overlap: the
// caller (Run, or a one-shot run holding the lock) does.
func (d *Daemon) RunOnce(ctx context.Context) (engine.Result, error) {
	d.mu.Lock()
	st, cycle := d.settings, d.cycle
	d.mu.Unlock()

	start := d.now()
	d.logger.Info("cycle starting")
	res, err := d.call(ctx, cycle)
	if res.Start.IsZero() {
		res.Start = start
	}
	if res.End.IsZero() {
		res.End = d.now()
	}
	res.Finish(err)

	failed := d.health.Record(&res)
	d.metrics.RecordCycle(&res, failed)
	action, streak := d.health.LongestBlocked()
	d.metrics.BlockedStreak(streak)
	if limit := st.MaxBlockedCycles; limit > 0 && streak >= limit {
		d.logger.Warn("an action stays blocked; /healthz is unhealthy until it is unblocked",
			"action", action, "cycles", streak, "max_blocked_cycles", limit)
	}
	if werr := engine.WriteResult(statedir.Dir{Path: st.StateDir, Redact: d.redact}, &res); werr != nil {
		d.metrics.StateWriteFailed()
		d.logger.Error("writing the cycle's result to the state directory", "err", werr)
	}
	d.logCycle(&res, failed)
	status := CycleStatus(&res)
	d.mu.Lock()
	d.status = status
	d.mu.Unlock()
	d.notify.Status(status)
	return res, err
}

// call runs the cycle, turning a panic into an error.
func (d *Daemon) call(ctx context.Context, cycle engine.Cycle) (res engine.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			d.logger.Error("cycle panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			res.Outcome = ""
			err = fmt.Errorf("cycle panicked: %v", p)
		}
	}()
	return cycle(ctx)
}

func (d *Daemon) logCycle(r *engine.Result, failed int) {
	t := r.Total()
	attrs := []any{
		"outcome", r.Outcome,
		"duration", r.Duration().Round(time.Millisecond).String(),
		"planned", t.Planned, "applied", t.Applied, "failed", t.Failed,
		"skipped", t.Skipped, "blocked", t.Blocked, "cancelled", t.Cancelled,
		"api_calls", r.APICalls, "throttled", r.Throttled,
	}
	if r.Commit != "" {
		attrs = append(attrs, "commit", r.Commit)
	}
	switch {
	case r.Outcome.Succeeded():
		d.logger.Info("cycle finished", attrs...)
	default:
		attrs = append(attrs, "err", r.Error, "consecutive_failed", failed)
		for _, v := range r.Violations {
			attrs = append(attrs, "violation", v)
		}
		d.logger.Error("cycle did not succeed", attrs...)
	}
}

// Reload re-reads the configuration through the Loader: the settings and
// the cycle built from it. On any error, invalid settings included, the
// settings and cycle in force stay, and the error is logged and returned.
// It tells systemd RELOADING=1 first and READY=1 at the end, whatever the
// result, with a status that says which. A changed schedule or time zone
// takes effect at once; a cycle in flight finishes with the old cycle.
// Listen and StateDir changes need a restart, and are logged as such.
func (d *Daemon) Reload() error {
	if d.load == nil {
		return errors.New("reloading the configuration: no loader")
	}
	d.notify.Reloading()
	err := d.reload()
	if err != nil {
		d.metrics.ConfigLoaded(false, d.now())
		d.logger.Error("configuration reload failed; keeping the configuration in force", "err", err)
		d.notify.Ready("configuration reload failed; keeping the configuration in force: " + err.Error())
		return err
	}
	d.metrics.ConfigLoaded(true, d.now())
	status := "configuration reloaded at " + d.now().UTC().Format(time.RFC3339)
	d.mu.Lock()
	if d.status != "" {
		status += "; " + d.status
	}
	d.mu.Unlock()
	d.notify.Ready(status)
	return nil
}

func (d *Daemon) reload() error {
	st, cycle, err := d.load()
	if err != nil {
		return fmt.Errorf("reloading the configuration: %w", err)
	}
	if err := st.Validate().Err(); err != nil {
		return fmt.Errorf("reloading the configuration: %w", err)
	}
	sched, loc, err := parseSchedule(st)
	if err != nil {
		return fmt.Errorf("reloading the configuration: %w", err)
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.settings
	d.settings, d.cycle = st, cycle
	d.health.SetMaxFailed(st.MaxFailedCycles)
	d.health.SetMaxBlocked(st.MaxBlockedCycles)
	rescheduled := old.Schedule != st.Schedule || old.TimeZone != st.TimeZone
	if rescheduled && d.running && !d.stopping {
		d.startScheduler(sched, loc, &cronLogger{l: d.logger, skipped: d.metrics.TickSkipped})
	}
	if old.Listen != st.Listen {
		d.logger.Warn("listen changed; it takes effect at the next restart", "in_force", old.Listen, "new", st.Listen)
	}
	if old.StateDir != st.StateDir {
		d.logger.Warn("state_dir changed; it takes effect at the next restart", "in_force", old.StateDir, "new", st.StateDir)
		d.settings.StateDir = old.StateDir // the lock is held there
	}
	d.logger.Info("configuration reloaded", "file", st.Origin, "schedule", st.Schedule, "time_zone", st.TimeZone, "rescheduled", rescheduled)
	return nil
}

// cronLogger adapts slog to cron's Logger: cron's chatty Info goes to Debug,
// except a skipped run, which is a warning; Error stays Error.
type cronLogger struct {
	l       *slog.Logger
	skipped func()
}

// Info logs cron's routine messages at Debug.
func (c *cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		c.skipped()
		c.l.Warn("scheduled cycle skipped: the previous cycle is still running")
		return
	}
	c.l.Debug("cron: "+msg, kv...)
}

// Error logs cron's errors (such as a recovered panic) at Error.
func (c *cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}
