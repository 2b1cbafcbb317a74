// Command ogsync keeps an on-call roster (users, teams and team memberships)
// equal to YAML files kept in git, in OpsGenie or in Atlassian Teams with JSM
// Operations. See README.md.
//
// main only wires: it parses flags, builds the logger, turns signals into a
// context, and hands over to the packages that do the work.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/internal/buildinfo"
	"github.com/ogsync/ogsync/internal/journal"
	"github.com/ogsync/ogsync/internal/logging"
	"github.com/ogsync/ogsync/planner/report"
	"github.com/ogsync/ogsync/redact"
	"github.com/ogsync/ogsync/statedir"
)

// version, when set at build time with -ldflags "-X main.version=v1.2.3",
// overrides the module version of the build info.
var version = ""

// Exit codes of the CLI contract.
const (
	exitOK      = 0 // success, no changes, or only blocked actions (see sync.Outcome)
	exitError   = 1 // any error, invalid input, a refused plan or a failed action
	exitChanges = 2 // changes present, blocked ones included (plan --detailed-exitcode)
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	getenv := takeAPIKeyEnv()
	var stderr io.Writer = os.Stderr
	if journal.IsStream(os.Stderr, getenv) {
		stderr = journal.NewWriter(os.Stderr)
	}
	code := run(ctx, os.Args[1:], stdio{out: os.Stdout, err: stderr, getenv: getenv})
	stop()
	os.Exit(code)
}

// takeAPIKeyEnv reads the secret variables (OPSGENIE_API_KEY and the
// Atlassian ones, config.SecretEnvs) once and removes them from the process
// environment, so that no child process (git, ssh, a credential helper)
// inherits them. The getenv it returns still answers them.
func takeAPIKeyEnv() func(string) string {
	taken := map[string]string{}
	for _, k := range config.SecretEnvs {
		if v, set := os.LookupEnv(k); set {
			taken[k] = v
		}
		os.Unsetenv(k)
	}
	return func(k string) string {
		if slices.Contains(config.SecretEnvs, k) {
			return taken[k]
		}
		return os.Getenv(k)
	}
}

// stdio is what a command may touch of its process.
type stdio struct {
	out    io.Writer
	err    io.Writer
	getenv func(string) string
	// secrets are hidden in everything written to out, err and the files
	// a command writes.
	secrets *redact.Secrets
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, io stdio, args []string) int
}

func commands() []command {
	return []command{
		{"demo", "plan (and with --apply, apply) the examples against the embedded emulator", runDemo},
		{"validate", "check desired-state files offline", runValidate},
		{"plan", "show what a sync would change", runPlan},
		{"diff", "show the desired-state change between two commits, offline", runDiff},
		{"apply", "apply the changes (with --plan, only a reviewed plan)", runApply},
		{"run", "run as a daemon on the configured cron schedule", runDaemon},
		{"export", "write the current account as desired-state YAML", runExport},
		{"migrate-check", "compare the rosters of two accounts (OpsGenie and Atlassian)", runMigrateCheck},
		{"sim", "serve an API emulator: OpsGenie, or Atlassian with --target atlassian", runSim},
		{"version", "print the version", runVersion},
	}
}

// run dispatches to a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, io stdio) int {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		return runVersion(ctx, io, args[1:])
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(io.err)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	if io.secrets == nil {
		// Everything a command prints goes through the redaction of the
		// API key; a key read from a file is added when it is read.
		io.secrets = redact.New()
		for _, k := range config.SecretEnvs {
			io.secrets.Add(io.getenv(k))
		}
		io.out = io.secrets.Writer(io.out)
		// Below the journal's priority prefixes, if stderr is the journal,
		// so that the logger still sees it and prefixes each line by level.
		io.err = journal.Filter(io.err, io.secrets.Writer)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, io, args[1:])
		}
	}
	fmt.Fprintf(io.err, "ogsync: unknown command %q\n\n", args[0])
	usage(io.err)
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ogsync keeps an on-call roster (users, teams, memberships) equal to YAML in git:")
	fmt.Fprintln(w, "in OpsGenie, or in Atlassian Teams with JSM Operations (target: atlassian).")
	fmt.Fprintln(w, "\nUsage: ogsync <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'ogsync <command> --help' for a command's flags.")
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name, synopsis string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage: ogsync %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and refuses positional arguments. It returns
// flag.ErrHelp when help was asked for.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// flagExit maps a flag parsing error to an exit code, printing it.
func flagExit(w io.Writer, name string, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(w, "ogsync %s: %v\n", name, err)
	return exitError
}

