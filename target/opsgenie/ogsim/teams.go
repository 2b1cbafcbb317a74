package ogsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ogsync/ogsync/model"
)

// Field limits of the team API.
const (
	maxTeamNameLen        = 100
	maxTeamDescriptionLen = 10000
)

// teamNamePattern is the character set the Terraform provider checks team
// names against; the emulator enforces the same.
var teamNamePattern = regexp.MustCompile(`^[a-zA-Z0-9 _.-]+$`)

type linksJSON struct {
	Web string `json:"web"`
	API string `json:"api"`
}

type memberUserJSON struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

type memberJSON struct {
	User memberUserJSON `json:"user"`
	Role string         `json:"role"`
}

type teamJSON struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Links       linksJSON     `json:"links"`
	Members     *[]memberJSON `json:"members,omitempty"`
}

func (s *Server) renderTeam(base string, t *team, withMembers bool) teamJSON {
	out := teamJSON{
		ID: t.id, Name: t.name, Description: t.description,
		Links: linksJSON{
			Web: fmt.Sprintf("https://%s.app.opsgenie.com/teams/dashboard/%s/main", s.beh.AccountName, t.id),
			API: base + "/v2/teams/" + t.id,
		},
	}
	if withMembers && (len(t.members) > 0 || s.beh.EmptyMembersAsArray) {
		ms := make([]memberJSON, 0, len(t.members))
		for _, m := range t.members {
			if u := s.acct.usersByID[m.userID]; u != nil {
				ms = append(ms, memberJSON{memberUserJSON{u.id, u.username}, m.role})
			}
		}
		out.Members = &ms
	}
	return out
}

