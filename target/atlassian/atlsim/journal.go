package atlsim

import "slices"

// Mutation is one change of the org, as Journal returns it.
type Mutation struct {
	// Seq numbers the mutations from 1 in the order they happened; it keeps
	// counting across ResetJournal.
	Seq int `json:"seq"`
	// Source is who made the change: SourceAPI or SourceAuth.
	Source string `json:"source"`
	// Op is one of the Op* constants.
	Op string `json:"op"`
	// Team is the team's display name at the time (after a rename: the
	// new name).
	Team string `json:"team,omitempty"`
	// TeamID is the team's id.
	TeamID string `json:"teamId,omitempty"`
	// User is the account's e-mail.
	User string `json:"user,omitempty"`
	// AccountID is the account's id.
	AccountID string `json:"accountId,omitempty"`
	// Detail says more: the fields changed, the old name of a renamed
	// team, the product and role granted or revoked, the schedule or
	// escalation concerned.
	Detail string `json:"detail,omitempty"`
}

// The sources of a Mutation.
const (
	// SourceAPI is a change made by an API request.
	SourceAPI = "api"
	// SourceAuth is the account of a Basic-auth caller the directory did
	// not hold, added when it first called.
	SourceAuth = "auth"
)

// The ops of a Mutation.
const (
	OpCreateUser       = "create-user"       // invite, Jira create, or a first-seen caller
	OpGrantAccess      = "grant-access"      // product access granted to an existing account
	OpRevokeAccess     = "revoke-access"     // Jira DELETE /user: product access removed
	OpUpdateUser       = "update-user"       // managed profile PATCH
	OpSuspendUser      = "suspend-user"      // org suspend
	OpRestoreUser      = "restore-user"      // org restore
	OpDeactivateUser   = "deactivate-user"   // managed lifecycle disable
	OpActivateUser     = "activate-user"     // managed lifecycle enable
	OpScheduleDelete   = "schedule-delete"   // managed lifecycle delete
	OpCancelDelete     = "cancel-delete"     // managed lifecycle cancel-delete
	OpRemoveUser       = "remove-user"       // removed from the org directory
	OpSetProperty      = "set-property"      // Jira user property written
	OpDeleteProperty   = "delete-property"   // Jira user property deleted
	OpCreateTeam       = "create-team"       // Teams create
	OpUpdateTeam       = "update-team"       // description changed
	OpRenameTeam       = "rename-team"       // displayName changed
	OpDeleteTeam       = "delete-team"       // Teams delete
	OpRestoreTeam      = "restore-team"      // Teams restore
	OpArchiveTeam      = "archive-team"      // Teams archive
	OpUnarchiveTeam    = "unarchive-team"    // Teams unarchive
	OpAddMember        = "add-member"        // membership added
	OpRemoveMember     = "remove-member"     // membership removed
	OpEnableOps        = "enable-ops"        // operations enabled for a team
	OpCreateSchedule   = "create-schedule"   // default schedule of enable-ops
	OpDeleteSchedule   = "delete-schedule"   // schedule deleted
	OpCreateEscalation = "create-escalation" // default escalation of enable-ops
	OpDeleteEscalation = "delete-escalation" // escalation deleted
)

// record appends a mutation to the journal. Callers hold the lock.
func (a *account) record(m Mutation) {
	a.jseq++
	m.Seq = a.jseq
	a.journal = append(a.journal, m)
}

// recordMember records a membership change of team t.
func (a *account) recordMember(op string, t *team, accountID, detail string) {
	m := Mutation{Source: SourceAPI, Op: op, Team: t.name, TeamID: t.id, AccountID: accountID, Detail: detail}
	for _, u := range a.users {
		if u.accountID == accountID {
			m.User = u.email
		}
	}
	a.record(m)
}

// Journal returns every mutation since the server was built or the journal
// was last reset, oldest first.
func (s *Server) Journal() []Mutation {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return slices.Clone(s.acct.journal)
}

// ResetJournal empties the journal; Seq keeps counting.
func (s *Server) ResetJournal() {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	s.acct.journal = nil
}
