package planner

import (
	"slices"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/model"
)

func withID(id string, t model.Team) model.Team { t.ID = id; return t }

// TestTeamRenames: with an id, a team renamed in the YAML or in OpsGenie is
// renamed (one PATCH of the name), never deleted and created again.
func TestTeamRenames(t *testing.T) {
	users := []model.User{cur("u1", "a@x.io"), cur("u2", "b@x.io")}
	current := model.Current{Users: users, Teams: []model.Team{
		curTeam("t1", "Platform", "", curMem("u1", "a@x.io", "admin"), curMem("u2", "b@x.io", "user")),
	}}
	desired := model.Desired{Users: []model.User{des("a@x.io"), des("b@x.io")}, Teams: []model.Team{
		withID("t1", team("Infrastructure", mem("a@x.io", "admin"), mem("b@x.io", "user"))),
	}}
	for _, mode := range []string{OwnershipAdopt, OwnershipMarker} {
		o := permissive()
		o.Ownership.Mode = mode
		p := mustCompute(t, desired, current, o)
		if got := ids(p); !slices.Equal(got, []string{"update-team:Infrastructure"}) {
			t.Fatalf("%s: actions %v, want one rename", mode, got)
		}
		a := p.Actions[0]
		if a.TeamID != "t1" || !slices.Equal(a.Fields, []string{"name"}) || a.Before.Team.Name != "Platform" || a.After.Team.Name != "Infrastructure" {
			t.Errorf("%s: rename %+v before %+v after %+v", mode, a, a.Before.Team, a.After.Team)
		}
	}
	// The id wins over a name match: a team that took the old name in the
	// account is not the declared one.
	current.Teams = append(current.Teams, curTeam("t2", "Infrastructure", ""))
	o := permissive()
	o.Ownership.Mode = OwnershipAdopt
	p := mustCompute(t, desired, current, o)
	if got := ids(p); !slices.Equal(got, []string{"update-team:Infrastructure", "delete-team:Infrastructure"}) {
		t.Fatalf("actions %v", got)
	}
	if mustAction(t, p, "delete-team:Infrastructure").TeamID != "t2" || mustAction(t, p, "update-team:Infrastructure").TeamID != "t1" {
		t.Errorf("the wrong teams: %+v", p.Actions)
	}
	// An id no current team has: matched by name.
	desired.Teams[0] = withID("t9", team("Platform", mem("a@x.io", "admin"), mem("b@x.io", "user")))
	current.Teams = current.Teams[:1]
	if p := mustCompute(t, desired, current, o); p.HasChanges() {
		t.Errorf("an unknown id with a matching name planned %v", ids(p))
	}
}

// TestProbableRename: without an id, a declared team missing from the
// account whose members are exactly those of an undeclared team is a
// probable rename: neither created (a duplicate) nor the other deleted.
func TestProbableRename(t *testing.T) {
	users := []model.User{cur("u1", "a@x.io"), cur("u2", "b@x.io"), cur("u3", "c@x.io")}
	current := model.Current{Users: users, Teams: []model.Team{
		// Renamed in the UI from "SRE".
		curTeam("t1", "Site Reliability", "", curMem("u1", "a@x.io", "admin"), curMem("u2", "b@x.io", "user")),
		curTeam("t2", "Other", "", curMem("u3", "c@x.io", "user")),
	}}
	desired := model.Desired{Users: []model.User{des("a@x.io"), des("b@x.io"), des("c@x.io")}, Teams: []model.Team{
		team("SRE", mem("b@x.io", "user"), mem("A@x.io", "admin")),
		team("Fresh", mem("c@x.io", "user"), mem("a@x.io", "user")),
	}}
	for _, mode := range []string{OwnershipAdopt, OwnershipMarker} {
		o := permissive()
		o.Ownership.Mode = mode
		p := mustCompute(t, desired, current, o)
		create := mustAction(t, p, "create-team:SRE")
		if len(create.Blocked) != 1 || !strings.HasPrefix(create.Blocked[0], "probable rename: team Site Reliability (id t1)") || !strings.Contains(create.Blocked[0], "`id: t1`") {
			t.Errorf("%s: create blocked %q", mode, create.Blocked)
		}
		if fresh := mustAction(t, p, "create-team:Fresh"); fresh.IsBlocked() {
			t.Errorf("%s: a team with other members is blocked: %q", mode, fresh.Blocked)
		}
		for _, a := range p.Runnable() {
			if a.Type == DeleteTeam && a.TeamID == "t1" || a.ID == "create-team:SRE" {
				t.Errorf("%s: %s may run", mode, a.ID)
			}
		}
		if mode == OwnershipAdopt {
			del := mustAction(t, p, "delete-team:Site Reliability")
			if !slices.ContainsFunc(del.Blocked, func(r string) bool { return strings.HasPrefix(r, "probable rename: declared team SRE") }) {
				t.Errorf("delete blocked %q", del.Blocked)
			}
			if other := mustAction(t, p, "delete-team:Other"); other.IsBlocked() {
				t.Errorf("the delete of an unrelated team is blocked: %q", other.Blocked)
			}
		}
	}
	// Members out of scope do not hide a rename.
	o := permissive()
	o.Scope.IgnoreUsers = []string{"*@contractor.example"}
	withContractor := current
	withContractor.Teams = slices.Clone(current.Teams)
	withContractor.Teams[0] = curTeam("t1", "Site Reliability", "", curMem("u1", "a@x.io", "admin"), curMem("u2", "b@x.io", "user"), curMem("x1", "x1@contractor.example", "user"))
	if p := mustCompute(t, desired, withContractor, o); !mustAction(t, p, "create-team:SRE").IsBlocked() {
		t.Error("an ignored member hid a probable rename")
	}
	// Two undeclared teams with the same members: no guess is made.
	current.Teams = append(current.Teams, curTeam("t3", "Copy", "", curMem("u1", "a@x.io", "user"), curMem("u2", "b@x.io", "user")))
	p := mustCompute(t, desired, current, permissive())
	if mustAction(t, p, "create-team:SRE").IsBlocked() {
		t.Error("an ambiguous rename was guessed")
	}
}

