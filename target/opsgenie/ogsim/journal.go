package ogsim

import (
	"slices"
	"strings"

	"github.com/ogsync/ogsync/internal/simkit"
)

// Mutation is one change of the account, as Journal returns it; see
// simkit.Mutation. User is a username; Role is the user's role (user ops)
// or the member's role (member ops) after the change, for a removal or
// delete the role it had; Detail names the fields a user update changed,
// the old name of a renamed team, the old role of a changed member, "with
// the team" or "with the user" for memberships removed by a delete, the
// schedules and escalations a team delete took along, or the schedule,
// rotation or escalation of the other ops. AccountID is never set.
type Mutation = simkit.Mutation

// The sources of a Mutation.
const (
	// SourceAPI is a change made by an API request.
	SourceAPI = simkit.SourceAPI
	// SourceActor is a change made by the other actor (Options.Actor).
	SourceActor = "actor"
)

// The ops of a Mutation.
const (
	OpCreateUser       = "create-user"
	OpUpdateUser       = "update-user"
	OpDeleteUser       = "delete-user"
	OpCreateTeam       = "create-team"
	OpUpdateTeam       = "update-team" // description
	OpRenameTeam       = "rename-team"
	OpDeleteTeam       = "delete-team"
	OpAddMember        = "add-member"
	OpRemoveMember     = "remove-member"
	OpSetMemberRole    = "set-member-role"
	OpCreateSchedule   = "create-schedule"
	OpUpdateSchedule   = "update-schedule"
	OpDeleteSchedule   = "delete-schedule"
	OpCreateRotation   = "create-rotation"
	OpUpdateRotation   = "update-rotation"
	OpDeleteRotation   = "delete-rotation"
	OpCreateEscalation = "create-escalation"
	OpUpdateEscalation = "update-escalation"
	OpDeleteEscalation = "delete-escalation"
)

// record appends a mutation to the journal. Callers hold the write lock.
func (a *account) record(m Mutation) {
	a.journal.Record(m)
}

// recordMember records a membership change of team t.
func (a *account) recordMember(src, op string, t *team, userID, role, detail string) {
	m := Mutation{Source: src, Op: op, Team: t.name, TeamID: t.id, Role: role, Detail: detail}
	if u := a.usersByID[userID]; u != nil {
		m.User = u.username
	}
	a.record(m)
}

// setMembers replaces the members of t, recording one mutation per member
// actually removed, added or given another role.
func (a *account) setMembers(src string, t *team, members []member) {
	for _, old := range t.members {
		if !slices.ContainsFunc(members, func(m member) bool { return m.userID == old.userID }) {
			a.recordMember(src, OpRemoveMember, t, old.userID, old.role, "")
		}
	}
	for _, m := range members {
		switch i := t.memberIndex(m.userID); {
		case i < 0:
			a.recordMember(src, OpAddMember, t, m.userID, m.role, "")
		case t.members[i].role != m.role:
			a.recordMember(src, OpSetMemberRole, t, m.userID, m.role, "was "+t.members[i].role)
		}
	}
	t.members = members
}

// Journal returns every mutation since the server was built or the journal
// was last reset, oldest first.
func (s *Server) Journal() []Mutation {
	s.acct.mu.RLock()
	defer s.acct.mu.RUnlock()
	return s.acct.journal.List()
}

// ResetJournal empties the journal; Seq keeps counting.
func (s *Server) ResetJournal() {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	s.acct.journal.Reset()
}

// ownedDetail renders "schedules [a, b] and escalations [c]" for the
// non-empty lists.
func ownedDetail(scheds, escs []string) string {
	var parts []string
	if len(scheds) > 0 {
		parts = append(parts, "schedules ["+strings.Join(scheds, ", ")+"]")
	}
	if len(escs) > 0 {
		parts = append(parts, "escalations ["+strings.Join(escs, ", ")+"]")
	}
	return strings.Join(parts, " and ")
}
