package planner

import (
	"slices"
	"time"

	"github.com/ogsync/ogsync/model"
)

// FormatVersion is the version of the saved-plan JSON format (docs/plan-json.md).
// Version 2 spells every key in snake_case; version 1 spelled the keys of
// the users and teams in before/after in camelCase (fullName, timeZone,
// userId). ReadPlan reads both.
const FormatVersion = 2

// ActionType is what one action does.
type ActionType string

// The action types, one per write the plan may ask for.
const (
	CreateUser       ActionType = "create-user"
	UpdateUser       ActionType = "update-user"
	DeleteUser       ActionType = "delete-user"
	CreateTeam       ActionType = "create-team"
	UpdateTeam       ActionType = "update-team"
	DeleteTeam       ActionType = "delete-team"
	AddMember        ActionType = "add-member"
	ChangeMemberRole ActionType = "change-member-role"
	RemoveMember     ActionType = "remove-member"
)

// ActionTypes lists every action type in apply order.
var ActionTypes = []ActionType{CreateUser, CreateTeam, UpdateUser, UpdateTeam, AddMember, ChangeMemberRole, RemoveMember, DeleteTeam, DeleteUser}

// Kind is the kind of object an action type changes: "user", "team" or "member".
func (t ActionType) Kind() string {
	switch t {
	case CreateUser, UpdateUser, DeleteUser:
		return "user"
	case CreateTeam, UpdateTeam, DeleteTeam:
		return "team"
	case AddMember, ChangeMemberRole, RemoveMember:
		return "member"
	}
	return ""
}

// Op is the policy operation of an action type.
func (t ActionType) Op() Op {
	switch t {
	case CreateUser, CreateTeam, AddMember:
		return OpCreate
	case UpdateUser, UpdateTeam, ChangeMemberRole:
		return OpUpdate
	}
	return OpDelete
}

// Destructive reports whether the action type deletes something.
func (t ActionType) Destructive() bool { return t.Op() == OpDelete }

// valid reports whether t is a known action type.
func (t ActionType) valid() bool { return slices.Contains(ActionTypes, t) }

// Apply steps: actions of one step never depend on each other, and every
// dependency of an action lies in an earlier step. Steps run in this order.
const (
	StepCreateUsers     = 1  // create-user
	StepCreateTeams     = 2  // create-team (members in the create body)
	StepPromotions      = 3  // update-user that makes someone an Owner
	StepUpdates         = 4  // other update-user, update-team
	StepDemotions       = 5  // update-user that takes the Owner role away
	StepAddMembers      = 6  // add-member
	StepChangeRoles     = 7  // change-member-role
	StepRemoveMembers   = 8  // remove-member
	StepDeleteTeams     = 9  // delete-team
	StepDeleteUsers     = 10 // delete-user
	stepOfUnknownAction = 0
)

// Snapshot is an object as it is on one side of an action, before or after
// it. Only the fields the action concerns are set.
type Snapshot struct {
	// User is the user record (create, update, delete user).
	User *model.User `json:"user,omitempty"`
	// Team is the team record (create, update, delete team).
	Team *model.Team `json:"team,omitempty"`
	// Role is the member role (add, change role, remove member).
	Role string `json:"role,omitempty"`
}

// Action is one write the plan asks for.
type Action struct {
	// ID identifies the action within a plan: "<type>:<team>:<user>" without empty parts.
	ID string `json:"id"`
	// Type says what the action does.
	Type ActionType `json:"type"`
	// Step is the apply step (StepCreateUsers…StepDeleteUsers).
	Step int `json:"step"`
	// User is the normalised username the action concerns, if any.
	User string `json:"user,omitempty"`
	// UserID is the OpsGenie id of an existing user.
	UserID string `json:"user_id,omitempty"`
	// Team is the team name the action concerns, if any.
	Team string `json:"team,omitempty"`
	// TeamID is the OpsGenie id of an existing team.
	TeamID string `json:"team_id,omitempty"`
	// Fields are the changed fields of an update, sorted.
	Fields []string `json:"fields,omitempty"`
	// Before is the object before the action (nil for a create).
	Before *Snapshot `json:"before,omitempty"`
	// After is the object after the action (nil for a delete). For an update
	// it holds only the changed fields: the body of a partial update.
	After *Snapshot `json:"after,omitempty"`
	// Reason says why the action is planned.
	Reason string `json:"reason"`
	// Origin is where the desired object is declared (file:line), if anywhere.
	Origin string `json:"origin,omitempty"`
	// DependsOn are the IDs of actions that must succeed before this one.
	DependsOn []string `json:"depends_on,omitempty"`
	// Blocked says why a safeguard stops this action; empty when it may run.
	Blocked []string `json:"blocked,omitempty"`
}

