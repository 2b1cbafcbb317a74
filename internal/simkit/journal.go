package simkit

import "slices"

// Mutation is one change of an emulated account, as the emulators'
// Journal methods and GET /_sim/journal return it. Each emulator fills the
// fields that mean something in its API and documents its Op values.
type Mutation struct {
	// Seq numbers the mutations from 1 in the order they happened; it keeps
	// counting across a journal reset.
	Seq int `json:"seq"`
	// Source is who made the change, such as "api".
	Source string `json:"source"`
	// Op is the kind of change, one of the emulator's Op* constants.
	Op string `json:"op"`
	// Team is the team's name at the time (after a rename: the new name).
	Team string `json:"team,omitempty"`
	// TeamID is the team's id.
	TeamID string `json:"teamId,omitempty"`
	// User names the user as the API does: a username (OpsGenie) or an
	// e-mail (Atlassian).
	User string `json:"user,omitempty"`
	// AccountID is the account's id where the API has one (Atlassian).
	AccountID string `json:"accountId,omitempty"`
	// Role is the user's role (user ops) or the member's role (member ops)
	// after the change, where the API has roles (OpsGenie).
	Role string `json:"role,omitempty"`
	// Detail says more about the change, in the emulator's words.
	Detail string `json:"detail,omitempty"`
}

// SourceAPI is the Source of a change made by an API request.
const SourceAPI = "api"

// Journal is the list of an account's mutations. It has no lock of its
// own: its account's lock guards it.
type Journal struct {
	seq  int
	list []Mutation
}

// Record numbers m and appends it.
func (j *Journal) Record(m Mutation) {
	j.seq++
	m.Seq = j.seq
	j.list = append(j.list, m)
}

// Seq is the number of the last mutation recorded.
func (j *Journal) Seq() int { return j.seq }

// List returns a copy of the mutations since the journal was built or
// last reset, oldest first.
func (j *Journal) List() []Mutation { return slices.Clone(j.list) }

// Reset empties the journal; Seq keeps counting.
func (j *Journal) Reset() { j.list = nil }
