package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/daemon"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/internal/buildinfo"
	"github.com/ogsync/ogsync/internal/journal"
	"github.com/ogsync/ogsync/internal/logging"
	"github.com/ogsync/ogsync/internal/problem"
	"github.com/ogsync/ogsync/progress"
	"github.com/ogsync/ogsync/statedir"
)

const runSynopsis = "--config FILE [--once] [--apply] [--api-url URL] [--log-level L] [--log-format F]"

// runOptions are the flags of ogsync run.
type runOptions struct {
	accountFlags
	once  bool
	apply bool
}

// parseRunArgs registers run's flags on fs and parses args; errors name the flag.
func parseRunArgs(fs *flag.FlagSet, args []string) (runOptions, error) {
	var o runOptions
	o.register(fs)
	fs.BoolVar(&o.once, "once", false, "run one cycle and exit instead of running on the schedule")
	fs.BoolVar(&o.apply, "apply", false, "apply the changes; without it every cycle is a dry run that writes nothing")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	return o, o.validate()
}

// cycleBuilder builds the sync cycle for a configuration.
type cycleBuilder func(cfg *config.Config, env cycleEnv) (engine.Cycle, error)

// newCycle builds the sync cycle for cfg: pull → load → list → plan → audit →
// safeguards → apply or report. ogsync run calls it at start and on every
// reload.
func newCycle(cfg *config.Config, env cycleEnv) (engine.Cycle, error) {
	e, client, err := newEngineClient(cfg, env)
	if err != nil {
		return nil, err
	}
	return learnRates(cfg, env, client, e.RunCycle), nil
}

func runDaemon(ctx context.Context, io stdio, args []string) int {
	return runSync(ctx, io, args, newCycle)
}

// runSync is ogsync run with the cycle builder as a parameter, for tests.
func runSync(ctx context.Context, io stdio, args []string, build cycleBuilder) int {
	fs := newFlagSet("run", runSynopsis, io.err)
	opts, err := parseRunArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "run", err)
	}
	return execute(ctx, io, "run", opts, build)
}

// execute runs cycles as opts say: one (--once, and ogsync apply) or the
// daemon; under the state directory's lock, recording each cycle.
func execute(ctx context.Context, io stdio, name string, opts runOptions, build cycleBuilder) int {
	// On a terminal, one-shot runs draw a progress bar: the logger writes
	// through the same StatusWriter, which keeps log lines off the bar's line.
	var status *progress.StatusWriter
	logw := io.err
	if opts.once && logging.IsTerminal(io.err) {
		status = progress.NewStatusWriter(io.err)
		logw = status
	}
	logger := opts.log.Logger(logw)
	// SIGHUP reloads the daemon's configuration; caught from the start so an
	// early one does not end the process.
	hup := make(chan os.Signal, 1)
	// A one-shot run has nothing to reload: there the channel only absorbs
	// SIGHUP, which must not kill the process mid-apply.
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	fail := failer(io, name)

	cfg, err := opts.loadConfig()
	if err != nil {
		return fail(err)
	}
	proc, err := daemon.Open(cfg.StateDir, buildinfo.Read(version).Version, logger)
	if err != nil {
		return fail(err)
	}
	defer proc.Close()
	env := cycleEnv{stateDir: cfg.StateDir, apply: opts.apply, getenv: io.getenv, logger: logger, secrets: io.secrets,
		metrics: proc.Metrics, progress: progress.Reporter(status, logger)}
	var notifier *daemon.Notifier
	if !opts.once {
		// Type=notify under systemd; nil (silent) anywhere else.
		notifier = daemon.NewNotifier(logger)
	}
	settings, cycle, err := reloader(func() (*config.Config, error) { return cfg, nil }, build, env)()
	if err != nil {
		return fail(err)
	}
	d, err := daemon.NewDaemon(daemon.Options{
		Settings: settings, Cycle: cycle, Notifier: notifier, Load: reloader(opts.loadConfig, build, env),
		Logger: logger, Metrics: proc.Metrics, Redact: io.secrets.Bytes,
		// On a stop, the action in flight runs to its end (ActionTimeout).
		ShutdownTimeout: engine.ActionTimeout + 15*time.Second,
	})
	if err != nil {
		return fail(err)
	}

	if opts.once {
		return reportOnce(ctx, io, name, d, cfg.StateDir)
	}
	var ln net.Listener
	if cfg.Listen != "" {
		if ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			return fail(fmt.Errorf("listen: %w", err))
		}
	}
	reload, stop := reloads(hup, logger, opts.config)
	defer stop()
	if err := d.RunAndServe(ctx, ln, proc.Registry, reload); err != nil {
		logger.Error("ogsync run stopped with an error", "err", err)
		return exitError
	}
	return exitOK
}

// reportOnce runs one cycle (run --once, apply) and reports how it went.
func reportOnce(ctx context.Context, io stdio, name string, d *daemon.Daemon, stateDir string) int {
	res, err := d.RunOnce(ctx)
	t := res.Total()
	report := filepath.Join(stateDir, statedir.ReportFile)
	switch {
	case err != nil:
		fmt.Fprintf(io.err, "ogsync %s: cycle %s: %v\n", name, res.Outcome, err)
	case !res.Outcome.Succeeded():
		fmt.Fprintf(io.err, "ogsync %s: cycle %s: %s (see %s)\n", name, res.Outcome, t, report)
	default:
		// Blocked actions are reported, not an error (see engine.Outcome).
		if t.Blocked > 0 {
			journal.Notice(io.err, fmt.Sprintf("ogsync %s: cycle %s; %s blocked by safeguards (see %s)\n", name, res.Outcome, problem.Plural(t.Blocked, "action"), report))
		}
		return exitOK
	}
	return exitError
}

// reloader is the daemon's Loader: it loads the configuration and builds
// the cycle of it. Called once for the first cycle, with the configuration
// already loaded.
func reloader(load func() (*config.Config, error), build cycleBuilder, env cycleEnv) daemon.Loader {
	return func() (daemon.Settings, engine.Cycle, error) {
		cfg, err := load()
		if err != nil {
			return daemon.Settings{}, nil, err
		}
		cycle, err := build(cfg, env)
		if err != nil {
			return daemon.Settings{}, nil, fmt.Errorf("building the sync cycle: %w", err)
		}
		return cfg.DaemonSettings(), cycle, nil
	}
}

// reloads turns each SIGHUP from hup into a reload request for the daemon,
// until stop is called.
func reloads(hup <-chan os.Signal, logger *slog.Logger, file string) (reload <-chan struct{}, stop func()) {
	ch := make(chan struct{})
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				logger.Info("SIGHUP: reloading the configuration", "file", file)
				select {
				case ch <- struct{}{}:
				case <-done:
					return
				}
			case <-done:
				return
			}
		}
	}()
	return ch, func() { close(done) }
}
