package ogsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ogsync/ogsync/internal/simkit"
	"github.com/ogsync/ogsync/model"
)

// maxScheduleNameLen bounds schedule, rotation and escalation names.
const maxScheduleNameLen = 100

// participantIn is a rotation participant or rule recipient of a request:
// {type, id?, name?, username?}. The SDK sends "username":"" on every type.
type participantIn struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// ownerTeamIn is {"id"|"name"}.
type ownerTeamIn struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// rotationIn is a rotation of a request; nil and empty fields were absent.
type rotationIn struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	StartDate       *time.Time       `json:"startDate"`
	EndDate         *time.Time       `json:"endDate"`
	Type            string           `json:"type"`
	Length          *int             `json:"length"`
	Participants    *[]participantIn `json:"participants"`
	TimeRestriction json.RawMessage  `json:"timeRestriction"`
}

// resolveRef finds the entity a participant or recipient names; allowed
// lists the accepted types. It returns a message on failure.
func (a *account) resolveRef(p participantIn, allowed []string) (ref, string) {
	typ := strings.ToLower(strings.TrimSpace(p.Type))
	if !slices.Contains(allowed, typ) {
		return ref{}, fmt.Sprintf("type [%s] must be one of %s", p.Type, strings.Join(allowed, ", "))
	}
	switch typ {
	case refNone:
		return ref{typ: refNone}, ""
	case refUser:
		var u *user
		switch {
		case p.ID != "":
			u = a.usersByID[p.ID]
		case p.Username != "":
			u = a.usersByName[model.NormalizeUsername(p.Username)]
		case p.Name != "":
			u = a.usersByName[model.NormalizeUsername(p.Name)]
		default:
			return ref{}, "id or username should be provided"
		}
		if u == nil {
			return ref{}, fmt.Sprintf("no user exists with id or username [%s]", cmpOr(p.ID, cmpOr(p.Username, p.Name)))
		}
		return ref{refUser, u.id}, ""
	}
	if p.ID == "" && p.Name == "" {
		return ref{}, "id or name should be provided"
	}
	var id string
	switch typ {
	case refTeam:
		if t := cmpOrPtr(a.teams[p.ID], a.teamsByName[strings.ToLower(p.Name)]); t != nil {
			id = t.id
		}
	case refSchedule:
		if s := cmpOrPtr(a.schedules[p.ID], a.schedulesByNm[strings.ToLower(p.Name)]); s != nil {
			id = s.id
		}
	case refEscalation:
		if e := cmpOrPtr(a.escalations[p.ID], a.escalationsNm[strings.ToLower(p.Name)]); e != nil {
			id = e.id
		}
	}
	if id == "" || (p.ID != "" && p.ID != id) {
		return ref{}, fmt.Sprintf("no %s exists with id or name [%s]", typ, cmpOr(p.ID, p.Name))
	}
	return ref{typ, id}, ""
}

// resolveOwnerTeam finds the team of an ownerTeam member.
func (a *account) resolveOwnerTeam(raw json.RawMessage, errs map[string]string) (string, bool) {
	var o ownerTeamIn
	if err := json.Unmarshal(raw, &o); err != nil {
		errs["ownerTeam"] = `must be an object {"id"|"name"}`
		return "", false
	}
	t := cmpOrPtr(a.teams[o.ID], a.teamsByName[strings.ToLower(o.Name)])
	switch {
	case o.ID == "" && o.Name == "":
		errs["ownerTeam"] = "id or name should be provided"
	case t == nil || (o.ID != "" && o.ID != t.id):
		errs["ownerTeam"] = fmt.Sprintf("no team exists with id or name [%s]", cmpOr(o.ID, o.Name))
	default:
		return t.id, true
	}
	return "", false
}

