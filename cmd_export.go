package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/ogsync/ogsync/internal/problem"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/statedir"
)

const exportSynopsis = "--config FILE [--out DIR] [--api-url URL] [--log-level L] [--log-format F]"

// exportOptions are the flags of ogsync export.
type exportOptions struct {
	accountFlags
	out string
}

// parseExportArgs registers export's flags on fs and parses args.
func parseExportArgs(fs *flag.FlagSet, args []string) (exportOptions, error) {
	var o exportOptions
	o.register(fs)
	fs.StringVar(&o.out, "out", "", "`directory` to write users.yaml and teams.yaml into; stdout when empty")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	return o, o.validate()
}

// runExport reads the account and writes it as desired-state YAML: with
// --out, users.yaml (custom roles and users) and teams.yaml, each replaced
// atomically; else one document on stdout. The output is checked with the
// desired-state loader before anything is written.
func runExport(ctx context.Context, io stdio, args []string) int {
	fs := newFlagSet("export", exportSynopsis, io.err)
	o, err := parseExportArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "export", err)
	}
	fail := failer(io, "export")
	cfg, err := o.loadConfig()
	if err != nil {
		return fail(err)
	}
	// Read-only: export never writes to the account.
	client, err := newReadTarget(cfg, cycleEnv{getenv: io.getenv, logger: o.log.Logger(io.err), secrets: io.secrets})
	if err != nil {
		return fail(err)
	}
	exp, err := source.ExportAccount(ctx, client.Read, o.out != "", func(w string) {
		fmt.Fprintf(io.err, "ogsync export: warning: %s\n", w)
	})
	if err != nil {
		return fail(err)
	}
	exp.Redact(io.secrets.Bytes)
	if o.out == "" {
		if _, err := io.out.Write(exp.Files[source.ExportFile]); err != nil {
			return fail(err)
		}
	} else if err := statedir.WriteFiles(o.out, exp.Files); err != nil {
		return fail(err)
	}
	where := "stdout"
	if o.out != "" {
		where = o.out
	}
	fmt.Fprintf(io.err, "exported %s to %s (%s)\n", exp.Summary(), where, problem.Plural(client.Stats().Total, "API request"))
	return exitOK
}