// IsBlocked reports whether a safeguard stops this action.
func (a *Action) IsBlocked() bool { return len(a.Blocked) > 0 }

// Skip is a change the desired state asks for but scope or policy forbids.
// It is reported, never applied, and does not make a plan "changed".
type Skip struct {
	Type   ActionType `json:"type"`
	User   string     `json:"user,omitempty"`
	Team   string     `json:"team,omitempty"`
	Fields []string   `json:"fields,omitempty"`
	Reason string     `json:"reason"`
}

// Violation is a safeguard that refuses the whole plan.
type Violation struct {
	// Phase is "desired" (desired-state sanity) or "plan" (plan sanity).
	Phase string `json:"phase"`
	// Rule names the safeguard, such as "max_deletes.users" or "min_owners".
	Rule string `json:"rule"`
	// Message says exactly which limit and by how much.
	Message string `json:"message"`
}

// Baseline counts the current objects the percent limits are taken of.
type Baseline struct {
	// Users are the current users not ignored.
	Users int `json:"users"`
	// Teams are the current teams not ignored.
	Teams int `json:"teams"`
	// Members are the current memberships of the teams whose members are managed.
	Members int `json:"members"`
	// Owners are the current users with the Owner role, ignored ones included.
	Owners int `json:"owners"`
}

// Summary counts the actions per type, and the blocked and skipped ones.
type Summary struct {
	CreateUser       int `json:"create_user"`
	UpdateUser       int `json:"update_user"`
	DeleteUser       int `json:"delete_user"`
	CreateTeam       int `json:"create_team"`
	UpdateTeam       int `json:"update_team"`
	DeleteTeam       int `json:"delete_team"`
	AddMember        int `json:"add_member"`
	ChangeMemberRole int `json:"change_member_role"`
	RemoveMember     int `json:"remove_member"`
	// Total is the number of actions.
	Total int `json:"total"`
	// Blocked is the number of actions a safeguard stops.
	Blocked int `json:"blocked"`
	// Skipped is the number of changes scope or policy forbids.
	Skipped int `json:"skipped"`
}

// Count returns the number of actions of type t.
func (s Summary) Count(t ActionType) int {
	switch t {
	case CreateUser:
		return s.CreateUser
	case UpdateUser:
		return s.UpdateUser
	case DeleteUser:
		return s.DeleteUser
	case CreateTeam:
		return s.CreateTeam
	case UpdateTeam:
		return s.UpdateTeam
	case DeleteTeam:
		return s.DeleteTeam
	case AddMember:
		return s.AddMember
	case ChangeMemberRole:
		return s.ChangeMemberRole
	case RemoveMember:
		return s.RemoveMember
	}
	return 0
}

func (s *Summary) add(t ActionType) {
	switch t {
	case CreateUser:
		s.CreateUser++
	case UpdateUser:
		s.UpdateUser++
	case DeleteUser:
		s.DeleteUser++
	case CreateTeam:
		s.CreateTeam++
	case UpdateTeam:
		s.UpdateTeam++
	case DeleteTeam:
		s.DeleteTeam++
	case AddMember:
		s.AddMember++
	case ChangeMemberRole:
		s.ChangeMemberRole++
	case RemoveMember:
		s.RemoveMember++
	}
	s.Total++
}