// applyRotation validates a rotation of a request and applies it to r: all
// of it on create, the fields present on update. Errors go to errs under
// prefix + field.
func (a *account) applyRotation(in rotationIn, r *rotation, create bool, prefix string, errs map[string]string) {
	if in.Name != "" {
		if utf8.RuneCountInString(in.Name) > maxScheduleNameLen {
			errs[prefix+"name"] = fmt.Sprintf("name can be at most %d characters", maxScheduleNameLen)
		}
		r.name = in.Name
	}
	if in.Type != "" || create {
		if !slices.Contains(rotationTypes, in.Type) {
			errs[prefix+"type"] = fmt.Sprintf("type [%s] must be daily, weekly or hourly", in.Type)
		}
		r.typ = in.Type
	}
	if in.Length != nil {
		if *in.Length < 1 {
			errs[prefix+"length"] = "length must be a positive integer"
		}
		r.length = *in.Length
	} else if create {
		r.length = 1
	}
	if in.StartDate != nil {
		r.startDate = in.StartDate.UTC()
	} else if create {
		errs[prefix+"startDate"] = "startDate is required"
	}
	if in.EndDate != nil {
		end := in.EndDate.UTC()
		r.endDate = &end
	}
	if r.endDate != nil && !r.endDate.After(r.startDate) {
		errs[prefix+"endDate"] = "endDate must be after startDate"
	}
	if in.Participants != nil || create {
		if in.Participants == nil || len(*in.Participants) == 0 {
			errs[prefix+"participants"] = "at least one participant is required"
		} else {
			ps := make([]ref, 0, len(*in.Participants))
			for i, p := range *in.Participants {
				pr, msg := a.resolveRef(p, participantKinds)
				if msg != "" {
					errs[fmt.Sprintf("%sparticipants[%d]", prefix, i)] = msg
				}
				ps = append(ps, pr)
			}
			r.participants = ps
		}
	}
	if len(in.TimeRestriction) > 0 && string(in.TimeRestriction) != "null" {
		var tr struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(in.TimeRestriction, &tr) != nil || (tr.Type != "time-of-day" && tr.Type != "weekday-and-time-of-day") {
			errs[prefix+"timeRestriction"] = "timeRestriction must be an object with type time-of-day or weekday-and-time-of-day"
		}
		r.timeRestriction = slices.Clone(in.TimeRestriction)
	}
}

// newRotation builds a rotation from a create request; name defaults to
// "Rotation <n>".
func (a *account) newRotation(in rotationIn, n int, prefix string, errs map[string]string) rotation {
	r := rotation{id: a.ids.Next(), name: fmt.Sprintf("Rotation %d", n)}
	a.applyRotation(in, &r, true, prefix, errs)
	return r
}

func (s *Server) scheduleNotFound(ident string) reply {
	if s.beh.UnknownScheduleNotFound {
		return errReply(http.StatusNotFound, fmt.Sprintf("No schedule exists with identifier [%s].", ident))
	}
	return reply{status: http.StatusForbidden, body: errBody("Api key is not authorized to access the schedule", nil, 40301)}
}

// lookupSchedule finds the schedule of a path, by the given identifier type
// parameter; rep is set when it is bad or the schedule unknown.
func (s *Server) lookupSchedule(c *call, param string) (*schedule, *reply) {
	byName, bad := identifierType(c.query, param)
	if bad != nil {
		return nil, bad
	}
	sc := s.acct.schedules[c.params[0]]
	if byName {
		sc = s.acct.schedulesByNm[strings.ToLower(c.params[0])]
	}
	if sc == nil {
		rep := s.scheduleNotFound(c.params[0])
		return nil, &rep
	}
	return sc, nil
}

func checkName(name string, errs map[string]string) {
	switch {
	case strings.TrimSpace(name) == "":
		errs["name"] = "name is required"
	case utf8.RuneCountInString(name) > maxScheduleNameLen:
		errs["name"] = fmt.Sprintf("name can be at most %d characters", maxScheduleNameLen)
	}
}

func scheduleResult(status int, result string, sc *schedule) reply {
	b := appendMember(nil, "result", result)
	b = appendMember(b, "data", struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Enabled bool   `json:"enabled"`
	}{sc.id, sc.name, sc.enabled})
	return reply{status: status, body: b}
}

func (a *account) teamNameOf(id string) string {
	if t := a.teams[id]; t != nil {
		return t.name
	}
	return ""
}

// recordSchedule records a schedule or rotation change.
func (a *account) recordSchedule(op string, sc *schedule, detail string) {
	a.record(Mutation{Source: SourceAPI, Op: op, Team: a.teamNameOf(sc.ownerTeamID), TeamID: sc.ownerTeamID, Detail: detail})
}

// createSchedule: POST /v2/schedules.
func (s *Server) createSchedule(c *call) reply {
	m, bad := readObject(c.r)
	if bad != nil {
		return *bad
	}
	errs := map[string]string{}
	var name, desc, tz string
	field(m, "name", &name, errs, "a string")
	field(m, "description", &desc, errs, "a string")
	field(m, "timezone", &tz, errs, "a string")
	enabled := true
	field(m, "enabled", &enabled, errs, "a boolean")
	var rots []rotationIn
	field(m, "rotations", &rots, errs, "a list of rotations")
	if _, bad := errs["name"]; !bad {
		checkName(name, errs)
	}
	tz = cmpOr(tz, s.beh.DefaultTimeZone)
	if !validTimeZone(tz) {
		errs["timezone"] = fmt.Sprintf("time zone [%s] is not a supported time zone id", tz)
	}

	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	sc := &schedule{name: name, description: desc, timezone: tz, enabled: enabled}
	if present(m, "ownerTeam") {
		sc.ownerTeamID, _ = a.resolveOwnerTeam(m["ownerTeam"], errs)
	}
	for i, in := range rots {
		sc.rotations = append(sc.rotations, a.newRotation(in, i+1, fmt.Sprintf("rotations[%d].", i), errs))
	}
	if len(errs) > 0 {
		return invalid(errs)
	}
	if a.schedulesByNm[strings.ToLower(name)] != nil {
		return errReply(http.StatusConflict, fmt.Sprintf("There is already one Schedule with same name [%s]", name))
	}
	sc.id = a.ids.Next()
	a.insertSchedule(sc)
	a.recordSchedule(OpCreateSchedule, sc, "schedule "+sc.name)
	return scheduleResult(http.StatusCreated, "Created", sc)
}

