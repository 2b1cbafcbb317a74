package atlsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"unicode/utf8"
)

// Limits of the Teams API (reference §2.1, §2.2).
const (
	maxDisplayName  = 250
	maxDescription  = 360
	maxTeamsSize    = 300
	defaultTeamSize = 50
	maxBatch        = 50
	maxCursorLen    = 255
)

// Per-member error codes of members/add and members/remove. The reference
// documents none (Q13); these are the emulator's.
const (
	CodeUserNotFound  = "USER_NOT_FOUND"
	CodeAlreadyMember = "ALREADY_MEMBER"
	CodeNotAMember    = "NOT_A_MEMBER"
	CodeUserInactive  = "USER_INACTIVE"
)

// codeInvalid is the Teams API's code for bad input ([obs] TP #35).
const codeInvalid = "INVALID_OR_PARAMETER_MISSING"

type teamJSON struct {
	TeamID            string           `json:"teamId"`
	DisplayName       string           `json:"displayName"`
	Description       string           `json:"description"`
	OrganizationID    string           `json:"organizationId"`
	TeamType          string           `json:"teamType"`
	State             string           `json:"state"`
	CreatorID         *string          `json:"creatorId"`
	ExternalReference *json.RawMessage `json:"externalReference"`
	UserPermissions   *userPerms       `json:"userPermissions,omitempty"`
	Members           []accountRef     `json:"members,omitempty"`
}

type userPerms struct {
	AddMembers    bool `json:"ADD_MEMBERS"`
	DeleteTeam    bool `json:"DELETE_TEAM"`
	RemoveMembers bool `json:"REMOVE_MEMBERS"`
	UpdateTeam    bool `json:"UPDATE_TEAM"`
}

type accountRef struct {
	AccountID string `json:"accountId"`
}

// teamView renders a team; withPerms adds userPermissions (get, update,
// create). The caller is taken to be an org admin: every permission is
// granted, except member changes on EXTERNAL teams.
func (s *Server) teamView(t *team, withPerms bool) teamJSON {
	v := teamJSON{TeamID: t.id, DisplayName: t.name, Description: t.description, OrganizationID: s.orgID,
		TeamType: t.teamType, State: t.state}
	if t.creatorID != "" {
		v.CreatorID = &t.creatorID
	}
	if withPerms {
		ext := t.teamType == TeamTypeExternal
		v.UserPermissions = &userPerms{AddMembers: !ext, DeleteTeam: true, RemoveMembers: !ext, UpdateTeam: true}
	}
	return v
}

func (s *Server) teamsErr(status int, code, msg string) reply {
	return s.apiErr(apiTeams, status, code, msg)
}

func (s *Server) invalid(msg string) reply {
	return s.teamsErr(http.StatusBadRequest, codeInvalid, msg)
}

// siteParam checks the optional siteId query parameter: it must be the
// cloud id when given. It reports whether one was given.
func (s *Server) siteParam(c *call) (bool, *reply) {
	site := c.query.Get("siteId")
	if site == "" {
		return false, nil
	}
	if len(site) > 255 || site != s.cloudID {
		rep := s.invalid("siteId is not a site of this organization")
		return true, &rep
	}
	return true, nil
}

// visible reports whether a team shows to a read made with or without
// siteId under Behavior.SiteScopedTeams.
func (s *Server) visible(t *team, withSite bool) bool {
	return !s.beh.SiteScopedTeams || withSite || !t.siteScoped
}

// findTeam resolves {teamId}: 404 when unknown (or hidden by site
// scoping), 410 when deleted. Callers hold the lock.
func (s *Server) findTeam(c *call, withSite bool) (*team, *reply) {
	id := c.params["teamId"]
	t := s.acct.teamByID(id)
	if t == nil || !s.visible(t, withSite) {
		rep := s.teamsErr(http.StatusNotFound, "NOT_FOUND", "Team not found: "+id)
		return nil, &rep
	}
	if t.deleted {
		rep := s.teamsErr(http.StatusGone, "GONE", "Team has been deleted: "+id)
		return nil, &rep
	}
	return t, nil
}

