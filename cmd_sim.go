package main

import (
	"context"
	"flag"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/internal/logging"
	"github.com/ogsync/ogsync/internal/simkit"
	"github.com/ogsync/ogsync/target/atlassian/atlsim"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// simCommand is an emulator's command line (ogsim.Command, atlsim.Command):
// its usage line, its flags and their checks, and serving.
type simCommand interface {
	Synopsis() string
	Register(fs *flag.FlagSet)
	Check() error
	Run(ctx context.Context, p simkit.Process) error
}

// runSim serves the API emulator of --target (OpsGenie by default) until
// ctx is cancelled, then shuts down gracefully. The emulator's command
// line owns its flags; the logging flags are every command's.
func runSim(ctx context.Context, io stdio, args []string) int {
	tgt, args, err := takeTargetFlag(args)
	if err != nil {
		return flagExit(io.err, "sim", err)
	}
	var cmd simCommand = ogsim.NewCommand(config.EnvAPIKey)
	if tgt == config.TargetAtlassian {
		cmd = atlsim.NewCommand(config.EnvAtlassianAPIToken)
	}
	fs := newFlagSet("sim", cmd.Synopsis(), io.err)
	var log logging.Flags
	cmd.Register(fs)
	log.Register(fs)
	if err := parseFlags(fs, args); err != nil {
		return flagExit(io.err, "sim", err)
	}
	if err := cmd.Check(); err != nil {
		return flagExit(io.err, "sim", err)
	}
	if err := log.Validate(); err != nil {
		return flagExit(io.err, "sim", err)
	}
	p := simkit.Process{Stderr: io.err, Getenv: io.getenv, Hide: io.secrets.Add, Logger: log.Logger(io.err)}
	if err := cmd.Run(ctx, p); err != nil {
		return failer(io, "sim")(err)
	}
	return exitOK
}
