package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/planner/report"
	"github.com/ogsync/ogsync/sync"
)

const planSynopsis = "--config FILE [--format text|markdown|json] [--out FILE] [--detailed-exitcode] [--api-url URL] [--log-level L] [--log-format F]"

// planOptions are the flags of ogsync plan.
type planOptions struct {
	config   string
	format   string
	out      string
	detailed bool
	apiURL   string
	log      logFlags
}

// parsePlanArgs registers plan's flags on fs and parses args; errors name the flag.
func parsePlanArgs(fs *flag.FlagSet, args []string) (planOptions, error) {
	var o planOptions
	fs.StringVar(&o.config, "config", "", "configuration `file` (required)")
	fs.StringVar(&o.format, "format", report.FormatText, "report format: text, markdown or json (json is the saved plan that apply --plan takes)")
	fs.StringVar(&o.out, "out", "", "write the report to `file` (atomically) instead of standard output")
	fs.BoolVar(&o.detailed, "detailed-exitcode", false, "exit 2 when the plan has changes (0: none, 1: error or blocked)")
	fs.StringVar(&o.apiURL, "api-url", "", "OpsGenie API base `URL`, overriding opsgenie.url")
	o.log.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if o.config == "" {
		return o, errors.New("--config is required")
	}
	if !slices.Contains(report.Formats, o.format) {
		return o, fmt.Errorf("--format=%s: must be text, markdown or json", o.format)
	}
	if err := checkAPIURL(o.apiURL); err != nil {
		return o, err
	}
	return o, o.log.validate()
}

// checkAPIURL checks an --api-url flag value, if given.
func checkAPIURL(u string) error {
	if u == "" {
		return nil
	}
	if err := config.CheckURL(u); err != nil {
		return fmt.Errorf("--api-url: %w", err)
	}
	return nil
}

// loadConfig reads a configuration file and applies an --api-url override.
func loadConfig(file, apiURL string) (*config.Config, error) {
	cfg, err := config.LoadFile(file)
	if err != nil {
		return nil, err
	}
	if apiURL != "" {
		cfg.OpsGenie.URL = apiURL
	}
	return cfg, nil
}

// runPlan is ogsync plan: a dry run that prints the plan. It writes nothing
// to the account (its client is read-only) nor to the state directory.
func runPlan(ctx context.Context, io stdio, args []string) int {
	fs := newFlagSet("plan", planSynopsis, io.err)
	opts, err := parsePlanArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "plan", err)
	}
	fail := func(err error) int {
		fmt.Fprintf(io.err, "ogsync plan: %v\n", err)
		return exitError
	}
	cfg, err := loadConfig(opts.config, opts.apiURL)
	if err != nil {
		return fail(err)
	}
	logger := opts.log.logger(io.err)
	e, err := newEngine(cfg, cycleEnv{getenv: io.getenv, logger: logger})
	if err != nil {
		return fail(err)
	}
	p, err := e.Plan(ctx)
	if err != nil {
		return fail(err)
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, p, opts.format); err != nil {
		return fail(err)
	}
	if opts.out == "" {
		if _, err := io.out.Write(buf.Bytes()); err != nil {
			return fail(fmt.Errorf("writing the report: %w", err))
		}
	} else if err := sync.WriteFileAtomic(opts.out, buf.Bytes(), 0o644); err != nil {
		return fail(fmt.Errorf("writing the report: %w", err))
	}
	return planExit(p, opts.detailed)
}

// planExit is the exit code for a plan: 1 when a safeguard refuses it or
// blocks an action, else 2 for changes with --detailed-exitcode, else 0.
func planExit(p *planner.Plan, detailed bool) int {
	switch {
	case p.Blocked():
		return exitError
	case detailed && p.HasChanges():
		return exitChanges
	}
	return exitOK
}