// listTeams is GET /teams: cursor paging over the org's teams (deleted
// ones left out, archived ones in), size ≤ 300.
func (s *Server) listTeams(c *call) reply {
	withSite, rep := s.siteParam(c)
	if rep != nil {
		return *rep
	}
	size, err := intParam(c.query, "size", defaultTeamSize, 1, 1<<30)
	if err != nil {
		return s.invalid(err.Error())
	}
	if size > maxTeamsSize {
		if s.beh.RejectOverMax {
			return s.invalid(fmt.Sprintf("size must be at most %d", maxTeamsSize))
		}
		size = maxTeamsSize
	}
	cur := c.query.Get("cursor")
	after, ok := decodeCursor(cur)
	if !ok || len(cur) > maxCursorLen {
		return s.invalid("cursor is not valid")
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	var live []*team
	for _, t := range s.acct.teams {
		if !t.deleted && s.visible(t, withSite) {
			live = append(live, t)
		}
	}
	page, next := pageAfter(live, func(t *team) int { return t.seq }, after, size)
	ents := make([]teamJSON, 0, len(page))
	for _, t := range page {
		ents = append(ents, s.teamView(t, false))
	}
	var nextCur *string
	if next != "" {
		nextCur = &next
	}
	return reply{status: http.StatusOK, body: struct {
		Cursor   *string    `json:"cursor"`
		Entities []teamJSON `json:"entities"`
	}{nextCur, ents}}
}

type teamBody struct {
	DisplayName *string `json:"displayName"`
	Description *string `json:"description"`
	TeamType    *string `json:"teamType"`
	SiteID      *string `json:"siteId"`
}

// createTeam is POST /teams: 201 with the team, its permissions and its
// members, the caller auto-added as the first one.
func (s *Server) createTeam(c *call) reply {
	var b teamBody
	if err := readBody(c.r, &b, false); err != nil {
		return s.invalid(err.Error())
	}
	switch {
	case b.DisplayName == nil || *b.DisplayName == "":
		return s.invalid("displayName is required")
	case utf8.RuneCountInString(*b.DisplayName) > maxDisplayName:
		return s.invalid(fmt.Sprintf("displayName must be at most %d characters", maxDisplayName))
	case b.Description == nil:
		return s.invalid("description is required")
	case utf8.RuneCountInString(*b.Description) > maxDescription:
		return s.invalid(fmt.Sprintf("description must be at most %d characters", maxDescription))
	case b.TeamType == nil:
		return s.invalid("teamType is required")
	case !slices.Contains([]string{TeamTypeOpen, TeamTypeMemberInvite, TeamTypeOrgAdminManaged}, *b.TeamType):
		return s.invalid("teamType must be OPEN, MEMBER_INVITE or ORG_ADMIN_MANAGED")
	}
	site := ""
	if b.SiteID != nil {
		site = *b.SiteID
	}
	if site != "" && site != s.cloudID {
		return s.invalid("siteId is not a site of this organization")
	}
	if site == "" && s.beh.SiteScopedTeams {
		return s.invalid("siteId is required: this organization uses site-scoped teams")
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t := &team{seq: s.acct.nextSeq(), id: s.acct.ids.Next(), name: *b.DisplayName, description: *b.Description,
		teamType: *b.TeamType, state: TeamStateActive, creatorID: c.caller.accountID, siteScoped: site != "",
		createdAt: s.clock(), viaAPI: true}
	t.members = []member{{seq: s.acct.nextSeq(), accountID: c.caller.accountID}}
	s.acct.teams = append(s.acct.teams, t)
	s.acct.record(Mutation{Source: SourceAPI, Op: OpCreateTeam, Team: t.name, TeamID: t.id})
	s.acct.recordMember(OpAddMember, t, c.caller.accountID, "the caller, added on create")
	v := s.teamView(t, true)
	v.Members = []accountRef{{c.caller.accountID}}
	return reply{status: http.StatusCreated, body: v}
}

// getTeam is GET /teams/{teamId}: the team without members.
func (s *Server) getTeam(c *call) reply {
	withSite, rep := s.siteParam(c)
	if rep != nil {
		return *rep
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t, rep := s.findTeam(c, withSite)
	if rep != nil {
		return *rep
	}
	return reply{status: http.StatusOK, body: s.teamView(t, true)}
}

// patchTeam is PATCH /teams/{teamId}: displayName and/or description;
// teamType is immutable (400 when it differs).
func (s *Server) patchTeam(c *call) reply {
	var b teamBody
	if err := readBody(c.r, &b, false); err != nil {
		return s.invalid(err.Error())
	}
	switch {
	case b.DisplayName != nil && *b.DisplayName == "":
		return s.invalid("displayName must not be empty")
	case b.DisplayName != nil && utf8.RuneCountInString(*b.DisplayName) > maxDisplayName:
		return s.invalid(fmt.Sprintf("displayName must be at most %d characters", maxDisplayName))
	case b.Description != nil && utf8.RuneCountInString(*b.Description) > maxDescription:
		return s.invalid(fmt.Sprintf("description must be at most %d characters", maxDescription))
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t, rep := s.findTeam(c, true)
	if rep != nil {
		return *rep
	}
	if b.TeamType != nil && *b.TeamType != t.teamType {
		return s.invalid("teamType cannot be changed")
	}
	if b.DisplayName != nil && *b.DisplayName != t.name {
		old := t.name
		t.name = *b.DisplayName
		s.acct.record(Mutation{Source: SourceAPI, Op: OpRenameTeam, Team: t.name, TeamID: t.id, Detail: "was " + old})
	}
	if b.Description != nil && *b.Description != t.description {
		t.description = *b.Description
		s.acct.record(Mutation{Source: SourceAPI, Op: OpUpdateTeam, Team: t.name, TeamID: t.id, Detail: "description"})
	}
	return reply{status: http.StatusOK, body: s.teamView(t, true)}
}

// deleteTeam is DELETE /teams/{teamId}: later reads answer 410. The
// team's escalations and schedules go with it.
func (s *Server) deleteTeam(c *call) reply {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t, rep := s.findTeam(c, true)
	if rep != nil {
		return *rep
	}
	t.deleted = true
	s.acct.record(Mutation{Source: SourceAPI, Op: OpDeleteTeam, Team: t.name, TeamID: t.id})
	s.acct.schedules = slices.DeleteFunc(s.acct.schedules, func(sc *schedule) bool {
		if sc.teamID == t.id {
			s.acct.record(Mutation{Source: SourceAPI, Op: OpDeleteSchedule, Team: t.name, TeamID: t.id, Detail: sc.name + " (with the team)"})
			return true
		}
		return false
	})
	s.acct.escalations = slices.DeleteFunc(s.acct.escalations, func(e *escalation) bool {
		if e.teamID == t.id {
			s.acct.record(Mutation{Source: SourceAPI, Op: OpDeleteEscalation, Team: t.name, TeamID: t.id, Detail: e.name + " (with the team)"})
			return true
		}
		return false
	})
	return reply{status: s.beh.TeamDeleteStatus}
}

// restoreTeam is POST /teams/{teamId}/restore: undoes a delete (members
// kept; schedules and escalations deleted with it stay deleted).
func (s *Server) restoreTeam(c *call) reply {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	id := c.params["teamId"]
	t := s.acct.teamByID(id)
	if t == nil {
		return s.teamsErr(http.StatusNotFound, "NOT_FOUND", "Team not found: "+id)
	}
	if !t.deleted {
		return s.teamsErr(http.StatusConflict, "CONFLICT", "Team is not deleted: "+id)
	}
	t.deleted = false
	s.acct.record(Mutation{Source: SourceAPI, Op: OpRestoreTeam, Team: t.name, TeamID: t.id})
	return reply{status: http.StatusOK, body: s.teamView(t, true)}
}

// listMembers is POST /teams/{teamId}/members: {first, after} in,
// {results, pageInfo: {endCursor, hasNextPage}} out, in join order.
func (s *Server) listMembers(c *call) reply {
	withSite, rep := s.siteParam(c)
	if rep != nil {
		return *rep
	}
	var b struct {
		First *int    `json:"first"`
		After *string `json:"after"`
	}
	if err := readBody(c.r, &b, true); err != nil {
		return s.invalid(err.Error())
	}
	first := s.beh.MembersPageMax
	if b.First != nil {
		first = *b.First
	}
	if first < 1 {
		return s.invalid("first must be positive")
	}
	if first > s.beh.MembersPageMax {
		if s.beh.RejectOverMax {
			return s.invalid(fmt.Sprintf("first must be at most %d", s.beh.MembersPageMax))
		}
		first = s.beh.MembersPageMax
	}
	after := 0
	if b.After != nil {
		var ok bool
		if after, ok = decodeCursor(*b.After); !ok || len(*b.After) > maxCursorLen {
			return s.invalid("after is not a valid cursor")
		}
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t, rep := s.findTeam(c, withSite)
	if rep != nil {
		return *rep
	}
	page, next := pageAfter(t.members, func(m member) int { return m.seq }, after, first)
	res := make([]accountRef, 0, len(page))
	for _, m := range page {
		res = append(res, accountRef{m.accountID})
	}
	type pageInfo struct {
		EndCursor   *string `json:"endCursor"`
		HasNextPage bool    `json:"hasNextPage"`
	}
	pi := pageInfo{HasNextPage: next != ""}
	if len(page) > 0 {
		end := encodeCursor(page[len(page)-1].seq)
		pi.EndCursor = &end
	}
	return reply{status: http.StatusOK, body: struct {
		Results  []accountRef `json:"results"`
		PageInfo pageInfo     `json:"pageInfo"`
	}{res, pi}}
}

type memberError struct {
	AccountID string `json:"accountId"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

// batch reads {members: [{accountId}]}: 1 to 50 unique non-empty ids.
func (s *Server) batch(c *call) ([]string, *reply) {
	var b struct {
		Members []accountRef `json:"members"`
	}
	if err := readBody(c.r, &b, false); err != nil {
		rep := s.invalid(err.Error())
		return nil, &rep
	}
	if len(b.Members) < 1 || len(b.Members) > maxBatch {
		rep := s.invalid(fmt.Sprintf("members must hold between 1 and %d entries, not %d", maxBatch, len(b.Members)))
		return nil, &rep
	}
	ids := make([]string, 0, len(b.Members))
	for _, m := range b.Members {
		if m.AccountID == "" {
			rep := s.invalid("members[].accountId is required")
			return nil, &rep
		}
		if slices.Contains(ids, m.AccountID) {
			rep := s.invalid("members must be unique: " + m.AccountID + " is given twice")
			return nil, &rep
		}
		ids = append(ids, m.AccountID)
	}
	return ids, nil
}

// memberTeam resolves the team of a members/add or /remove call: EXTERNAL
// teams get 403 (membership comes from their source).
func (s *Server) memberTeam(c *call) (*team, *reply) {
	t, rep := s.findTeam(c, true)
	if rep != nil {
		return nil, rep
	}
	if t.teamType == TeamTypeExternal {
		r := s.teamsErr(http.StatusForbidden, "FORBIDDEN", "Membership of an EXTERNAL team is managed by its source")
		return nil, &r
	}
	return t, nil
}

// withMemberBatch answers a members add or remove with f on the team and
// the accountIds of the batch, under the lock.
func (s *Server) withMemberBatch(c *call, f func(t *team, ids []string) reply) reply {
	ids, rep := s.batch(c)
	if rep != nil {
		return *rep
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t, rep := s.memberTeam(c)
	if rep != nil {
		return *rep
	}
	return f(t, ids)
}

// addMembers is POST /teams/{teamId}/members/add: 200 even on partial
// failure, with the members added and per-member errors.
func (s *Server) addMembers(c *call) reply {
	return s.withMemberBatch(c, func(t *team, ids []string) reply {
		added := []accountRef{}
		errs := []memberError{}
		for _, id := range ids {
			u := s.acct.userByID(id)
			switch {
			case u == nil:
				errs = append(errs, memberError{id, CodeUserNotFound, "No user found with accountId " + id})
			case u.status != StatusActive:
				errs = append(errs, memberError{id, CodeUserInactive, "User " + id + " is not active"})
			case t.isMember(id) && s.beh.AddExistingMember == AddExistingError:
				errs = append(errs, memberError{id, CodeAlreadyMember, "User " + id + " is already a member of the team"})
			case t.isMember(id):
				added = append(added, accountRef{id})
			default:
				t.members = append(t.members, member{seq: s.acct.nextSeq(), accountID: id})
				s.acct.recordMember(OpAddMember, t, id, "")
				added = append(added, accountRef{id})
			}
		}
		return reply{status: http.StatusOK, body: struct {
			Members []accountRef  `json:"members"`
			Errors  []memberError `json:"errors"`
		}{added, errs}}
	})
}

// removeMembers is POST /teams/{teamId}/members/remove: 200 even on
// partial failure, with per-member errors.
func (s *Server) removeMembers(c *call) reply {
	return s.withMemberBatch(c, func(t *team, ids []string) reply {
		errs := []memberError{}
		for _, id := range ids {
			if !t.isMember(id) {
				errs = append(errs, memberError{id, CodeNotAMember, "User " + id + " is not a member of the team"})
				continue
			}
			t.members = slices.DeleteFunc(t.members, func(m member) bool { return m.accountID == id })
			s.acct.recordMember(OpRemoveMember, t, id, "")
		}
		return reply{status: http.StatusOK, body: struct {
			Errors []memberError `json:"errors"`
		}{errs}}
	})
}

// maxBulkTeams bounds the teamIds of archive and unarchive; the reference
// gives no limit.
const maxBulkTeams = 100

// archiveTeams is POST /teams/archive {teamIds}: 200 {successfulTeamIds,
// errors: [{teamId, code, message}]}.
func (s *Server) archiveTeams(c *call) reply {
	return s.bulkState(c, TeamStateActive, TeamStateArchived, "ALREADY_ARCHIVED", OpArchiveTeam)
}

// unarchiveTeams is POST /teams/unarchive {teamIds}: as archiveTeams.
func (s *Server) unarchiveTeams(c *call) reply {
	return s.bulkState(c, TeamStateArchived, TeamStateActive, "NOT_ARCHIVED", OpUnarchiveTeam)
}

func (s *Server) bulkState(c *call, from, to, wrongCode, op string) reply {
	var b struct {
		TeamIDs []string `json:"teamIds"`
	}
	if err := readBody(c.r, &b, false); err != nil {
		return s.invalid(err.Error())
	}
	if len(b.TeamIDs) < 1 || len(b.TeamIDs) > maxBulkTeams {
		return s.invalid(fmt.Sprintf("teamIds must hold between 1 and %d ids", maxBulkTeams))
	}
	type teamError struct {
		TeamID  string `json:"teamId"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	ok, errs := []string{}, []teamError{}
	for _, id := range b.TeamIDs {
		t := s.acct.teamByID(id)
		switch {
		case t == nil:
			errs = append(errs, teamError{id, "NOT_FOUND", "Team not found: " + id})
		case t.deleted:
			errs = append(errs, teamError{id, "GONE", "Team has been deleted: " + id})
		case t.state != from:
			errs = append(errs, teamError{id, wrongCode, "Team is " + t.state + ": " + id})
		default:
			t.state = to
			s.acct.record(Mutation{Source: SourceAPI, Op: op, Team: t.name, TeamID: t.id})
			ok = append(ok, id)
		}
	}
	return reply{status: http.StatusOK, body: struct {
		SuccessfulTeamIDs []string    `json:"successfulTeamIds"`
		Errors            []teamError `json:"errors"`
	}{ok, errs}}
}