// updateSchedule: PATCH /v2/schedules/{identifier}?identifierType=id|name.
// Absent fields, and an empty name or timezone, are left as they are;
// rotations, when present, replace the schedule's rotations.
func (s *Server) updateSchedule(c *call) reply {
	m, bad := readObject(c.r)
	if bad != nil {
		return *bad
	}
	errs := map[string]string{}
	var name, desc, tz string
	var enabled bool
	field(m, "name", &name, errs, "a string")
	hasDesc := field(m, "description", &desc, errs, "a string")
	field(m, "timezone", &tz, errs, "a string")
	hasEnabled := field(m, "enabled", &enabled, errs, "a boolean")
	var rots []rotationIn
	hasRots := field(m, "rotations", &rots, errs, "a list of rotations")
	if name != "" {
		checkName(name, errs)
	}
	if tz != "" && !validTimeZone(tz) {
		errs["timezone"] = fmt.Sprintf("time zone [%s] is not a supported time zone id", tz)
	}

	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	sc, rep := s.lookupSchedule(c, "identifierType")
	if rep != nil {
		return *rep
	}
	owner, hasOwner := sc.ownerTeamID, false
	if present(m, "ownerTeam") {
		owner, hasOwner = a.resolveOwnerTeam(m["ownerTeam"], errs)
	}
	var newRots []rotation
	for i, in := range rots {
		r := rotation{id: a.ids.Next(), name: fmt.Sprintf("Rotation %d", i+1)}
		if k := slices.IndexFunc(sc.rotations, func(x rotation) bool { return in.ID != "" && x.id == in.ID }); k >= 0 {
			r.id = in.ID
		}
		a.applyRotation(in, &r, true, fmt.Sprintf("rotations[%d].", i), errs)
		newRots = append(newRots, r)
	}
	if len(errs) > 0 {
		return invalid(errs)
	}
	if name != "" && !strings.EqualFold(name, sc.name) && a.schedulesByNm[strings.ToLower(name)] != nil {
		return errReply(http.StatusConflict, fmt.Sprintf("There is already one Schedule with same name [%s]", name))
	}
	if name != "" && name != sc.name {
		a.removeSchedule(sc)
		sc.name = name
		a.insertSchedule(sc)
	}
	if hasDesc {
		sc.description = desc
	}
	if tz != "" {
		sc.timezone = tz
	}
	if hasEnabled {
		sc.enabled = enabled
	}
	if hasOwner {
		sc.ownerTeamID = owner
	}
	if hasRots {
		sc.rotations = newRots
	}
	a.recordSchedule(OpUpdateSchedule, sc, "schedule "+sc.name)
	return scheduleResult(http.StatusOK, "Updated", sc)
}

// deleteSchedule: DELETE /v2/schedules/{identifier}?identifierType=id|name.
// A schedule an escalation rule notifies is refused with 428.
func (s *Server) deleteSchedule(c *call) reply {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	sc, rep := s.lookupSchedule(c, "identifierType")
	if rep != nil {
		return *rep
	}
	var users []string
	for _, e := range a.escalationOrdr {
		if e.references(ref{refSchedule, sc.id}) {
			users = append(users, e.name)
		}
	}
	if len(users) > 0 {
		return errReply(http.StatusPreconditionRequired, fmt.Sprintf(
			"Schedule [%s] is in use. Please remove it from escalations: [%s] before deleting it.", sc.name, strings.Join(users, ", ")))
	}
	a.recordSchedule(OpDeleteSchedule, sc, "schedule "+sc.name)
	a.removeSchedule(sc)
	return reply{status: http.StatusOK, body: appendMember(nil, "result", "Deleted")}
}

// renderRotation renders one rotation of a schedule.
func (a *account) renderRotation(r rotation) rotationJSON {
	rj := rotationJSON{RotationJSON: simkit.RotationJSON[participantJSON]{ID: r.id, Name: r.name, StartDate: formatTime(r.startDate),
		Type: r.typ, Length: r.length, Participants: make([]participantJSON, 0, len(r.participants))}, TimeRestriction: r.timeRestriction}
	if r.endDate != nil {
		rj.EndDate = formatTime(*r.endDate)
	}
	for _, p := range r.participants {
		rj.Participants = append(rj.Participants, a.renderRef(p))
	}
	return rj
}

