package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/internal/logging"
	"github.com/ogsync/ogsync/migrate"
)

const migrateSynopsis = "--from CONFIG --to CONFIG [--format text|markdown|json] [--out FILE] [--log-level L] [--log-format F]"

// migrateOptions are the flags of ogsync migrate-check.
type migrateOptions struct {
	reportFlags
	from, to string
	log      logging.Flags
}

func parseMigrateArgs(fs *flag.FlagSet, args []string) (migrateOptions, error) {
	var o migrateOptions
	fs.StringVar(&o.from, "from", "", "configuration `file` of the account moved from (required)")
	fs.StringVar(&o.to, "to", "", "configuration `file` of the account moved to (required)")
	o.reportFlags.register(fs, "report format: text, markdown or json")
	o.log.Register(fs)
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	switch {
	case o.from == "":
		return o, errors.New("--from is required")
	case o.to == "":
		return o, errors.New("--to is required")
	}
	if err := o.reportFlags.validate([]string{migrate.FormatText, migrate.FormatMarkdown, migrate.FormatJSON}); err != nil {
		return o, err
	}
	return o, o.log.Validate()
}

// runMigrateCheck is ogsync migrate-check: it reads the rosters of two
// accounts (each configuration's target, read-only) and reports what
// differs. Exit 0 when they are equal (what is not compared aside, listed),
// 2 when they differ, 1 on an error.
func runMigrateCheck(ctx context.Context, io stdio, args []string) int {
	fs := newFlagSet("migrate-check", migrateSynopsis, io.err)
	o, err := parseMigrateArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "migrate-check", err)
	}
	fail := failer(io, "migrate-check")
	env := cycleEnv{getenv: io.getenv, logger: o.log.Logger(io.err), secrets: io.secrets}
	from, err := config.LoadFile(o.from)
	if err != nil {
		return fail(err)
	}
	to, err := config.LoadFile(o.to)
	if err != nil {
		return fail(err)
	}
	ft, err := newReadTarget(from, env)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", o.from, err))
	}
	tt, err := newReadTarget(to, env)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", o.to, err))
	}
	r, err := migrate.Check(ctx, ft, tt)
	if err != nil {
		return fail(err)
	}
	if err := o.write(io, "report", func(b *bytes.Buffer, format string) error { return migrate.Render(b, r, format) }); err != nil {
		return fail(err)
	}
	if !r.Equal() {
		return exitChanges
	}
	return exitOK
}
