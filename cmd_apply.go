package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/planner/report"
)

const applySynopsis = "--config FILE [--plan FILE] [--api-url URL] [--log-level L] [--log-format F]"

// applyOptions are the flags of ogsync apply.
type applyOptions struct {
	run  runOptions
	plan string
}

// parseApplyArgs registers apply's flags on fs and parses args; errors name the flag.
func parseApplyArgs(fs *flag.FlagSet, args []string) (applyOptions, error) {
	var o applyOptions
	o.run.register(fs)
	fs.StringVar(&o.plan, "plan", "", "a saved plan (plan --format json) `file`: apply only if the fresh plan equals it")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	o.run.once, o.run.apply = true, true
	return o, o.run.validate()
}

// runApply is ogsync apply: one cycle that writes, under the state
// directory's lock; with --plan, only when the fresh plan equals the saved one.
func runApply(ctx context.Context, io stdio, args []string) int {
	fs := newFlagSet("apply", applySynopsis, io.err)
	opts, err := parseApplyArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "apply", err)
	}
	var saved *planner.Plan
	if opts.plan != "" {
		if saved, err = planner.ReadPlanFile(opts.plan); err != nil {
			fmt.Fprintf(io.err, "ogsync apply: --plan: %v\n", err)
			return exitError
		}
	}
	build := func(cfg *config.Config, env cycleEnv) (engine.Cycle, error) {
		if saved != nil {
			env.check = func(fresh *planner.Plan) error { return planner.CheckReviewed(saved, fresh) }
		}
		e, client, err := newEngineClient(cfg, env)
		if err != nil {
			return nil, err
		}
		return learnRates(cfg, env, client, func(ctx context.Context) (engine.Result, error) {
			res, err := e.RunCycle(ctx)
			if p := res.Plan; p != nil {
				_ = report.Text(io.out, p)
			}
			_ = res.WriteText(io.out)
			if res.Error != "" {
				fmt.Fprintf(io.err, "ogsync apply: %s\n", res.Error)
			}
			return res, err
		}), nil
	}
	return execute(ctx, io, "apply", opts.run, build)
}
