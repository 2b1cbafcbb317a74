// Package target defines what ogsync needs of an account API to keep it
// equal to the desired state: a Target. Each API (OpsGenie, Atlassian Teams
// with JSM Operations) is a package below this one, with its emulator beside
// it; the engine sees only this interface, so a new target is a new package
// plus its wiring in main.
package target

import (
	"context"
	"strings"
	"sync"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
)

// Target is an account API ogsync reads, audits and writes.
type Target interface {
	// Capabilities says which fields and operations the target can manage.
	// The planner plans nothing else: a difference it cannot act on is
	// reported as unmanageable on this target.
	Capabilities() planner.Capabilities
	// Read reads the account: every user, every team with its members, and
	// the custom roles the desired state needs. It fails closed on an
	// answer it cannot plan from.
	Read(ctx context.Context, desired *model.Desired) (*model.Current, error)
	// Audit gathers the facts of the on-call audit for the users and the
	// teams a plan deletes, given by id (planner.Plan.AuditCandidates).
	Audit(ctx context.Context, users, teams []string, current *model.Current) (model.AuditFacts, error)
	// Apply makes the API calls of one planned action and returns a note on
	// how it went ("" when there is nothing to add). ids holds the ids of
	// the users and teams created earlier in the same apply; Apply records
	// those it creates. Every request names only what the action names.
	Apply(ctx context.Context, a *planner.Action, ids *IDs) (string, error)
	// Stats counts the requests sent so far.
	Stats() Stats
}

// OwnerCounter is implemented by a target whose account has Owners: the
// engine asks it, right before a write that takes the Owner role away, how
// many Owners the account has (user ids), so that min_owners holds whatever
// others did since the plan was made.
type OwnerCounter interface {
	LiveOwners(ctx context.Context) ([]string, error)
}

// Stats are request counters.
type Stats struct {
	// Total is every attempt sent.
	Total int `json:"total"`
	// Throttled is the attempts answered 429.
	Throttled int `json:"throttled"`
}

// IDs are the ids of the users (by normalised username) and teams (by
// lower-cased name) created during one apply. It is safe for concurrent use.
type IDs struct {
	mu    sync.Mutex
	users map[string]string
	teams map[string]string
}

// User returns the id of a user created in this apply, or "".
func (c *IDs) User(username string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.users[model.NormalizeUsername(username)]
}

// SetUser records the id of a created user.
func (c *IDs) SetUser(username, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users == nil {
		c.users = map[string]string{}
	}
	c.users[model.NormalizeUsername(username)] = id
}

// Team returns the id of a team created in this apply, or "".
func (c *IDs) Team(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.teams[strings.ToLower(name)]
}

// SetTeam records the id of a created team.
func (c *IDs) SetTeam(name, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.teams == nil {
		c.teams = map[string]string{}
	}
	c.teams[strings.ToLower(name)] = id
}
