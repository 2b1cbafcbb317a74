package planner

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/model"
)

// users returns n current users u0..u(n-1)@x.io, marked, with the given roles for the first ones.
func users(n int, roles ...string) []model.User {
	out := make([]model.User, n)
	for i := range out {
		r := model.RoleUser
		if i < len(roles) {
			r = roles[i]
		}
		out[i] = cur(fmt.Sprint("id", i), fmt.Sprintf("u%d@x.io", i), role(r), marked)
	}
	return out
}

// declare returns desired users for the current users of indexes [from, to).
func declare(cs []model.User, from, to int) []model.User {
	var out []model.User
	for _, c := range cs[from:to] {
		out = append(out, des(c.Username, role(*c.Role)))
	}
	return out
}

func violations(vs []Violation) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Rule+": "+v.Message)
	}
	return out
}

func TestCheckDesired(t *testing.T) {
	acct := users(10, "Owner")
	tests := []struct {
		name    string
		desired []model.User
		current []model.User
		opts    func(*Options)
		want    []string
	}{
		{name: "sane", desired: declare(acct, 0, 10), current: acct, want: []string{}},
		{name: "empty desired state", current: acct, want: []string{
			"min_users: the desired state declares 0 users in scope; min_users is 1",
			"max_shrink_percent: the desired state declares 0 users in scope, 0.0% of the 10 the account has in scope; max_shrink_percent 50 needs at least 5"}},
		{name: "gutted desired state", desired: declare(acct, 0, 4), current: acct, want: []string{
			"max_shrink_percent: the desired state declares 4 users in scope, 40.0% of the 10 the account has in scope; max_shrink_percent 50 needs at least 5"}},
		{name: "exactly at the shrink limit", desired: declare(acct, 0, 5), current: acct, want: []string{}},
		{name: "shrink counts only users ogsync manages in marker mode", desired: declare(acct, 0, 1),
			current: append(slices.Clone(acct[:1]), cur("x", "unmarked@x.io"), cur("y", "unmarked2@x.io")), want: []string{}},
		{name: "shrink counts every user in adopt mode", desired: declare(acct, 0, 1),
			current: append(slices.Clone(acct[:1]), cur("x", "unmarked@x.io"), cur("y", "unmarked2@x.io")),
			opts:    func(o *Options) { o.Ownership.Mode = OwnershipAdopt },
			want:    []string{"max_shrink_percent: the desired state declares 1 users in scope, 33.3% of the 3 the account has in scope; max_shrink_percent 50 needs at least 1.5"}},
		{name: "ignored users are out of scope", desired: []model.User{des("bot@x.io")}, current: acct,
			opts: func(o *Options) { o.Scope.IgnoreUsers = []string{"bot@*"}; o.Safeguards.MaxShrinkPercent = 100 },
			want: []string{"min_users: the desired state declares 0 users in scope; min_users is 1"}},
		{name: "roles managed without owners", desired: append(declare(acct, 1, 10), des(acct[0].Username)), current: acct,
			want: []string{"min_owners: the desired state declares 0 users with the Owner role; min_owners is 1"}},
		{name: "owner role case-insensitive", desired: append(declare(acct, 1, 10), des(acct[0].Username, role("owner"))), current: acct, want: []string{}},
		{name: "roles not managed: owners not checked", desired: []model.User{des("u0@x.io"), des("u1@x.io"), des("u2@x.io"), des("u3@x.io"), des("u4@x.io")},
			current: acct, want: []string{}},
		{name: "min_owners 2", desired: declare(acct, 0, 10), current: acct, opts: func(o *Options) { o.Safeguards.MinOwners = 2 },
			want: []string{"min_owners: the desired state declares 1 users with the Owner role; min_owners is 2"}},
		{name: "required users", desired: declare(acct, 0, 10), current: acct,
			opts: func(o *Options) { o.Safeguards.RequiredUsers = []string{"U1@x.io", "zed@x.io", "amy@x.io", "zed@x.io"} },
			want: []string{"required_users: required users missing from the desired state: amy@x.io, zed@x.io"}},
		{name: "min_users", desired: declare(acct, 0, 10), current: acct, opts: func(o *Options) { o.Safeguards.MinUsers = 11 },
			want: []string{"min_users: the desired state declares 10 users in scope; min_users is 11"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			if tt.opts != nil {
				tt.opts(&o)
			}
			got := violations(CheckDesired(model.Desired{Users: tt.desired}, model.Current{Users: tt.current}, o))
			if !slices.Equal(got, tt.want) {
				t.Errorf("violations:\n got %q\nwant %q", got, tt.want)
			}
			for _, v := range CheckDesired(model.Desired{Users: tt.desired}, model.Current{Users: tt.current}, o) {
				if v.Phase != PhaseDesired {
					t.Errorf("phase = %q", v.Phase)
				}
			}
		})
	}
}

