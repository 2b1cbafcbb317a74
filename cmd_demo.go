package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io/fs"
	"slices"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/demo"
	"github.com/ogsync/ogsync/internal/logging"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target"
)

// demoFiles are the example desired state and the drifted accounts the demo
// starts from; embedded so the binary runs the demo from any directory.
//
//go:embed examples/desired examples/demo/seed.yaml examples/demo/atlassian-seed.yaml
var demoFiles embed.FS

// The demo's files, and the Atlassian emulator's service account.
const (
	demoDesiredDir        = "examples/desired"
	demoSeedFile          = "examples/demo/seed.yaml"
	demoAtlassianSeedFile = "examples/demo/atlassian-seed.yaml" // demoSeedFile's roster, after the move
	demoAtlassianEmail    = "ogsync-bot@example.com"
)

const demoSynopsis = "[--target opsgenie|atlassian] [--apply] [--log-level L] [--log-format F]"

// demoOptions are the flags of ogsync demo.
type demoOptions struct {
	target string
	apply  bool
	log    logging.Flags
}

// parseDemoArgs registers demo's flags on fs and parses args.
func parseDemoArgs(fs *flag.FlagSet, args []string) (demoOptions, error) {
	var o demoOptions
	var err error
	if o.target, args, err = takeTargetFlag(args); err != nil {
		return o, err
	}
	fs.BoolVar(&o.apply, "apply", false, "apply the plan to the emulator, then plan again")
	o.log.Register(fs)
	fs.Lookup("log-level").DefValue = "warn"
	o.log.Level = "warn"
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	return o, o.log.Validate()
}

// runDemo is ogsync demo (package demo) against the target's embedded
// emulator.
func runDemo(ctx context.Context, io stdio, args []string) int {
	fset := newFlagSet("demo", demoSynopsis, io.err)
	opts, err := parseDemoArgs(fset, args)
	if err != nil {
		return flagExit(io.err, "demo", err)
	}
	if err := runDemoOn(ctx, io, opts); err != nil {
		fmt.Fprintf(io.err, "ogsync demo: %v\n", err)
		return exitError
	}
	return exitOK
}

// runDemoOn starts the emulator of opts.target and wires the demo to it
// as the configuration would.
func runDemoOn(ctx context.Context, io stdio, opts demoOptions) error {
	key, err := demo.NewKey()
	if err != nil {
		return err
	}
	io.secrets.Add(key)
	start, file, secrets, rerun := demo.OpsGenie, demoSeedFile, []string{config.EnvAPIKey}, "go run . demo --apply"
	if opts.target == config.TargetAtlassian {
		start, file, rerun = demo.Atlassian, demoAtlassianSeedFile, "go run . demo --target atlassian --apply"
		secrets = []string{config.EnvAtlassianAPIToken, config.EnvAtlassianOrgAPIKey}
	}
	data, err := demoFiles.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading the demo seed: %w", err)
	}
	em, err := start(file, data, key)
	if err != nil {
		return err
	}
	defer em.Close()
	desiredFS, err := fs.Sub(demoFiles, demoDesiredDir)
	if err != nil {
		return err
	}
	cfg := demoConfig()
	logger := opts.log.Logger(io.err)
	env := cycleEnv{apply: opts.apply, logger: logger, secrets: io.secrets, getenv: func(k string) string {
		if slices.Contains(secrets, k) {
			return key
		}
		return ""
	}}
	return demo.Run(ctx, em, demo.Options{
		Target: func(url string) (target.Target, error) {
			cfg.OpsGenie.URL = url
			if opts.target == config.TargetAtlassian {
				cfg.Target = config.TargetAtlassian
				cfg.Atlassian = config.Atlassian{URL: url, OrgID: em.OrgID, CloudID: em.CloudID, Email: demoAtlassianEmail}
			}
			t, _, err := newTarget(cfg, env)
			return t, err
		},
		Planner: cfg.PlannerOptions(), Concurrency: cfg.Apply.Concurrency,
		Desired: func(ctx context.Context) (*model.Desired, error) {
			d, err := source.LoadFS(ctx, desiredFS, cfg.SourceOptions())
			if err == nil {
				d.Revision.Dir = demoDesiredDir
			}
			return d, err
		},
		DesiredDir: demoDesiredDir, Apply: opts.apply, Rerun: rerun, Logger: logger, Out: io.out,
	})
}

// demoConfig is the configuration the demo runs with, before it points at
// an emulator.
func demoConfig() *config.Config {
	cfg := config.Default()
	cfg.OpsGenie.RateLimit = config.RateLimit{Rate: config.Rate{PerSecond: 50, Burst: 10}}
	cfg.Source.Path = demoDesiredDir
	cfg.Policy = config.Policy{Users: config.PolicySync, Teams: config.PolicyUpsertOnly, Members: config.PolicySync}
	cfg.Safeguards.MaxDeletes = config.MaxDeletes{Count: 5, Percent: 25}
	return &cfg
}
