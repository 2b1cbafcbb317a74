package atlassian

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/ogsync/ogsync/model"
)

// Ops page sizes: the documented maxima (§3.5, §3.6; forwarding rules: the emulator's).
const (
	schedulesPage   = 50
	overridesPage   = 50
	escalationsPage = 100
	forwardingPage  = 100
)

// opsRef is a participant, recipient or responder: {type, id}; ids of users are accountIds.
type opsRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type rotation struct {
	Participants []opsRef `json:"participants"`
}

type schedule struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	TeamID    string      `json:"teamId"`
	Rotations *[]rotation `json:"rotations"`
	overrides []opsRef
}

type escalation struct {
	ID     string                       `json:"id"`
	Name   string                       `json:"name"`
	Rules  []struct{ Recipient opsRef } `json:"rules"`
	teamID string
}

type forwarding struct {
	ID         string `json:"id"`
	Alias      string `json:"alias"`
	FromUserID string `json:"fromUserId"`
	ToUserID   string `json:"toUserId"`
}

// Audit gathers the facts of the on-call audit for the users (accountIds)
// and teams (teamIds) a plan deletes. It reads, once, every schedule with
// its rotations, each schedule's overrides, the ops teams and each one's
// escalations, and the forwarding rules, and answers every candidate from
// them. Requests, with S schedules, o_s overrides of schedule s, E_t
// escalations of ops team t and F forwarding rules (none without a candidate):
//
//	max(1, ⌈S/50⌉) + Σ_s max(1, ⌈o_s/50⌉) + 1 + Σ_t max(1, ⌈E_t/100⌉) + max(1, ⌈F/100⌉)
//
// plus one rotations read per schedule whose list entry carries no
// rotations, and, when users are audited, the member pages of the teams
// Read did not read the members of (Σ max(1, ⌈m_t/50⌉) over them). A user is referenced by a rotation participant, an override
// responder, an escalation recipient (all of type user) or a forwarding
// rule (listed with the schedules, as "forwarding rule …"), and by the
// teams it is a member of. A plan without the forwarding feature (402) is
// audited without it.
func (t *Target) Audit(ctx context.Context, users, teams []string, current *model.Current) (model.AuditFacts, error) {
	facts, err := t.audit(ctx, users, teams, current)
	return facts, t.scrub(err)
}

func (t *Target) audit(ctx context.Context, users, teams []string, current *model.Current) (model.AuditFacts, error) {
	facts := model.AuditFacts{Users: map[string]model.References{}, Teams: map[string]model.TeamReferences{}}
	if len(users) == 0 && len(teams) == 0 {
		return facts, nil
	}
	scheds, err := t.readSchedules(ctx)
	if err != nil {
		return facts, fmt.Errorf("auditing on-call references: %w", err)
	}
	escs, err := t.readEscalations(ctx)
	if err != nil {
		return facts, fmt.Errorf("auditing on-call references: %w", err)
	}
	fwd, err := t.readForwarding(ctx)
	if err != nil {
		return facts, fmt.Errorf("auditing on-call references: %w", err)
	}
	if len(users) > 0 && current != nil {
		// Read only declared teams' members: read the others' now, so that
		// every team a user is in is named.
		filled := *current
		filled.Teams = slices.Clone(current.Teams)
		for i, tm := range filled.Teams {
			if tm.Members != nil {
				continue
			}
			ids, err := t.readMembers(ctx, tm.ID)
			if err != nil {
				return facts, fmt.Errorf("auditing on-call references: reading the members of team %s: %w", tm.Name, err)
			}
			ms := make([]model.Member, len(ids))
			for j, id := range ids {
				ms[j] = model.Member{UserID: id, Role: model.MemberRoleUser}
			}
			filled.Teams[i].Members = &ms
		}
		current = &filled
	}
	for _, id := range users {
		facts.Users[id] = userFacts(id, scheds, escs, fwd, current)
	}
	for _, id := range teams {
		facts.Teams[id] = teamFacts(id, scheds, escs)
	}
	return facts, nil
}