func TestCheckPlan(t *testing.T) {
	acct := users(30, "Owner", "Owner")
	member := func(from, to int) []model.Member {
		var ms []model.Member
		for _, u := range acct[from:to] {
			ms = append(ms, curMem(u.ID, u.Username, "user"))
		}
		return ms
	}
	teams := []model.Team{curTeam("t1", "big", "", member(0, 20)...), curTeam("t2", "small", "", member(20, 30)...)}
	var teamsN []model.Team
	for i := range 10 {
		teamsN = append(teamsN, curTeam(fmt.Sprint("tt", i), fmt.Sprint("team", i), ""))
	}
	tests := []struct {
		name     string
		desired  model.Desired
		current  model.Current
		sg       func(*Safeguards)
		want     []string
		blockedN int
	}{
		{name: "within limits", desired: model.Desired{Users: declare(acct, 0, 29)}, current: model.Current{Users: acct},
			sg: func(s *Safeguards) { s.MaxDeletes = MaxDeletes{Count: 1, Percent: 10} }, want: []string{}},
		{name: "user deletes over both limits", desired: model.Desired{Users: declare(acct, 0, 18)}, current: model.Current{Users: acct},
			want:     []string{"max_deletes.users: would delete 12 users (40.0% of 30); limit is 10 and 10%"},
			blockedN: 12},
		{name: "user deletes over the percent only", desired: model.Desired{Users: declare(acct, 0, 26)}, current: model.Current{Users: acct},
			sg:       func(s *Safeguards) { s.MaxDeletes = MaxDeletes{Count: 10, Percent: 12.5} },
			want:     []string{"max_deletes.users: would delete 4 users (13.3% of 30); limit is 10 and 12.5%"},
			blockedN: 4},
		{name: "user deletes over the count only", desired: model.Desired{Users: declare(acct, 0, 27)}, current: model.Current{Users: acct},
			sg:       func(s *Safeguards) { s.MaxDeletes = MaxDeletes{Count: 2, Percent: 50} },
			want:     []string{"max_deletes.users: would delete 3 users (10.0% of 30); limit is 2 and 50%"},
			blockedN: 3},
		{name: "member removals checked separately", desired: model.Desired{Users: declare(acct, 0, 30),
			Teams: []model.Team{team("big", member(0, 10)...), team("small", member(20, 30)...)}},
			current: model.Current{Users: acct, Teams: teams},
			want:    []string{"max_deletes.members: would remove 10 team memberships (33.3% of 30); limit is 10 and 10%"}, blockedN: 10},
		{name: "team deletes checked separately", desired: model.Desired{Users: declare(acct, 0, 30), Teams: []model.Team{{Name: "team0"}}},
			current: model.Current{Users: acct, Teams: teamsN},
			want:    []string{"max_deletes.teams: would delete 9 teams (90.0% of 10); limit is 10 and 10%"}, blockedN: 9},
		{name: "every kind over", desired: model.Desired{Users: declare(acct, 0, 17), Teams: []model.Team{emptyTeam("big"), emptyTeam("small")}},
			current: model.Current{Users: acct, Teams: append(slices.Clone(teams), teamsN...)},
			sg:      func(s *Safeguards) { s.MaxDeletes = MaxDeletes{Count: 5, Percent: 90} },
			want: []string{
				"max_deletes.users: would delete 13 users (43.3% of 30); limit is 5 and 90%",
				"max_deletes.teams: would delete 10 teams (83.3% of 12); limit is 5 and 90%",
				"max_deletes.members: would remove 30 team memberships (100.0% of 30); limit is 5 and 90%",
			}, blockedN: 53},
		{name: "owners kept", desired: model.Desired{Users: append(declare(acct, 2, 30), des("u0@x.io", role("Owner")), des("u1@x.io", role("User")))},
			current: model.Current{Users: acct}, want: []string{}},
		{name: "owners demoted and deleted", desired: model.Desired{Users: append(declare(acct, 2, 30), des("u0@x.io", role("User")))},
			current: model.Current{Users: acct}, sg: func(s *Safeguards) { s.MinOwners = 1 },
			want: []string{"min_owners: the desired state declares 0 users with the Owner role; min_owners is 1",
				"min_owners: would leave 0 owners (2 now, 1 deleted, 1 demoted, 0 created or promoted); min_owners is 1"},
			blockedN: 2},
		{name: "promotion makes up for a demotion", desired: model.Desired{Users: append(declare(acct, 3, 30), des("u0@x.io", role("User")), des("u1@x.io", role("Owner")), des("u2@x.io", role("Owner")))},
			current: model.Current{Users: acct}, sg: func(s *Safeguards) { s.MinOwners = 2 }, want: []string{}},
		{name: "no owner removed: never blocked", desired: model.Desired{Users: append(undeclaredRoles(acct), des("new@x.io"))},
			current: model.Current{Users: acct}, sg: func(s *Safeguards) { s.MinOwners = 5 }, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			o.Policies = PolicyNames{Users: PolicySync, Teams: PolicySync, Members: PolicySync}
			o.Ownership.Mode = OwnershipAdopt
			o.Safeguards.MaxShrinkPercent = 100
			o.Safeguards.MinOwners = 0
			if tt.sg != nil {
				tt.sg(&o.Safeguards)
			}
			p := mustCompute(t, tt.desired, tt.current, o)
			if got := violations(p.Violations); !slices.Equal(got, tt.want) {
				t.Errorf("violations:\n got %q\nwant %q", got, tt.want)
			}
			if p.Summary.Blocked != tt.blockedN {
				t.Errorf("blocked = %d, want %d", p.Summary.Blocked, tt.blockedN)
			}
			if p.Refused() != (len(tt.want) > 0) {
				t.Errorf("Refused = %v", p.Refused())
			}
			if p.Refused() && p.Runnable() != nil {
				t.Error("a refused plan has runnable actions")
			}
			for _, a := range p.Actions {
				for _, r := range a.Blocked {
					if !slices.ContainsFunc(p.Violations, func(v Violation) bool { return v.Message == r }) {
						t.Errorf("%s blocked by %q, no such violation", a.ID, r)
					}
				}
			}
		})
	}
}

