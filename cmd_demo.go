package main

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/planner/report"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// demoFiles are the example desired state and the drifted account the demo
// starts from; embedded so the binary runs the demo from any directory.
//
//go:embed examples/desired examples/demo/seed.yaml examples/demo/atlassian-seed.yaml
var demoFiles embed.FS

const (
	demoDesiredDir = "examples/desired"
	demoSeedFile   = "examples/demo/seed.yaml"
)

const demoSynopsis = "[--target opsgenie|atlassian] [--apply] [--log-level L] [--log-format F]"

// demoOptions are the flags of ogsync demo.
type demoOptions struct {
	apply bool
	log   logFlags
}

// parseDemoArgs registers demo's flags on fs and parses args.
func parseDemoArgs(fs *flag.FlagSet, args []string) (demoOptions, error) {
	var o demoOptions
	fs.BoolVar(&o.apply, "apply", false, "apply the plan to the emulator, then plan again")
	o.log.register(fs)
	fs.Lookup("log-level").DefValue = "warn"
	o.log.level = "warn"
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	return o, o.log.validate()
}

// runDemo is ogsync demo: the real engine against the target's embedded
// emulator, seeded with a drifted copy of the example desired state.
func runDemo(ctx context.Context, io stdio, args []string) int {
	tgt, args, err := takeTargetFlag(args)
	if err != nil {
		return flagExit(io.err, "demo", err)
	}
	fset := newFlagSet("demo", demoSynopsis, io.err)
	opts, err := parseDemoArgs(fset, args)
	if err != nil {
		return flagExit(io.err, "demo", err)
	}
	start := demoOpsGenie
	if tgt == config.TargetAtlassian {
		start = demoAtlassian
	}
	if err := demo(ctx, io, opts, start); err != nil {
		fmt.Fprintf(io.err, "ogsync demo: %v\n", err)
		return exitError
	}
	return exitOK
}

// demoEmulator is one target's side of the demo: its emulator, seeded with
// the demo account, and how the demo's configuration reaches it.
type demoEmulator struct {
	http.Handler
	close func()
	// what names the emulator, holds says what its seed (seedFile) holds.
	what, holds, seedFile string
	// configure points cfg at the emulator on url.
	configure func(cfg *config.Config, url string)
	// secretEnvs are the variables that hold the emulator's key.
	secretEnvs []string
	// reads describes the requests of the first read, such as "the account
	// took 4 API requests".
	reads func() string
	// flag is the demo's --target flag, for the hint at the end of a dry run.
	flag string
}

// startDemoSim parses the embedded seed file and starts an emulator on it.
func startDemoSim[Seed, Sim any](file string, parse func(string, []byte) (Seed, error), start func(Seed) (Sim, error)) (Sim, error) {
	var sim Sim
	data, err := demoFiles.ReadFile(file)
	if err != nil {
		return sim, fmt.Errorf("reading the demo seed: %w", err)
	}
	seed, err := parse(file, data)
	if err != nil {
		return sim, err
	}
	if sim, err = start(seed); err != nil {
		return sim, fmt.Errorf("starting the emulator: %w", err)
	}
	return sim, nil
}