// Plan is the outcome of Compute: the ordered actions that make Current
// equal to Desired within scope, and what the safeguards say about them.
type Plan struct {
	// FormatVersion is FormatVersion.
	FormatVersion int `json:"format_version"`
	// Revision is where the desired state was loaded from.
	Revision model.Revision `json:"revision"`
	// CreatedAt is when the plan was made; set by the caller (Compute reads no clock).
	CreatedAt time.Time `json:"created_at,omitzero"`
	// Policies and Ownership echo the options the plan was made with.
	Policies  PolicyNames `json:"policies"`
	Ownership string      `json:"ownership"`
	// Baseline counts the current objects in scope.
	Baseline Baseline `json:"baseline"`
	// Summary counts the actions.
	Summary Summary `json:"summary"`
	// Violations are the safeguards that refuse the plan as a whole.
	Violations []Violation `json:"violations"`
	// Actions are sorted by step, then by ID.
	Actions []*Action `json:"actions"`
	// Skipped are the changes scope or policy forbids, sorted.
	Skipped []Skip `json:"skipped"`
	// Unmanageable are the changes the target cannot make (a field or an
	// operation its Capabilities lack), sorted; like Skipped they are
	// reported, never applied, and do not make a plan "changed".
	Unmanageable []Skip `json:"unmanageable,omitempty"`
	// Audited is true once Audit has run.
	Audited bool `json:"audited"`
}

// HasChanges reports whether the plan has any action (blocked ones included).
func (p *Plan) HasChanges() bool { return len(p.Actions) > 0 }

// Refused reports whether a safeguard refuses the whole plan: nothing may be applied.
func (p *Plan) Refused() bool { return len(p.Violations) > 0 }

// Blocked reports whether the plan is refused or any action is blocked.
func (p *Plan) Blocked() bool { return p.Refused() || p.Summary.Blocked > 0 }

// Action returns the action with the given ID, or nil.
func (p *Plan) Action(id string) *Action {
	for _, a := range p.Actions {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// Steps returns the actions grouped by apply step, in order. The actions of
// one step are independent of each other and may run concurrently.
func (p *Plan) Steps() [][]*Action { return GroupSteps(p.Actions) }

// GroupSteps splits actions sorted by step (as a plan's, or Runnable's) into
// one slice per step, in order.
func GroupSteps(actions []*Action) [][]*Action {
	var steps [][]*Action
	for i := 0; i < len(actions); {
		j := i
		for j < len(actions) && actions[j].Step == actions[i].Step {
			j++
		}
		steps = append(steps, actions[i:j:j])
		i = j
	}
	return steps
}

// Runnable returns the actions an executor may apply, in order: none when
// the plan is refused; otherwise every action that is not blocked and does
// not depend, directly or not, on a blocked one.
func (p *Plan) Runnable() []*Action {
	if p.Refused() {
		return nil
	}
	stopped := map[string]bool{}
	var out []*Action
	for _, a := range p.Actions { // dependencies always come earlier
		stop := a.IsBlocked()
		for _, d := range a.DependsOn {
			stop = stop || stopped[d]
		}
		if stop {
			stopped[a.ID] = true
			continue
		}
		out = append(out, a)
	}
	return out
}

// AuditCandidates returns the OpsGenie ids of the users and of the teams
// the plan deletes, each sorted: what Audit needs facts for.
func (p *Plan) AuditCandidates() (users, teams []string) {
	for _, a := range p.Actions {
		switch a.Type {
		case DeleteUser:
			users = append(users, a.UserID)
		case DeleteTeam:
			teams = append(teams, a.TeamID)
		}
	}
	slices.Sort(users)
	slices.Sort(teams)
	return users, teams
}

// summarize recounts the summary from the actions and skips.
func (p *Plan) summarize() {
	var s Summary
	for _, a := range p.Actions {
		s.add(a.Type)
		if a.IsBlocked() {
			s.Blocked++
		}
	}
	s.Skipped = len(p.Skipped)
	p.Summary = s
}

// block marks an action blocked with reason, once.
func (a *Action) block(reason string) {
	if !slices.Contains(a.Blocked, reason) {
		a.Blocked = append(a.Blocked, reason)
	}
}
