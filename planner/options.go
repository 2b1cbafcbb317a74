package planner

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/ogsync/ogsync/model"
)

// Policy names, per kind of object (the same spelling as the config file).
const (
	PolicySync       = "sync"        // create, update and delete
	PolicyUpsertOnly = "upsert-only" // create and update, never delete
	PolicyCreateOnly = "create-only" // create only
)

// Ownership modes (the same spelling as the config file).
const (
	// OwnershipMarker deletes only users carrying the ownership marker and never deletes teams.
	OwnershipMarker = "marker"
	// OwnershipAdopt treats the desired state as authoritative for everything in scope.
	OwnershipAdopt = "adopt"
)

// Op is what a policy decides on: the three ways an object can change.
type Op string

// The operations a Policy allows or refuses. For memberships, OpCreate is an
// add, OpUpdate a role change and OpDelete a removal.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Policy decides which operations the planner may plan for one kind of object.
type Policy interface {
	// Allows reports whether op may be planned.
	Allows(op Op) bool
}

// policyFunc adapts a function to Policy.
type policyFunc func(Op) bool

func (f policyFunc) Allows(op Op) bool { return f(op) }

// Policies maps each policy name to its implementation.
var Policies = map[string]Policy{
	PolicySync:       policyFunc(func(Op) bool { return true }),
	PolicyUpsertOnly: policyFunc(func(op Op) bool { return op != OpDelete }),
	PolicyCreateOnly: policyFunc(func(op Op) bool { return op == OpCreate }),
}

// lookupPolicy returns the named policy; the empty name is upsert-only.
func lookupPolicy(field, name string) (Policy, error) {
	if name == "" {
		name = PolicyUpsertOnly
	}
	p, ok := Policies[name]
	if !ok {
		return nil, fmt.Errorf("%s: unknown policy %q (sync, upsert-only, create-only)", field, name)
	}
	return p, nil
}

// PolicyNames names the policy of each kind of object; an empty name means upsert-only.
type PolicyNames struct {
	Users   string `json:"users"`
	Teams   string `json:"teams"`
	Members string `json:"members"`
}

// Ownership says which existing objects the planner may delete.
type Ownership struct {
	// Mode is OwnershipMarker or OwnershipAdopt; empty means OwnershipMarker.
	Mode string `json:"mode"`
	// MarkerKey and MarkerValue form the details entry put on every user ogsync creates.
	MarkerKey   string `json:"marker_key"`
	MarkerValue string `json:"marker_value"`
}

// Scope bounds which objects the planner touches at all.
type Scope struct {
	// IgnoreUsers are path.Match globs of usernames never created, changed,
	// deleted, added to or removed from a team. Matched case-insensitively.
	IgnoreUsers []string `json:"ignore_users,omitempty"`
	// IgnoreTeams are path.Match globs of team names never created, changed
	// or deleted, and whose members are left alone. Matched case-insensitively.
	IgnoreTeams []string `json:"ignore_teams,omitempty"`
	// ProtectedUsers are usernames whose user record is never changed or deleted.
	ProtectedUsers []string `json:"protected_users,omitempty"`
	// ExternalUsers may be team members without being declared as users:
	// they are never created, changed or deleted.
	ExternalUsers []string `json:"external_users,omitempty"`
}

