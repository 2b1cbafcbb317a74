package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/internal/problem"
	"github.com/ogsync/ogsync/source"
)

// validateOptions are the flags of ogsync validate.
type validateOptions struct {
	sourceFlags
	configOnly bool
}

func parseValidateArgs(fs *flag.FlagSet, args []string) (validateOptions, error) {
	var o validateOptions
	o.register(fs, "configuration `file`: validate it and the desired state it points to",
		"desired-state `directory` to validate (files matching **/*.yaml and **/*.yml)")
	fs.BoolVar(&o.configOnly, "config-only", false, "with --config: check only what a reload of the daemon builds (the configuration file, its API key and git settings), not the desired state; systemd's ExecReload= runs it")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if o.configOnly && o.config == "" {
		return o, errors.New("--config-only needs --config")
	}
	return o, o.validate()
}

// runValidate checks desired-state files offline: no pull, no network. Every
// problem is printed on stderr, one a line; the summary goes to stdout.
func runValidate(ctx context.Context, io stdio, args []string) int {
	fs := newFlagSet("validate", "--config FILE [--config-only] | --desired DIR", io.err)
	o, err := parseValidateArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "validate", err)
	}
	if o.configOnly {
		return validateConfigOnly(io, o.config)
	}
	opts := source.Options{Dir: o.desired}
	if o.config != "" {
		cfg, err := config.LoadFile(o.config)
		if err != nil {
			return invalid(io, err, "configuration")
		}
		// The same verdict as plan and run give: a key file that cannot be
		// used fails here too (a missing key does not: validate runs in CI,
		// where there is none).
		warnings, err := cfg.CheckOffline(io.getenv)
		for _, w := range warnings {
			fmt.Fprintf(io.err, "warning: %s\n", w)
		}
		if err != nil {
			return invalidConfig(io, o.config, err)
		}
		opts = cfg.SourceOptions()
		opts.Git = source.GitOptions{} // offline: never pull
	}
	d, err := source.Load(ctx, opts)
	if err != nil {
		return invalid(io, err, "desired state")
	}
	files, err := source.Files(os.DirFS(d.Revision.Dir), opts.Files)
	if err != nil {
		fmt.Fprintf(io.err, "ogsync validate: %v\n", err)
		return exitError
	}
	fmt.Fprintf(io.out, "ok: %s, %s in %s\n", problem.Plural(len(d.Users), "user"), problem.Plural(len(d.Teams), "team"), problem.Plural(len(files), "file"))
	return exitOK
}

// validateConfigOnly checks what the daemon's reload builds from the
// configuration file: the file itself, then the engine (API key, client,
// git settings, planner options), without any network request. A reload
// that this refuses would be refused by the daemon too.
func validateConfigOnly(io stdio, file string) int {
	cfg, err := config.LoadFile(file)
	if err != nil {
		return invalid(io, err, "configuration")
	}
	if _, err := newEngine(cfg, cycleEnv{getenv: io.getenv, logger: slog.New(slog.DiscardHandler), secrets: io.secrets}); err != nil {
		return invalidConfig(io, file, err)
	}
	fmt.Fprintf(io.out, "ok: configuration %s\n", file)
	return exitOK
}

// invalid prints the problems of what in err, then how many there are.
func invalid(io stdio, err error, what string) int {
	fmt.Fprintln(io.err, err)
	fmt.Fprintf(io.err, "invalid: %s\n", problem.Summary(err, what))
	return exitError
}

// invalidConfig prints the one problem of the configuration file that err
// is, after the file's name.
func invalidConfig(io stdio, file string, err error) int {
	fmt.Fprintf(io.err, "%s: %v\n", file, err)
	fmt.Fprintln(io.err, "invalid: the configuration has a problem")
	return exitError
}
