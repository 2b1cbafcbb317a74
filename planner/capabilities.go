package planner

import (
	"cmp"
	"slices"
)

// The user fields a desired state may manage, in report order.
var UserFields = []string{"fullName", "role", "timeZone", "locale", "tags", "details"}

// Capabilities say what a target can manage. Compute plans only what the
// target can do: a difference in a field or an operation the target cannot
// manage is listed in Plan.Unmanageable with the reason, never planned as an
// action, and does not make the plan "changed" (so it is no perpetual diff).
// The zero value manages nothing; FullCapabilities manages everything.
type Capabilities struct {
	// Target names the target in reports, such as "opsgenie".
	Target string `json:"target"`
	// UserFields are the user fields the target can set (UserFields names).
	UserFields []string `json:"user_fields"`
	// Roles are the account roles the target can give; nil means any role
	// (the built-in ones and the account's custom roles).
	Roles []string `json:"roles,omitempty"`
	// CreateUsers and DeleteUsers say whether users can be created and
	// deleted (or their access removed).
	CreateUsers bool `json:"create_users"`
	DeleteUsers bool `json:"delete_users"`
	// TeamDescription says whether a team's description can be set.
	TeamDescription bool `json:"team_description"`
	// MemberRoles says whether a member's role (admin or user) can be set.
	MemberRoles bool `json:"member_roles"`
	// Why says, per field or operation the target cannot manage (a
	// UserFields name, a role, "create-users", "delete-users",
	// "team-description", "member-roles"), why: the report shows it.
	Why map[string]string `json:"why,omitempty"`
}

// FullCapabilities manages every field and operation: OpsGenie's.
func FullCapabilities(target string) Capabilities {
	return Capabilities{Target: target, UserFields: slices.Clone(UserFields), CreateUsers: true, DeleteUsers: true,
		TeamDescription: true, MemberRoles: true}
}

// ManagesUserField reports whether the target can set the user field f.
func (c Capabilities) ManagesUserField(f string) bool { return slices.Contains(c.UserFields, f) }

// GivesRole reports whether the target can give the account role r.
func (c Capabilities) GivesRole(r string) bool { return c.Roles == nil || slices.Contains(c.Roles, r) }

// full reports whether c manages every field and operation, so that Compute
// can skip the work of finding what it cannot.
func (c Capabilities) full() bool {
	return c.Roles == nil && c.CreateUsers && c.DeleteUsers && c.TeamDescription && c.MemberRoles &&
		len(c.UserFields) >= len(UserFields) && !slices.ContainsFunc(UserFields, func(f string) bool { return !c.ManagesUserField(f) })
}

// why says why the target cannot manage what (a UserFields name, a role,
// "create-users", "delete-users", "team-description", "member-roles").
func (c Capabilities) why(what string) string {
	if r := c.Why[what]; r != "" {
		return r
	}
	return cmp.Or(c.Target, "the target") + " cannot manage " + what
}