func TestAudit(t *testing.T) {
	acct := []model.User{cur("ia", "a@x.io", marked), cur("ib", "b@x.io", marked), cur("ic", "c@x.io", marked), cur("id", "d@x.io", marked), cur("ie", "e@x.io", marked)}
	current := model.Current{Users: acct, Teams: []model.Team{
		curTeam("t1", "managed", "", curMem("ia", "a@x.io", "user"), curMem("ib", "b@x.io", "user")),
		curTeam("t2", "unmanaged", "", curMem("ic", "c@x.io", "user")),
		curTeam("t3", "gone", "", curMem("id", "d@x.io", "user")),
	}}
	desired := model.Desired{Users: []model.User{des("keep@x.io")}, Teams: []model.Team{emptyTeam("managed"), {Name: "unmanaged"}}}
	o := permissive()
	o.Ownership.Mode = OwnershipAdopt
	p := mustCompute(t, desired, current, o)
	users, teams := p.AuditCandidates()
	if want := []string{"ia", "ib", "ic", "id", "ie"}; !slices.Equal(users, want) {
		t.Fatalf("AuditCandidates users = %v, want %v", users, want)
	}
	if want := []string{"t3"}; !slices.Equal(teams, want) {
		t.Fatalf("AuditCandidates teams = %v, want %v", teams, want)
	}
	facts := map[string]model.References{
		"ia": {Schedules: []model.Ref{{ID: "s2", Name: "Ops Secondary"}, {ID: "s1", Name: "Ops Primary"}}, Teams: []model.Ref{{ID: "t1", Name: "managed"}}},
		"ib": {Teams: []model.Ref{{ID: "t1", Name: "managed"}}},
		"ic": {Teams: []model.Ref{{ID: "t2", Name: "unmanaged"}}, Escalations: []model.Ref{{ID: "e1", Name: "unmanaged_escalation"}}},
		"id": {Teams: []model.Ref{{Name: "GONE"}}},
	}
	p.Audit(model.AuditFacts{Users: facts, Teams: map[string]model.TeamReferences{"t3": {}}})
	want := map[string][]string{
		"delete-user:a@x.io": {`on-call audit: still referenced by schedules "Ops Primary", "Ops Secondary"`},
		"delete-user:b@x.io": nil,
		"delete-user:c@x.io": {`on-call audit: still referenced by escalations "unmanaged_escalation"; teams not left by this plan "unmanaged"`},
		"delete-user:d@x.io": nil,
		"delete-user:e@x.io": {"on-call audit: no reference facts for this user; not audited"},
	}
	for id, w := range want {
		if got := mustAction(t, p, id).Blocked; !slices.Equal(got, w) {
			t.Errorf("%s blocked = %q, want %q", id, got, w)
		}
	}
	if !p.Audited || p.Summary.Blocked != 3 || p.Refused() || !p.Blocked() {
		t.Errorf("audited %v summary %+v refused %v", p.Audited, p.Summary, p.Refused())
	}
	runnable := map[string]bool{}
	for _, a := range p.Runnable() {
		runnable[a.ID] = true
	}
	if runnable["delete-user:a@x.io"] || !runnable["delete-user:b@x.io"] || !runnable["remove-member:managed:a@x.io"] || !runnable["delete-team:gone"] {
		t.Errorf("runnable = %v", runnable)
	}
	// A second audit with fresh facts replaces the first verdicts.
	facts["ia"], facts["ic"], facts["ie"] = model.References{}, model.References{}, model.References{}
	p.Audit(model.AuditFacts{Users: facts, Teams: map[string]model.TeamReferences{"t3": {}}})
	if p.Summary.Blocked != 0 {
		t.Errorf("after re-audit blocked = %d: %v", p.Summary.Blocked, p.Actions)
	}
	// The deletes depend on the removals that make them possible.
	if got := mustAction(t, p, "delete-user:d@x.io").DependsOn; !slices.Equal(got, []string{"delete-team:gone"}) {
		t.Errorf("delete d depends on %v", got)
	}
	if got := mustAction(t, p, "delete-user:a@x.io").DependsOn; !slices.Equal(got, []string{"remove-member:managed:a@x.io"}) {
		t.Errorf("delete a depends on %v", got)
	}
}

