package opsgenie

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ogsync/ogsync/model"
)

// Audit gathers the facts of the on-call audit (planner.Plan.Audit) for the
// users and teams a plan deletes, given by OpsGenie id. current is the
// account as this cycle read it: its team members tell which teams a user
// is in, and its users give the usernames participants may be named by.
//
// It reads every schedule with its rotations (GET /v2/schedules?expand=rotation)
// and every escalation (GET /v2/escalations) once, and answers for every
// candidate from those two lists: two requests, whatever the number of
// candidates (none when there is no candidate). Only direct references
// count for a user: a rotation participant or an escalation recipient of
// type user naming them; a team that is a participant is not expanded.
//
// Fallback: when the schedule list carries no rotations (a schedule without
// the "rotations" key, as the API answers without expand=rotation), the
// list cannot tell who is on call. With teams to delete, every schedule
// without rotations is read one by one (GET /v2/schedules/{id}), since any
// of them may name a team; with users only, the users' schedules are read
// per user (GET /v2/users/{id}/schedules). An escalation without "rules"
// likewise: with teams, every such escalation is read one by one
// (GET /v2/escalations/{id}); with users only, the users' escalations are
// read per user (GET /v2/users/{id}/escalations).
func (c *Client) Audit(ctx context.Context, users, teams []string, current *model.Current) (model.AuditFacts, error) {
	facts := model.AuditFacts{Users: map[string]model.References{}, Teams: map[string]model.TeamReferences{}}
	if len(users) == 0 && len(teams) == 0 {
		return facts, nil
	}
	scheds, err := c.ListSchedules(ctx)
	if err != nil {
		return facts, fmt.Errorf("auditing on-call references: %w", err)
	}
	escs, err := c.ListEscalations(ctx)
	if err != nil {
		return facts, fmt.Errorf("auditing on-call references: %w", err)
	}
	noRotations := func(s Schedule) bool { return s.Rotations == nil }
	noRules := func(e Escalation) bool { return e.Rules == nil }
	if len(teams) > 0 {
		// A team may be named by any schedule or escalation: all are needed whole.
		err := fillEach(ctx, c, "the schedule list carries no rotations; reading each schedule", scheds, noRotations, func(ctx context.Context, s *Schedule) error {
			got, err := c.GetSchedule(ctx, s.ID)
			if err != nil {
				return err
			}
			s.Rotations = append([]Rotation{}, got.Rotations...)
			return nil
		})
		if err == nil {
			err = fillEach(ctx, c, "the escalation list carries no rules; reading each escalation", escs, noRules, func(ctx context.Context, e *Escalation) error {
				got, err := c.GetEscalation(ctx, e.ID)
				if err != nil {
					return err
				}
				e.Rules = append([]EscalationRule{}, got.Rules...)
				return nil
			})
		}
		if err != nil {
			return facts, fmt.Errorf("auditing on-call references: %w", err)
		}
	}
	schedsComplete := !slices.ContainsFunc(scheds, noRotations)
	escsComplete := !slices.ContainsFunc(escs, noRules)

	names := make(map[string]string, len(users))
	if current != nil {
		for _, u := range current.Users {
			names[u.ID] = u.Username
		}
	}
	for _, id := range users {
		r, err := c.userFacts(ctx, id, names[id], scheds, escs, schedsComplete, escsComplete, current)
		if err != nil {
			return facts, fmt.Errorf("auditing on-call references: %w", err)
		}
		facts.Users[id] = r
	}
	for _, id := range teams {
		facts.Teams[id] = teamFacts(id, teamName(current, id), scheds, escs)
	}
	return facts, nil
}

// fillEach reads again, one by one (Concurrency at a time), the items of
// a list whose entry lacks what the audit needs (missing), logging why.
func fillEach[T any](ctx context.Context, c *Client, why string, items []T, missing func(T) bool, get func(context.Context, *T) error) error {
	var todo []int
	for i := range items {
		if missing(items[i]) {
			todo = append(todo, i)
		}
	}
	if len(todo) > 0 {
		c.log.InfoContext(ctx, why, "count", len(todo))
	}
	return forEach(ctx, len(todo), c.concurrency, func(ctx context.Context, k int) error {
		return get(ctx, &items[todo[k]])
	})
}

