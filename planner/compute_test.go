package planner

import (
	"slices"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/model"
)

func TestComputeUsers(t *testing.T) {
	a := "alice@example.com"
	tests := []struct {
		name    string
		desired []model.User
		current []model.User
		custom  []string
		opts    func(*Options)
		want    []string // action IDs in order
		skips   []string
		check   func(t *testing.T, p *Plan)
	}{
		{name: "equal", desired: []model.User{des(a, fullName("Full "+a), role("User"), tz("Europe/Berlin"), locale("en_US"), tags(), details(nil))},
			current: []model.User{cur("1", a)}, want: []string{}},
		{name: "unmanaged fields are left alone", desired: []model.User{des(a)},
			current: []model.User{cur("1", a, fullName("X"), role("Admin"), tz("UTC"), tags("x"))}, want: []string{}},
		{name: "username case-insensitive", desired: []model.User{des(" Alice@Example.COM ", role("User"))},
			current: []model.User{cur("1", a)}, want: []string{}},
		{name: "create with defaults and marker", desired: []model.User{des(a)}, want: []string{"create-user:" + a},
			check: func(t *testing.T, p *Plan) {
				u := p.Actions[0].After.User
				if *u.FullName != a || *u.Role != model.RoleUser || u.TimeZone != nil || u.Tags != nil {
					t.Errorf("create body = %+v", u)
				}
				if got := (*u.Details)["managed-by"]; !slices.Equal(got, []string{"ogsync"}) {
					t.Errorf("marker = %v", got)
				}
				if p.Actions[0].Origin != "users.yaml:1" || p.Actions[0].Before != nil {
					t.Errorf("origin/before = %q %v", p.Actions[0].Origin, p.Actions[0].Before)
				}
			}},
		{name: "create canonicalises", desired: []model.User{des(a, role("admin"), tags("b", "a", "b"), details(map[string][]string{"k": {"2", "1"}, "empty": {}}))},
			want: []string{"create-user:" + a},
			check: func(t *testing.T, p *Plan) {
				u := p.Actions[0].After.User
				if *u.Role != "Admin" || !slices.Equal(*u.Tags, []string{"a", "b"}) || !slices.Equal((*u.Details)["k"], []string{"1", "2"}) || len(*u.Details) != 2 {
					t.Errorf("create body = %+v %v", u, *u.Details)
				}
			}},
		{name: "fullName", desired: []model.User{des(a, fullName("Alice"))}, current: []model.User{cur("1", a)},
			want: []string{"update-user:" + a},
			check: func(t *testing.T, p *Plan) {
				ac := p.Actions[0]
				if !slices.Equal(ac.Fields, []string{"fullName"}) || *ac.Before.User.FullName != "Full "+a || *ac.After.User.FullName != "Alice" ||
					ac.After.User.Role != nil || ac.UserID != "1" || ac.After.User.ID != "1" || ac.Step != StepUpdates {
					t.Errorf("action = %+v before %+v after %+v", ac, ac.Before.User, ac.After.User)
				}
			}},
		{name: "built-in role case-insensitive", desired: []model.User{des(a, role("aDMIN"))}, current: []model.User{cur("1", a, role("Admin"))}, want: []string{}},
		{name: "role change", desired: []model.User{des(a, role("Admin"))}, current: []model.User{cur("1", a)}, want: []string{"update-user:" + a},
			check: func(t *testing.T, p *Plan) {
				if *p.Actions[0].After.User.Role != "Admin" || *p.Actions[0].Before.User.Role != "User" {
					t.Errorf("role %v → %v", *p.Actions[0].Before.User.Role, *p.Actions[0].After.User.Role)
				}
			}},
		{name: "custom role resolved to the account spelling", desired: []model.User{des(a, role("responder"))},
			current: []model.User{cur("1", a, role("Responder"))}, custom: []string{"Responder"}, want: []string{}},
		{name: "custom role exact when ambiguous", desired: []model.User{des(a, role("responder"))},
			current: []model.User{cur("1", a, role("Responder"))}, custom: []string{"Responder", "RESPONDER"}, want: []string{"update-user:" + a}},
		{name: "custom role exact when unknown", desired: []model.User{des(a, role("responder"))},
			current: []model.User{cur("1", a, role("Responder"))}, want: []string{"update-user:" + a}},
		{name: "time zone alias US/Pacific", desired: []model.User{des(a, tz("US/Pacific"))}, current: []model.User{cur("1", a, tz("America/Los_Angeles"))}, want: []string{}},
		{name: "time zone alias Asia/Calcutta", desired: []model.User{des(a, tz("Asia/Calcutta"))}, current: []model.User{cur("1", a, tz("Asia/Kolkata"))}, want: []string{}},
		{name: "time zone alias UTC", desired: []model.User{des(a, tz("Etc/UTC"))}, current: []model.User{cur("1", a, tz("UTC"))}, want: []string{}},
		{name: "time zones equal only today differ", desired: []model.User{des(a, tz("Europe/Paris"))}, current: []model.User{cur("1", a)}, want: []string{"update-user:" + a},
			check: func(t *testing.T, p *Plan) {
				if *p.Actions[0].After.User.TimeZone != "Europe/Paris" {
					t.Errorf("after = %v", *p.Actions[0].After.User.TimeZone)
				}
			}},
		{name: "unknown zone equals only itself", desired: []model.User{des(a, tz("Mars/Olympus"))}, current: []model.User{cur("1", a, tz("Mars/Olympus"))}, want: []string{}},
		{name: "unknown zone differs", desired: []model.User{des(a, tz("Mars/Olympus"))}, current: []model.User{cur("1", a)}, want: []string{"update-user:" + a}},
		{name: "locale separator and case", desired: []model.User{des(a, locale("EN-us"))}, current: []model.User{cur("1", a)}, want: []string{}},
		{name: "locale change", desired: []model.User{des(a, locale("de_DE"))}, current: []model.User{cur("1", a)}, want: []string{"update-user:" + a}},
		{name: "tags as a set", desired: []model.User{des(a, tags("b", "a", "a"))}, current: []model.User{cur("1", a, tags("a", "b"))}, want: []string{}},
		{name: "tags nil and empty alike", desired: []model.User{des(a, tags())}, current: []model.User{cur("1", a, func(u *model.User) { u.Tags = nil })}, want: []string{}},
		{name: "tags change", desired: []model.User{des(a, tags("a"))}, current: []model.User{cur("1", a, tags("b", "a"))}, want: []string{"update-user:" + a},
			check: func(t *testing.T, p *Plan) {
				if !slices.Equal(*p.Actions[0].After.User.Tags, []string{"a"}) || !slices.Equal(*p.Actions[0].Before.User.Tags, []string{"a", "b"}) {
					t.Errorf("tags %v → %v", *p.Actions[0].Before.User.Tags, *p.Actions[0].After.User.Tags)
				}
			}},
		{name: "details values as a set", desired: []model.User{des(a, details(map[string][]string{"k": {"2", "1"}}))},
			current: []model.User{cur("1", a, details(map[string][]string{"k": {"1", "2", "2"}}))}, want: []string{}},
		{name: "details empty list is no key", desired: []model.User{des(a, details(map[string][]string{"k": {}}))}, current: []model.User{cur("1", a)}, want: []string{}},
		{name: "marker is no diff", desired: []model.User{des(a, details(map[string][]string{"k": {"v"}}))},
			current: []model.User{cur("1", a, details(map[string][]string{"k": {"v"}}), marked)}, want: []string{}},
		{name: "details update keeps the marker", desired: []model.User{des(a, details(map[string][]string{"k": {"w"}}))},
			current: []model.User{cur("1", a, details(map[string][]string{"k": {"v"}, "old": {"x"}}), marked)}, want: []string{"update-user:" + a},
			check: func(t *testing.T, p *Plan) {
				got := *p.Actions[0].After.User.Details
				if len(got) != 2 || !slices.Equal(got["k"], []string{"w"}) || !slices.Equal(got["managed-by"], []string{"ogsync"}) {
					t.Errorf("after details = %v", got)
				}
			}},
		{name: "details update does not add a marker", desired: []model.User{des(a, details(map[string][]string{"k": {"w"}}))},
			current: []model.User{cur("1", a)}, want: []string{"update-user:" + a},
			check: func(t *testing.T, p *Plan) {
				if got := *p.Actions[0].After.User.Details; len(got) != 1 {
					t.Errorf("after details = %v", got)
				}
			}},
		{name: "custom marker key", desired: []model.User{des(a, details(map[string][]string{}))},
			current: []model.User{cur("1", a, details(map[string][]string{"owner": {"sync"}}))},
			opts:    func(o *Options) { o.Ownership.MarkerKey, o.Ownership.MarkerValue = "owner", "sync" }, want: []string{}},
		{name: "several fields in fixed order", desired: []model.User{des(a, details(map[string][]string{"k": {"v"}}), tags("t"), locale("fr_FR"), tz("UTC"), role("Admin"), fullName("A"))},
			current: []model.User{cur("1", a)}, want: []string{"update-user:" + a},
			check: func(t *testing.T, p *Plan) {
				if want := []string{"fullName", "role", "timeZone", "locale", "tags", "details"}; !slices.Equal(p.Actions[0].Fields, want) {
					t.Errorf("fields = %v", p.Actions[0].Fields)
				}
			}},
		{name: "marker mode deletes only marked users", current: []model.User{cur("1", a, marked), cur("2", "bob@example.com")},
			opts: func(o *Options) { o.Ownership.Mode = OwnershipMarker }, want: []string{"delete-user:" + a},
			check: func(t *testing.T, p *Plan) {
				if ac := p.Actions[0]; ac.UserID != "1" || ac.Before.User.ID != "1" || !strings.Contains(ac.Reason, "managed-by=ogsync") {
					t.Errorf("delete = %+v", ac)
				}
			}},
		{name: "adopt mode deletes every undeclared user", current: []model.User{cur("1", a, marked), cur("2", "bob@example.com")},
			opts: func(o *Options) { o.Ownership.Mode = OwnershipAdopt }, want: []string{"delete-user:" + a, "delete-user:bob@example.com"}},
		{name: "upsert-only does not delete", current: []model.User{cur("1", a, marked)},
			opts: func(o *Options) { o.Policies.Users = PolicyUpsertOnly }, want: []string{},
			skips: []string{"delete-user:" + a + " (policy.users upsert-only does not delete users)"}},
		{name: "default policy is upsert-only", current: []model.User{cur("1", a, marked)},
			opts: func(o *Options) { o.Policies.Users = "" }, want: []string{},
			skips: []string{"delete-user:" + a + " (policy.users upsert-only does not delete users)"}},
		{name: "create-only does not update", desired: []model.User{des(a, role("Admin")), des("new@example.com")}, current: []model.User{cur("1", a)},
			opts: func(o *Options) { o.Policies.Users = PolicyCreateOnly }, want: []string{"create-user:new@example.com"},
			skips: []string{"update-user:" + a + " (policy.users create-only does not update users)"}},
		{name: "ignored users are never touched", desired: []model.User{des("x@contractor.example.com"), des(a, role("Admin"))},
			current: []model.User{cur("1", a, role("Admin")), cur("2", "y@Contractor.example.com", marked)},
			opts: func(o *Options) {
				o.Ownership.Mode = OwnershipAdopt
				o.Scope.IgnoreUsers = []string{"*@CONTRACTOR.example.com"}
			},
			want: []string{}, skips: []string{"create-user:x@contractor.example.com (matches ignore_users pattern *@contractor.example.com)"}},
		{name: "protected users are never changed or deleted", desired: []model.User{des(a, role("Admin"))},
			current: []model.User{cur("1", a), cur("2", "root@example.com", marked)},
			opts:    func(o *Options) { o.Scope.ProtectedUsers = []string{a, "Root@example.com"} }, want: []string{},
			skips: []string{"delete-user:root@example.com (protected user: never changed or deleted)", "update-user:" + a + " (protected user: never changed or deleted)"}},
		{name: "external users are never deleted", current: []model.User{cur("1", "ext@partner.example.com", marked)},
			opts: func(o *Options) {
				o.Ownership.Mode = OwnershipAdopt
				o.Scope.ExternalUsers = []string{"EXT@partner.example.com"}
			}, want: []string{}},
		{name: "promotion before updates before demotion", desired: []model.User{des("a@x.io", role("User")), des("b@x.io", role("Owner")), des("c@x.io", fullName("C"))},
			current: []model.User{cur("1", "a@x.io", role("owner")), cur("2", "b@x.io"), cur("3", "c@x.io")},
			want:    []string{"update-user:b@x.io", "update-user:c@x.io", "update-user:a@x.io"},
			check: func(t *testing.T, p *Plan) {
				if steps := []int{p.Actions[0].Step, p.Actions[1].Step, p.Actions[2].Step}; !slices.Equal(steps, []int{StepPromotions, StepUpdates, StepDemotions}) {
					t.Errorf("steps = %v", steps)
				}
				if !slices.Equal(p.Actions[2].DependsOn, []string{"update-user:b@x.io"}) {
					t.Errorf("demotion depends on %v", p.Actions[2].DependsOn)
				}
			}},
		{name: "owner delete depends on promotions and owner creates", desired: []model.User{des("b@x.io", role("Owner")), des("n@x.io", role("OWNER"))},
			current: []model.User{cur("1", "a@x.io", role("Owner"), marked), cur("2", "b@x.io")},
			want:    []string{"create-user:n@x.io", "update-user:b@x.io", "delete-user:a@x.io"},
			check: func(t *testing.T, p *Plan) {
				if got := p.Actions[2].DependsOn; !slices.Equal(got, []string{"create-user:n@x.io", "update-user:b@x.io"}) {
					t.Errorf("depends on %v", got)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := permissive()
			if tt.opts != nil {
				tt.opts(&o)
			}
			p := mustCompute(t, model.Desired{Users: tt.desired}, model.Current{Users: tt.current, CustomRoles: tt.custom}, o)
			if got := ids(p); !slices.Equal(got, tt.want) {
				t.Errorf("actions = %q, want %q", got, tt.want)
			}
			if got := skipped(p); !slices.Equal(got, append([]string{}, tt.skips...)) {
				t.Errorf("skipped = %q, want %q", got, tt.skips)
			}
			if p.HasChanges() != (len(tt.want) > 0) {
				t.Errorf("HasChanges = %v", p.HasChanges())
			}
			if tt.check != nil && !t.Failed() {
				tt.check(t, p)
			}
		})
	}
}

func TestComputeTeams(t *testing.T) {
	a, b, c := "a@x.io", "b@x.io", "c@x.io"
	users := []model.User{cur("ua", a), cur("ub", b), cur("uc", c)}
	desUsers := []model.User{des(a), des(b), des(c)}
	tests := []struct {
		name    string
		desired []model.Team
		dUsers  []model.User
		current []model.Team
		opts    func(*Options)
		want    []string
		skips   []string
		check   func(t *testing.T, p *Plan)
	}{
		{name: "equal", desired: []model.Team{team("sre", mem(a, "admin"), mem(b, ""))},
			current: []model.Team{curTeam("t1", "sre", "", curMem("ua", a, "admin"), curMem("ub", b, "user"))}, want: []string{}},
		{name: "create with members in the body", desired: []model.Team{team("sre", mem(a, "Admin"), mem("n@x.io", ""))},
			dUsers: append(desUsers, des("n@x.io")), want: []string{"create-user:n@x.io", "create-team:sre"},
			check: func(t *testing.T, p *Plan) {
				ct := p.Actions[1]
				ms := *ct.After.Team.Members
				if len(ms) != 2 || ms[0] != (model.Member{Username: a, UserID: "ua", Role: "admin"}) || ms[1] != (model.Member{Username: "n@x.io", Role: "user"}) {
					t.Errorf("members = %+v", ms)
				}
				if !slices.Equal(ct.DependsOn, []string{"create-user:n@x.io"}) {
					t.Errorf("depends on %v", ct.DependsOn)
				}
			}},
		{name: "create without members", desired: []model.Team{{Name: "sre", Description: model.Ptr("d")}}, want: []string{"create-team:sre"},
			check: func(t *testing.T, p *Plan) {
				if p.Actions[0].After.Team.Members != nil || *p.Actions[0].After.Team.Description != "d" {
					t.Errorf("after = %+v", p.Actions[0].After.Team)
				}
			}},
		{name: "create with an unknown member", desired: []model.Team{team("sre", mem(a, ""), mem("ghost@x.io", ""))},
			want: []string{"create-team:sre", "add-member:sre:ghost@x.io"},
			check: func(t *testing.T, p *Plan) {
				add := p.Actions[1]
				if !add.IsBlocked() || !slices.Equal(add.DependsOn, []string{"create-team:sre"}) || len(*p.Actions[0].After.Team.Members) != 1 {
					t.Errorf("add = %+v", add)
				}
				if p.Summary.Blocked != 1 || p.Refused() || !p.Blocked() {
					t.Errorf("summary = %+v", p.Summary)
				}
			}},
		{name: "description", desired: []model.Team{{Name: "sre", Description: model.Ptr("new")}},
			current: []model.Team{curTeam("t1", "sre", "old")}, want: []string{"update-team:sre"},
			check: func(t *testing.T, p *Plan) {
				u := p.Actions[0]
				if *u.Before.Team.Description != "old" || *u.After.Team.Description != "new" || u.TeamID != "t1" || u.After.Team.Members != nil {
					t.Errorf("update = %+v", u)
				}
			}},
		{name: "name matches case-insensitively, spelling updated", desired: []model.Team{{Name: "SRE"}},
			current: []model.Team{curTeam("t1", "sre", "")}, want: []string{"update-team:SRE"},
			check: func(t *testing.T, p *Plan) {
				if !slices.Equal(p.Actions[0].Fields, []string{"name"}) || p.Actions[0].After.Team.Name != "SRE" {
					t.Errorf("update = %+v", p.Actions[0])
				}
			}},
		{name: "members add, role change, remove", desired: []model.Team{team("sre", mem(a, "admin"), mem(c, "user"))},
			current: []model.Team{curTeam("t1", "sre", "", curMem("ua", a, "user"), curMem("ub", b, "user"))},
			want:    []string{"add-member:sre:" + c, "change-member-role:sre:" + a, "remove-member:sre:" + b},
			check: func(t *testing.T, p *Plan) {
				add, chg, rm := p.Actions[0], p.Actions[1], p.Actions[2]
				if add.After.Role != "user" || add.UserID != "uc" || add.TeamID != "t1" {
					t.Errorf("add = %+v", add)
				}
				if chg.Before.Role != "user" || chg.After.Role != "admin" {
					t.Errorf("change = %+v", chg)
				}
				if rm.Before.Role != "user" || rm.UserID != "ub" || rm.After != nil {
					t.Errorf("remove = %+v", rm)
				}
			}},
		{name: "member add depends on user create", desired: []model.Team{team("sre", mem("n@x.io", ""))}, dUsers: append(desUsers, des("n@x.io")),
			current: []model.Team{curTeam("t1", "sre", "")}, want: []string{"create-user:n@x.io", "add-member:sre:n@x.io"},
			check: func(t *testing.T, p *Plan) {
				if !slices.Equal(p.Actions[1].DependsOn, []string{"create-user:n@x.io"}) {
					t.Errorf("depends on %v", p.Actions[1].DependsOn)
				}
			}},
		{name: "add of an unknown user is blocked", desired: []model.Team{team("sre", mem("ghost@x.io", ""))},
			current: []model.Team{curTeam("t1", "sre", "")}, want: []string{"add-member:sre:ghost@x.io"},
			check: func(t *testing.T, p *Plan) {
				if !p.Actions[0].IsBlocked() {
					t.Error("not blocked")
				}
			}},
		{name: "members not managed", desired: []model.Team{{Name: "sre"}},
			current: []model.Team{curTeam("t1", "sre", "", curMem("ua", a, "user"))}, want: []string{}},
		{name: "empty member list empties the team", desired: []model.Team{{Name: "sre", Members: &[]model.Member{}}},
			current: []model.Team{curTeam("t1", "sre", "", curMem("ua", a, "user"), curMem("ub", b, "admin"))},
			want:    []string{"remove-member:sre:" + a, "remove-member:sre:" + b}},
		{name: "ignored members are left alone", desired: []model.Team{team("sre", mem("bot@x.io", "admin"))},
			current: []model.Team{curTeam("t1", "sre", "", curMem("u9", "bot2@x.io", "user"), curMem("u8", "bot@x.io", "user"))},
			opts:    func(o *Options) { o.Scope.IgnoreUsers = []string{"bot*@x.io"} }, want: []string{},
			skips: []string{"change-member-role:sre:bot@x.io (matches ignore_users pattern bot*@x.io)"}},
		{name: "members upsert-only keeps extra members", desired: []model.Team{team("sre", mem(a, "admin"))},
			current: []model.Team{curTeam("t1", "sre", "", curMem("ua", a, "admin"), curMem("ub", b, "user"))},
			opts:    func(o *Options) { o.Policies.Members = PolicyUpsertOnly }, want: []string{},
			skips: []string{"remove-member:sre:" + b + " (policy.members upsert-only does not remove members)"}},
		{name: "members create-only does not change roles", desired: []model.Team{team("sre", mem(a, "admin"), mem(b, "user"))},
			current: []model.Team{curTeam("t1", "sre", "", curMem("ua", a, "user"))},
			opts:    func(o *Options) { o.Policies.Members = PolicyCreateOnly }, want: []string{"add-member:sre:" + b},
			skips: []string{"change-member-role:sre:" + a + " (policy.members create-only does not change member roles)"}},
		{name: "marker mode never deletes teams", current: []model.Team{curTeam("t1", "old", "")}, want: []string{}},
		{name: "adopt mode deletes undeclared teams", current: []model.Team{curTeam("t1", "old", "", curMem("ua", a, "user"))},
			opts: func(o *Options) { o.Ownership.Mode = OwnershipAdopt }, want: []string{"delete-team:old"},
			check: func(t *testing.T, p *Plan) {
				if p.Actions[0].TeamID != "t1" || len(*p.Actions[0].Before.Team.Members) != 1 {
					t.Errorf("delete = %+v", p.Actions[0])
				}
			}},
		{name: "teams upsert-only does not delete", current: []model.Team{curTeam("t1", "old", "")},
			opts: func(o *Options) { o.Ownership.Mode = OwnershipAdopt; o.Policies.Teams = PolicyUpsertOnly }, want: []string{},
			skips: []string{"delete-team:old (policy.teams upsert-only does not delete teams)"}},
		{name: "teams create-only does not update", desired: []model.Team{{Name: "sre", Description: model.Ptr("new")}},
			current: []model.Team{curTeam("t1", "sre", "old")}, opts: func(o *Options) { o.Policies.Teams = PolicyCreateOnly }, want: []string{},
			skips: []string{"update-team:sre (policy.teams create-only does not update teams)"}},
		{name: "ignored teams are never touched", desired: []model.Team{{Name: "ops-x", Description: model.Ptr("new")}, team("ops-new")},
			current: []model.Team{curTeam("t1", "OPS-X", "old", curMem("ua", a, "user")), curTeam("t2", "ops-old", "")},
			opts:    func(o *Options) { o.Ownership.Mode = OwnershipAdopt; o.Scope.IgnoreTeams = []string{"ops-*"} }, want: []string{},
			skips: []string{"create-team:ops-new (matches ignore_teams pattern ops-*)", "update-team:ops-x (matches ignore_teams pattern ops-*)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := permissive()
			if tt.opts != nil {
				tt.opts(&o)
			}
			du := tt.dUsers
			if du == nil {
				du = desUsers
			}
			p := mustCompute(t, model.Desired{Users: du, Teams: tt.desired}, model.Current{Users: users, Teams: tt.current}, o)
			if got := ids(p); !slices.Equal(got, tt.want) {
				t.Errorf("actions = %q, want %q", got, tt.want)
			}
			if got := skipped(p); !slices.Equal(got, append([]string{}, tt.skips...)) {
				t.Errorf("skipped = %q, want %q", got, tt.skips)
			}
			if tt.check != nil && !t.Failed() {
				tt.check(t, p)
			}
		})
	}
}
