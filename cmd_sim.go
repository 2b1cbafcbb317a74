package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"strings"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/internal/logging"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// simOptions are the flags of ogsync sim.
type simOptions struct {
	listen   string
	apiKey   string // from --api-key; runSim falls back to OPSGENIE_API_KEY
	seedFile string
	idSeed   uint64
	rate     ogsim.RateLimitOptions
	faults   ogsim.FaultOptions
	beh      ogsim.Behavior
	actor    *ogsim.ActorOptions // nil unless --actor-every is set
	log      logging.Flags
}

// parseSimArgs parses the flags of ogsync sim; its errors name the flag.
func parseSimArgs(fs *flag.FlagSet, args []string) (simOptions, error) {
	var o simOptions
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "`address` to serve on (host:port; port 0 picks a free one)")
	fs.StringVar(&o.apiKey, "api-key", "", "the API `key` with every right (default: $OPSGENIE_API_KEY); never printed")
	fs.StringVar(&o.seedFile, "seed", "", "YAML or JSON `file` with the initial account (default: an empty account)")
	fs.Uint64Var(&o.idSeed, "id-seed", 0, "seed of the generated entity ids")
	fs.IntVar(&o.rate.Configuration.PerSecond, "rate-config-per-second", 0, "Configuration domain: requests per second (0 = unlimited)")
	fs.IntVar(&o.rate.Configuration.PerMinute, "rate-config-per-minute", 0, "Configuration domain: requests per minute (0 = unlimited)")
	fs.IntVar(&o.rate.Search.PerSecond, "rate-search-per-second", 0, "Search domain (list users): requests per second (0 = unlimited)")
	fs.IntVar(&o.rate.Search.PerMinute, "rate-search-per-minute", 0, "Search domain (list users): requests per minute (0 = unlimited)")
	fs.Int64Var(&o.faults.Seed, "fault-seed", 1, "seed of the fault injection, for reproducible runs")
	fs.Float64Var(&o.faults.ErrorRate, "fault-error-rate", 0, "share of API requests answered 500/502/503/504, 0..1")
	fs.Float64Var(&o.faults.DropRate, "fault-drop-rate", 0, "share of API requests whose connection is closed unanswered, 0..1")
	fs.DurationVar(&o.faults.Latency, "fault-latency", 0, "`delay` added to every API request")
	fs.DurationVar(&o.faults.Jitter, "fault-jitter", 0, "extra random `delay` in [0, jitter) per API request")
	fs.BoolVar(&o.faults.AfterEffect, "fault-after-effect", false, "inject errors and drops after the request took effect")
	fs.Float64Var(&o.faults.LateRate, "fault-late-rate", 0, "share of write requests applied only after --fault-late-delay, 0..1")
	fs.DurationVar(&o.faults.LateDelay, "fault-late-delay", 0, "`delay` before a late write is applied, even if the client gave up")
	fs.BoolVar(&o.beh.IgnoreExpandMember, "ignore-expand-member", false, "GET /v2/teams ignores expand=member (no members, no expandable)")
	fs.StringVar(&o.beh.MemberReAdd, "member-readd", ogsim.MemberReAddUpdateRole, "adding an existing member: `update-role|conflict|keep-role`")
	fs.StringVar(&o.beh.TeamPatchMembers, "team-patch-members", ogsim.TeamPatchMembersReplace, "members in a team PATCH: `replace|ignore`")
	fs.StringVar(&o.beh.TeamDelete, "team-delete", ogsim.TeamDeleteCascade, "deleting a team owning schedules/escalations: `cascade|refuse`")
	fs.DurationVar(&o.beh.ListLag, "list-lag", 0, "list reads (users, teams) show the account as it was this `long` ago")
	var actor ogsim.ActorOptions
	var actorUsers, actorOps string
	fs.IntVar(&actor.Every, "actor-every", 0, "another actor changes the account before every `N`-th API request (0 = off)")
	fs.Int64Var(&actor.Seed, "actor-seed", 1, "seed of the other actor's choices")
	fs.StringVar(&actorUsers, "actor-users", "", "comma-separated `usernames` the actor may add to teams")
	fs.StringVar(&actorOps, "actor-ops", "", "comma-separated `ops` of the actor: "+strings.Join(ogsim.ActorOps, ",")+" (default: all)")
	o.log.Register(fs)
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return o, fmt.Errorf("--listen=%s: must be host:port", o.listen)
	}
	if err := ogsim.ParseRateLimit(o.rate); err != nil {
		return o, err
	}
	if err := ogsim.ParseFaults(o.faults); err != nil {
		return o, err
	}
	if err := ogsim.ParseBehavior(o.beh); err != nil {
		return o, err
	}
	a, err := ogsim.ParseActor(actor, actorUsers, actorOps)
	if err != nil {
		return o, err
	}
	o.actor = a
	if err := o.log.Validate(); err != nil {
		return o, err
	}
	return o, nil
}

