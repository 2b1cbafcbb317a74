package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/redact"
	"github.com/ogsync/ogsync/sink"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/sync"
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
	metrics *sync.Metrics
	// progress returns the reporter for an apply of total actions.
	progress func(total int) *sync.Progress
	// check vets a fresh plan before it is applied (apply --plan).
	check func(p *planner.Plan) error
	// secrets learns the API key, to hide it in all output.
	secrets *redact.Secrets
}

// newClient builds the OpsGenie client for cfg. Without apply it is read-only:
// the dry-run guarantee is enforced there, below every caller.
func newClient(cfg *config.Config, env cycleEnv) (*sink.Client, error) {
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
	o := sink.OptionsFrom(cfg.OpsGenie, key, "ogsync/"+buildVersion())
	o.Logger = env.logger
	o.ReadOnly = !env.apply
	o.Concurrency = cfg.Apply.Concurrency
	if env.metrics != nil {
		o.Observer = env.metrics.ObserveRequest
	}
	c, err := sink.New(o)
	if err != nil {
		return nil, fmt.Errorf("building the OpsGenie client: %w", err)
	}
	return c, nil
}

// newEngine wires the loader, the client and the planner into a sync engine.
func newEngine(cfg *config.Config, env cycleEnv) (*sync.Engine, error) {
	client, err := newClient(cfg, env)
	if err != nil {
		return nil, err
	}
	src := sourceOptions(cfg.Source)
	if err := src.Git.Check(); err != nil {
		return nil, fmt.Errorf("%s: source.git: %w", cfg.File, err)
	}
	return sync.NewEngine(sync.EngineOptions{
		Config: cfg,
		Client: client,
		Desired: func(ctx context.Context) (*model.Desired, error) {
			return source.Fetch(ctx, src, env.logger)
		},
		Apply:    env.apply,
		Logger:   env.logger,
		Progress: env.progress,
		Check:    env.check,
	})
}
