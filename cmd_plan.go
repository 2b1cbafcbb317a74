package main

import (
	"bytes"
	"context"
	"flag"

	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/planner/report"
)

const planSynopsis = "--config FILE [--format text|markdown|json] [--out FILE] [--detailed-exitcode] [--api-url URL] [--log-level L] [--log-format F]"

// planOptions are the flags of ogsync plan.
type planOptions struct {
	accountFlags
	reportFlags
	detailed bool
}

// parsePlanArgs registers plan's flags on fs and parses args; errors name the flag.
func parsePlanArgs(fs *flag.FlagSet, args []string) (planOptions, error) {
	var o planOptions
	o.accountFlags.register(fs)
	o.reportFlags.register(fs, "report format: text, markdown or json (json is the saved plan that apply --plan takes)")
	fs.BoolVar(&o.detailed, "detailed-exitcode", false, "exit 2 when the plan has changes, blocked ones included (0: none, 1: error or refused plan)")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if err := o.reportFlags.validate(report.Formats); err != nil {
		return o, err
	}
	return o, o.accountFlags.validate()
}

// runPlan is ogsync plan: a dry run that prints the plan. It writes nothing
// to the account (its client is read-only) nor to the state directory.
func runPlan(ctx context.Context, io stdio, args []string) int {
	fs := newFlagSet("plan", planSynopsis, io.err)
	opts, err := parsePlanArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "plan", err)
	}
	fail := failer(io, "plan")
	cfg, err := opts.loadConfig()
	if err != nil {
		return fail(err)
	}
	logger := opts.log.Logger(io.err)
	e, err := newEngine(cfg, cycleEnv{getenv: io.getenv, logger: logger, secrets: io.secrets})
	if err != nil {
		return fail(err)
	}
	p, err := e.Plan(ctx)
	if err != nil {
		return fail(err)
	}
	if err := opts.write(io, "report", func(b *bytes.Buffer, format string) error { return report.Render(b, p, format) }); err != nil {
		return fail(err)
	}
	return planExit(p, opts.detailed)
}

// planExit is the exit code for a plan (see engine.Outcome): 1 when a
// safeguard refuses it, else 2 for changes with --detailed-exitcode, blocked
// ones included (they are reported, not an error), else 0.
func planExit(p *planner.Plan, detailed bool) int {
	switch {
	case p.Refused():
		return exitError
	case detailed && p.HasChanges():
		return exitChanges
	}
	return exitOK
}