// demo runs the demo against the emulator start returns for key: one
// engine plans; with --apply, one engine cycle applies the plan after
// checking that the account still plans the same (as apply --plan does),
// then the engine plans again to show what is left.
func demo(ctx context.Context, io stdio, opts demoOptions, start func(key string) (*demoEmulator, error)) error {
	logger := opts.log.logger(io)
	key, err := randomKey()
	if err != nil {
		return err
	}
	io.secrets.Add(key)
	em, err := start(key)
	if err != nil {
		return err
	}
	defer em.close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on loopback: %w", err)
	}
	srv := &http.Server{Handler: em, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	cfg := demoConfig()
	em.configure(cfg, "http://"+ln.Addr().String())
	env := cycleEnv{apply: opts.apply, logger: logger, secrets: io.secrets, getenv: func(k string) string {
		if slices.Contains(em.secretEnvs, k) {
			return key
		}
		return ""
	}}
	tgt, _, err := newTarget(cfg, env)
	if err != nil {
		return err
	}
	desiredFS, err := fs.Sub(demoFiles, demoDesiredDir)
	if err != nil {
		return err
	}
	var reviewed *planner.Plan
	eng, err := engine.NewEngine(engine.EngineOptions{
		Planner: cfg.PlannerOptions(), Concurrency: cfg.Apply.Concurrency, Target: tgt,
		Desired: func(ctx context.Context) (*model.Desired, error) {
			d, err := source.LoadFS(ctx, desiredFS, sourceOptions(cfg.Source))
			if err == nil {
				d.Revision.Dir = demoDesiredDir
			}
			return d, err
		},
		Apply:  opts.apply,
		Logger: logger,
		Check:  func(fresh *planner.Plan) error { return planner.CheckReviewed(reviewed, fresh) },
	})
	if err != nil {
		return err
	}

	p := cfg.Policy
	fmt.Fprintf(io.out, "ogsync demo: %s on %s holds %s (%s).\n", em.what, ln.Addr(), em.holds, em.seedFile)
	fmt.Fprintf(io.out, "The desired state is %s. Policies: users %s, teams %s, members %s.\n\n", demoDesiredDir, p.Users, p.Teams, p.Members)
	if reviewed, err = eng.Plan(ctx); err != nil {
		return err
	}
	if err := report.Text(io.out, reviewed); err != nil {
		return err
	}
	fmt.Fprintf(io.out, "\nReading %s.\n", em.reads())
	if !opts.apply {
		fmt.Fprintln(io.out, "\nThis was a dry run: nothing was written (the target refuses writes without --apply).")
		fmt.Fprintf(io.out, "Run `go run . demo%s --apply` to apply the plan and plan again.\n", em.flag)
		return nil
	}
	return demoApply(ctx, io, eng, tgt)
}

// demoApply runs one engine cycle that applies the reviewed plan, then
// plans again to show what is left.
func demoApply(ctx context.Context, io stdio, eng *engine.Engine, tgt target.Target) error {
	res, err := eng.RunCycle(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(io.out, "\nApplying:")
	for _, a := range res.Actions {
		line := fmt.Sprintf("  %-9s %s", a.Outcome, a.Action)
		if a.Error != "" {
			line += ": " + a.Error
		}
		fmt.Fprintln(io.out, line)
	}
	t := res.Total()
	fmt.Fprintf(io.out, "%d applied, %d failed, %d skipped, %d blocked in %d API requests, the read before applying included.\n",
		t.Applied, t.Failed, t.Skipped, t.Blocked, res.APICalls)

	before := tgt.Stats().Total
	next, err := eng.Plan(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(io.out, "\nPlanning again:")
	if err := report.Text(io.out, next); err != nil {
		return err
	}
	fmt.Fprintf(io.out, "\nThe second read took %s.\n", plural(tgt.Stats().Total-before, "API request"))
	if !res.Succeeded {
		return fmt.Errorf("the cycle ended %s", res.Outcome)
	}
	return nil
}

// demoOpsGenie starts the OpsGenie emulator seeded with demoSeedFile.
func demoOpsGenie(key string) (*demoEmulator, error) {
	sim, err := startDemoSim(demoSeedFile, ogsim.ParseSeed, func(seed *ogsim.Seed) (*ogsim.Server, error) {
		return ogsim.New(ogsim.Options{APIKey: key, Seed: seed})
	})
	if err != nil {
		return nil, err
	}
	st := sim.State()
	return &demoEmulator{
		Handler: sim, close: sim.Close,
		what: "an OpsGenie emulator", holds: fmt.Sprintf("%d users and %d teams", len(st.Users), len(st.Teams)), seedFile: demoSeedFile,
		configure:  func(cfg *config.Config, url string) { cfg.OpsGenie.URL = url },
		secretEnvs: []string{config.EnvAPIKey},
		reads: func() string {
			s := sim.Stats()
			users := s.ByRoute["GET /v2/users"]
			return fmt.Sprintf("the account took %d API requests: %s, 1 team list with members, %s", s.Total,
				plural(users, "user page"), plural(s.Total-users-s.ByRoute["GET /v2/teams"], "on-call audit read"))
		},
	}, nil
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

// randomKey returns a fresh UUID-shaped API key for the embedded emulator.
func randomKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generating an API key: %w", err)
	}
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}