func TestRunnableSkipsDependants(t *testing.T) {
	p := mustCompute(t, model.Desired{Users: []model.User{des("n@x.io")}, Teams: []model.Team{team("sre", mem("n@x.io", ""))}},
		model.Current{Teams: []model.Team{curTeam("t1", "sre", "")}}, permissive())
	if got := ids(p); !slices.Equal(got, []string{"create-user:n@x.io", "add-member:sre:n@x.io"}) {
		t.Fatalf("actions = %v", got)
	}
	p.Actions[0].block("test")
	if got := p.Runnable(); len(got) != 0 {
		t.Errorf("runnable = %v", got)
	}
}

func TestStepsAreIndependent(t *testing.T) {
	o := permissive()
	o.Ownership.Mode = OwnershipAdopt
	p := mustCompute(t,
		model.Desired{Users: []model.User{des("n@x.io", role("Owner")), des("o@x.io", role("User")), des("a@x.io", fullName("A"))},
			Teams: []model.Team{team("new", mem("n@x.io", "admin")), team("sre", mem("n@x.io", ""), mem("o@x.io", "admin"))}},
		model.Current{Users: []model.User{cur("io", "o@x.io", role("Owner")), cur("ia", "a@x.io"), cur("ig", "gone@x.io")},
			Teams: []model.Team{curTeam("t1", "sre", "", curMem("ig", "gone@x.io", "user"), curMem("io", "o@x.io", "user")), curTeam("t2", "old", "")}}, o)
	var got []string
	for _, s := range p.Steps() {
		var names []string
		for _, a := range s {
			names = append(names, a.ID)
			for _, d := range a.DependsOn {
				if dep := p.Action(d); dep == nil || dep.Step >= a.Step {
					t.Errorf("%s depends on %s, not an earlier step", a.ID, d)
				}
			}
		}
		got = append(got, strings.Join(names, " "))
	}
	want := []string{
		"create-user:n@x.io",
		"create-team:new",
		"update-user:a@x.io",
		"update-user:o@x.io",
		"add-member:sre:n@x.io",
		"change-member-role:sre:o@x.io",
		"remove-member:sre:gone@x.io",
		"delete-team:old",
		"delete-user:gone@x.io",
	}
	if !slices.Equal(got, want) {
		t.Errorf("steps:\n got %q\nwant %q", got, want)
	}
}