// MaxDeletes caps the deletions of one kind, by count and by percent of the
// objects of that kind in scope. Exceeding either limit refuses the plan.
type MaxDeletes struct {
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

// Safeguards bound what one plan may do; see CheckDesired and CheckPlan. The
// on-call audit (safeguards.on_call_references: block) is Plan.Audit.
type Safeguards struct {
	// MinOwners is the least number of account owners, declared and after the plan.
	MinOwners int `json:"min_owners"`
	// MinUsers refuses a desired state declaring fewer users in scope.
	MinUsers int `json:"min_users"`
	// MaxShrinkPercent refuses a desired state declaring fewer than
	// (100-MaxShrinkPercent)% of the account's users in scope.
	MaxShrinkPercent float64 `json:"max_shrink_percent"`
	// MaxDeletes caps user deletes, team deletes and member removals, each separately.
	MaxDeletes MaxDeletes `json:"max_deletes"`
	// RequiredUsers must be declared in the desired state.
	RequiredUsers []string `json:"required_users,omitempty"`
}

// Options is everything the planner needs besides the two states. The sync
// engine fills it from the configuration file.
type Options struct {
	Policies   PolicyNames `json:"policies"`
	Ownership  Ownership   `json:"ownership"`
	Scope      Scope       `json:"scope"`
	Safeguards Safeguards  `json:"safeguards"`
	// Capabilities say what the target can manage; nil means everything
	// (FullCapabilities). What it cannot is Plan.Unmanageable.
	Capabilities *Capabilities `json:"capabilities,omitempty"`
}

// DefaultOptions returns the options matching the configuration file's defaults.
func DefaultOptions() Options {
	return Options{
		Policies:  PolicyNames{Users: PolicyUpsertOnly, Teams: PolicyUpsertOnly, Members: PolicyUpsertOnly},
		Ownership: Ownership{Mode: OwnershipMarker, MarkerKey: "managed-by", MarkerValue: "ogsync"},
		Safeguards: Safeguards{
			MinOwners:        1,
			MinUsers:         1,
			MaxShrinkPercent: 50,
			MaxDeletes:       MaxDeletes{Count: 10, Percent: 10},
		},
	}
}

// compiled is Options checked and turned into lookups.
type compiled struct {
	users, teams, members Policy
	adopt                 bool
	markerKey, markerVal  string
	ignoreUsers           []string
	ignoreTeams           []string
	protected             map[string]bool
	external              map[string]bool
}

// Validate reports every problem with the options.
func (o Options) Validate() error {
	_, err := o.compile()
	return err
}

func (o Options) compile() (*compiled, error) {
	var errs []error
	c := &compiled{protected: map[string]bool{}, external: map[string]bool{}}
	var err error
	if c.users, err = lookupPolicy("policy.users", o.Policies.Users); err != nil {
		errs = append(errs, err)
	}
	if c.teams, err = lookupPolicy("policy.teams", o.Policies.Teams); err != nil {
		errs = append(errs, err)
	}
	if c.members, err = lookupPolicy("policy.members", o.Policies.Members); err != nil {
		errs = append(errs, err)
	}
	switch o.Ownership.Mode {
	case "", OwnershipMarker:
	case OwnershipAdopt:
		c.adopt = true
	default:
		errs = append(errs, fmt.Errorf("ownership.mode: unknown mode %q (marker, adopt)", o.Ownership.Mode))
	}
	c.markerKey, c.markerVal = strings.TrimSpace(o.Ownership.MarkerKey), strings.TrimSpace(o.Ownership.MarkerValue)
	if c.markerKey == "" || c.markerVal == "" {
		errs = append(errs, errors.New("ownership: marker_key and marker_value must not be empty"))
	}
	for _, g := range []struct {
		field string
		in    []string
		out   *[]string
	}{{"ignore_users", o.Scope.IgnoreUsers, &c.ignoreUsers}, {"ignore_teams", o.Scope.IgnoreTeams, &c.ignoreTeams}} {
		for i, p := range g.in {
			p = strings.ToLower(strings.TrimSpace(p))
			if _, err := path.Match(p, ""); err != nil || p == "" {
				errs = append(errs, fmt.Errorf("%s[%d]: %q is not a valid glob pattern", g.field, i, g.in[i]))
				continue
			}
			*g.out = append(*g.out, p)
		}
	}
	for _, u := range o.Scope.ProtectedUsers {
		c.protected[model.NormalizeUsername(u)] = true
	}
	for _, u := range o.Scope.ExternalUsers {
		c.external[model.NormalizeUsername(u)] = true
	}
	s := o.Safeguards
	if s.MinOwners < 0 || s.MinUsers < 0 || s.MaxDeletes.Count < 0 {
		errs = append(errs, errors.New("safeguards: min_owners, min_users and max_deletes.count must not be negative"))
	}
	if s.MaxShrinkPercent < 0 || s.MaxShrinkPercent > 100 || s.MaxDeletes.Percent < 0 || s.MaxDeletes.Percent > 100 {
		errs = append(errs, errors.New("safeguards: max_shrink_percent and max_deletes.percent must be between 0 and 100"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid planner options: %w", errors.Join(errs...))
	}
	return c, nil
}

// ignoredUser returns the ignore_users pattern matching a normalised username.
func (c *compiled) ignoredUser(name string) (string, bool) { return matchAny(c.ignoreUsers, name) }

// ignoredTeam returns the ignore_teams pattern matching a team name.
func (c *compiled) ignoredTeam(name string) (string, bool) {
	return matchAny(c.ignoreTeams, strings.ToLower(name))
}

func matchAny(patterns []string, s string) (string, bool) {
	for _, p := range patterns {
		if ok, _ := path.Match(p, s); ok {
			return p, true
		}
	}
	return "", false
}

// hasMarker reports whether a current user carries the ownership marker.
func (c *compiled) hasMarker(u *model.User) bool {
	if u.Details == nil {
		return false
	}
	for _, v := range (*u.Details)[c.markerKey] {
		if v == c.markerVal {
			return true
		}
	}
	return false
}