// TestTeamDeleteCountsItsMemberships: the memberships a team delete
// removes count against max_deletes for members, and the plan says so.
func TestTeamDeleteCountsItsMemberships(t *testing.T) {
	var users []model.User
	var ms []model.Member
	for i := range 25 {
		id, name := "u"+string(rune('a'+i)), string(rune('a'+i))+"@x.io"
		users = append(users, cur(id, name))
		ms = append(ms, curMem(id, name, "user"))
	}
	current := model.Current{Users: users, Teams: []model.Team{curTeam("t1", "Old", "", ms...), curTeam("t2", "Kept", "")}}
	var desUsers []model.User
	for _, u := range users {
		desUsers = append(desUsers, des(u.Username))
	}
	desired := model.Desired{Users: desUsers, Teams: []model.Team{team("Kept")}}
	o := permissive()
	o.Ownership.Mode = OwnershipAdopt
	o.Safeguards.MaxDeletes = MaxDeletes{Count: 10, Percent: 100}
	p := mustCompute(t, desired, current, o)
	del := mustAction(t, p, "delete-team:Old")
	if !strings.Contains(del.Reason, "removes its 25 memberships with it") {
		t.Errorf("reason %q", del.Reason)
	}
	if !p.Refused() || len(p.Violations) != 1 || p.Violations[0].Rule != "max_deletes.members" ||
		p.Violations[0].Message != "would remove 25 team memberships (100.0% of 25); limit is 10 and 100%; 25 of them are removed with 1 deleted team" {
		t.Errorf("violations %+v", p.Violations)
	}
	if !del.IsBlocked() {
		t.Error("the team delete is not blocked")
	}
}

// TestAuditTeamDeletes: a team delete is blocked while the team holds
// on-call data, naming it, and when no facts came (fail closed).
func TestAuditTeamDeletes(t *testing.T) {
	current := model.Current{Teams: []model.Team{curTeam("t1", "a", ""), curTeam("t2", "b", ""), curTeam("t3", "c", ""), curTeam("t4", "d", "")}}
	o := permissive()
	o.Ownership.Mode = OwnershipAdopt
	p := mustCompute(t, model.Desired{}, current, o)
	_, teams := p.AuditCandidates()
	if !slices.Equal(teams, []string{"t1", "t2", "t3", "t4"}) {
		t.Fatalf("candidates %v", teams)
	}
	p.Audit(model.AuditFacts{Teams: map[string]model.TeamReferences{
		"t1": {Schedules: []model.Ref{{ID: "s1", Name: "a_schedule"}}, Escalations: []model.Ref{{ID: "e1", Name: "a_escalation"}}},
		"t2": {ReferencedBy: []model.Ref{{ID: "e9", Name: "escalation other"}}},
		"t3": {},
	}})
	want := map[string][]string{
		"delete-team:a": {`on-call audit: the team still holds on-call data: its schedules with on-call rotations "a_schedule"; its escalations "a_escalation"`},
		"delete-team:b": {`on-call audit: the team still holds on-call data: schedules and escalations that name it "escalation other"`},
		"delete-team:c": nil,
		"delete-team:d": {"on-call audit: no reference facts for this team; not audited"},
	}
	for id, w := range want {
		if got := mustAction(t, p, id).Blocked; !slices.Equal(got, w) {
			t.Errorf("%s blocked %q, want %q", id, got, w)
		}
	}
}
