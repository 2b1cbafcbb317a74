package ogsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/ogsync/ogsync/internal/simkit"
)

// parseBehavior checks the behaviour switches as the command line
// (ogsync sim) gives them; its errors name the flag, such as
// "--member-readd=merge: must be update-role, conflict, keep-role".
func parseBehavior(b Behavior) error {
	for _, f := range []struct {
		name, v string
		allowed []string
	}{
		{"member-readd", b.MemberReAdd, []string{MemberReAddUpdateRole, MemberReAddConflict, MemberReAddKeepRole}},
		{"team-patch-members", b.TeamPatchMembers, []string{TeamPatchMembersReplace, TeamPatchMembersIgnore}},
		{"team-delete", b.TeamDelete, []string{TeamDeleteCascade, TeamDeleteRefuse}},
	} {
		if !slices.Contains(f.allowed, f.v) {
			return fmt.Errorf("--%s=%s: must be %s", f.name, f.v, strings.Join(f.allowed, ", "))
		}
	}
	if b.ListLag < 0 {
		return fmt.Errorf("--list-lag=%v: must not be negative", b.ListLag)
	}
	return nil
}

// parseActor builds the other actor's options from the command line:
// a holds --actor-every and --actor-seed, users and ops the
// comma-separated --actor-users and --actor-ops (empty ops: all). It
// returns nil when --actor-every is 0; its errors name the flag.
func parseActor(a ActorOptions, users, ops string) (*ActorOptions, error) {
	switch {
	case a.Every < 0:
		return nil, fmt.Errorf("--actor-every=%d: must not be negative", a.Every)
	case a.Every == 0 && (users != "" || ops != ""):
		return nil, errors.New("--actor-users and --actor-ops need --actor-every")
	case a.Every == 0:
		return nil, nil
	}
	var err error
	if a.Users, err = splitFlag("actor-users", users); err != nil {
		return nil, err
	}
	if a.Ops, err = splitFlag("actor-ops", ops); err != nil {
		return nil, err
	}
	for _, op := range a.Ops {
		if !slices.Contains(ActorOps, op) {
			return nil, fmt.Errorf("--actor-ops=%s: unknown op %q (want %s)", ops, op, strings.Join(ActorOps, ", "))
		}
	}
	if a.Ops == nil {
		a.Ops = slices.Clone(ActorOps)
	}
	if slices.Contains(a.Ops, ActorAddMember) && len(a.Users) == 0 {
		return nil, fmt.Errorf("--actor-users: the %s op needs at least one username", ActorAddMember)
	}
	return &a, nil
}

// splitFlag splits a comma-separated flag value; "" gives nil.
func splitFlag(flagName, v string) ([]string, error) {
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

// ListenAndServe listens on addr (host:port; port 0 picks a free one),
// calls ready with the address bound, and serves until ctx ends; then it
// abandons the late writes still waiting, shuts down gracefully and logs
// the request counts (see simkit.Serve). Its errors start with "listening:" or "serving:".
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	return simkit.Serve(ctx, addr, s, s.h, ready)
}

// parseRateLimit checks the rate limits as the command line gives them;
// its errors name the --rate-* flag, such as
// "--rate-search-per-minute=-1: must not be negative".
func parseRateLimit(o RateLimitOptions) error {
	for _, f := range []struct {
		name string
		v    int
	}{
		{"rate-config-per-second", o.Configuration.PerSecond}, {"rate-config-per-minute", o.Configuration.PerMinute},
		{"rate-search-per-second", o.Search.PerSecond}, {"rate-search-per-minute", o.Search.PerMinute},
	} {
		if f.v < 0 {
			return fmt.Errorf("--%s=%d: must not be negative", f.name, f.v)
		}
	}
	return nil
}
