package main

import (
	"bytes"
	"context"
	"errors"
	"flag"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/diff"
	"github.com/ogsync/ogsync/planner/report"
	"github.com/ogsync/ogsync/source"
)

const diffSynopsis = "(--desired DIR | --config FILE) --base REV [--head REV] [--format text|markdown|json] [--out FILE] [--detailed-exitcode]"

// diffOptions are the flags of ogsync diff.
type diffOptions struct {
	sourceFlags
	reportFlags
	base     string
	head     string
	detailed bool
}

func parseDiffArgs(fs *flag.FlagSet, args []string) (diffOptions, error) {
	var o diffOptions
	o.sourceFlags.register(fs, "configuration `file`: its source.path, source.files and source.external_users say what to read",
		"desired-state `directory` inside a git checkout (files matching **/*.yaml and **/*.yml)")
	fs.StringVar(&o.base, "base", "", "the `revision` to compare from, such as origin/main or a commit SHA (required)")
	fs.StringVar(&o.head, "head", "HEAD", "the `revision` to compare to")
	o.reportFlags.register(fs, "report format: text, markdown or json")
	fs.BoolVar(&o.detailed, "detailed-exitcode", false, "exit 2 when the desired state changed (0: no change, 1: error)")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if err := o.sourceFlags.validate(); err != nil {
		return o, err
	}
	switch {
	case o.base == "":
		return o, errors.New("--base is required")
	case o.head == "":
		return o, errors.New("--head must not be empty")
	}
	return o, o.reportFlags.validate(report.Formats)
}

// runDiff is ogsync diff: the desired-state change between two commits of
// the checkout, read from git alone. It makes no API call and needs no key,
// so it serves pull requests from forks. The exit code follows plan's: 0,
// or 2 for a change with --detailed-exitcode; 1 on any error.
func runDiff(ctx context.Context, io stdio, args []string) int {
	fs := newFlagSet("diff", diffSynopsis, io.err)
	o, err := parseDiffArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "diff", err)
	}
	fail := failer(io, "diff")
	opts := source.Options{Dir: o.desired}
	if o.config != "" {
		cfg, err := config.LoadFile(o.config)
		if err != nil {
			return fail(err)
		}
		opts = cfg.SourceOptions()
	}
	d, err := diff.Revisions(ctx, opts, o.base, o.head)
	if err != nil {
		return fail(err)
	}
	if err := o.write(io, "diff", func(b *bytes.Buffer, format string) error { return diff.Render(b, d, format) }); err != nil {
		return fail(err)
	}
	if o.detailed && !d.Empty() {
		return exitChanges
	}
	return exitOK
}