func userFacts(id string, scheds []schedule, escs []escalation, fwd []forwarding, current *model.Current) model.References {
	var r model.References
	isUser := func(p opsRef) bool { return p.Type == "user" && p.ID == id }
	for _, s := range scheds {
		hit := slices.ContainsFunc(s.overrides, isUser)
		for _, rot := range *s.Rotations {
			hit = hit || slices.ContainsFunc(rot.Participants, isUser)
		}
		if hit {
			r.Schedules = append(r.Schedules, model.Ref{ID: s.ID, Name: s.Name})
		}
	}
	for _, f := range fwd {
		if f.FromUserID == id || f.ToUserID == id {
			r.Schedules = append(r.Schedules, model.Ref{ID: f.ID, Name: "forwarding rule " + cmp.Or(f.Alias, f.ID)})
		}
	}
	for _, e := range escs {
		if slices.ContainsFunc(e.Rules, func(rule struct{ Recipient opsRef }) bool { return isUser(rule.Recipient) }) {
			r.Escalations = append(r.Escalations, model.Ref{ID: e.ID, Name: e.Name})
		}
	}
	if current != nil {
		for _, tm := range current.Teams {
			if tm.Members != nil && slices.ContainsFunc(*tm.Members, func(m model.Member) bool { return m.UserID == id }) {
				r.Teams = append(r.Teams, model.Ref{ID: tm.ID, Name: tm.Name})
			}
		}
	}
	sortRefs(r.Schedules)
	sortRefs(r.Escalations)
	sortRefs(r.Teams)
	return r
}

// teamFacts: the team's schedules with a participant, its escalations that
// notify anyone but itself and its own schedules, and what of others names
// it or what it owns.
func teamFacts(id string, scheds []schedule, escs []escalation) model.TeamReferences {
	mine := map[string]bool{"team:" + id: true}
	for _, s := range scheds {
		if s.TeamID == id {
			mine["schedule:"+s.ID] = true
		}
	}
	for _, e := range escs {
		if e.teamID == id {
			mine["escalation:"+e.ID] = true
		}
	}
	isMine := func(p opsRef) bool { return mine[p.Type+":"+p.ID] }
	var r model.TeamReferences
	for _, s := range scheds {
		var participant, namesMine bool
		for _, rot := range *s.Rotations {
			participant = participant || slices.ContainsFunc(rot.Participants, func(p opsRef) bool { return p.Type != "noone" && p.Type != "" })
			namesMine = namesMine || slices.ContainsFunc(rot.Participants, isMine)
		}
		switch {
		case s.TeamID == id && participant:
			r.Schedules = append(r.Schedules, model.Ref{ID: s.ID, Name: s.Name})
		case s.TeamID != id && namesMine:
			r.ReferencedBy = append(r.ReferencedBy, model.Ref{ID: s.ID, Name: "schedule " + s.Name})
		}
	}
	for _, e := range escs {
		var others, namesMine bool
		for _, rule := range e.Rules {
			others = others || !isMine(rule.Recipient)
			namesMine = namesMine || isMine(rule.Recipient)
		}
		switch {
		case e.teamID == id && others:
			r.Escalations = append(r.Escalations, model.Ref{ID: e.ID, Name: e.Name})
		case e.teamID != id && namesMine:
			r.ReferencedBy = append(r.ReferencedBy, model.Ref{ID: e.ID, Name: "escalation " + e.Name})
		}
	}
	sortRefs(r.Schedules)
	sortRefs(r.Escalations)
	sortRefs(r.ReferencedBy)
	return r
}

