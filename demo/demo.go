// Package demo runs ogsync's demo: the real engine against a target's
// emulator, served on loopback and seeded with a drifted copy of the example
// desired state. It prints the plan; with Apply it applies the plan in one
// engine cycle, then plans again to show what is left.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/internal/problem"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/planner/report"
	"github.com/ogsync/ogsync/target"
)

// Options are what Run needs besides the emulator.
type Options struct {
	// Target builds the target that reaches the emulator at url (such as
	// "http://127.0.0.1:PORT"); without Apply it must refuse writes.
	Target func(url string) (target.Target, error)
	// Planner are the planner's options; Concurrency bounds the actions of
	// one step applied at once.
	Planner     planner.Options
	Concurrency int
	// Desired loads the example desired state, which DesiredDir names.
	Desired    func(ctx context.Context) (*model.Desired, error)
	DesiredDir string
	// Apply applies the plan, then plans again.
	Apply bool
	// Rerun is the command that runs the demo with Apply, for the hint at
	// the end of a dry run.
	Rerun string
	// Logger receives the engine's logs; Out the demo's output.
	Logger *slog.Logger
	Out    io.Writer
}

// Run serves em on loopback and runs the demo against it: one engine plans;
// with o.Apply, one engine cycle applies the plan after checking that the
// account still plans the same (planner.CheckReviewed, as apply --plan
// does), then the engine plans again.
func Run(ctx context.Context, em *Emulator, o Options) error {
	if o.Target == nil || o.Desired == nil || o.Logger == nil || o.Out == nil {
		return errors.New("demo: the demo needs a target, a desired-state loader, a logger and an output")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on loopback: %w", err)
	}
	srv := &http.Server{Handler: em.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	tgt, err := o.Target("http://" + ln.Addr().String())
	if err != nil {
		return err
	}
	var reviewed *planner.Plan
	eng, err := engine.NewEngine(engine.EngineOptions{
		Planner: o.Planner, Concurrency: o.Concurrency, Target: tgt, Desired: o.Desired, Apply: o.Apply, Logger: o.Logger,
		Check: func(fresh *planner.Plan) error { return planner.CheckReviewed(reviewed, fresh) },
	})
	if err != nil {
		return err
	}

	p := o.Planner.Policies
	fmt.Fprintf(o.Out, "ogsync demo: %s on %s holds %s (%s).\n", em.what, ln.Addr(), em.holds, em.seedFile)
	fmt.Fprintf(o.Out, "The desired state is %s. Policies: users %s, teams %s, members %s.\n\n", o.DesiredDir, p.Users, p.Teams, p.Members)
	if reviewed, err = eng.Plan(ctx); err != nil {
		return err
	}
	if err := report.Text(o.Out, reviewed); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "\nReading %s.\n", em.reads())
	if !o.Apply {
		fmt.Fprintln(o.Out, "\nThis was a dry run: nothing was written (the target refuses writes without --apply).")
		fmt.Fprintf(o.Out, "Run `%s` to apply the plan and plan again.\n", o.Rerun)
		return nil
	}
	return apply(ctx, o.Out, eng, tgt)
}

// apply runs one engine cycle that applies the reviewed plan, then plans
// again to show what is left.
func apply(ctx context.Context, out io.Writer, eng *engine.Engine, tgt target.Target) error {
	res, err := eng.RunCycle(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\nApplying:")
	for _, a := range res.Actions {
		line := fmt.Sprintf("  %-9s %s", a.Outcome, a.Action)
		if a.Error != "" {
			line += ": " + a.Error
		}
		fmt.Fprintln(out, line)
	}
	t := res.Total()
	fmt.Fprintf(out, "%d applied, %d failed, %d skipped, %d blocked in %d API requests, the read before applying included.\n",
		t.Applied, t.Failed, t.Skipped, t.Blocked, res.APICalls)

	before := tgt.Stats().Total
	next, err := eng.Plan(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\nPlanning again:")
	if err := report.Text(out, next); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe second read took %s.\n", problem.Plural(tgt.Stats().Total-before, "API request"))
	if !res.Succeeded {
		return fmt.Errorf("the cycle ended %s", res.Outcome)
	}
	return nil
}

// NewKey returns a fresh UUID-shaped API key for an emulator.
func NewKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generating an API key: %w", err)
	}
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}
