package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/diff"
	"github.com/ogsync/ogsync/planner/report"
	"github.com/ogsync/ogsync/source"
)

const diffSynopsis = "(--desired DIR | --config FILE) --base REV [--head REV] [--format text|markdown|json] [--out FILE] [--detailed-exitcode]"

// diffOptions are the flags of ogsync diff.
type diffOptions struct {
	config   string
	desired  string
	base     string
	head     string
	format   string
	out      string
	detailed bool
}

func parseDiffArgs(fs *flag.FlagSet, args []string) (diffOptions, error) {
	var o diffOptions
	fs.StringVar(&o.desired, "desired", "", "desired-state `directory` inside a git checkout (files matching **/*.yaml and **/*.yml)")
	fs.StringVar(&o.config, "config", "", "configuration `file`: its source.path, source.files and source.external_users say what to read")
	fs.StringVar(&o.base, "base", "", "the `revision` to compare from, such as origin/main or a commit SHA (required)")
	fs.StringVar(&o.head, "head", "HEAD", "the `revision` to compare to")
	fs.StringVar(&o.format, "format", report.FormatText, "report format: text, markdown or json")
	fs.StringVar(&o.out, "out", "", "write the report to `file` (atomically) instead of standard output")
	fs.BoolVar(&o.detailed, "detailed-exitcode", false, "exit 2 when the desired state changed (0: no change, 1: error)")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	switch {
	case o.config == "" && o.desired == "":
		return o, errors.New("one of --config or --desired is required")
	case o.config != "" && o.desired != "":
		return o, errors.New("--config and --desired are exclusive: give one")
	case o.base == "":
		return o, errors.New("--base is required")
	case o.head == "":
		return o, errors.New("--head must not be empty")
	case !slices.Contains(report.Formats, o.format):
		return o, fmt.Errorf("--format=%s: must be text, markdown or json", o.format)
	}
	return o, nil
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
	if err := writeOut(io, o.out, "diff", func(b *bytes.Buffer) error { return diff.Render(b, d, o.format) }); err != nil {
		return fail(err)
	}
	if o.detailed && !d.Empty() {
		return exitChanges
	}
	return exitOK
}