// userFacts answers for one user from the lists, or from the per-user
// endpoints where a list is incomplete.
func (c *Client) userFacts(ctx context.Context, id, username string, scheds []Schedule, escs []Escalation,
	schedsComplete, escsComplete bool, current *model.Current) (model.References, error) {
	var r model.References
	isUser := func(p Participant) bool {
		return p.Type == "user" && ((p.ID != "" && p.ID == id) || (p.ID == "" && username != "" && model.NormalizeUsername(p.Username) == username))
	}
	var err error
	if schedsComplete {
		for _, s := range scheds {
			if slices.ContainsFunc(s.Rotations, func(rot Rotation) bool { return slices.ContainsFunc(rot.Participants, isUser) }) {
				r.Schedules = append(r.Schedules, model.Ref{ID: s.ID, Name: s.Name})
			}
		}
	} else if r.Schedules, err = c.UserSchedules(ctx, id); err != nil {
		return r, err
	}
	if escsComplete {
		for _, e := range escs {
			if slices.ContainsFunc(e.Rules, func(rule EscalationRule) bool { return isUser(rule.Recipient) }) {
				r.Escalations = append(r.Escalations, model.Ref{ID: e.ID, Name: e.Name})
			}
		}
	} else if r.Escalations, err = c.UserEscalations(ctx, id); err != nil {
		return r, err
	}
	if current != nil {
		for _, t := range current.Teams {
			if t.Members != nil && slices.ContainsFunc(*t.Members, func(m model.Member) bool {
				return m.UserID == id || (m.UserID == "" && username != "" && m.Username == username)
			}) {
				r.Teams = append(r.Teams, model.Ref{ID: t.ID, Name: t.Name})
			}
		}
	}
	sortRefs(r.Schedules)
	sortRefs(r.Escalations)
	sortRefs(r.Teams)
	return r, nil
}

// teamFacts answers for one team from the lists: what it owns that holds
// on-call data, and what of others names it or what it owns.
func teamFacts(id, name string, scheds []Schedule, escs []Escalation) model.TeamReferences {
	owns := func(o *model.Ref) bool {
		return o != nil && ((o.ID != "" && o.ID == id) || (o.ID == "" && name != "" && strings.EqualFold(o.Name, name)))
	}
	mine := map[string]bool{} // "schedule:<id>", "escalation:<id>", "team:<id>"
	mine["team:"+id] = true
	for _, s := range scheds {
		if owns(s.OwnerTeam) {
			mine["schedule:"+s.ID] = true
		}
	}
	for _, e := range escs {
		if owns(e.OwnerTeam) {
			mine["escalation:"+e.ID] = true
		}
	}
	isMine := func(p Participant) bool { return mine[p.Type+":"+p.ID] }
	var r model.TeamReferences
	for _, s := range scheds {
		hasParticipant := slices.ContainsFunc(s.Rotations, func(rot Rotation) bool {
			return slices.ContainsFunc(rot.Participants, func(p Participant) bool { return p.Type != "none" && p.Type != "" })
		})
		namesMine := slices.ContainsFunc(s.Rotations, func(rot Rotation) bool { return slices.ContainsFunc(rot.Participants, isMine) })
		switch {
		case owns(s.OwnerTeam) && hasParticipant:
			r.Schedules = append(r.Schedules, model.Ref{ID: s.ID, Name: s.Name})
		case !owns(s.OwnerTeam) && namesMine:
			r.ReferencedBy = append(r.ReferencedBy, model.Ref{ID: s.ID, Name: "schedule " + s.Name})
		}
	}
	for _, e := range escs {
		others := slices.ContainsFunc(e.Rules, func(rule EscalationRule) bool { return !isMine(rule.Recipient) })
		namesMine := slices.ContainsFunc(e.Rules, func(rule EscalationRule) bool { return isMine(rule.Recipient) })
		switch {
		case owns(e.OwnerTeam) && others:
			r.Escalations = append(r.Escalations, model.Ref{ID: e.ID, Name: e.Name})
		case !owns(e.OwnerTeam) && namesMine:
			r.ReferencedBy = append(r.ReferencedBy, model.Ref{ID: e.ID, Name: "escalation " + e.Name})
		}
	}
	sortRefs(r.Schedules)
	sortRefs(r.Escalations)
	sortRefs(r.ReferencedBy)
	return r
}

func teamName(current *model.Current, id string) string {
	if current == nil {
		return ""
	}
	for _, t := range current.Teams {
		if t.ID == id {
			return t.Name
		}
	}
	return ""
}

func sortRefs(refs []model.Ref) {
	slices.SortFunc(refs, func(a, b model.Ref) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
}
