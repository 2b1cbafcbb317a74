package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/daemon"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/redact"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/statedir"
	"github.com/ogsync/ogsync/target/opsgenie"
)

// cycleEnv is what a sync cycle takes from the command besides the configuration.
type cycleEnv struct {
	// apply allows writes; without it the cycle is a dry run and the client
	// refuses every write request.
	apply bool
	// getenv reads the environment (the API key may come from it).
	getenv func(string) string
	// logger is the process logger.
	logger *slog.Logger
	// metrics counts API requests: the client's request observer calls
	// metrics.ObserveRequest.
	metrics *daemon.Metrics
	// progress returns the reporter for an apply of total actions.
	progress func(total int) engine.ProgressReporter
	// check vets a fresh plan before it is applied (apply --plan).
	check func(p *planner.Plan) error
	// stateDir, when set, holds the rates the adaptive limiter learned: read
	// when the client is built, written after every cycle (see learnRates).
	stateDir string
	// secrets learns the API key, to hide it in all output.
	secrets *redact.Secrets
}

// newClient builds the OpsGenie client for cfg. Without apply it is read-only:
// the dry-run guarantee is enforced there, below every caller.
func newClient(cfg *config.Config, env cycleEnv) (*opsgenie.Client, error) {
	key, err := cfg.APIKey(env.getenv)
	if err != nil {
		return nil, err
	}
	env.secrets.Add(key)
	if env.getenv(config.EnvAPIKey) == "" {
		for _, w := range cfg.KeyFileWarnings() {
			env.logger.Warn(w)
		}
	}
	o := cfg.OpsGenie.ClientOptions(key, "ogsync/"+buildVersion())
	o.Logger = env.logger
	o.ReadOnly = !env.apply
	o.Concurrency = cfg.Apply.Concurrency
	o.DisableInvitations = !cfg.Users.SendInvitations
	if env.metrics != nil {
		o.Observer = env.metrics.ObserveRequest
		o.OnRate = env.metrics.SetAPIRate
	}
	if env.stateDir != "" && o.Start != nil {
		o.Start = startRates(statedir.Dir{Path: env.stateDir}, o.Start, env.logger)
	}
	c, err := opsgenie.New(o)
	if err != nil {
		return nil, fmt.Errorf("building the OpsGenie client: %w", err)
	}
	return c, nil
}

// startRates returns the rates the limiter starts from: the ones learned by
// earlier runs where the state directory has them, else the defaults.
func startRates(st statedir.Dir, defaults map[string]float64, log *slog.Logger) map[string]float64 {
	learned, err := st.LoadRates()
	switch {
	case err != nil:
		log.Warn("ignoring the learned request rates; starting from the defaults", "err", err, "rates", defaults)
		return defaults
	case learned == nil:
		log.Info("no learned request rates yet; starting from the defaults", "rates", defaults)
		return defaults
	}
	out := maps.Clone(defaults)
	for d, r := range learned {
		if _, ok := out[d]; ok {
			out[d] = r
		}
	}
	log.Info("starting from the learned request rates", "rates", out)
	return out
}

// learnRates wraps a cycle so that, after it, the rates the client's
// limiter holds are written to the state directory when they changed.
// Without an OpsGenie client, a state directory or an adaptive limiter it
// returns run as is.
func learnRates(cfg *config.Config, env cycleEnv, client *opsgenie.Client, run engine.Cycle) engine.Cycle {
	if client == nil || env.stateDir == "" || !cfg.OpsGenie.RateLimit.IsAdaptive() {
		return run
	}
	st := statedir.Dir{Path: env.stateDir}
	saved := client.Rates()
	return func(ctx context.Context) (engine.Result, error) {
		res, err := run(ctx)
		now := client.Rates()
		if !maps.Equal(now, saved) {
			if werr := st.SaveRates(now, time.Now()); werr != nil {
				env.logger.Warn("could not save the learned request rates", "err", werr)
				env.metrics.StateWriteFailed()
			} else {
				env.logger.Info("learned request rates saved", "rates", now, "before", saved)
				saved = now
			}
		}
		return res, err
	}
}

// newEngine wires the loader, the client and the planner into a sync engine.
func newEngine(cfg *config.Config, env cycleEnv) (*engine.Engine, error) {
	e, _, err := newEngineClient(cfg, env)
	return e, err
}

// newEngineClient is newEngine that also returns the engine's OpsGenie
// client (nil when the target is Atlassian).
func newEngineClient(cfg *config.Config, env cycleEnv) (*engine.Engine, *opsgenie.Client, error) {
	tgt, client, err := newTarget(cfg, env)
	if err != nil {
		return nil, nil, err
	}
	src := cfg.SourceOptions()
	if err := src.Git.Check(); err != nil {
		return nil, nil, fmt.Errorf("%s: source.git: %w", cfg.File, err)
	}
	// The daemon loads the same files every cycle until someone pushes:
	// decode them once.
	src.Cache = &source.Cache{}
	e, err := engine.NewEngine(engine.EngineOptions{
		Planner: cfg.PlannerOptions(), Concurrency: cfg.Apply.Concurrency, Heartbeat: cfg.OpsGenie.Heartbeat,
		Target: tgt,
		Desired: func(ctx context.Context) (*model.Desired, error) {
			return source.Fetch(ctx, src, env.logger)
		},
		Apply:    env.apply,
		Logger:   env.logger,
		Progress: env.progress,
		Check:    env.check,
	})
	return e, client, err
}
