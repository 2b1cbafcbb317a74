package atlsim

import "github.com/ogsync/ogsync/internal/simkit"

// Mutation is one change of the org, as Journal returns it; see
// simkit.Mutation. Team is the team's display name; User is the account's
// e-mail and AccountID its id; Detail names the fields changed, the old
// name of a renamed team, the product and role granted or revoked, or the
// schedule or escalation concerned. Role is never set.
type Mutation = simkit.Mutation

// The sources of a Mutation.
const (
	// SourceAPI is a change made by an API request.
	SourceAPI = simkit.SourceAPI
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
	a.journal.Record(m)
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
	return s.acct.journal.List()
}

// ResetJournal empties the journal; Seq keeps counting.
func (s *Server) ResetJournal() {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	s.acct.journal.Reset()
}
