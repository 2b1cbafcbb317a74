package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"syscall"

	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/planner/report"
	"github.com/ogsync/ogsync/statedir"
)

const planSynopsis = "--config FILE [--format text|markdown|json] [--out FILE] [--detailed-exitcode] [--api-url URL] [--log-level L] [--log-format F]"

// planOptions are the flags of ogsync plan.
type planOptions struct {
	accountFlags
	format   string
	out      string
	detailed bool
}

// parsePlanArgs registers plan's flags on fs and parses args; errors name the flag.
func parsePlanArgs(fs *flag.FlagSet, args []string) (planOptions, error) {
	var o planOptions
	o.register(fs)
	fs.StringVar(&o.format, "format", report.FormatText, "report format: text, markdown or json (json is the saved plan that apply --plan takes)")
	fs.StringVar(&o.out, "out", "", "write the report to `file` (atomically) instead of standard output")
	fs.BoolVar(&o.detailed, "detailed-exitcode", false, "exit 2 when the plan has changes, blocked ones included (0: none, 1: error or refused plan)")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if !slices.Contains(report.Formats, o.format) {
		return o, fmt.Errorf("--format=%s: must be text, markdown or json", o.format)
	}
	return o, o.validate()
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
	cfg, err := opts.loadConfig()
	if err != nil {
		return fail(err)
	}
	logger := opts.log.logger(io)
	e, err := newEngine(cfg, cycleEnv{getenv: io.getenv, logger: logger, secrets: io.secrets})
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
	} else if err := writeOut(opts.out, io.secrets.Bytes(buf.Bytes())); err != nil {
		return fail(fmt.Errorf("writing the report: %w", err))
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

// writeOut writes the report to path: atomically (through a temporary file
// renamed over it) when path is a regular file or does not exist; straight
// into it when it is a character device or a FIFO (/dev/stdout, a pipe),
// never replacing it. A symbolic link, a directory or another special file
// is refused.
func writeOut(path string, data []byte) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return statedir.WriteFileAtomic(path, data, 0o644)
	case err != nil:
		return err
	case st.Mode().IsRegular():
		return statedir.WriteFileAtomic(path, data, 0o644)
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: refusing to replace or follow it; give the target's path", path)
	case st.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		// Written through, never replaced: O_NOFOLLOW guards against a
		// swap for a link since the Lstat, and no O_CREATE, no O_TRUNC.
		// O_NONBLOCK: a FIFO nobody reads fails at once instead of hanging.
		f, err := os.OpenFile(path, os.O_WRONLY|statedir.NoFollow|syscall.O_NONBLOCK, 0)
		if errors.Is(err, syscall.ENXIO) {
			return fmt.Errorf("%s is a FIFO that nobody reads", path)
		}
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	default:
		return fmt.Errorf("%s is a %s, not a regular file: refusing to replace it", path, fileKind(st.Mode()))
	}
}

// fileKind names the type of a file mode for an error message.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "special file"
}