// memberRef is the {"user":{"id","username"},"role"} of a request.
type memberRef struct {
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"user"`
	Role string `json:"role"`
}

// resolveMember finds the user a member reference names and normalises
// its role; it returns a message on failure.
func (a *account) resolveMember(m memberRef) (member, string) {
	var byID, byName *user
	if m.User.ID != "" {
		byID = a.usersByID[m.User.ID]
		if byID == nil {
			return member{}, fmt.Sprintf("no user exists with id [%s]", m.User.ID)
		}
	}
	if m.User.Username != "" {
		byName = a.usersByName[model.NormalizeUsername(m.User.Username)]
		if byName == nil {
			return member{}, fmt.Sprintf("no user exists with username [%s]", m.User.Username)
		}
	}
	u := cmpOrPtr(byID, byName)
	switch {
	case u == nil:
		return member{}, "id or username should be provided"
	case byID != nil && byName != nil && byID != byName:
		return member{}, fmt.Sprintf("id [%s] and username [%s] name different users", m.User.ID, m.User.Username)
	}
	role := strings.ToLower(strings.TrimSpace(m.Role))
	switch role {
	case "":
		role = model.MemberRoleUser
	case model.MemberRoleUser, model.MemberRoleAdmin:
	default:
		return member{}, fmt.Sprintf("role [%s] must be admin or user", m.Role)
	}
	return member{userID: u.id, role: role}, ""
}

func cmpOrPtr[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// parseMembers resolves a members list; errors go to errs under
// "members[i]".
func (a *account) parseMembers(raw json.RawMessage, errs map[string]string) []member {
	var refs []memberRef
	if err := json.Unmarshal(raw, &refs); err != nil {
		errs["members"] = `must be a list of {"user":{"id"|"username"},"role"}`
		return nil
	}
	out := make([]member, 0, len(refs))
	for i, r := range refs {
		m, msg := a.resolveMember(r)
		key := fmt.Sprintf("members[%d]", i)
		switch {
		case msg != "":
			errs[key] = msg
		case slices.ContainsFunc(out, func(x member) bool { return x.userID == m.userID }):
			errs[key] = "the user is listed twice"
		default:
			out = append(out, m)
		}
	}
	return out
}

func checkTeamName(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "name is required"
	case utf8.RuneCountInString(name) > maxTeamNameLen:
		return fmt.Sprintf("name can be at most %d characters", maxTeamNameLen)
	case !teamNamePattern.MatchString(name):
		return "name may contain only letters, digits, spaces, '_', '.' and '-'"
	}
	return ""
}

func teamConflict() reply {
	return errReply(http.StatusConflict, "There is already one Team with same name")
}

// createTeam: POST /v2/teams. It also creates the team's default schedule
// "<name>_schedule" and escalation "<name>_escalation".
func (s *Server) createTeam(c *call) reply {
	m, bad := readObject(c.r)
	if bad != nil {
		return *bad
	}
	errs := map[string]string{}
	var name, desc string
	field(m, "name", &name, errs, "a string")
	field(m, "description", &desc, errs, "a string")
	if _, bad := errs["name"]; !bad {
		if msg := checkTeamName(name); msg != "" {
			errs["name"] = msg
		}
	}
	if utf8.RuneCountInString(desc) > maxTeamDescriptionLen {
		errs["description"] = fmt.Sprintf("description can be at most %d characters", maxTeamDescriptionLen)
	}

	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	var members []member
	if present(m, "members") {
		members = s.acct.parseMembers(m["members"], errs)
	}
	if len(errs) > 0 {
		return invalid(errs)
	}
	if s.acct.teamsByName[strings.ToLower(name)] != nil {
		return teamConflict()
	}
	if msg := s.acct.defaultResourcesConflict(name); msg != "" {
		return errReply(http.StatusConflict, msg)
	}
	t := &team{id: s.acct.ids.Next(), name: name, description: desc}
	s.acct.insertTeam(t)
	s.acct.record(Mutation{Source: SourceAPI, Op: OpCreateTeam, Team: t.name, TeamID: t.id})
	for _, mem := range members {
		s.acct.recordMember(SourceAPI, OpAddMember, t, mem.userID, mem.role, "with the team")
	}
	t.members = members
	s.acct.createDefaultResources(t, s.beh.DefaultTimeZone)
	return resultReply(http.StatusCreated, "Created", t.id, t.name)
}

// defaultResourcesConflict reports a schedule or escalation already named
// like the default resources of a new team called name.
func (a *account) defaultResourcesConflict(name string) string {
	if a.schedulesByNm[strings.ToLower(name+"_schedule")] != nil {
		return fmt.Sprintf("There is already one Schedule with same name [%s_schedule]", name)
	}
	if a.escalationsNm[strings.ToLower(name+"_escalation")] != nil {
		return fmt.Sprintf("There is already one Escalation with same name [%s_escalation]", name)
	}
	return ""
}

// createDefaultResources adds the schedule and escalation OpsGenie creates
// with every team: "<name>_schedule" without rotations, and
// "<name>_escalation" notifying the schedule's on-call at once, the next
// on-call after 5 minutes and all team members after 10.
func (a *account) createDefaultResources(t *team, tz string) {
	sc := &schedule{id: a.ids.Next(), name: t.name + "_schedule", timezone: tz, enabled: true, ownerTeamID: t.id}
	if a.schedulesByNm[strings.ToLower(sc.name)] == nil {
		a.insertSchedule(sc)
	} else {
		sc = a.schedulesByNm[strings.ToLower(sc.name)]
	}
	if a.escalationsNm[strings.ToLower(t.name+"_escalation")] != nil {
		return
	}
	a.insertEscalation(&escalation{
		id: a.ids.Next(), name: t.name + "_escalation", ownerTeamID: t.id,
		rules: []rule{
			{condition: "if-not-acked", notifyType: "default", delayMin: 0, recipient: ref{refSchedule, sc.id}},
			{condition: "if-not-acked", notifyType: "next", delayMin: 5, recipient: ref{refSchedule, sc.id}},
			{condition: "if-not-acked", notifyType: "all", delayMin: 10, recipient: ref{refTeam, t.id}},
		},
	})
}

func teamNotFound(ident string, byName bool) reply {
	kind := "id"
	if byName {
		kind = "name"
	}
	return errReply(http.StatusNotFound, fmt.Sprintf("No team exists with %s [%s].", kind, ident))
}

// getTeam: GET /v2/teams/{identifier}?identifierType=id|name.
func (s *Server) getTeam(c *call) reply {
	byName, bad := identifierType(c.query, "identifierType")
	if bad != nil {
		return *bad
	}
	s.acct.mu.RLock()
	defer s.acct.mu.RUnlock()
	t := s.acct.lookupTeam(c.params[0], byName)
	if t == nil {
		return teamNotFound(c.params[0], byName)
	}
	return dataReply(http.StatusOK, s.renderTeam(baseURL(c.r), t, true))
}

// listTeams: GET /v2/teams[?expand=member], sorted by name. With
// Behavior.IgnoreExpandMember the expansion and the "expandable" key are
// left out; with Behavior.ListLag the list is the account as it was then.
func (s *Server) listTeams(c *call) reply {
	expand := !s.beh.IgnoreExpandMember && slices.Contains(strings.Split(c.query.Get("expand"), ","), "member")
	base := baseURL(c.r)
	var out []teamJSON
	if snap := s.lagged(); snap != nil {
		out = make([]teamJSON, 0, len(snap.teams))
		for _, t := range snap.teams {
			out = append(out, s.renderTeamSnap(base, t, expand))
		}
	} else {
		s.acct.mu.RLock()
		out = make([]teamJSON, 0, len(s.acct.teamOrder))
		for _, t := range s.acct.teamOrder {
			tj := s.renderTeam(base, t, expand)
			if expand && tj.Members == nil {
				tj.Members = &[]memberJSON{}
			}
			out = append(out, tj)
		}
		s.acct.mu.RUnlock()
	}
	b := appendMember(nil, "data", out)
	if !s.beh.IgnoreExpandMember {
		b = appendMember(b, "expandable", []string{"member"})
	}
	return reply{status: http.StatusOK, body: b}
}

// updateTeam: PATCH /v2/teams/{id}. members replaces the member set when
// present ([] empties it) and leaves it alone when absent or null; with
// Behavior.TeamPatchMembers "ignore" the key is not even read.
func (s *Server) updateTeam(c *call) reply {
	m, bad := readObject(c.r)
	if bad != nil {
		return *bad
	}
	errs := map[string]string{}
	var name, desc string
	hasName := field(m, "name", &name, errs, "a string") && name != ""
	hasDesc := field(m, "description", &desc, errs, "a string")
	if hasName {
		if msg := checkTeamName(name); msg != "" {
			errs["name"] = msg
		}
	}
	if utf8.RuneCountInString(desc) > maxTeamDescriptionLen {
		errs["description"] = fmt.Sprintf("description can be at most %d characters", maxTeamDescriptionLen)
	}

	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t := s.acct.teams[c.params[0]]
	if t == nil {
		return teamNotFound(c.params[0], false)
	}
	var members []member
	hasMembers := present(m, "members") && s.beh.TeamPatchMembers == TeamPatchMembersReplace
	if hasMembers {
		members = s.acct.parseMembers(m["members"], errs)
	}
	if len(errs) > 0 {
		return invalid(errs)
	}
	if hasName && name != t.name {
		if other := s.acct.teamsByName[strings.ToLower(name)]; other != nil && other != t {
			return teamConflict()
		}
		old := t.name
		s.acct.renameTeam(t, name)
		s.acct.record(Mutation{Source: SourceAPI, Op: OpRenameTeam, Team: t.name, TeamID: t.id, Detail: "was " + old})
	}
	if hasDesc && desc != t.description {
		t.description = desc
		s.acct.record(Mutation{Source: SourceAPI, Op: OpUpdateTeam, Team: t.name, TeamID: t.id, Detail: "description"})
	}
	if hasMembers {
		s.acct.setMembers(SourceAPI, t, members)
	}
	return resultReply(http.StatusOK, "Updated", t.id, t.name)
}

// withTeam answers with f on the team of the path, found by the identifier
// type of the query parameter param, under the write lock; an unknown team
// is 404.
func (s *Server) withTeam(c *call, param string, f func(t *team) reply) reply {
	byName, bad := identifierType(c.query, param)
	if bad != nil {
		return *bad
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t := s.acct.lookupTeam(c.params[0], byName)
	if t == nil {
		return teamNotFound(c.params[0], byName)
	}
	return f(t)
}

// deleteTeam: DELETE /v2/teams/{identifier}?identifierType=id|name. The
// schedules and escalations the team owns go with it; a team (or an owned
// schedule or escalation) still referenced from outside is refused with 428.
// With Behavior.TeamDelete "refuse", a team owning any schedule or
// escalation is refused with 428 naming them.
func (s *Server) deleteTeam(c *call) reply {
	return s.withTeam(c, "identifierType", func(t *team) reply {
		a := s.acct
		owned := map[ref]bool{{refTeam, t.id}: true}
		var ownedScheds, ownedEscs []string
		for _, sc := range a.scheduleOrder {
			if sc.ownerTeamID == t.id {
				owned[ref{refSchedule, sc.id}] = true
				ownedScheds = append(ownedScheds, sc.name)
			}
		}
		for _, e := range a.escalationOrdr {
			if e.ownerTeamID == t.id {
				owned[ref{refEscalation, e.id}] = true
				ownedEscs = append(ownedEscs, e.name)
			}
		}
		if s.beh.TeamDelete == TeamDeleteRefuse && len(ownedScheds)+len(ownedEscs) > 0 {
			return errReply(http.StatusPreconditionRequired, fmt.Sprintf(
				"Team [%s] owns %s. Please delete them before deleting the team.", t.name, ownedDetail(ownedScheds, ownedEscs)))
		}
		var blockers []string
		for _, sc := range a.scheduleOrder {
			if !owned[ref{refSchedule, sc.id}] && slices.ContainsFunc(sc.rotations, func(r rotation) bool {
				return slices.ContainsFunc(r.participants, func(p ref) bool { return owned[p] })
			}) {
				blockers = append(blockers, "schedule "+sc.name)
			}
		}
		for _, e := range a.escalationOrdr {
			if !owned[ref{refEscalation, e.id}] && slices.ContainsFunc(e.rules, func(r rule) bool { return owned[r.recipient] }) {
				blockers = append(blockers, "escalation "+e.name)
			}
		}
		if len(blockers) > 0 {
			return errReply(http.StatusPreconditionRequired, fmt.Sprintf(
				"Team [%s] or a schedule or escalation it owns is in use. Please remove it from [%s] before deleting it.",
				t.name, strings.Join(blockers, ", ")))
		}
		for _, sc := range slices.Clone(a.scheduleOrder) {
			if sc.ownerTeamID == t.id {
				a.removeSchedule(sc)
			}
		}
		for _, e := range slices.Clone(a.escalationOrdr) {
			if e.ownerTeamID == t.id {
				a.removeEscalation(e)
			}
		}
		a.record(Mutation{Source: SourceAPI, Op: OpDeleteTeam, Team: t.name, TeamID: t.id, Detail: ownedDetail(ownedScheds, ownedEscs)})
		for _, m := range t.members {
			a.recordMember(SourceAPI, OpRemoveMember, t, m.userID, m.role, "with the team")
		}
		a.removeTeam(t)
		return reply{status: http.StatusOK, body: appendMember(nil, "result", "Deleted")}
	})
}

// addMember: POST /v2/teams/{identifier}/members?teamIdentifierType=id|name.
// Adding a member again does what Behavior.MemberReAdd says: change its role
// (the default), answer 409, or keep its role.
func (s *Server) addMember(c *call) reply {
	byName, bad := identifierType(c.query, "teamIdentifierType")
	if bad != nil {
		return *bad
	}
	m, badBody := readObject(c.r)
	if badBody != nil {
		return *badBody
	}
	errs := map[string]string{}
	var ref memberRef
	if present(m, "user") {
		if err := json.Unmarshal(m["user"], &ref.User); err != nil {
			errs["user"] = `must be an object {"id"|"username"}`
		}
	} else {
		errs["user"] = "user is required"
	}
	field(m, "role", &ref.Role, errs, "a string")

	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t := s.acct.lookupTeam(c.params[0], byName)
	if t == nil {
		return teamNotFound(c.params[0], byName)
	}
	if len(errs) > 0 {
		return invalid(errs)
	}
	mem, msg := s.acct.resolveMember(ref)
	if msg != "" {
		key := "user"
		if strings.HasPrefix(msg, "role") {
			key = "role"
		}
		return invalidField(key, msg)
	}
	i := t.memberIndex(mem.userID)
	switch {
	case i < 0:
		s.acct.recordMember(SourceAPI, OpAddMember, t, mem.userID, mem.role, "")
		t.members = append(t.members, mem)
	case s.beh.MemberReAdd == MemberReAddConflict:
		return errReply(http.StatusConflict, fmt.Sprintf("User [%s] is already a member of team [%s].",
			s.acct.usersByID[mem.userID].username, t.name))
	case s.beh.MemberReAdd == MemberReAddUpdateRole && t.members[i].role != mem.role:
		s.acct.recordMember(SourceAPI, OpSetMemberRole, t, mem.userID, mem.role, "was "+t.members[i].role)
		t.members[i].role = mem.role
	}
	return resultReply(http.StatusOK, "Added", t.id, t.name)
}

// removeMember: DELETE /v2/teams/{identifier}/members/{memberIdentifier}
// ?teamIdentifierType=id|name; the member is a user id or username.
func (s *Server) removeMember(c *call) reply {
	return s.withTeam(c, "teamIdentifierType", func(t *team) reply {
		u := s.acct.lookupUser(c.params[1])
		if u == nil {
			return userNotFound(c.params[1])
		}
		i := t.memberIndex(u.id)
		if i < 0 {
			return errReply(http.StatusNotFound, fmt.Sprintf("User [%s] is not a member of team [%s].", u.username, t.name))
		}
		s.acct.recordMember(SourceAPI, OpRemoveMember, t, u.id, t.members[i].role, "")
		t.members = slices.Delete(t.members, i, i+1)
		return resultReply(http.StatusOK, "Removed", t.id, t.name)
	})
}