// failer returns the error exit of command name: it prints err after the
// command's name and returns exitError.
func failer(io stdio, name string) func(err error) int {
	return func(err error) int {
		fmt.Fprintf(io.err, "ogsync %s: %v\n", name, err)
		return exitError
	}
}

// sourceFlags choose the desired state of a command that reads it offline:
// --desired DIR, or the source section of --config FILE.
type sourceFlags struct {
	config  string
	desired string
}

// register registers --config and --desired with the command's help texts.
func (s *sourceFlags) register(fs *flag.FlagSet, configHelp, desiredHelp string) {
	fs.StringVar(&s.config, "config", "", configHelp)
	fs.StringVar(&s.desired, "desired", "", desiredHelp)
}

// validate requires exactly one of the two flags.
func (s *sourceFlags) validate() error {
	switch {
	case s.config == "" && s.desired == "":
		return errors.New("one of --config or --desired is required")
	case s.config != "" && s.desired != "":
		return errors.New("--config and --desired are exclusive: give one")
	}
	return nil
}

// reportFlags are the flags of a command that writes a report: --format
// and --out.
type reportFlags struct {
	format string
	out    string
}

// register registers --format, text by default, with the command's help
// text, and --out.
func (r *reportFlags) register(fs *flag.FlagSet, formatHelp string) {
	fs.StringVar(&r.format, "format", report.FormatText, formatHelp)
	fs.StringVar(&r.out, "out", "", "write the report to `file` (atomically) instead of standard output")
}

// validate refuses a --format that is not one of formats.
func (r *reportFlags) validate(formats []string) error {
	if !slices.Contains(formats, r.format) {
		return fmt.Errorf("--format=%s: must be text, markdown or json", r.format)
	}
	return nil
}

// write renders the report (writeOut) to --out, or to standard output.
func (r *reportFlags) write(io stdio, what string, render func(b *bytes.Buffer, format string) error) error {
	return writeOut(io, r.out, what, func(b *bytes.Buffer) error { return render(b, r.format) })
}

// writeOut renders a report and writes it to standard output, or with
// --out to the file out (statedir.WriteOutput: atomically, or through a
// device or FIFO), its secrets hidden; what names it in errors. A report
// that does not render is not written.
func writeOut(io stdio, out, what string, render func(b *bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	if out == "" {
		if _, err := io.out.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("writing the %s: %w", what, err)
		}
	} else if err := statedir.WriteOutput(out, io.secrets.Bytes(buf.Bytes())); err != nil {
		return fmt.Errorf("writing the %s: %w", what, err)
	}
	return nil
}

// accountFlags are the flags of every command that reaches the account:
// the configuration file, the API URL override and logging.
type accountFlags struct {
	config string
	apiURL string
	log    logging.Flags
}

func (a *accountFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.config, "config", "", "configuration `file` (required)")
	fs.StringVar(&a.apiURL, "api-url", "", "API base `URL`, overriding opsgenie.url (atlassian.url when the target is atlassian)")
	a.log.Register(fs)
}

// validate checks the flags after parsing; errors name the flag.
func (a *accountFlags) validate() error {
	if a.config == "" {
		return errors.New("--config is required")
	}
	if a.apiURL != "" {
		if err := config.CheckURL(a.apiURL); err != nil {
			return fmt.Errorf("--api-url: %w", err)
		}
	}
	return a.log.Validate()
}

// loadConfig reads the configuration file and applies the --api-url override.
func (a *accountFlags) loadConfig() (*config.Config, error) {
	cfg, err := config.LoadFile(a.config)
	if err != nil {
		return nil, err
	}
	if a.apiURL != "" {
		cfg.SetURL(a.apiURL)
	}
	return cfg, nil
}

func runVersion(_ context.Context, io stdio, args []string) int {
	fs := newFlagSet("version", "", io.err)
	if err := parseFlags(fs, args); err != nil {
		return flagExit(io.err, "version", err)
	}
	fmt.Fprintln(io.out, buildinfo.Read(version))
	return exitOK
}
