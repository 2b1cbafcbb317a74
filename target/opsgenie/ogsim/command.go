package ogsim

import (
	"context"
	"flag"
	"fmt"
	"net"
	"strings"

	"github.com/ogsync/ogsync/internal/simkit"
)

// Command is the emulator's command line, ogsync sim: its flags, their
// checks, and serving the emulator they describe. Register the flags,
// parse them, Check them, then Run.
type Command struct {
	serve  simkit.ServeFlags
	idSeed uint64
	rate   RateLimitOptions
	faults FaultOptions
	beh    Behavior
	// actorFlags are --actor-every and --actor-seed; actorUsers and
	// actorOps the comma-separated --actor-users and --actor-ops.
	actorFlags           ActorOptions
	actorUsers, actorOps string
	actor                *ActorOptions // set by Check; nil unless --actor-every is set
}

// NewCommand returns the command line of an emulator whose API key, when
// --api-key is not given, is the environment variable keyEnv.
func NewCommand(keyEnv string) *Command {
	return &Command{serve: simkit.ServeFlags{KeyEnv: keyEnv}}
}

// Synopsis returns the usage line of the command, after "ogsync sim".
func (c *Command) Synopsis() string {
	return "--listen ADDR --api-key KEY [--seed FILE] [flags] (--target atlassian --help: the Atlassian emulator)"
}

// Register registers the emulator's flags on fs: where it serves, its
// key, seed and ids, its rate limits, faults, behaviour switches and the
// other actor.
func (c *Command) Register(fs *flag.FlagSet) {
	c.serve.Register(fs, "the API `key` with every right", "account")
	fs.Uint64Var(&c.idSeed, "id-seed", 0, "seed of the generated entity ids")
	fs.IntVar(&c.rate.Configuration.PerSecond, "rate-config-per-second", 0, "Configuration domain: requests per second (0 = unlimited)")
	fs.IntVar(&c.rate.Configuration.PerMinute, "rate-config-per-minute", 0, "Configuration domain: requests per minute (0 = unlimited)")
	fs.IntVar(&c.rate.Search.PerSecond, "rate-search-per-second", 0, "Search domain (list users): requests per second (0 = unlimited)")
	fs.IntVar(&c.rate.Search.PerMinute, "rate-search-per-minute", 0, "Search domain (list users): requests per minute (0 = unlimited)")
	fs.Int64Var(&c.faults.Seed, "fault-seed", 1, "seed of the fault injection, for reproducible runs")
	fs.Float64Var(&c.faults.ErrorRate, "fault-error-rate", 0, "share of API requests answered 500/502/503/504, 0..1")
	fs.Float64Var(&c.faults.DropRate, "fault-drop-rate", 0, "share of API requests whose connection is closed unanswered, 0..1")
	fs.DurationVar(&c.faults.Latency, "fault-latency", 0, "`delay` added to every API request")
	fs.DurationVar(&c.faults.Jitter, "fault-jitter", 0, "extra random `delay` in [0, jitter) per API request")
	fs.BoolVar(&c.faults.AfterEffect, "fault-after-effect", false, "inject errors and drops after the request took effect")
	fs.Float64Var(&c.faults.LateRate, "fault-late-rate", 0, "share of write requests applied only after --fault-late-delay, 0..1")
	fs.DurationVar(&c.faults.LateDelay, "fault-late-delay", 0, "`delay` before a late write is applied, even if the client gave up")
	fs.BoolVar(&c.beh.IgnoreExpandMember, "ignore-expand-member", false, "GET /v2/teams ignores expand=member (no members, no expandable)")
	fs.StringVar(&c.beh.MemberReAdd, "member-readd", MemberReAddUpdateRole, "adding an existing member: `update-role|conflict|keep-role`")
	fs.StringVar(&c.beh.TeamPatchMembers, "team-patch-members", TeamPatchMembersReplace, "members in a team PATCH: `replace|ignore`")
	fs.StringVar(&c.beh.TeamDelete, "team-delete", TeamDeleteCascade, "deleting a team owning schedules/escalations: `cascade|refuse`")
	fs.DurationVar(&c.beh.ListLag, "list-lag", 0, "list reads (users, teams) show the account as it was this `long` ago")
	fs.IntVar(&c.actorFlags.Every, "actor-every", 0, "another actor changes the account before every `N`-th API request (0 = off)")
	fs.Int64Var(&c.actorFlags.Seed, "actor-seed", 1, "seed of the other actor's choices")
	fs.StringVar(&c.actorUsers, "actor-users", "", "comma-separated `usernames` the actor may add to teams")
	fs.StringVar(&c.actorOps, "actor-ops", "", "comma-separated `ops` of the actor: "+strings.Join(ActorOps, ",")+" (default: all)")
}

// Check checks the flags after parsing, in the order --listen, the rate
// limits, the faults, the behaviour switches, the actor; its errors name
// the flag, such as "--member-readd=merge: must be update-role, conflict,
// keep-role".
func (c *Command) Check() error {
	if err := c.serve.Check(); err != nil {
		return err
	}
	if err := parseRateLimit(c.rate); err != nil {
		return err
	}
	if err := simkit.ParseFaultFlags(c.faults); err != nil {
		return err
	}
	if err := parseBehavior(c.beh); err != nil {
		return err
	}
	a, err := parseActor(c.actorFlags, c.actorUsers, c.actorOps)
	if err != nil {
		return err
	}
	c.actor = a
	return nil
}

// Run serves the emulator the checked flags describe until ctx ends, then
// shuts down gracefully (ListenAndServe). It says "listening on ADDR" on
// p.Stderr once it listens. A missing key, a bad seed file, options New
// refuses and an address it cannot listen on are errors.
func (c *Command) Run(ctx context.Context, p simkit.Process) error {
	key, seed, err := simkit.Start(&c.serve, p, LoadSeed)
	if err != nil {
		return err
	}
	logger := simkit.LoggerOr(p.Logger)
	srv, err := New(Options{APIKey: key, Seed: seed, RateLimit: c.rate, Faults: c.faults,
		Logger: logger, IDSeed: c.idSeed, Behavior: c.beh, Actor: c.actor})
	if err != nil {
		return err
	}
	return srv.ListenAndServe(ctx, c.serve.Listen, func(addr net.Addr) {
		fmt.Fprintf(p.Stderr, "listening on %s\n", addr)
		state := srv.State()
		logger.Info("serving the OpsGenie API emulator", "addr", addr.String(), "seed", c.serve.SeedFile,
			"users", len(state.Users), "teams", len(state.Teams),
			"memberReAdd", c.beh.MemberReAdd, "teamPatchMembers", c.beh.TeamPatchMembers, "teamDelete", c.beh.TeamDelete,
			"ignoreExpandMember", c.beh.IgnoreExpandMember, "listLag", c.beh.ListLag, "actor", c.actor != nil)
	})
}