// runSim serves the OpsGenie API emulator until ctx is cancelled, then
// shuts down gracefully.
func runSim(ctx context.Context, io stdio, args []string) int {
	tgt, args, err := takeTargetFlag(args)
	if err != nil {
		return flagExit(io.err, "sim", err)
	}
	if tgt == config.TargetAtlassian {
		return runSimAtlassian(ctx, io, args)
	}
	fs := newFlagSet("sim", "--listen ADDR --api-key KEY [--seed FILE] [flags] (--target atlassian --help: the Atlassian emulator)", io.err)
	o, err := parseSimArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "sim", err)
	}
	if o.apiKey = simKey(io, o.apiKey, "OPSGENIE_API_KEY"); o.apiKey == "" {
		return exitError
	}
	logger := o.log.Logger(io.err)
	seed, ok := simSeed(io, o.seedFile, ogsim.LoadSeed)
	if !ok {
		return exitError
	}
	srv, err := ogsim.New(ogsim.Options{APIKey: o.apiKey, Seed: seed, RateLimit: o.rate, Faults: o.faults,
		Logger: logger, IDSeed: o.idSeed, Behavior: o.beh, Actor: o.actor})
	if err != nil {
		fmt.Fprintf(io.err, "ogsync sim: %v\n", err)
		return exitError
	}
	err = srv.ListenAndServe(ctx, o.listen, func(addr net.Addr) {
		fmt.Fprintf(io.err, "listening on %s\n", addr)
		state := srv.State()
		logger.Info("serving the OpsGenie API emulator", "addr", addr.String(), "seed", o.seedFile,
			"users", len(state.Users), "teams", len(state.Teams),
			"memberReAdd", o.beh.MemberReAdd, "teamPatchMembers", o.beh.TeamPatchMembers, "teamDelete", o.beh.TeamDelete,
			"ignoreExpandMember", o.beh.IgnoreExpandMember, "listLag", o.beh.ListLag, "actor", o.actor != nil)
	})
	if err != nil {
		fmt.Fprintf(io.err, "ogsync sim: %v\n", err)
		return exitError
	}
	return exitOK
}

// simKey returns the key of --api-key, else of the environment variable
// env; "" (said on stderr) when neither gives one.
func simKey(io stdio, flagKey, env string) string {
	if flagKey == "" {
		flagKey = io.getenv(env)
	}
	if flagKey == "" {
		fmt.Fprintf(io.err, "ogsync sim: --api-key (or %s) is required\n", env)
	}
	return flagKey
}

// simSeed loads the seed file with load; no file means no seed. It says
// what went wrong on stderr and reports whether the seed is good.
func simSeed[S any](io stdio, file string, load func(string) (*S, error)) (*S, bool) {
	if file == "" {
		return nil, true
	}
	seed, err := load(file)
	if err != nil {
		fmt.Fprintf(io.err, "ogsync sim: %v\n", err)
		return nil, false
	}
	return seed, true
}