// listRotations: GET /v2/schedules/{identifier}/rotations
// ?scheduleIdentifierType=id|name.
func (s *Server) listRotations(c *call) reply {
	a := s.acct
	a.mu.RLock()
	defer a.mu.RUnlock()
	sc, rep := s.lookupSchedule(c, "scheduleIdentifierType")
	if rep != nil {
		return *rep
	}
	out := make([]rotationJSON, 0, len(sc.rotations))
	for _, r := range sc.rotations {
		out = append(out, a.renderRotation(r))
	}
	return dataReply(http.StatusOK, out)
}

// lookupRotation finds the schedule and the index of the rotation of a
// path; rep is set when either is unknown.
func (s *Server) lookupRotation(c *call) (*schedule, int, *reply) {
	sc, rep := s.lookupSchedule(c, "scheduleIdentifierType")
	if rep != nil {
		return nil, 0, rep
	}
	i := slices.IndexFunc(sc.rotations, func(r rotation) bool { return r.id == c.params[1] })
	if i < 0 {
		r := errReply(http.StatusNotFound, fmt.Sprintf("No rotation exists with id [%s] in schedule [%s].", c.params[1], sc.name))
		return nil, 0, &r
	}
	return sc, i, nil
}

func rotationResult(status int, result string, r rotation) reply {
	return resultReply(status, result, r.id, r.name)
}

// createRotation: POST /v2/schedules/{identifier}/rotations
// ?scheduleIdentifierType=id|name.
func (s *Server) createRotation(c *call) reply {
	in, rep := readRotation(c)
	if rep != nil {
		return *rep
	}
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	sc, rep := s.lookupSchedule(c, "scheduleIdentifierType")
	if rep != nil {
		return *rep
	}
	errs := map[string]string{}
	r := a.newRotation(in, len(sc.rotations)+1, "", errs)
	if len(errs) > 0 {
		return invalid(errs)
	}
	sc.rotations = append(sc.rotations, r)
	a.recordSchedule(OpCreateRotation, sc, "schedule "+sc.name+" rotation "+r.name)
	return rotationResult(http.StatusCreated, "Created", r)
}

// readRotation reads a rotation body; the SDK's untagged keys are ignored.
func readRotation(c *call) (rotationIn, *reply) {
	m, bad := readObject(c.r)
	if bad != nil {
		return rotationIn{}, bad
	}
	raw, _ := json.Marshal(m)
	var in rotationIn
	if err := json.Unmarshal(raw, &in); err != nil {
		rep := invalidField("rotation", "must be a rotation object: "+err.Error())
		return in, &rep
	}
	return in, nil
}

// getRotation: GET /v2/schedules/{identifier}/rotations/{rotationId}; the
// data also holds the schedule as "_parent".
func (s *Server) getRotation(c *call) reply {
	a := s.acct
	a.mu.RLock()
	defer a.mu.RUnlock()
	sc, i, rep := s.lookupRotation(c)
	if rep != nil {
		return *rep
	}
	return dataReply(http.StatusOK, struct {
		rotationJSON
		Parent struct {
			ID      string `json:"id"`
			Name    string `json:"name"`
			Enabled bool   `json:"enabled"`
		} `json:"_parent"`
	}{rotationJSON: a.renderRotation(sc.rotations[i]), Parent: struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Enabled bool   `json:"enabled"`
	}{sc.id, sc.name, sc.enabled}})
}

// updateRotation: PATCH /v2/schedules/{identifier}/rotations/{rotationId};
// the fields present replace the rotation's.
func (s *Server) updateRotation(c *call) reply {
	in, rep := readRotation(c)
	if rep != nil {
		return *rep
	}
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	sc, i, rep := s.lookupRotation(c)
	if rep != nil {
		return *rep
	}
	errs := map[string]string{}
	r := sc.rotations[i]
	r.participants = slices.Clone(r.participants)
	a.applyRotation(in, &r, false, "", errs)
	if len(errs) > 0 {
		return invalid(errs)
	}
	sc.rotations[i] = r
	a.recordSchedule(OpUpdateRotation, sc, "schedule "+sc.name+" rotation "+r.name)
	return rotationResult(http.StatusOK, "Updated", r)
}

// deleteRotation: DELETE /v2/schedules/{identifier}/rotations/{rotationId}.
func (s *Server) deleteRotation(c *call) reply {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	sc, i, rep := s.lookupRotation(c)
	if rep != nil {
		return *rep
	}
	name := sc.rotations[i].name
	sc.rotations = slices.Delete(sc.rotations, i, i+1)
	a.recordSchedule(OpDeleteRotation, sc, "schedule "+sc.name+" rotation "+name)
	return reply{status: http.StatusOK, body: appendMember(nil, "result", "Deleted")}
}
