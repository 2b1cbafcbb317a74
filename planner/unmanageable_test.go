package planner

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/model"
)

// reducedCapabilities are the Atlassian target's: no tags, no details, no
// Observer, no member roles.
func reducedCapabilities() *Capabilities {
	return &Capabilities{
		Target:          "atlassian",
		UserFields:      []string{"fullName", "role", "timeZone", "locale"},
		Roles:           []string{model.RoleOwner, model.RoleAdmin, model.RoleUser, model.RoleStakeholder},
		CreateUsers:     true,
		DeleteUsers:     true,
		TeamDescription: true,
		Why:             map[string]string{"tags": "no tags there"},
	}
}

func unmanageable(p *Plan) []string {
	out := []string{}
	for _, s := range p.Unmanageable {
		out = append(out, actionID(s.Type, s.Team, s.User)+" "+strings.Join(s.Fields, ",")+" ("+s.Reason+")")
	}
	return out
}

// A field or operation the target cannot manage is reported unmanageable,
// never planned, and planning again gives the same report and no action.
func TestUnmanageable(t *testing.T) {
	a, b := "alice@example.com", "bob@example.com"
	desired := model.Desired{
		Users: []model.User{
			des(a, fullName("Alice"), tags("x"), role(model.RoleObserver)),
			des(b, tags("y"), details(map[string][]string{"k": {"v"}})),
		},
		Teams: []model.Team{team("ops", mem(a, "admin"), mem(b, "admin"))},
	}
	current := model.Current{
		Users: []model.User{cur("1", a, fullName("Old"), role(model.RoleUser))},
		Teams: []model.Team{curTeam("t1", "ops", "", curMem("1", a, "user"))},
	}
	o := permissive()
	o.Capabilities = reducedCapabilities()
	p := mustCompute(t, desired, current, o)
	if got, want := ids(p), []string{"create-user:" + b, "update-user:" + a, "add-member:ops:" + b}; !slices.Equal(got, want) {
		t.Errorf("actions = %v, want %v", got, want)
	}
	want := []string{
		"add-member:ops:" + b + " role (unmanageable on this target: atlassian cannot manage member-roles)",
		"change-member-role:ops:" + a + " role (unmanageable on this target: atlassian cannot manage member-roles)",
		"create-user:" + b + " tags,details (unmanageable on this target: no tags there; atlassian cannot manage details)",
		"update-user:" + a + " role,tags (unmanageable on this target: atlassian cannot manage Observer; no tags there)",
	}
	if got := unmanageable(p); !slices.Equal(got, want) {
		t.Errorf("unmanageable =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if u := mustAction(t, p, "update-user:"+a); !slices.Equal(u.Fields, []string{"fullName"}) {
		t.Errorf("update fields = %v, want [fullName]", u.Fields)
	}
	if c := mustAction(t, p, "create-user:"+b).After.User; c.Tags != nil || len(*c.Details) != 1 {
		t.Errorf("create body = %+v: want no tags and only the marker", c)
	}
	again := mustCompute(t, desired, applyPlan(t, current, p), o)
	if again.HasChanges() {
		t.Errorf("planning again gives %v", ids(again))
	}
	if len(again.Unmanageable) == 0 {
		t.Error("planning again no longer reports what stays unmanageable")
	}
}

// With reduced capabilities random worlds still converge: a second plan
// has no action, and no action ever names a field the target cannot set.
func TestPropertyReducedCapabilities(t *testing.T) {
	iterations := 1000
	if testing.Short() {
		iterations = 100
	}
	r := rand.New(rand.NewPCG(3, 4))
	o := propertyOptions()
	o.Capabilities = reducedCapabilities()
	for i := range iterations {
		desired, current := randomWorld(r)
		p := mustCompute(t, desired, current, o)
		if probableRename(t, i, p) || p.Blocked() {
			continue
		}
		for _, a := range p.Actions {
			if slices.Contains(a.Fields, "tags") || slices.Contains(a.Fields, "details") || a.Type == ChangeMemberRole {
				t.Fatalf("iteration %d: action %s sets what the target cannot (%v)", i, a.ID, a.Fields)
			}
		}
		again := mustCompute(t, desired, applyPlan(t, current, p), o)
		if again.HasChanges() {
			t.Fatalf("iteration %d: planning again gives %v", i, ids(again))
		}
	}
}
