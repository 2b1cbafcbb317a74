package ogsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ogsync/ogsync/internal/simkit"
)

type participantJSON struct {
	Type     string `json:"type"`
	ID       string `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Username string `json:"username,omitempty"`
}

// renderRef renders a participant or recipient: users as
// {type,id,username}, other entities as {type,id,name}, none as {type}.
func (a *account) renderRef(r ref) participantJSON {
	name, _ := a.refName(r)
	switch r.typ {
	case refNone:
		return participantJSON{Type: refNone}
	case refUser:
		return participantJSON{Type: refUser, ID: r.id, Username: name}
	default:
		return participantJSON{Type: r.typ, ID: r.id, Name: name}
	}
}

func (a *account) ownerTeam(id string) *metaJSON {
	if t := a.teams[id]; t != nil {
		return &metaJSON{t.id, t.name}
	}
	return nil
}

type rotationJSON struct {
	simkit.RotationJSON[participantJSON]
	// TimeRestriction is sent back as it was received.
	TimeRestriction json.RawMessage `json:"timeRestriction,omitempty"`
}

type scheduleJSON struct {
	simkit.ScheduleJSON
	OwnerTeam *metaJSON      `json:"ownerTeam,omitempty"`
	Rotations []rotationJSON `json:"rotations"`
}

// renderSchedule renders a schedule; rotations is an empty array unless
// withRotations, as in the real list without expand=rotation.
func (a *account) renderSchedule(s *schedule, withRotations bool) scheduleJSON {
	out := scheduleJSON{ScheduleJSON: simkit.ScheduleJSON{ID: s.id, Name: s.name, Description: s.description, Timezone: s.timezone,
		Enabled: s.enabled}, OwnerTeam: a.ownerTeam(s.ownerTeamID), Rotations: []rotationJSON{}}
	if !withRotations {
		return out
	}
	for _, r := range s.rotations {
		out.Rotations = append(out.Rotations, a.renderRotation(r))
	}
	return out
}

type delayJSON struct {
	TimeAmount int    `json:"timeAmount"`
	TimeUnit   string `json:"timeUnit"`
}

type ruleJSON struct {
	Condition  string          `json:"condition"`
	NotifyType string          `json:"notifyType"`
	Delay      delayJSON       `json:"delay"`
	Recipient  participantJSON `json:"recipient"`
}

type escalationJSON struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	OwnerTeam   *metaJSON  `json:"ownerTeam,omitempty"`
	Rules       []ruleJSON `json:"rules"`
	Repeat      *repeat    `json:"repeat,omitempty"`
}

func (a *account) renderEscalation(e *escalation) escalationJSON {
	out := escalationJSON{ID: e.id, Name: e.name, Description: e.description,
		OwnerTeam: a.ownerTeam(e.ownerTeamID), Rules: make([]ruleJSON, 0, len(e.rules)), Repeat: e.repeat}
	for _, r := range e.rules {
		out.Rules = append(out.Rules, ruleJSON{Condition: r.condition, NotifyType: r.notifyType,
			Delay: delayJSON{r.delayMin, "minutes"}, Recipient: a.renderRef(r.recipient)})
	}
	return out
}

// listSchedules: GET /v2/schedules[?expand=rotation].
func (s *Server) listSchedules(c *call) reply {
	expand := slices.Contains(strings.Split(c.query.Get("expand"), ","), "rotation")
	s.acct.mu.RLock()
	out := make([]scheduleJSON, 0, len(s.acct.scheduleOrder))
	for _, sc := range s.acct.scheduleOrder {
		out = append(out, s.acct.renderSchedule(sc, expand))
	}
	s.acct.mu.RUnlock()
	b := appendMember(nil, "data", out)
	b = appendMember(b, "expandable", []string{"rotation"})
	return reply{status: http.StatusOK, body: b}
}

// getSchedule: GET /v2/schedules/{identifier}?identifierType=id|name. An
// unknown schedule is 403/40301, as the real API answered, unless
// Behavior.UnknownScheduleNotFound asks for 404.
func (s *Server) getSchedule(c *call) reply {
	byName, bad := identifierType(c.query, "identifierType")
	if bad != nil {
		return *bad
	}
	s.acct.mu.RLock()
	defer s.acct.mu.RUnlock()
	sc := s.acct.schedules[c.params[0]]
	if byName {
		sc = s.acct.schedulesByNm[strings.ToLower(c.params[0])]
	}
	if sc == nil {
		return s.scheduleNotFound(c.params[0])
	}
	return dataReply(http.StatusOK, s.acct.renderSchedule(sc, true))
}

// listEscalations: GET /v2/escalations.
func (s *Server) listEscalations(_ *call) reply {
	s.acct.mu.RLock()
	out := make([]escalationJSON, 0, len(s.acct.escalationOrdr))
	for _, e := range s.acct.escalationOrdr {
		out = append(out, s.acct.renderEscalation(e))
	}
	s.acct.mu.RUnlock()
	return dataReply(http.StatusOK, out)
}

// getEscalation: GET /v2/escalations/{identifier}?identifierType=id|name.
func (s *Server) getEscalation(c *call) reply {
	byName, bad := identifierType(c.query, "identifierType")
	if bad != nil {
		return *bad
	}
	s.acct.mu.RLock()
	defer s.acct.mu.RUnlock()
	e := s.acct.escalations[c.params[0]]
	if byName {
		e = s.acct.escalationsNm[strings.ToLower(c.params[0])]
	}
	if e == nil {
		return errReply(http.StatusNotFound, fmt.Sprintf("No escalation exists with identifier [%s].", c.params[0]))
	}
	return dataReply(http.StatusOK, s.acct.renderEscalation(e))
}

type roleJSON struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	ExtendedRole     string   `json:"extendedRole"`
	GrantedRights    []string `json:"grantedRights"`
	DisallowedRights []string `json:"disallowedRights"`
}

func renderRole(r *customRole) roleJSON {
	return roleJSON{ID: r.id, Name: r.name, ExtendedRole: r.extendedRole,
		GrantedRights: nonNil(r.granted), DisallowedRights: nonNil(r.disallowed)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// listRoles: GET /v2/roles; custom roles only, as the real API.
func (s *Server) listRoles(_ *call) reply {
	s.acct.mu.RLock()
	out := make([]roleJSON, 0, len(s.acct.roleOrder))
	for _, r := range s.acct.roleOrder {
		out = append(out, renderRole(r))
	}
	s.acct.mu.RUnlock()
	return dataReply(http.StatusOK, out)
}

// getRole: GET /v2/roles/{identifier}?identifierType=id|name.
func (s *Server) getRole(c *call) reply {
	byName, bad := identifierType(c.query, "identifierType")
	if bad != nil {
		return *bad
	}
	s.acct.mu.RLock()
	defer s.acct.mu.RUnlock()
	r := s.acct.roles[c.params[0]]
	if byName {
		r = s.acct.rolesByName[strings.ToLower(c.params[0])]
	}
	if r == nil {
		return errReply(http.StatusNotFound, fmt.Sprintf("No custom user role exists with identifier [%s].", c.params[0]))
	}
	return dataReply(http.StatusOK, renderRole(r))
}