func sortRefs(refs []model.Ref) {
	slices.SortFunc(refs, func(a, b model.Ref) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
}

// opsPages reads an offset-paged Ops list, following links.next (relative
// to the Ops base) until it is absent, and decodes each value with each.
func (t *Target) opsPages(ctx context.Context, path, route string, q url.Values, each func(i int, raw json.RawMessage) error) error {
	seen := map[string]bool{}
	for page := 1; ; page++ {
		var ans struct {
			Values *[]json.RawMessage `json:"values"`
			Links  *struct {
				Next string `json:"next"`
			} `json:"links"`
		}
		if err := t.getJSON(ctx, call{api: apiOps, path: path, route: route, query: q}, &ans); err != nil {
			return err
		}
		if ans.Values == nil {
			return &MalformedError{Method: http.MethodGet, Route: route, Where: fmt.Sprintf("page %d", page), Problem: "no values"}
		}
		for i, raw := range *ans.Values {
			if err := each(i, raw); err != nil {
				return &MalformedError{Method: http.MethodGet, Route: route, Where: fmt.Sprintf("page %d, values[%d]", page, i), Problem: err.Error()}
			}
		}
		if ans.Links == nil || ans.Links.Next == "" {
			return nil
		}
		next, err := url.Parse(ans.Links.Next)
		if err != nil || seen[ans.Links.Next] || page >= maxPages {
			return &MalformedError{Method: http.MethodGet, Route: route, Where: fmt.Sprintf("page %d", page), Problem: "links.next is not a new relative URL"}
		}
		seen[ans.Links.Next] = true
		// Keep our path; take the paging parameters of links.next.
		nq := next.Query()
		for k, v := range q {
			if k != "offset" && k != "size" && nq.Get(k) == "" {
				nq[k] = v
			}
		}
		q = nq
	}
}

func (t *Target) readSchedules(ctx context.Context) ([]schedule, error) {
	var out []schedule
	q := url.Values{"expand": {"rotation"}, "size": {strconv.Itoa(schedulesPage)}}
	err := t.opsPages(ctx, "/v1/schedules", "/v1/schedules", q, func(_ int, raw json.RawMessage) error {
		var s schedule
		if err := json.Unmarshal(raw, &s); err != nil || s.ID == "" {
			return fmt.Errorf("a schedule without an id")
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		s := &out[i]
		if s.Rotations == nil { // not expanded: read them
			rots := []rotation{}
			err := t.opsPages(ctx, "/v1/schedules/"+url.PathEscape(s.ID)+"/rotations", "/v1/schedules/{id}/rotations",
				url.Values{"size": {strconv.Itoa(schedulesPage)}}, func(_ int, raw json.RawMessage) error {
					var r rotation
					if err := json.Unmarshal(raw, &r); err != nil {
						return fmt.Errorf("a rotation that is not an object")
					}
					rots = append(rots, r)
					return nil
				})
			if err != nil {
				return nil, err
			}
			s.Rotations = &rots
		}
		err := t.opsPages(ctx, "/v1/schedules/"+url.PathEscape(s.ID)+"/overrides", "/v1/schedules/{id}/overrides",
			url.Values{"size": {strconv.Itoa(overridesPage)}}, func(_ int, raw json.RawMessage) error {
				var o struct {
					Responder *opsRef `json:"responder"`
				}
				if err := json.Unmarshal(raw, &o); err != nil || o.Responder == nil {
					return fmt.Errorf("an override without a responder")
				}
				s.overrides = append(s.overrides, *o.Responder)
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *Target) readEscalations(ctx context.Context) ([]escalation, error) {
	const route = "/v1/teams"
	var ans struct {
		PlatformTeams *[]struct {
			TeamID string `json:"teamId"`
		} `json:"platformTeams"`
	}
	if err := t.getJSON(ctx, call{api: apiOps, path: "/v1/teams", route: route}, &ans); err != nil {
		return nil, err
	}
	if ans.PlatformTeams == nil {
		return nil, &MalformedError{Method: http.MethodGet, Route: route, Where: "body", Problem: "no platformTeams"}
	}
	var out []escalation
	for i, pt := range *ans.PlatformTeams {
		if pt.TeamID == "" {
			return nil, &MalformedError{Method: http.MethodGet, Route: route, Where: fmt.Sprintf("platformTeams[%d]", i), Problem: "teamId is empty"}
		}
		err := t.opsPages(ctx, "/v1/teams/"+url.PathEscape(pt.TeamID)+"/escalations", "/v1/teams/{teamId}/escalations",
			url.Values{"size": {strconv.Itoa(escalationsPage)}}, func(_ int, raw json.RawMessage) error {
				var e escalation
				if err := json.Unmarshal(raw, &e); err != nil || e.ID == "" {
					return fmt.Errorf("an escalation without an id")
				}
				e.teamID = pt.TeamID
				out = append(out, e)
				return nil
			})
		if err != nil {
			if StatusOf(err) == http.StatusNotFound {
				continue // deleted since the list was read
			}
			return nil, err
		}
	}
	return out, nil
}

func (t *Target) readForwarding(ctx context.Context) ([]forwarding, error) {
	var out []forwarding
	err := t.opsPages(ctx, "/v1/forwarding-rules", "/v1/forwarding-rules", url.Values{"showAll": {"true"}, "size": {strconv.Itoa(forwardingPage)}},
		func(_ int, raw json.RawMessage) error {
			var f forwarding
			if err := json.Unmarshal(raw, &f); err != nil {
				return fmt.Errorf("a forwarding rule that is not an object")
			}
			out = append(out, f)
			return nil
		})
	if StatusOf(err) == http.StatusPaymentRequired {
		t.log.InfoContext(ctx, "forwarding rules are not in the plan (402); audited without them")
		return nil, nil
	}
	return out, err
}
