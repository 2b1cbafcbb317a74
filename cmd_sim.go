package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ogsync/ogsync/config"
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
	log      logFlags
}

// shutdownGrace bounds how long ogsync sim waits for requests in flight.
const shutdownGrace = 5 * time.Second

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
	o.log.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return o, fmt.Errorf("--listen=%s: must be host:port", o.listen)
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"rate-config-per-second", o.rate.Configuration.PerSecond}, {"rate-config-per-minute", o.rate.Configuration.PerMinute},
		{"rate-search-per-second", o.rate.Search.PerSecond}, {"rate-search-per-minute", o.rate.Search.PerMinute},
	} {
		if f.v < 0 {
			return o, fmt.Errorf("--%s=%d: must not be negative", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"fault-error-rate", o.faults.ErrorRate}, {"fault-drop-rate", o.faults.DropRate}, {"fault-late-rate", o.faults.LateRate}} {
		if f.v < 0 || f.v > 1 {
			return o, fmt.Errorf("--%s=%v: must be between 0 and 1", f.name, f.v)
		}
	}
	if o.faults.ErrorRate+o.faults.DropRate > 1 {
		return o, fmt.Errorf("--fault-error-rate=%v and --fault-drop-rate=%v: together must not exceed 1", o.faults.ErrorRate, o.faults.DropRate)
	}
	if o.faults.ErrorRate+o.faults.DropRate+o.faults.LateRate > 1 {
		return o, fmt.Errorf("--fault-error-rate=%v, --fault-drop-rate=%v and --fault-late-rate=%v: together must not exceed 1",
			o.faults.ErrorRate, o.faults.DropRate, o.faults.LateRate)
	}
	if o.faults.LateDelay < 0 {
		return o, fmt.Errorf("--fault-late-delay=%v: must not be negative", o.faults.LateDelay)
	}
	if o.faults.Latency < 0 {
		return o, fmt.Errorf("--fault-latency=%v: must not be negative", o.faults.Latency)
	}
	if o.faults.Jitter < 0 {
		return o, fmt.Errorf("--fault-jitter=%v: must not be negative", o.faults.Jitter)
	}
	if err := o.parseBehavior(); err != nil {
		return o, err
	}
	a, err := parseActor(actor, actorUsers, actorOps)
	if err != nil {
		return o, err
	}
	o.actor = a
	if err := o.log.validate(); err != nil {
		return o, err
	}
	return o, nil
}

// parseBehavior checks the behaviour switches.
func (o *simOptions) parseBehavior() error {
	for _, f := range []struct {
		name, v string
		allowed []string
	}{
		{"member-readd", o.beh.MemberReAdd, []string{ogsim.MemberReAddUpdateRole, ogsim.MemberReAddConflict, ogsim.MemberReAddKeepRole}},
		{"team-patch-members", o.beh.TeamPatchMembers, []string{ogsim.TeamPatchMembersReplace, ogsim.TeamPatchMembersIgnore}},
		{"team-delete", o.beh.TeamDelete, []string{ogsim.TeamDeleteCascade, ogsim.TeamDeleteRefuse}},
	} {
		if !slices.Contains(f.allowed, f.v) {
			return fmt.Errorf("--%s=%s: must be %s", f.name, f.v, strings.Join(f.allowed, ", "))
		}
	}
	if o.beh.ListLag < 0 {
		return fmt.Errorf("--list-lag=%v: must not be negative", o.beh.ListLag)
	}
	return nil
}

// parseActor builds the other actor's options from its flags; nil when
// --actor-every is 0.
func parseActor(a ogsim.ActorOptions, users, ops string) (*ogsim.ActorOptions, error) {
	switch {
	case a.Every < 0:
		return nil, fmt.Errorf("--actor-every=%d: must not be negative", a.Every)
	case a.Every == 0 && (users != "" || ops != ""):
		return nil, errors.New("--actor-users and --actor-ops need --actor-every")
	case a.Every == 0:
		return nil, nil
	}
	split := func(flagName, v string) ([]string, error) {
		if v == "" {
			return nil, nil
		}
		var out []string
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x == "" {
				return nil, fmt.Errorf("--%s=%s: empty entry", flagName, v)
			}
			out = append(out, x)
		}
		return out, nil
	}
	var err error
	if a.Users, err = split("actor-users", users); err != nil {
		return nil, err
	}
	if a.Ops, err = split("actor-ops", ops); err != nil {
		return nil, err
	}
	for _, op := range a.Ops {
		if !slices.Contains(ogsim.ActorOps, op) {
			return nil, fmt.Errorf("--actor-ops=%s: unknown op %q (want %s)", ops, op, strings.Join(ogsim.ActorOps, ", "))
		}
	}
	if a.Ops == nil {
		a.Ops = slices.Clone(ogsim.ActorOps)
	}
	if slices.Contains(a.Ops, ogsim.ActorAddMember) && len(a.Users) == 0 {
		return nil, fmt.Errorf("--actor-users: the %s op needs at least one username", ogsim.ActorAddMember)
	}
	return &a, nil
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
	if o.apiKey == "" {
		o.apiKey = io.getenv("OPSGENIE_API_KEY")
	}
	if o.apiKey == "" {
		fmt.Fprintln(io.err, "ogsync sim: --api-key (or OPSGENIE_API_KEY) is required")
		return exitError
	}
	logger := o.log.logger(io)

	var seed *ogsim.Seed
	if o.seedFile != "" {
		if seed, err = ogsim.LoadSeed(o.seedFile); err != nil {
			fmt.Fprintf(io.err, "ogsync sim: %v\n", err)
			return exitError
		}
	}
	srv, err := ogsim.New(ogsim.Options{APIKey: o.apiKey, Seed: seed, RateLimit: o.rate, Faults: o.faults,
		Logger: logger, IDSeed: o.idSeed, Behavior: o.beh, Actor: o.actor})
	if err != nil {
		fmt.Fprintf(io.err, "ogsync sim: %v\n", err)
		return exitError
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		fmt.Fprintf(io.err, "ogsync sim: listening: %v\n", err)
		return exitError
	}
	fmt.Fprintf(io.err, "listening on %s\n", ln.Addr())
	state := srv.State()
	logger.Info("serving the OpsGenie API emulator", "addr", ln.Addr().String(), "seed", o.seedFile,
		"users", len(state.Users), "teams", len(state.Teams),
		"memberReAdd", o.beh.MemberReAdd, "teamPatchMembers", o.beh.TeamPatchMembers, "teamDelete", o.beh.TeamDelete,
		"ignoreExpandMember", o.beh.IgnoreExpandMember, "listLag", o.beh.ListLag, "actor", o.actor != nil)

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(io.err, "ogsync sim: serving: %v\n", err)
		return exitError
	case <-ctx.Done():
	}
	srv.Close() // late writes still waiting are abandoned, not applied
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		logger.Warn("requests still in flight at shutdown; closing", "err", err)
		_ = hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(io.err, "ogsync sim: serving: %v\n", err)
		return exitError
	}
	st := srv.Stats()
	logger.Info("stopped", "requests", st.Total, "throttled", st.Throttled)
	return exitOK
}
