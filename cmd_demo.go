package main

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/planner/report"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// demoFiles are the example desired state and the drifted account the demo
// starts from; embedded so the binary runs the demo from any directory.
//
//go:embed examples/desired examples/demo/seed.yaml
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

// runDemo is ogsync demo: the real engine against the embedded emulator,
// seeded with a drifted copy of the example desired state.
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
	run := demo
	if tgt == config.TargetAtlassian {
		run = demoAtlassian
	}
	if err := run(ctx, io, opts); err != nil {
		fmt.Fprintf(io.err, "ogsync demo: %v\n", err)
		return exitError
	}
	return exitOK
}

func demo(ctx context.Context, io stdio, opts demoOptions) error {
	logger := opts.log.logger(io)
	seedData, err := demoFiles.ReadFile(demoSeedFile)
	if err != nil {
		return fmt.Errorf("reading the demo seed: %w", err)
	}
	seed, err := ogsim.ParseSeed(demoSeedFile, seedData)
	if err != nil {
		return err
	}
	key, err := randomKey()
	if err != nil {
		return err
	}
	sim, err := ogsim.New(ogsim.Options{APIKey: key, Seed: seed})
	if err != nil {
		return fmt.Errorf("starting the emulator: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on loopback: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	stateDir, err := os.MkdirTemp("", "ogsync-demo-")
	if err != nil {
		return fmt.Errorf("creating a state directory: %w", err)
	}
	defer os.RemoveAll(stateDir)
	cfg := demoConfig("http://"+ln.Addr().String(), stateDir)
	desiredFS, err := fs.Sub(demoFiles, demoDesiredDir)
	if err != nil {
		return err
	}
	env := cycleEnv{apply: opts.apply, getenv: func(k string) string {
		if k == config.EnvAPIKey {
			return key
		}
		return ""
	}, logger: logger}
	client, err := newClient(cfg, env)
	if err != nil {
		return err
	}
	eng, err := engine.NewEngine(engine.EngineOptions{
		Planner: cfg.PlannerOptions(), Concurrency: cfg.Apply.Concurrency, Heartbeat: cfg.OpsGenie.Heartbeat,
		Target: client,
		Desired: func(ctx context.Context) (*model.Desired, error) {
			d, err := source.LoadFS(ctx, desiredFS, sourceOptions(cfg.Source))
			if err == nil {
				d.Revision.Dir = demoDesiredDir
			}
			return d, err
		},
		Apply:  opts.apply,
		Logger: logger,
	})
	if err != nil {
		return err
	}

	st := sim.State()
	fmt.Fprintf(io.out, "ogsync demo: an OpsGenie emulator on %s holds %d users and %d teams (%s).\n",
		ln.Addr(), len(st.Users), len(st.Teams), demoSeedFile)
	fmt.Fprintf(io.out, "The desired state is %s. Policies: users sync, teams upsert-only, members engine.\n\n", demoDesiredDir)

	p, err := eng.Plan(ctx)
	if err != nil {
		return err
	}
	if err := report.Text(io.out, p); err != nil {
		return err
	}
	reads := sim.Stats()
	fmt.Fprintf(io.out, "\nReading the account took %d API requests: %s, 1 team list with members, %s.\n",
		reads.Total, plural(reads.ByRoute["GET /v2/users"], "user page"),
		plural(reads.Total-reads.ByRoute["GET /v2/users"]-reads.ByRoute["GET /v2/teams"], "on-call audit read"))
	if !opts.apply {
		fmt.Fprintln(io.out, "\nThis was a dry run: nothing was written (the client refuses writes without --apply).")
		fmt.Fprintln(io.out, "Run `go run . demo --apply` to apply the plan and plan again.")
		return nil
	}
	return demoApply(ctx, io, eng, sim, p)
}

// demoApply applies p, then plans again to show what is left.
func demoApply(ctx context.Context, io stdio, eng *engine.Engine, sim *ogsim.Server, p *planner.Plan) error {
	sim.ResetStats()
	start := time.Now()
	results := eng.Apply(ctx, p)
	res := engine.Result{Start: start, End: time.Now(), Actions: results, APICalls: sim.Stats().Total}
	res.Finish(nil)
	fmt.Fprintln(io.out, "\nApplying:")
	for _, a := range res.Actions {
		line := fmt.Sprintf("  %-9s %s", a.Outcome, a.Action)
		if a.Error != "" {
			line += ": " + a.Error
		}
		fmt.Fprintln(io.out, line)
	}
	t := res.Total()
	fmt.Fprintf(io.out, "%d applied, %d failed, %d skipped, %d blocked in %d API requests.\n",
		t.Applied, t.Failed, t.Skipped, t.Blocked, res.APICalls)

	sim.ResetStats()
	next, err := eng.Plan(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(io.out, "\nPlanning again:")
	if err := report.Text(io.out, next); err != nil {
		return err
	}
	fmt.Fprintf(io.out, "\nThe second read took %d API requests.\n", sim.Stats().Total)
	if t.Failed > 0 {
		return errors.New("some actions failed")
	}
	return nil
}

// demoConfig is the configuration the demo runs with.
func demoConfig(url, stateDir string) *config.Config {
	cfg := config.Default()
	cfg.OpsGenie.URL = url
	cfg.OpsGenie.RateLimit = config.RateLimit{Rate: config.Rate{PerSecond: 50, Burst: 10}}
	cfg.Source.Path = demoDesiredDir
	cfg.Policy = config.Policy{Users: config.PolicySync, Teams: config.PolicyUpsertOnly, Members: config.PolicySync}
	cfg.Safeguards.MaxDeletes = config.MaxDeletes{Count: 5, Percent: 25}
	cfg.StateDir = stateDir
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