func TestOptions(t *testing.T) {
	policyTable := []struct {
		name                 string
		create, update, dele bool
	}{{PolicySync, true, true, true}, {PolicyUpsertOnly, true, true, false}, {PolicyCreateOnly, true, false, false}}
	for _, pt := range policyTable {
		p := Policies[pt.name]
		if p.Allows(OpCreate) != pt.create || p.Allows(OpUpdate) != pt.update || p.Allows(OpDelete) != pt.dele {
			t.Errorf("policy %s allows create/update/delete = %v %v %v", pt.name, p.Allows(OpCreate), p.Allows(OpUpdate), p.Allows(OpDelete))
		}
	}
	bad := []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{"unknown policy", func(o *Options) { o.Policies.Teams = "mirror" }, `policies.teams: "mirror" is not a policy`},
		{"unknown mode", func(o *Options) { o.Ownership.Mode = "all" }, `ownership.mode: "all" is not an ownership mode`},
		{"empty marker", func(o *Options) { o.Ownership.MarkerValue = " " }, "ownership.marker_value: must not be empty"},
		{"bad glob", func(o *Options) { o.Scope.IgnoreTeams = []string{"ok", "[x"} }, `ignore_teams[1]: "[x" is not a valid glob pattern`},
		{"negative", func(o *Options) { o.Safeguards.MaxDeletes.Count = -1 }, "must not be negative"},
		{"percent", func(o *Options) { o.Safeguards.MaxShrinkPercent = 101 }, "between 0 and 100"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			tt.mod(&o)
			_, err := Compute(model.Desired{}, model.Current{}, o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestComputeRefusesDuplicates(t *testing.T) {
	_, err := Compute(model.Desired{Users: []model.User{{Username: "a@x.io", Origin: "a.yaml:3"}, {Username: "A@x.io", Origin: "b.yaml:9"}},
		Teams: []model.Team{{Name: "sre", Origin: "t.yaml:1"}, {Name: "SRE", Origin: "t.yaml:8"}}}, model.Current{}, DefaultOptions())
	want := "planning: desired state is ambiguous: user a@x.io declared at a.yaml:3 and b.yaml:9; team SRE declared at t.yaml:1 and t.yaml:8"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestMemberReferencedUserIsKept(t *testing.T) {
	o := permissive()
	o.Ownership.Mode = OwnershipAdopt
	p := mustCompute(t, model.Desired{Users: []model.User{des("a@x.io")}, Teams: []model.Team{team("sre", mem("ext@x.io", ""))}},
		model.Current{Users: []model.User{cur("ia", "a@x.io"), cur("ie", "ext@x.io")}, Teams: []model.Team{curTeam("t", "sre", "")}}, o)
	if got := ids(p); !slices.Equal(got, []string{"add-member:sre:ext@x.io"}) {
		t.Errorf("actions = %v", got)
	}
}

func emptyTeam(name string) model.Team { return model.Team{Name: name, Members: &[]model.Member{}} }

// undeclaredRoles declares the users without managing their roles.
func undeclaredRoles(cs []model.User) []model.User {
	var out []model.User
	for _, c := range cs {
		out = append(out, des(c.Username))
	}
	return out
}

func TestTakesOwner(t *testing.T) {
	role := func(r string) *string { return &r }
	user := func(r *string) *Snapshot { return &Snapshot{User: &model.User{Username: "a@x.io", Role: r}} }
	for _, c := range []struct {
		name string
		a    Action
		want bool
	}{
		{"delete an Owner", Action{Type: DeleteUser, Before: user(role("Owner"))}, true},
		{"delete an owner, other case", Action{Type: DeleteUser, Before: user(role("owner"))}, true},
		{"delete an Admin", Action{Type: DeleteUser, Before: user(role("Admin"))}, false},
		{"demote an Owner", Action{Type: UpdateUser, Before: user(role("Owner")), After: user(role("User"))}, true},
		{"update an Owner's name only", Action{Type: UpdateUser, Before: user(role("Owner")), After: user(nil)}, false},
		{"promote to Owner", Action{Type: UpdateUser, Before: user(role("User")), After: user(role("Owner"))}, false},
		{"create an Owner", Action{Type: CreateUser, After: user(role("Owner"))}, false},
		{"member removal", Action{Type: RemoveMember}, false},
	} {
		if got := c.a.TakesOwner(); got != c.want {
			t.Errorf("%s: TakesOwner() = %t, want %t", c.name, got, c.want)
		}
	}
}
