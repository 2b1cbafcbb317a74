package ogsim

import (
	"net/http"
	"slices"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
)

// State is a dump of the account, as GET /_sim/state returns it. Lists are
// sorted: users by username, the rest by name.
type State struct {
	Users       []StateUser       `json:"users"`
	Teams       []StateTeam       `json:"teams"`
	Schedules   []StateSchedule   `json:"schedules"`
	Escalations []StateEscalation `json:"escalations"`
	CustomRoles []StateRole       `json:"customRoles"`
}

// StateUser is a user; Role is the canonical role name.
type StateUser struct {
	ID            string              `json:"id"`
	Username      string              `json:"username"`
	FullName      string              `json:"fullName"`
	Role          string              `json:"role"`
	TimeZone      string              `json:"timeZone"`
	Locale        string              `json:"locale"`
	SkypeUsername string              `json:"skypeUsername,omitempty"`
	Tags          []string            `json:"tags,omitempty"`
	Details       map[string][]string `json:"details,omitempty"`
	Blocked       bool                `json:"blocked"`
	Verified      bool                `json:"verified"`
	CreatedAt     time.Time           `json:"createdAt"`
	// InvitationDisabled: created with invitationDisabled (no invitation e-mail).
	InvitationDisabled bool `json:"invitationDisabled,omitempty"`
}

// StateTeam is a team with its members in the order they joined.
type StateTeam struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Members     []StateMember `json:"members"`
}

// StateMember is one membership; Role is admin or user.
type StateMember struct {
	UserID   string `json:"userId"`
	Username string `json:"username"`
	Role     string `json:"role"`
}

// StateRef is a rotation participant or rule recipient; Name is the
// username for users and empty for type none.
type StateRef struct {
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// StateSchedule is a schedule; OwnerTeam is a team name.
type StateSchedule struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Timezone    string          `json:"timezone"`
	Enabled     bool            `json:"enabled"`
	OwnerTeam   string          `json:"ownerTeam,omitempty"`
	Rotations   []StateRotation `json:"rotations"`
}

// StateRotation is a schedule rotation.
type StateRotation struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Type         string     `json:"type"`
	Length       int        `json:"length"`
	StartDate    time.Time  `json:"startDate"`
	EndDate      *time.Time `json:"endDate,omitempty"`
	Participants []StateRef `json:"participants"`
}

// StateEscalation is an escalation; OwnerTeam is a team name.
type StateEscalation struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	OwnerTeam   string      `json:"ownerTeam,omitempty"`
	Rules       []StateRule `json:"rules"`
	Repeat      *SeedRepeat `json:"repeat,omitempty"`
}

// StateRule is an escalation rule; DelayMinutes is its delay.
type StateRule struct {
	Condition    string   `json:"condition"`
	NotifyType   string   `json:"notifyType"`
	DelayMinutes int      `json:"delayMinutes"`
	Recipient    StateRef `json:"recipient"`
}

// StateRole is a custom user role.
type StateRole struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	ExtendedRole     string   `json:"extendedRole"`
	GrantedRights    []string `json:"grantedRights"`
	DisallowedRights []string `json:"disallowedRights"`
}

// State returns a snapshot of the account.
func (s *Server) State() State {
	a := s.acct
	a.mu.RLock()
	defer a.mu.RUnlock()
	st := State{
		Users:       make([]StateUser, 0, len(a.byUsername)),
		Teams:       make([]StateTeam, 0, len(a.teamOrder)),
		Schedules:   make([]StateSchedule, 0, len(a.scheduleOrder)),
		Escalations: make([]StateEscalation, 0, len(a.escalationOrdr)),
		CustomRoles: make([]StateRole, 0, len(a.roleOrder)),
	}
	for _, u := range a.byUsername {
		st.Users = append(st.Users, StateUser{ID: u.id, Username: u.username, FullName: u.fullName,
			Role: u.roleName, TimeZone: u.timeZone, Locale: u.locale, SkypeUsername: u.skype,
			Tags: slices.Clone(u.tags), Details: normDetails(u.details), Blocked: u.blocked,
			Verified: u.verified, CreatedAt: u.createdAt, InvitationDisabled: u.invitationDisabled})
	}
	for _, t := range a.teamOrder {
		tj := StateTeam{ID: t.id, Name: t.name, Description: t.description, Members: []StateMember{}}
		for _, m := range t.members {
			if u := a.usersByID[m.userID]; u != nil {
				tj.Members = append(tj.Members, StateMember{UserID: u.id, Username: u.username, Role: m.role})
			}
		}
		st.Teams = append(st.Teams, tj)
	}
	stateRef := func(r ref) StateRef {
		name, _ := a.refName(r)
		return StateRef{Type: r.typ, ID: r.id, Name: name}
	}
	teamName := func(id string) string {
		if t := a.teams[id]; t != nil {
			return t.name
		}
		return ""
	}
	for _, sc := range a.scheduleOrder {
		sj := StateSchedule{ID: sc.id, Name: sc.name, Description: sc.description, Timezone: sc.timezone,
			Enabled: sc.enabled, OwnerTeam: teamName(sc.ownerTeamID), Rotations: []StateRotation{}}
		for _, r := range sc.rotations {
			rj := StateRotation{ID: r.id, Name: r.name, Type: r.typ, Length: r.length, StartDate: r.startDate, EndDate: r.endDate}
			for _, p := range r.participants {
				rj.Participants = append(rj.Participants, stateRef(p))
			}
			sj.Rotations = append(sj.Rotations, rj)
		}
		st.Schedules = append(st.Schedules, sj)
	}
	for _, e := range a.escalationOrdr {
		ej := StateEscalation{ID: e.id, Name: e.name, Description: e.description, OwnerTeam: teamName(e.ownerTeamID), Rules: []StateRule{}}
		if e.repeat != nil {
			ej.Repeat = &SeedRepeat{WaitInterval: e.repeat.WaitInterval, Count: e.repeat.Count,
				ResetRecipientStates: e.repeat.ResetRecipientStates, CloseAlertAfterAll: e.repeat.CloseAlertAfterAll}
		}
		for _, r := range e.rules {
			ej.Rules = append(ej.Rules, StateRule{Condition: r.condition, NotifyType: r.notifyType,
				DelayMinutes: r.delayMin, Recipient: stateRef(r.recipient)})
		}
		st.Escalations = append(st.Escalations, ej)
	}
	for _, r := range a.roleOrder {
		st.CustomRoles = append(st.CustomRoles, StateRole{ID: r.id, Name: r.name, ExtendedRole: r.extendedRole,
			GrantedRights: nonNil(slices.Clone(r.granted)), DisallowedRights: nonNil(slices.Clone(r.disallowed))})
	}
	return st
}

// serveAdmin answers a request to the /_sim endpoints (see
// simkit.ServeAdmin) and reports whether it was one. They need no key and
// are not counted, rate-limited or faulted; their bodies are plain JSON,
// without took and requestId.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) bool {
	return simkit.ServeAdmin[Stats, State](w, r, s, "Request method '%s' not supported")
}
