package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ogsync/ogsync/model"
)

// Safeguard phases of a Violation.
const (
	PhaseDesired = "desired" // desired-state sanity
	PhasePlan    = "plan"    // plan sanity
)

// CheckDesired is the first safeguard phase, desired-state sanity. Users in
// scope are those no ignore_users pattern matches. It refuses a desired state
//   - declaring fewer than min_users users in scope;
//   - declaring fewer than (100-max_shrink_percent)% of the account's users
//     in scope that ogsync manages: in adopt mode every user not ignored, in
//     marker mode those carrying the marker or declared;
//   - managing roles (at least one user in scope sets a role) yet declaring
//     fewer than min_owners users in scope with the Owner role;
//   - missing any of required_users.
func CheckDesired(desired model.Desired, current model.Current, opts Options) []Violation {
	c, err := opts.compile()
	if err != nil {
		return []Violation{{Phase: PhaseDesired, Rule: "options", Message: err.Error()}}
	}
	sg := opts.Safeguards
	roles := newComparer(current.CustomRoles)
	declared := make(map[string]bool, len(desired.Users))
	inScope, owners, manageRoles := 0, 0, false
	for _, u := range desired.Users {
		name := model.NormalizeUsername(u.Username)
		if declared[name] {
			continue
		}
		declared[name] = true
		if _, ign := c.ignoredUser(name); ign {
			continue
		}
		inScope++
		if u.Role != nil {
			manageRoles = true
			if roles.role(*u.Role) == model.RoleOwner {
				owners++
			}
		}
	}
	var vs []Violation
	add := func(rule, format string, args ...any) {
		vs = append(vs, Violation{Phase: PhaseDesired, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	if inScope < sg.MinUsers {
		add("min_users", "the desired state declares %d users in scope; min_users is %d", inScope, sg.MinUsers)
	}
	managed := 0
	for i := range current.Users {
		u := &current.Users[i]
		name := model.NormalizeUsername(u.Username)
		if _, ign := c.ignoredUser(name); ign {
			continue
		}
		if c.adopt || declared[name] || c.hasMarker(u) {
			managed++
		}
	}
	if floor := float64(managed) * (100 - sg.MaxShrinkPercent) / 100; managed > 0 && float64(inScope) < floor-1e-9 {
		add("max_shrink_percent", "the desired state declares %d users in scope, %s of the %d the account has in scope; max_shrink_percent %s needs at least %s",
			inScope, pct(inScope, managed), managed, num(sg.MaxShrinkPercent), num(floor))
	}
	if manageRoles && owners < sg.MinOwners {
		add("min_owners", "the desired state declares %d users with the Owner role; min_owners is %d", owners, sg.MinOwners)
	}
	var missing []string
	for _, r := range sg.RequiredUsers {
		if n := model.NormalizeUsername(r); !declared[n] && !slices.Contains(missing, n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		add("required_users", "required users missing from the desired state: %s", strings.Join(missing, ", "))
	}
	return vs
}

// CheckPlan is the second safeguard phase, plan sanity. It refuses a plan
//   - whose user deletes, team deletes or member removals, each kind checked
//     on its own, exceed max_deletes.count or max_deletes.percent of the
//     objects of that kind in scope (Plan.Baseline); the memberships a team
//     delete removes with the team count as member removals;
//   - that removes an Owner (delete or demotion) and leaves fewer than
//     min_owners Owners, counting the Owners it creates or promotes.
//
// It marks the offending actions blocked with the violation's message. A
// plan without deletes or owner removals always passes.
func CheckPlan(p *Plan, sg Safeguards) []Violation {
	var vs []Violation
	for _, k := range []struct {
		t          ActionType
		rule, noun string
		base       int
	}{
		{DeleteUser, "max_deletes.users", "delete %d users", p.Baseline.Users},
		{DeleteTeam, "max_deletes.teams", "delete %d teams", p.Baseline.Teams},
		{RemoveMember, "max_deletes.members", "remove %d team memberships", p.Baseline.Members},
	} {
		var acts []*Action
		n, withTeams, teams := 0, 0, 0
		for _, a := range p.Actions {
			switch {
			case a.Type == k.t:
				acts = append(acts, a)
				n++
			case k.t == RemoveMember && a.Type == DeleteTeam:
				// A team delete removes its memberships with it.
				if m := len(members(a.Before.Team)); m > 0 {
					acts = append(acts, a)
					n += m
					withTeams += m
					teams++
				}
			}
		}
		if n == 0 {
			continue
		}
		share := 100.0
		if k.base > 0 {
			share = 100 * float64(n) / float64(k.base)
		}
		if n <= sg.MaxDeletes.Count && share <= sg.MaxDeletes.Percent+1e-9 {
			continue
		}
		msg := fmt.Sprintf("would "+k.noun+" (%s of %d); limit is %d and %s%%",
			n, pct(n, k.base), k.base, sg.MaxDeletes.Count, num(sg.MaxDeletes.Percent))
		if withTeams > 0 {
			msg += fmt.Sprintf("; %d of them are removed with %d deleted %s", withTeams, teams, plural(teams, "team", "teams"))
		}
		vs = append(vs, Violation{Phase: PhasePlan, Rule: k.rule, Message: msg})
		for _, a := range acts {
			a.block(msg)
		}
	}

	var removing []*Action
	deleted, demoted, added := 0, 0, 0
	for _, a := range p.Actions {
		switch {
		case a.Type == CreateUser && isOwner(a.After.User.Role):
			added++
		case a.Type == UpdateUser && a.After.User.Role != nil && isOwner(a.After.User.Role):
			added++
		case a.TakesOwner() && a.Type == UpdateUser:
			demoted++
			removing = append(removing, a)
		case a.TakesOwner():
			deleted++
			removing = append(removing, a)
		}
	}
	if after := p.Baseline.Owners - deleted - demoted + added; len(removing) > 0 && after < sg.MinOwners {
		msg := fmt.Sprintf("would leave %d owners (%d now, %d deleted, %d demoted, %d created or promoted); min_owners is %d",
			after, p.Baseline.Owners, deleted, demoted, added, sg.MinOwners)
		vs = append(vs, Violation{Phase: PhasePlan, Rule: "min_owners", Message: msg})
		for _, a := range removing {
			a.block(msg)
		}
	}
	return vs
}

// TakesOwner reports whether the action takes the Owner role away from a
// user: a delete of an Owner, or an update from Owner to another role.
func (a *Action) TakesOwner() bool {
	switch {
	case a.Before == nil || a.Before.User == nil || !isOwner(a.Before.User.Role):
		return false
	case a.Type == DeleteUser:
		return true
	case a.Type == UpdateUser:
		return a.After != nil && a.After.User != nil && a.After.User.Role != nil && !isOwner(a.After.User.Role)
	}
	return false
}

func isOwner(role *string) bool {
	r, ok := model.CanonicalBuiltinRole(str(role))
	return ok && r == model.RoleOwner
}

// pct formats n as a percentage of base with one decimal ("40.0%").
func pct(n, base int) string {
	if base == 0 {
		return "100.0%"
	}
	return strconv.FormatFloat(100*float64(n)/float64(base), 'f', 1, 64) + "%"
}

// num formats a limit without trailing zeros ("10", "12.5").
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// auditPrefix starts every reason Audit blocks an action with.
const auditPrefix = "on-call audit: "

// Audit is the third safeguard phase, the on-call audit. facts holds, for
// each user id and team id of Plan.AuditCandidates, what still references
// that user or team.
//   - A user delete is blocked, with the names of the references, when the
//     user is still in a schedule, an escalation, or a team the plan neither
//     deletes nor removes them from.
//   - A team delete is blocked when the team owns a schedule with on-call
//     data or an escalation that notifies anyone else, or when another
//     schedule or escalation names the team or what it owns.
//
// A candidate without facts is blocked too (fail closed). Only those deletes
// are blocked; the rest of the plan may still be applied. Audit may run
// again with fresh facts: it replaces its earlier verdicts.
func (p *Plan) Audit(facts model.AuditFacts) {
	leaving := map[string]map[string]bool{} // username → team ids and lower-cased names it leaves
	note := func(user, id, name string) {
		if leaving[user] == nil {
			leaving[user] = map[string]bool{}
		}
		leaving[user]["id:"+id] = true
		leaving[user]["name:"+strings.ToLower(name)] = true
	}
	for _, a := range p.Actions {
		switch a.Type {
		case RemoveMember:
			note(a.User, a.TeamID, a.Team)
		case DeleteTeam:
			if a.Before != nil && a.Before.Team != nil {
				for _, m := range members(a.Before.Team) {
					note(model.NormalizeUsername(m.Username), a.TeamID, a.Team)
				}
			}
		}
	}
	for _, a := range p.Actions {
		if a.Type != DeleteUser && a.Type != DeleteTeam {
			continue
		}
		a.Blocked = slices.DeleteFunc(a.Blocked, func(r string) bool { return strings.HasPrefix(r, auditPrefix) })
		if len(a.Blocked) == 0 {
			a.Blocked = nil
		}
		var parts []string
		if a.Type == DeleteTeam {
			refs, ok := facts.Teams[a.TeamID]
			if !ok {
				a.block(auditPrefix + "no reference facts for this team; not audited")
				continue
			}
			parts = refParts(
				refGroup{"its schedules with on-call rotations", refs.Schedules},
				refGroup{"its escalations", refs.Escalations},
				refGroup{"schedules and escalations that name it", refs.ReferencedBy})
			if len(parts) > 0 {
				a.block(auditPrefix + "the team still holds on-call data: " + strings.Join(parts, "; "))
			}
			continue
		}
		refs, ok := facts.Users[a.UserID]
		if !ok {
			a.block(auditPrefix + "no reference facts for this user; not audited")
			continue
		}
		var teams []model.Ref
		for _, t := range refs.Teams {
			if l := leaving[a.User]; l == nil || (!l["id:"+t.ID] && !l["name:"+strings.ToLower(t.Name)]) {
				teams = append(teams, t)
			}
		}
		parts = refParts(refGroup{"schedules", refs.Schedules}, refGroup{"escalations", refs.Escalations},
			refGroup{"teams not left by this plan", teams})
		if len(parts) > 0 {
			a.block(auditPrefix + "still referenced by " + strings.Join(parts, "; "))
		}
	}
	p.Audited = true
	p.summarize()
}

// refGroup is a kind of reference and the references of that kind.
type refGroup struct {
	what string
	refs []model.Ref
}

// refParts says "what "A", "B"" for each group that has references.
func refParts(groups ...refGroup) []string {
	var parts []string
	for _, g := range groups {
		if len(g.refs) > 0 {
			parts = append(parts, g.what+" "+refNames(g.refs))
		}
	}
	return parts
}

// refNames returns the names of refs, sorted and quoted ("Ops", "SRE").
func refNames(refs []model.Ref) string {
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = strconv.Quote(cmp.Or(r.Name, r.ID))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
