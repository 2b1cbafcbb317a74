package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner/report"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target/atlassian/atlsim"
)

// demoAtlassianSeed is the Atlassian side of the demo account: the same
// drifted roster as the OpsGenie demo's seed, after the move.
//
//go:embed examples/demo/atlassian-seed.yaml
var demoAtlassianSeed []byte

const (
	demoAtlassianSeedFile = "examples/demo/atlassian-seed.yaml"
	demoAtlassianEmail    = "ogsync-bot@example.com"
)

// demoAtlassian is ogsync demo --target atlassian: the real engine against
// the embedded Atlassian emulator seeded with the demo org.
func demoAtlassian(ctx context.Context, io stdio, opts demoOptions) error {
	logger := opts.log.logger(io)
	seed, err := atlsim.ParseSeed(demoAtlassianSeedFile, demoAtlassianSeed)
	if err != nil {
		return err
	}
	key, err := randomKey()
	if err != nil {
		return err
	}
	io.secrets.Add(key)
	sim, err := atlsim.New(atlsim.Options{APIKey: key, Seed: seed})
	if err != nil {
		return fmt.Errorf("starting the emulator: %w", err)
	}
	defer sim.Close()
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
	cfg.Target = config.TargetAtlassian
	cfg.Atlassian = config.Atlassian{URL: "http://" + ln.Addr().String(), OrgID: sim.OrgID(), CloudID: sim.CloudID(), Email: demoAtlassianEmail}
	desiredFS, err := fs.Sub(demoFiles, demoDesiredDir)
	if err != nil {
		return err
	}
	env := cycleEnv{apply: opts.apply, getenv: func(k string) string {
		if k == config.EnvAtlassianAPIToken || k == config.EnvAtlassianOrgAPIKey {
			return key
		}
		return ""
	}, logger: logger, secrets: io.secrets}
	tgt, err := newAtlassian(cfg, env, false)
	if err != nil {
		return err
	}
	eng, err := engine.NewEngine(engine.EngineOptions{
		Planner: cfg.PlannerOptions(), Concurrency: cfg.Apply.Concurrency,
		Target: tgt,
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
	fmt.Fprintf(io.out, "ogsync demo: an Atlassian emulator (Teams, JSM Operations, org directory) on %s holds %d accounts and %d teams (%s).\n",
		ln.Addr(), len(st.Users), len(st.Teams), demoAtlassianSeedFile)
	fmt.Fprintf(io.out, "The desired state is %s. Policies: users sync, teams upsert-only, members sync.\n\n", demoDesiredDir)
	p, err := eng.Plan(ctx)
	if err != nil {
		return err
	}
	if err := report.Text(io.out, p); err != nil {
		return err
	}
	fmt.Fprintf(io.out, "\nReading the org took %s.\n", plural(sim.Stats().Total, "API request"))
	if !opts.apply {
		fmt.Fprintln(io.out, "\nThis was a dry run: nothing was written (the target refuses writes without --apply).")
		fmt.Fprintln(io.out, "Run `go run . demo --target atlassian --apply` to apply the plan and plan again.")
		return nil
	}

	sim.ResetStats()
	start := time.Now()
	res := engine.Result{Start: start, Actions: eng.Apply(ctx, p)}
	res.End = time.Now()
	res.APICalls = sim.Stats().Total
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
