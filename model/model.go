// Package model holds the domain types shared by source, the targets and planner:
// users, teams, team memberships, roles and the on-call references of a user.
// It imports nothing of the project.
//
// Optional fields are pointers. In a desired state a nil field is not managed:
// ogsync leaves it as it is in OpsGenie. In a current state (read from the
// API) every field is set, so nil never happens there.
//
// The JSON field names are snake_case, as in the rest of the saved plan
// (docs/plan-json.md), whose before/after objects are these types.
package model

import (
	"slices"
	"strings"
	"time"
)

// Built-in account roles, in the canonical spelling the API answers with.
const (
	RoleOwner       = "Owner"
	RoleAdmin       = "Admin"
	RoleUser        = "User"
	RoleObserver    = "Observer"
	RoleStakeholder = "Stakeholder"
)

// BuiltinRoles lists the built-in account roles in canonical spelling.
var BuiltinRoles = []string{RoleOwner, RoleAdmin, RoleUser, RoleObserver, RoleStakeholder}

// CanonicalBuiltinRole returns the canonical spelling of a built-in role
// name matched case-insensitively, and whether name is a built-in role.
func CanonicalBuiltinRole(name string) (string, bool) {
	for _, r := range BuiltinRoles {
		if strings.EqualFold(r, strings.TrimSpace(name)) {
			return r, true
		}
	}
	return "", false
}

// Team member roles.
const (
	MemberRoleAdmin = "admin"
	MemberRoleUser  = "user"
)

// NormalizeUsername returns the form OpsGenie stores a username in:
// trimmed and lower-cased.
func NormalizeUsername(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// User is an OpsGenie user, desired or current.
type User struct {
	// ID is the OpsGenie id; empty in a desired state.
	ID string `json:"id,omitempty"`
	// Username is the user's e-mail address, normalised (see NormalizeUsername).
	Username string `json:"username"`
	// FullName is the display name.
	FullName *string `json:"full_name,omitempty"`
	// Role is the account role: a built-in role in canonical spelling or a custom role name.
	Role *string `json:"role,omitempty"`
	// TimeZone is an IANA time zone name.
	TimeZone *string `json:"time_zone,omitempty"`
	// Locale is a locale id such as en_US.
	Locale *string `json:"locale,omitempty"`
	// Tags compare as a set.
	Tags *[]string `json:"tags,omitempty"`
	// Details compare as a map of key to a list of values.
	Details *map[string][]string `json:"details,omitempty"`
	// Blocked and Verified are read-only account flags; current state only.
	Blocked  bool `json:"blocked,omitempty"`
	Verified bool `json:"verified,omitempty"`
	// Origin is where a desired user is declared (file:line); empty in a current state.
	Origin string `json:"origin,omitempty"`
}

// Team is a team of the account, desired or current.
type Team struct {
	// ID is the account's id of the team. In a desired state it is set only
	// where the file gives the team's `id` (matched before the name, so a
	// rename is one update).
	ID string `json:"id,omitempty"`
	// Name is the team's unique name.
	Name string `json:"name"`
	// Description is the team's free text.
	Description *string `json:"description,omitempty"`
	// Members is the member set; nil in a desired state means membership is not managed.
	Members *[]Member `json:"members,omitempty"`
	// Origin is where a desired team is declared (file:line); empty in a current state.
	Origin string `json:"origin,omitempty"`
}

// Member is one user's membership of a team.
type Member struct {
	// Username is the member's normalised username.
	Username string `json:"username"`
	// UserID is the member's OpsGenie user id; empty in a desired state.
	UserID string `json:"user_id,omitempty"`
	// Role is MemberRoleAdmin or MemberRoleUser.
	Role string `json:"role"`
	// Origin is where a desired membership is declared (file:line).
	Origin string `json:"origin,omitempty"`
}

// Revision identifies the commit a desired state was loaded from.
type Revision struct {
	// Commit is the full commit SHA; empty for a plain directory.
	Commit string `json:"commit,omitempty"`
	// Author is the commit author as "Name <email>".
	Author string `json:"author,omitempty"`
	// Date is the commit's author date.
	Date time.Time `json:"date,omitzero"`
	// Subject is the first line of the commit message.
	Subject string `json:"subject,omitempty"`
	// Dir is the directory the files were read from.
	Dir string `json:"dir,omitempty"`
}

// Desired is the state declared in the YAML files.
type Desired struct {
	Users []User `json:"users"`
	Teams []Team `json:"teams"`
	// CustomRoles are the custom role names the desired state declares it uses.
	CustomRoles []string `json:"custom_roles,omitempty"`
	// Revision is where the state was loaded from.
	Revision Revision `json:"revision"`
}

// Current is the state of the account as read from the API.
type Current struct {
	Users []User `json:"users"`
	Teams []Team `json:"teams"`
	// CustomRoles are the names of the account's custom roles.
	CustomRoles []string `json:"custom_roles,omitempty"`
}

// Ref names an OpsGenie entity (a schedule, escalation or team).
type Ref struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// References are the entities that still reference a user: the facts the
// on-call audit gathers before a user may be deleted.
type References struct {
	Schedules   []Ref `json:"schedules,omitempty"`
	Escalations []Ref `json:"escalations,omitempty"`
	Teams       []Ref `json:"teams,omitempty"`
}

// Empty reports whether nothing references the user.
func (r References) Empty() bool {
	return len(r.Schedules) == 0 && len(r.Escalations) == 0 && len(r.Teams) == 0
}

// TeamReferences are what a team owns and what references it: the facts the
// audit gathers before a team may be deleted.
type TeamReferences struct {
	// Schedules are the schedules the team owns that hold on-call data: a
	// rotation with a participant. (An owned schedule without one, such as
	// the empty "<team>_schedule" every team is created with, is not listed.)
	Schedules []Ref `json:"schedules,omitempty"`
	// Escalations are the escalations the team owns that notify anyone but
	// the team itself and its own schedules. (The "<team>_escalation" every
	// team is created with notifies only those, and is not listed.)
	Escalations []Ref `json:"escalations,omitempty"`
	// ReferencedBy are the schedules and escalations of other teams, or of
	// none, that name the team or one of its schedules or escalations.
	ReferencedBy []Ref `json:"referenced_by,omitempty"`
}

// Empty reports whether nothing ties the team to on-call data.
func (r TeamReferences) Empty() bool {
	return len(r.Schedules) == 0 && len(r.Escalations) == 0 && len(r.ReferencedBy) == 0
}

// AuditFacts are the facts of the on-call audit: what references each user
// a plan deletes (by user id) and each team it deletes (by team id).
type AuditFacts struct {
	Users map[string]References
	Teams map[string]TeamReferences
}

// Ptr returns a pointer to v; a helper for optional fields.
func Ptr[T any](v T) *T { return &v }

// SortedCopy returns a sorted copy of s.
func SortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
