package atlsim

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ogsync/ogsync/internal/simkit"
)

// Page-size caps and defaults of JSM Ops lists (reference §3.5, §3.6).
const (
	opsForwardingMax   = 100
	opsForwardingDef   = 20
	opsScheduleMax     = 50
	opsScheduleDefault = 25
	opsEscalationMax   = 100
	opsEscalationDef   = 20
)

func (s *Server) opsErr(status int, msg string) reply {
	return s.apiErr(apiOps, status, strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_")), msg)
}

// opsAccess refuses (403) a caller without JSM access: the ops API needs
// a licensed account (reference §1.1).
func (s *Server) opsAccess(c *call) *reply {
	if !c.callerJSM {
		rep := s.opsErr(http.StatusForbidden, "User does not have access to Jira Service Management")
		return &rep
	}
	return nil
}

// tenantInfo is GET /_edge/tenant_info, without auth.
func (s *Server) tenantInfo(*call) reply {
	return reply{status: http.StatusOK, body: map[string]string{"cloudId": s.cloudID}}
}

// opsTeams is GET /v1/teams: the ops-enabled teams (every team under
// Behavior.OpsTeamsListAll), unpaged, in creation order.
func (s *Server) opsTeams(c *call) reply {
	if rep := s.opsAccess(c); rep != nil {
		return *rep
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	type platformTeam struct {
		TeamID   string `json:"teamId"`
		TeamName string `json:"teamName"`
	}
	out := []platformTeam{}
	for _, t := range s.acct.teams {
		if !t.deleted && (t.ops || s.beh.OpsTeamsListAll) {
			out = append(out, platformTeam{t.id, t.name})
		}
	}
	return reply{status: http.StatusOK, body: map[string]any{"platformTeams": out}}
}

// opsTeam finds a live team for the ops side; 404 with the observed
// message otherwise. Callers hold the lock.
func (s *Server) opsTeam(id string, needOps bool) (*team, *reply) {
	t := s.acct.teamByID(id)
	if t == nil || t.deleted || (needOps && !t.ops) {
		rep := s.opsErr(http.StatusNotFound, "Team not found with identifier: "+id)
		return nil, &rep
	}
	return t, nil
}

// enableOps is POST /v1/teams/{teamId}/enable-ops: {adminAccountIds}
// (platformTeamId and inviteUsernames tolerated and ignored) → 200
// {requestId}. A team created through the API stays invisible for the
// first Behavior.OpsInvisibleCalls calls and Behavior.OpsInvisibleFor.
func (s *Server) enableOps(c *call) reply {
	if rep := s.opsAccess(c); rep != nil {
		return *rep
	}
	var b struct {
		AdminAccountIDs []string `json:"adminAccountIds"`
		PlatformTeamID  string   `json:"platformTeamId"`
		InviteUsernames []string `json:"inviteUsernames"`
	}
	if err := readBody(c.r, &b, true); err != nil {
		return s.opsErr(http.StatusBadRequest, err.Error())
	}
	id := c.params["teamId"]
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t, rep := s.opsTeam(id, false)
	if rep != nil {
		return *rep
	}
	if b.PlatformTeamID != "" && b.PlatformTeamID != id {
		return s.opsErr(http.StatusUnprocessableEntity, "platformTeamId does not match the team in the path")
	}
	if t.viaAPI {
		hidden := t.invisibleCalls < s.beh.OpsInvisibleCalls ||
			(s.beh.OpsInvisibleFor > 0 && s.clock().Before(t.createdAt.Add(s.beh.OpsInvisibleFor)))
		if hidden {
			t.invisibleCalls++
			if s.beh.OpsInvisibleStatus == http.StatusUnprocessableEntity {
				return s.opsErr(http.StatusUnprocessableEntity, "Team is not ready for operations: "+id)
			}
			return s.opsErr(http.StatusNotFound, "Team not found with identifier: "+id)
		}
	}
	if t.ops {
		switch s.beh.EnableAgain {
		case EnableAgainConflict:
			return s.opsErr(http.StatusConflict, "Operations are already enabled for team: "+id)
		case EnableAgainUnprocessable:
			return s.opsErr(http.StatusUnprocessableEntity, "Operations are already enabled for team: "+id)
		}
	}
	for _, a := range b.AdminAccountIDs {
		if s.acct.userByID(a) == nil || !t.isMember(a) {
			return s.opsErr(http.StatusUnprocessableEntity, "adminAccountIds: "+a+" is not a member of the team")
		}
	}
	req := &opsRequest{id: s.acct.ids.Next(), teamID: t.id, pending: s.beh.EnablePendingPolls, final: "SUCCESSFUL"}
	if s.beh.EnableFails {
		req.final = "FAILED"
	}
	s.acct.requests[req.id] = req
	if !t.ops && !s.beh.EnableFails {
		s.turnOpsOn(t, b.AdminAccountIDs)
	}
	return reply{status: http.StatusOK, body: map[string]string{"requestId": req.id}}
}

// turnOpsOn enables operations for t with its admins and, unless
// Behavior.NoDefaultOpsResources, its default schedule and escalation.
// The change is visible at once; only the request status lags.
func (s *Server) turnOpsOn(t *team, admins []string) {
	t.ops = true
	t.opsAdmins = slices.Clone(admins)
	s.acct.record(Mutation{Source: SourceAPI, Op: OpEnableOps, Team: t.name, TeamID: t.id,
		Detail: "admins [" + strings.Join(admins, ", ") + "]"})
	if s.beh.NoDefaultOpsResources {
		return
	}
	sc := &schedule{seq: s.acct.nextSeq(), id: s.acct.ids.Next(), name: t.name + "_schedule", timezone: "UTC",
		enabled: true, teamID: t.id}
	s.acct.schedules = append(s.acct.schedules, sc)
	s.acct.record(Mutation{Source: SourceAPI, Op: OpCreateSchedule, Team: t.name, TeamID: t.id, Detail: sc.name})
	e := &escalation{seq: s.acct.nextSeq(), id: s.acct.ids.Next(), name: t.name + "_escalation", enabled: true, teamID: t.id,
		rules: []rule{{condition: "if-not-acked", notifyType: "default", recipient: ref{Type: "schedule", ID: sc.id}}}}
	s.acct.escalations = append(s.acct.escalations, e)
	s.acct.record(Mutation{Source: SourceAPI, Op: OpCreateEscalation, Team: t.name, TeamID: t.id, Detail: e.name})
}

// opsRequestStatus is GET /v1/teams/{teamId}/requests/{requestId}:
// IN_PROGRESS for the first Behavior.EnablePendingPolls polls, then the
// final status.
func (s *Server) opsRequestStatus(c *call) reply {
	if rep := s.opsAccess(c); rep != nil {
		return *rep
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	req := s.acct.requests[c.params["requestId"]]
	if req == nil || req.teamID != c.params["teamId"] {
		return s.opsErr(http.StatusNotFound, "Request not found with identifier: "+c.params["requestId"])
	}
	status := req.final
	if req.polls < req.pending {
		status = "IN_PROGRESS"
	}
	req.polls++
	return reply{status: http.StatusOK, body: map[string]any{
		"requestId": req.id, "teamId": req.teamID, "status": map[string]string{"value": status}}}
}

// teamRoles is GET /v1/teams/{teamId}/roles: a bare array, unpaged.
func (s *Server) teamRoles(c *call) reply {
	if rep := s.opsAccess(c); rep != nil {
		return *rep
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t, rep := s.opsTeam(c.params["teamId"], true)
	if rep != nil {
		return *rep
	}
	out := []teamRole{}
	out = append(out, t.roles...)
	return reply{status: http.StatusOK, body: out}
}

// offsetPage reads offset and size (1..max, default def) and returns the
// window [from, to) of n items and the relative links.next ("" on the last
// page), which keeps the request's other query parameters.
func (s *Server) offsetPage(c *call, path string, n, def, maxSize int) (from, to int, next string, rep *reply) {
	size, err := intParam(c.query, "size", def, 1, 1<<30)
	if err != nil {
		r := s.opsErr(http.StatusBadRequest, err.Error())
		return 0, 0, "", &r
	}
	if size > maxSize {
		if s.beh.RejectOverMax {
			r := s.opsErr(http.StatusBadRequest, "size must be between 1 and "+strconv.Itoa(maxSize))
			return 0, 0, "", &r
		}
		size = maxSize
	}
	offset, err := intParam(c.query, "offset", 0, 0, 1<<30)
	if err != nil {
		r := s.opsErr(http.StatusBadRequest, err.Error())
		return 0, 0, "", &r
	}
	from, to = min(offset, n), min(offset+size, n)
	if to < n {
		q := url.Values{}
		for k, v := range c.query {
			q[k] = v
		}
		q.Set("offset", strconv.Itoa(to))
		q.Set("size", strconv.Itoa(size))
		next = path + "?" + q.Encode()
	}
	return from, to, next, nil
}

func pageBody(values any, next string) map[string]any {
	links := map[string]string{}
	if next != "" {
		links["next"] = next
	}
	return map[string]any{"values": values, "links": links}
}

type scheduleJSON struct {
	simkit.ScheduleJSON
	TeamID    string         `json:"teamId"`
	Rotations []rotationJSON `json:"rotations,omitempty"`
}

type rotationJSON = simkit.RotationJSON[ref]

func rotationView(r *rotation) rotationJSON {
	return rotationJSON{ID: r.id, Name: r.name, StartDate: r.startDate, EndDate: r.endDate, Type: r.rotType,
		Length: r.length, Participants: append([]ref{}, r.participants...)}
}

func scheduleView(sc *schedule, expand bool) scheduleJSON {
	v := scheduleJSON{ScheduleJSON: simkit.ScheduleJSON{ID: sc.id, Name: sc.name, Description: sc.description, Timezone: sc.timezone,
		Enabled: sc.enabled}, TeamID: sc.teamID}
	if expand {
		v.Rotations = []rotationJSON{}
		for _, r := range sc.rotations {
			v.Rotations = append(v.Rotations, rotationView(r))
		}
	}
	return v
}

// listSchedules is GET /v1/schedules: query (exact name, or prefix with
// a trailing "*", case-insensitive), offset/size ≤ 50 (default 25),
// expand=rotation.
func (s *Server) listSchedules(c *call) reply {
	if rep := s.opsAccess(c); rep != nil {
		return *rep
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	q := strings.ToLower(c.query.Get("query"))
	var hits []*schedule
	for _, sc := range s.acct.schedules {
		name := strings.ToLower(sc.name)
		if p, ok := strings.CutSuffix(q, "*"); ok {
			if !strings.HasPrefix(name, p) {
				continue
			}
		} else if q != "" && name != q {
			continue
		}
		hits = append(hits, sc)
	}
	from, to, next, rep := s.offsetPage(c, "/v1/schedules", len(hits), opsScheduleDefault, opsScheduleMax)
	if rep != nil {
		return *rep
	}
	expand := slices.Contains(strings.Split(c.query.Get("expand"), ","), "rotation")
	vals := []scheduleJSON{}
	for _, sc := range hits[from:to] {
		vals = append(vals, scheduleView(sc, expand))
	}
	body := pageBody(vals, next)
	if expand {
		body["_expands"] = []string{"rotation"}
	}
	return reply{status: http.StatusOK, body: body}
}

func (s *Server) findSchedule(c *call) (*schedule, *reply) {
	sc := s.acct.scheduleByID(c.params["id"])
	if sc == nil {
		rep := s.opsErr(http.StatusNotFound, "Schedule not found with identifier: "+c.params["id"])
		return nil, &rep
	}
	return sc, nil
}

// withSchedule answers with f on the schedule {id}, under the lock, once
// the caller has Ops access; an unknown schedule is 404.
func (s *Server) withSchedule(c *call, f func(sc *schedule) reply) reply {
	if rep := s.opsAccess(c); rep != nil {
		return *rep
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	sc, rep := s.findSchedule(c)
	if rep != nil {
		return *rep
	}
	return f(sc)
}

// getSchedule is GET /v1/schedules/{id}, rotations included.
func (s *Server) getSchedule(c *call) reply {
	return s.withSchedule(c, func(sc *schedule) reply {
		return reply{status: http.StatusOK, body: scheduleView(sc, true)}
	})
}

// deleteSchedule is DELETE /v1/schedules/{id}: 204.
func (s *Server) deleteSchedule(c *call) reply {
	return s.withSchedule(c, func(sc *schedule) reply {
		s.acct.schedules = slices.DeleteFunc(s.acct.schedules, func(x *schedule) bool { return x == sc })
		m := Mutation{Source: SourceAPI, Op: OpDeleteSchedule, TeamID: sc.teamID, Detail: sc.name}
		if t := s.acct.teamByID(sc.teamID); t != nil {
			m.Team = t.name
		}
		s.acct.record(m)
		return reply{status: http.StatusNoContent}
	})
}

// listRotations is GET /v1/schedules/{id}/rotations: offset/size ≤ 50.
func (s *Server) listRotations(c *call) reply {
	return s.withSchedule(c, func(sc *schedule) reply {
		from, to, next, rep := s.offsetPage(c, "/v1/schedules/"+url.PathEscape(sc.id)+"/rotations", len(sc.rotations), opsScheduleDefault, opsScheduleMax)
		if rep != nil {
			return *rep
		}
		vals := []rotationJSON{}
		for _, r := range sc.rotations[from:to] {
			vals = append(vals, rotationView(r))
		}
		return reply{status: http.StatusOK, body: pageBody(vals, next)}
	})
}

// getRotation is GET /v1/schedules/{id}/rotations/{rotationId}.
func (s *Server) getRotation(c *call) reply {
	return s.withSchedule(c, func(sc *schedule) reply {
		for _, r := range sc.rotations {
			if r.id == c.params["rotationId"] {
				return reply{status: http.StatusOK, body: rotationView(r)}
			}
		}
		return s.opsErr(http.StatusNotFound, "Rotation not found with identifier: "+c.params["rotationId"])
	})
}

// listOverrides is GET /v1/schedules/{id}/overrides: offset/size ≤ 50.
func (s *Server) listOverrides(c *call) reply {
	return s.withSchedule(c, func(sc *schedule) reply {
		from, to, next, rep := s.offsetPage(c, "/v1/schedules/"+url.PathEscape(sc.id)+"/overrides", len(sc.overrides), opsScheduleDefault, opsScheduleMax)
		if rep != nil {
			return *rep
		}
		type overrideJSON struct {
			Alias       string   `json:"alias"`
			Responder   ref      `json:"responder"`
			StartDate   string   `json:"startDate"`
			EndDate     string   `json:"endDate"`
			RotationIDs []string `json:"rotationIds"`
		}
		vals := []overrideJSON{}
		for _, o := range sc.overrides[from:to] {
			vals = append(vals, overrideJSON{o.alias, o.responder, o.startDate, o.endDate, append([]string{}, o.rotationIDs...)})
		}
		return reply{status: http.StatusOK, body: pageBody(vals, next)}
	})
}

type escalationJSON struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Enabled     bool       `json:"enabled"`
	Rules       []ruleJSON `json:"rules"`
	Repeat      repeat     `json:"repeat"`
}

type ruleJSON struct {
	Condition  string `json:"condition"`
	NotifyType string `json:"notifyType"`
	Delay      int    `json:"delay"`
	Recipient  ref    `json:"recipient"`
}

func escalationView(e *escalation) escalationJSON {
	v := escalationJSON{ID: e.id, Name: e.name, Description: e.description, Enabled: e.enabled, Rules: []ruleJSON{}, Repeat: e.repeat}
	for _, r := range e.rules {
		v.Rules = append(v.Rules, ruleJSON{r.condition, r.notifyType, r.delay, r.recipient})
	}
	return v
}

// listEscalations is GET /v1/teams/{teamId}/escalations: offset/size ≤
// 100 (default 20); 404 for a team without operations.
func (s *Server) listEscalations(c *call) reply {
	if rep := s.opsAccess(c); rep != nil {
		return *rep
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t, rep := s.opsTeam(c.params["teamId"], true)
	if rep != nil {
		return *rep
	}
	var own []*escalation
	for _, e := range s.acct.escalations {
		if e.teamID == t.id {
			own = append(own, e)
		}
	}
	from, to, next, rep := s.offsetPage(c, "/v1/teams/"+url.PathEscape(t.id)+"/escalations", len(own), opsEscalationDef, opsEscalationMax)
	if rep != nil {
		return *rep
	}
	vals := []escalationJSON{}
	for _, e := range own[from:to] {
		vals = append(vals, escalationView(e))
	}
	return reply{status: http.StatusOK, body: pageBody(vals, next)}
}

func (s *Server) findEscalation(c *call) (*team, *escalation, *reply) {
	t, rep := s.opsTeam(c.params["teamId"], true)
	if rep != nil {
		return nil, nil, rep
	}
	e := s.acct.escalationByID(t.id, c.params["id"])
	if e == nil {
		r := s.opsErr(http.StatusNotFound, "Escalation not found with identifier: "+c.params["id"])
		return nil, nil, &r
	}
	return t, e, nil
}

// withEscalation answers with f on the escalation {id} of the team
// {teamId}, under the lock, once the caller has Ops access; an unknown
// team or escalation is 404.
func (s *Server) withEscalation(c *call, f func(t *team, e *escalation) reply) reply {
	if rep := s.opsAccess(c); rep != nil {
		return *rep
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t, e, rep := s.findEscalation(c)
	if rep != nil {
		return *rep
	}
	return f(t, e)
}

// getEscalation is GET /v1/teams/{teamId}/escalations/{id}.
func (s *Server) getEscalation(c *call) reply {
	return s.withEscalation(c, func(_ *team, e *escalation) reply {
		return reply{status: http.StatusOK, body: escalationView(e)}
	})
}

// deleteEscalation is DELETE /v1/teams/{teamId}/escalations/{id}: 204.
func (s *Server) deleteEscalation(c *call) reply {
	return s.withEscalation(c, func(t *team, e *escalation) reply {
		s.acct.escalations = slices.DeleteFunc(s.acct.escalations, func(x *escalation) bool { return x == e })
		s.acct.record(Mutation{Source: SourceAPI, Op: OpDeleteEscalation, Team: t.name, TeamID: t.id, Detail: e.name})
		return reply{status: http.StatusNoContent}
	})
}

// listForwarding is GET /v1/forwarding-rules?showAll&offset&size: every
// rule (showAll is accepted; the caller is an admin), size ≤ 100 (default
// 20); 402 under Behavior.ForwardingNotInPlan.
func (s *Server) listForwarding(c *call) reply {
	if rep := s.opsAccess(c); rep != nil {
		return *rep
	}
	if s.beh.ForwardingNotInPlan {
		return s.opsErr(http.StatusPaymentRequired, "Forwarding rules are not included in your plan")
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	from, to, next, rep := s.offsetPage(c, "/v1/forwarding-rules", len(s.acct.forwarding), opsForwardingDef, opsForwardingMax)
	if rep != nil {
		return *rep
	}
	type ruleJSON struct {
		ID         string `json:"id"`
		Alias      string `json:"alias,omitempty"`
		FromUserID string `json:"fromUserId"`
		ToUserID   string `json:"toUserId"`
		StartDate  string `json:"startDate"`
		EndDate    string `json:"endDate"`
	}
	vals := []ruleJSON{}
	for _, f := range s.acct.forwarding[from:to] {
		vals = append(vals, ruleJSON{f.id, f.alias, f.fromUserID, f.toUserID, f.startDate, f.endDate})
	}
	return reply{status: http.StatusOK, body: pageBody(vals, next)}
}
