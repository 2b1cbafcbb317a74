package main

import (
	"fmt"
	"log/slog"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/daemon"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/internal/buildinfo"
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
	o := cfg.OpsGenieOptions(key, "ogsync/"+buildinfo.Read(version).Version, !env.apply)
	o.Logger = env.logger
	if env.metrics != nil {
		o.Observer = env.metrics.ObserveRequest
		o.OnRate = env.metrics.SetAPIRate
	}
	if env.stateDir != "" && o.Start != nil {
		o.Start = statedir.Dir{Path: env.stateDir}.StartRates(o.Start, env.logger)
	}
	c, err := opsgenie.New(o)
	if err != nil {
		return nil, fmt.Errorf("building the OpsGenie client: %w", err)
	}
	return c, nil
}

// learnRates wraps a cycle so that the rates the client's limiter learned
// are saved after it (daemon.LearnRates). Without an OpsGenie client, a
// state directory or an adaptive limiter it returns run as is.
func learnRates(cfg *config.Config, env cycleEnv, client *opsgenie.Client, run engine.Cycle) engine.Cycle {
	if client == nil || env.stateDir == "" || !cfg.OpsGenie.RateLimit.IsAdaptive() {
		return run
	}
	return daemon.LearnRates(statedir.Dir{Path: env.stateDir}, client.Rates, run, env.logger, env.metrics)
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
	e, err := engine.NewEngine(engine.EngineOptions{
		Planner: cfg.PlannerOptions(), Concurrency: cfg.Apply.Concurrency, Heartbeat: cfg.OpsGenie.Heartbeat,
		Target:   tgt,
		Desired:  source.Fetcher(cfg.SourceOptions(), env.logger),
		Apply:    env.apply,
		Logger:   env.logger,
		Progress: env.progress,
		Check:    env.check,
	})
	return e, client, err
}
