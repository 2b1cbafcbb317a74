package planner

import (
	"fmt"
	"path"
	"strings"

	"github.com/ogsync/ogsync/internal/problem"
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
func lookupPolicy(name string) (Policy, bool) {
	if name == "" {
		name = PolicyUpsertOnly
	}
	p, ok := Policies[name]
	return p, ok
}

// CheckPolicyName reports whether name is a policy (Policies); the empty
// name, which Options read as upsert-only, is not one.
func CheckPolicyName(name string) error {
	if Policies[name] == nil {
		return fmt.Errorf("%q is not a policy (sync, upsert-only, create-only)", name)
	}
	return nil
}

// CheckOwnershipMode reports whether mode is an ownership mode; the empty
// mode, which Options read as marker, is not one.
func CheckOwnershipMode(mode string) error {
	if mode != OwnershipMarker && mode != OwnershipAdopt {
		return fmt.Errorf("%q is not an ownership mode (marker, adopt)", mode)
	}
	return nil
}

// ReferencesBlock is the one way Plan.Audit handles a user or team delete
// still referenced by a schedule, an escalation or an unmanaged team: it
// blocks the delete.
const ReferencesBlock = "block"

// CheckOnCallReferences reports whether mode is a way Plan.Audit handles
// on-call references: only ReferencesBlock is.
func CheckOnCallReferences(mode string) error {
	if mode != ReferencesBlock {
		return fmt.Errorf("%q is not supported (block)", mode)
	}
	return nil
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

// Validate reports every problem with the options (see Problems) as one error.
func (o Options) Validate() error {
	_, err := o.compile()
	return err
}

// Problems reports every problem with the options, by field, named as in
// the options' JSON: "policies.users", "ownership.mode",
// "scope.ignore_teams[1]", "safeguards.min_owners" and so on. Empty policy
// names and ownership mode take their defaults.
func (o Options) Problems() problem.List {
	_, ps := o.check()
	return ps
}

func (o Options) compile() (*compiled, error) {
	c, ps := o.check()
	if len(ps) > 0 {
		return nil, fmt.Errorf("invalid planner options: %w", ps.Err())
	}
	return c, nil
}

// check compiles the options and reports their problems.
func (o Options) check() (*compiled, problem.List) {
	var ps problem.List
	c := &compiled{protected: map[string]bool{}, external: map[string]bool{}}
	for _, p := range []struct {
		field, name string
		out         *Policy
	}{{"users", o.Policies.Users, &c.users}, {"teams", o.Policies.Teams, &c.teams}, {"members", o.Policies.Members, &c.members}} {
		var ok bool
		if *p.out, ok = lookupPolicy(p.name); !ok {
			ps.Add("policies."+p.field, "%v", CheckPolicyName(p.name))
		}
	}
	if o.Ownership.Mode != "" {
		if err := CheckOwnershipMode(o.Ownership.Mode); err != nil {
			ps.Add("ownership.mode", "%v", err)
		}
	}
	c.adopt = o.Ownership.Mode == OwnershipAdopt
	c.markerKey, c.markerVal = strings.TrimSpace(o.Ownership.MarkerKey), strings.TrimSpace(o.Ownership.MarkerValue)
	if c.markerKey == "" {
		ps.Add("ownership.marker_key", "must not be empty")
	}
	if c.markerVal == "" {
		ps.Add("ownership.marker_value", "must not be empty")
	}
	for _, g := range []struct {
		field string
		in    []string
		out   *[]string
	}{{"scope.ignore_users", o.Scope.IgnoreUsers, &c.ignoreUsers}, {"scope.ignore_teams", o.Scope.IgnoreTeams, &c.ignoreTeams}} {
		for i, p := range g.in {
			p = strings.ToLower(strings.TrimSpace(p))
			if _, err := path.Match(p, ""); err != nil || p == "" {
				ps.Add(fmt.Sprintf("%s[%d]", g.field, i), "%q is not a valid glob pattern", g.in[i])
				continue
			}
			*g.out = append(*g.out, p)
		}
	}
	for i, u := range o.Scope.ProtectedUsers {
		if !strings.Contains(u, "@") {
			ps.Add(fmt.Sprintf("scope.protected_users[%d]", i), "%q is not an e-mail address", u)
		}
		c.protected[model.NormalizeUsername(u)] = true
	}
	for _, u := range o.Scope.ExternalUsers {
		c.external[model.NormalizeUsername(u)] = true
	}
	o.Safeguards.check(&ps)
	return c, ps
}

// check adds the problems of the safeguards to ps.
func (s Safeguards) check(ps *problem.List) {
	for _, n := range []struct {
		field string
		v     int
	}{{"min_owners", s.MinOwners}, {"min_users", s.MinUsers}, {"max_deletes.count", s.MaxDeletes.Count}} {
		if n.v < 0 {
			ps.Add("safeguards."+n.field, "must not be negative")
		}
	}
	for _, p := range []struct {
		field string
		v     float64
	}{{"max_shrink_percent", s.MaxShrinkPercent}, {"max_deletes.percent", s.MaxDeletes.Percent}} {
		if !(p.v >= 0 && p.v <= 100) {
			ps.Add("safeguards."+p.field, "must be between 0 and 100")
		}
	}
	for i, u := range s.RequiredUsers {
		if !strings.Contains(u, "@") {
			ps.Add(fmt.Sprintf("safeguards.required_users[%d]", i), "%q is not an e-mail address", u)
		}
	}
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
