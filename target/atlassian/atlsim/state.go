package atlsim

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
)

// State is a dump of the org, as GET /_sim/state returns it. Users are
// sorted by e-mail, teams by display name then id, schedules and
// escalations by name.
type State struct {
	OrgID       string            `json:"orgId"`
	CloudID     string            `json:"cloudId"`
	DirectoryID string            `json:"directoryId"`
	Users       []StateUser       `json:"users"`
	Teams       []StateTeam       `json:"teams"`
	Schedules   []StateSchedule   `json:"schedules"`
	Escalations []StateEscalation `json:"escalations"`
	// ForwardingRules are in creation order.
	ForwardingRules []StateForwarding `json:"forwardingRules"`
}

// StateForwarding is a forwarding rule between two accounts.
type StateForwarding struct {
	ID         string `json:"id"`
	FromUserID string `json:"fromUserId"`
	ToUserID   string `json:"toUserId"`
}

// StateUser is an account; Removed accounts left the directory,
// RemovalQueued ones will when Behavior.RemovalLag has passed. Access is
// the truth, whatever Behavior.AccessLag hides from reads.
type StateUser struct {
	AccountID     string                     `json:"accountId"`
	Email         string                     `json:"email"`
	DisplayName   string                     `json:"displayName"`
	TimeZone      string                     `json:"timeZone"`
	Locale        string                     `json:"locale"`
	Status        string                     `json:"status"`
	Managed       bool                       `json:"managed"`
	Access        map[string]string          `json:"access"`
	Properties    map[string]json.RawMessage `json:"properties,omitempty"`
	Removed       bool                       `json:"removed,omitempty"`
	RemovalQueued bool                       `json:"removalQueued,omitempty"`
	PendingDelete bool                       `json:"pendingDelete,omitempty"`
	AddedAt       time.Time                  `json:"addedAt"`
}

// StateTeam is a team with its members (accountIds, in join order) and
// operations side.
type StateTeam struct {
	TeamID      string   `json:"teamId"`
	DisplayName string   `json:"displayName"`
	Description string   `json:"description"`
	TeamType    string   `json:"teamType"`
	State       string   `json:"state"`
	Deleted     bool     `json:"deleted"`
	Members     []string `json:"members"`
	Operations  bool     `json:"operations"`
	OpsAdmins   []string `json:"opsAdmins,omitempty"`
}

// StateRotation is a rotation with its participants.
type StateRotation struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Type         string `json:"type"`
	Participants []Ref  `json:"participants"`
}

// Ref is a participant, responder or recipient: its type and id (an
// accountId for users).
type Ref struct {
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
}

// StateSchedule is a schedule with rotations and override responders.
type StateSchedule struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	TeamID     string          `json:"teamId"`
	Rotations  []StateRotation `json:"rotations"`
	Overriders []Ref           `json:"overriders"`
}

// StateEscalation is an escalation with its rule recipients in order.
type StateEscalation struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	TeamID     string `json:"teamId"`
	Recipients []Ref  `json:"recipients"`
}

func refs(rs []ref) []Ref {
	out := []Ref{}
	for _, r := range rs {
		out = append(out, Ref(r))
	}
	return out
}

// State returns a sorted copy of the whole org.
func (s *Server) State() State {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	st := State{OrgID: s.orgID, CloudID: s.cloudID, DirectoryID: s.dirID,
		Users: []StateUser{}, Teams: []StateTeam{}, Schedules: []StateSchedule{}, Escalations: []StateEscalation{},
		ForwardingRules: []StateForwarding{}}
	for _, f := range s.acct.forwarding {
		st.ForwardingRules = append(st.ForwardingRules, StateForwarding{f.id, f.fromUserID, f.toUserID})
	}
	for _, u := range s.acct.users {
		su := StateUser{AccountID: u.accountID, Email: u.email, DisplayName: u.displayName, TimeZone: u.timeZone,
			Locale: u.locale, Status: u.status, Managed: u.managed, Access: maps.Clone(u.access),
			Removed: s.acct.gone(u), RemovalQueued: !u.removeAt.IsZero() && !s.acct.gone(u), PendingDelete: u.pendingDelete, AddedAt: u.addedAt.UTC()}
		if len(u.properties) > 0 {
			su.Properties = maps.Clone(u.properties)
		}
		st.Users = append(st.Users, su)
	}
	slices.SortFunc(st.Users, func(a, b StateUser) int {
		return strings.Compare(strings.ToLower(a.Email)+"\x00"+a.AccountID, strings.ToLower(b.Email)+"\x00"+b.AccountID)
	})
	for _, t := range s.acct.teams {
		members := []string{}
		for _, m := range t.members {
			members = append(members, m.accountID)
		}
		st.Teams = append(st.Teams, StateTeam{TeamID: t.id, DisplayName: t.name, Description: t.description,
			TeamType: t.teamType, State: t.state, Deleted: t.deleted, Members: members, Operations: t.ops,
			OpsAdmins: slices.Clone(t.opsAdmins)})
	}
	slices.SortFunc(st.Teams, func(a, b StateTeam) int {
		return strings.Compare(a.DisplayName+"\x00"+a.TeamID, b.DisplayName+"\x00"+b.TeamID)
	})
	for _, sc := range s.acct.schedules {
		ss := StateSchedule{ID: sc.id, Name: sc.name, TeamID: sc.teamID, Rotations: []StateRotation{}, Overriders: []Ref{}}
		for _, r := range sc.rotations {
			ss.Rotations = append(ss.Rotations, StateRotation{ID: r.id, Name: r.name, Type: r.rotType, Participants: refs(r.participants)})
		}
		for _, o := range sc.overrides {
			ss.Overriders = append(ss.Overriders, Ref(o.responder))
		}
		st.Schedules = append(st.Schedules, ss)
	}
	slices.SortFunc(st.Schedules, func(a, b StateSchedule) int { return strings.Compare(a.Name+"\x00"+a.ID, b.Name+"\x00"+b.ID) })
	for _, e := range s.acct.escalations {
		se := StateEscalation{ID: e.id, Name: e.name, TeamID: e.teamID, Recipients: []Ref{}}
		for _, r := range e.rules {
			se.Recipients = append(se.Recipients, Ref(r.recipient))
		}
		st.Escalations = append(st.Escalations, se)
	}
	slices.SortFunc(st.Escalations, func(a, b StateEscalation) int {
		return strings.Compare(a.Name+"\x00"+a.ID, b.Name+"\x00"+b.ID)
	})
	return st
}

// serveAdmin answers a request to the /_sim endpoints (see
// simkit.ServeAdmin) and reports whether it was one. They need no
// credential and are not counted, rate-limited or faulted.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) bool {
	return simkit.ServeAdmin[Stats, State](w, r, s, "Method %s is not supported")
}
