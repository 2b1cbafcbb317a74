package planner

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/model"
)

// applyPlan applies the runnable actions of p to a copy of c the way the
// OpsGenie API would: the in-memory executor of the property test.
func applyPlan(t *testing.T, c model.Current, p *Plan) model.Current {
	t.Helper()
	out := cloneCurrent(c)
	userIdx := func(name string) int {
		return slices.IndexFunc(out.Users, func(u model.User) bool { return model.NormalizeUsername(u.Username) == name })
	}
	teamIdx := func(name string) int {
		return slices.IndexFunc(out.Teams, func(tm model.Team) bool { return strings.EqualFold(tm.Name, name) })
	}
	for _, a := range p.Runnable() {
		switch a.Type {
		case CreateUser:
			u := cloneUser(*a.After.User)
			u.ID = "new-" + u.Username
			out.Users = append(out.Users, u)
		case UpdateUser:
			i := userIdx(a.User)
			src := a.After.User
			dst := &out.Users[i]
			for _, f := range []struct{ from, to **string }{{&src.FullName, &dst.FullName}, {&src.Role, &dst.Role}, {&src.TimeZone, &dst.TimeZone}, {&src.Locale, &dst.Locale}} {
				if *f.from != nil {
					*f.to = model.Ptr(**f.from)
				}
			}
			if src.Tags != nil {
				dst.Tags = model.Ptr(slices.Clone(*src.Tags))
			}
			if src.Details != nil {
				dst.Details = model.Ptr(maps.Clone(*src.Details))
			}
		case DeleteUser:
			out.Users = slices.Delete(out.Users, userIdx(a.User), userIdx(a.User)+1)
			for i := range out.Teams {
				*out.Teams[i].Members = slices.DeleteFunc(*out.Teams[i].Members, func(m model.Member) bool { return m.Username == a.User })
			}
		case CreateTeam:
			tm := model.Team{ID: "new-" + a.Team, Name: a.Team, Description: model.Ptr(str(a.After.Team.Description)), Members: &[]model.Member{}}
			if a.After.Team.Members != nil {
				*tm.Members = slices.Clone(*a.After.Team.Members)
			}
			out.Teams = append(out.Teams, tm)
		case UpdateTeam:
			tm := &out.Teams[teamIdx(a.Team)]
			tm.Name = a.After.Team.Name
			if a.After.Team.Description != nil {
				tm.Description = model.Ptr(*a.After.Team.Description)
			}
		case DeleteTeam:
			out.Teams = slices.Delete(out.Teams, teamIdx(a.Team), teamIdx(a.Team)+1)
		case AddMember:
			ms := out.Teams[teamIdx(a.Team)].Members
			if slices.ContainsFunc(*ms, func(m model.Member) bool { return m.Username == a.User }) {
				t.Fatalf("%s: already a member", a.ID)
			}
			*ms = append(*ms, model.Member{Username: a.User, UserID: a.UserID, Role: a.After.Role})
		case ChangeMemberRole:
			ms := *out.Teams[teamIdx(a.Team)].Members
			ms[slices.IndexFunc(ms, func(m model.Member) bool { return m.Username == a.User })].Role = a.After.Role
		case RemoveMember:
			ms := out.Teams[teamIdx(a.Team)].Members
			n := len(*ms)
			*ms = slices.DeleteFunc(*ms, func(m model.Member) bool { return m.Username == a.User })
			if len(*ms) != n-1 {
				t.Fatalf("%s: not a member", a.ID)
			}
		}
	}
	return out
}

func cloneUser(u model.User) model.User {
	c := u
	for _, p := range []**string{&c.FullName, &c.Role, &c.TimeZone, &c.Locale} {
		if *p != nil {
			*p = model.Ptr(**p)
		}
	}
	if u.Tags != nil {
		c.Tags = model.Ptr(slices.Clone(*u.Tags))
	}
	if u.Details != nil {
		d := map[string][]string{}
		for k, v := range *u.Details {
			d[k] = slices.Clone(v)
		}
		c.Details = &d
	}
	return c
}

func cloneCurrent(c model.Current) model.Current {
	out := model.Current{CustomRoles: slices.Clone(c.CustomRoles)}
	for _, u := range c.Users {
		out.Users = append(out.Users, cloneUser(u))
	}
	for _, tm := range c.Teams {
		ct := tm
		ct.Description = model.Ptr(str(tm.Description))
		ct.Members = model.Ptr(slices.Clone(members(&tm)))
		out.Teams = append(out.Teams, ct)
	}
	return out
}

var (
	propZones   = []string{"Europe/Berlin", "US/Pacific", "America/Los_Angeles", "UTC", "Etc/UTC", "Asia/Kolkata", "Asia/Calcutta", "Europe/Paris"}
	propRoles   = []string{"Owner", "Admin", "User", "owner", "admin", "Responder", "responder", "Stakeholder"}
	propLocales = []string{"en_US", "en-us", "de_DE"}
	propWords   = []string{"a", "b", "c", "d"}
)

// randomWorld draws a desired and a current state over a small universe of
// names, so that they overlap in every way the planner distinguishes.
func randomWorld(r *rand.Rand) (model.Desired, model.Current) {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	maybe := func(p float64) bool { return r.Float64() < p }
	words := func() []string {
		var w []string
		for range r.IntN(4) {
			w = append(w, pick(propWords))
		}
		return w
	}
	detailsOf := func() map[string][]string {
		d := map[string][]string{}
		for range r.IntN(3) {
			d[pick(propWords)] = words()
		}
		return d
	}
	var names []string
	for i := range 24 {
		prefix := "u"
		if i%6 == 5 {
			prefix = "bot" // ignored
		}
		names = append(names, fmt.Sprintf("%s%d@x.io", prefix, i))
	}
	names = append(names, "root@x.io") // protected
	var desired model.Desired
	var current model.Current
	current.CustomRoles = []string{"Responder"}
	exists := map[string]bool{}
	for i, n := range names {
		if maybe(0.6) {
			u := model.User{ID: fmt.Sprint("id", i), Username: n, FullName: model.Ptr("Name " + pick(propWords)), Role: model.Ptr(pick([]string{"Owner", "Admin", "User", "Responder"})),
				TimeZone: model.Ptr(pick(propZones)), Locale: model.Ptr(pick(propLocales)), Tags: model.Ptr(words()), Details: model.Ptr(detailsOf())}
			if maybe(0.5) {
				(*u.Details)["managed-by"] = []string{"ogsync"}
			}
			current.Users = append(current.Users, u)
			exists[n] = true
		}
		if maybe(0.6) {
			d := model.User{Username: n, Origin: fmt.Sprintf("users.yaml:%d", i)}
			if maybe(0.3) {
				d.Username = strings.ToUpper(n[:1]) + n[1:]
			}
			if maybe(0.7) {
				d.FullName = model.Ptr("Name " + pick(propWords))
			}
			if maybe(0.7) {
				d.Role = model.Ptr(pick(propRoles))
			}
			if maybe(0.7) {
				d.TimeZone = model.Ptr(pick(propZones))
			}
			if maybe(0.5) {
				d.Locale = model.Ptr(pick(propLocales))
			}
			if maybe(0.6) {
				d.Tags = model.Ptr(words())
			}
			if maybe(0.6) {
				d.Details = model.Ptr(detailsOf())
			}
			desired.Users = append(desired.Users, d)
			exists[n] = true
		}
	}
	var known []string
	for _, n := range names {
		if exists[n] {
			known = append(known, n)
		}
	}
	randomMembers := func(withID bool) []model.Member {
		ms := []model.Member{}
		seen := map[string]bool{}
		for range r.IntN(6) {
			n := pick(known)
			if seen[n] {
				continue
			}
			seen[n] = true
			m := model.Member{Username: n, Role: pick([]string{"admin", "user", "Admin", ""})}
			if withID {
				m.Role = memberRole(m.Role)
			}
			ms = append(ms, m)
		}
		return ms
	}
	currentIDs := map[string]string{}
	for _, u := range current.Users {
		currentIDs[u.Username] = u.ID
	}
	for i, name := range []string{"sre", "web", "db", "ops-ignored", "platform", "data", "mobile", "infra"} {
		if maybe(0.6) {
			ms := slices.DeleteFunc(randomMembers(true), func(m model.Member) bool { return currentIDs[m.Username] == "" })
			for j := range ms {
				ms[j].UserID = currentIDs[ms[j].Username]
			}
			current.Teams = append(current.Teams, model.Team{ID: fmt.Sprint("t", i), Name: name, Description: model.Ptr(pick(propWords)), Members: &ms})
		}
		if maybe(0.6) {
			t := model.Team{Name: name, Origin: fmt.Sprintf("teams.yaml:%d", i)}
			if maybe(0.3) {
				t.Name = strings.ToUpper(name)
			}
			if maybe(0.5) {
				t.Description = model.Ptr(pick(propWords))
			}
			if maybe(0.8) {
				t.Members = model.Ptr(randomMembers(false))
			}
			desired.Teams = append(desired.Teams, t)
		}
	}
	return desired, current
}

func propertyOptions() Options {
	o := permissive()
	o.Ownership.Mode = OwnershipAdopt
	o.Scope = Scope{IgnoreUsers: []string{"bot*@x.io"}, IgnoreTeams: []string{"ops-*"}, ProtectedUsers: []string{"root@x.io"}}
	return o
}

// TestPropertyConverges plans random states with every kind on sync in adopt
// mode, applies the plan in memory, and checks the account then equals the
// desired state within scope, leaves what is out of scope alone, and plans
// no further change.
func TestPropertyConverges(t *testing.T) {
	iterations := 3000
	if testing.Short() {
		iterations = 300
	}
	r := rand.New(rand.NewPCG(1, 2))
	o := propertyOptions()
	renames := 0
	for i := range iterations {
		desired, current := randomWorld(r)
		p := mustCompute(t, desired, current, o)
		if probableRename(t, i, p) {
			renames++
			continue
		}
		if p.Blocked() {
			t.Fatalf("iteration %d: plan blocked: %v %v", i, p.Violations, p.Actions)
		}
		after := applyPlan(t, current, p)
		checkConverged(t, i, desired, current, after)
		again := mustCompute(t, desired, after, o)
		if again.HasChanges() {
			t.Fatalf("iteration %d: planning again gives %v", i, ids(again))
		}
	}
	if renames > iterations/5 {
		t.Fatalf("%d of %d random worlds hold a probable team rename: the generator tests too little else", renames, iterations)
	}
}

// probableRename reports whether p holds a probable team rename, and checks
// that it is planned safely: the create is blocked, and so is the delete of
// the team it was probably renamed from, if planned.
func probableRename(t *testing.T, iter int, p *Plan) bool {
	t.Helper()
	found := false
	for _, a := range p.Actions {
		for _, r := range a.Blocked {
			if strings.HasPrefix(r, "probable rename") {
				found = true
				if a.Type != CreateTeam && a.Type != DeleteTeam {
					t.Fatalf("iteration %d: %s blocked as a probable rename", iter, a.ID)
				}
			}
		}
	}
	return found
}

// TestPropertyPolicies draws random policies and ownership and checks each
// plan only does what they allow, and that applying it is idempotent.
func TestPropertyPolicies(t *testing.T) {
	iterations := 2000
	if testing.Short() {
		iterations = 200
	}
	r := rand.New(rand.NewPCG(3, 4))
	names := []string{PolicySync, PolicyUpsertOnly, PolicyCreateOnly}
	for i := range iterations {
		o := propertyOptions()
		o.Policies = PolicyNames{Users: names[r.IntN(3)], Teams: names[r.IntN(3)], Members: names[r.IntN(3)]}
		o.Ownership.Mode = []string{OwnershipAdopt, OwnershipMarker}[r.IntN(2)]
		desired, current := randomWorld(r)
		p := mustCompute(t, desired, current, o)
		if probableRename(t, i, p) {
			continue
		}
		for _, a := range p.Actions {
			pol := map[string]string{"user": o.Policies.Users, "team": o.Policies.Teams, "member": o.Policies.Members}[a.Type.Kind()]
			if !Policies[pol].Allows(a.Type.Op()) {
				t.Fatalf("iteration %d: %s under policy %s", i, a.ID, pol)
			}
			if a.Type == DeleteTeam && o.Ownership.Mode == OwnershipMarker {
				t.Fatalf("iteration %d: %s in marker mode", i, a.ID)
			}
			if a.Type == DeleteUser && o.Ownership.Mode == OwnershipMarker && !slices.Contains((*a.Before.User.Details)["managed-by"], "ogsync") {
				t.Fatalf("iteration %d: %s deletes an unmarked user in marker mode", i, a.ID)
			}
		}
		after := applyPlan(t, current, p)
		if again := mustCompute(t, desired, after, o); again.HasChanges() {
			t.Fatalf("iteration %d (%+v): planning again gives %v", i, o.Policies, ids(again))
		}
	}
}

func checkConverged(t *testing.T, iter int, desired model.Desired, before, after model.Current) {
	t.Helper()
	cmp := newComparer(after.CustomRoles)
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("iteration %d: "+format, append([]any{iter}, args...)...)
	}
	ignoredUser := func(n string) bool { return strings.HasPrefix(n, "bot") }
	find := func(c model.Current, n string) *model.User {
		for i := range c.Users {
			if c.Users[i].Username == n {
				return &c.Users[i]
			}
		}
		return nil
	}
	declared := map[string]bool{}
	for _, d := range desired.Users {
		n := model.NormalizeUsername(d.Username)
		declared[n] = true
		u := find(after, n)
		// Protected users may be created, never changed.
		if ignoredUser(n) || n == "root@x.io" && find(before, n) != nil {
			if b := find(before, n); !reflect.DeepEqual(b, u) {
				fail("out-of-scope user %s changed: %+v → %+v", n, b, u)
			}
			continue
		}
		if u == nil {
			fail("declared user %s missing", n)
		}
		if d.FullName != nil && *d.FullName != *u.FullName ||
			d.Role != nil && cmp.role(*d.Role) != cmp.role(*u.Role) ||
			d.TimeZone != nil && !cmp.sameZone(*d.TimeZone, *u.TimeZone) ||
			d.Locale != nil && !sameLocale(*d.Locale, *u.Locale) ||
			d.Tags != nil && !slices.Equal(tagSet(d.Tags), tagSet(u.Tags)) ||
			d.Details != nil && !sameDetails(detailMap(d.Details, "managed-by"), detailMap(u.Details, "managed-by")) {
			fail("user %s = %+v, desired %+v", n, u, d)
		}
	}
	refs := map[string]bool{}
	for _, tm := range desired.Teams {
		for _, m := range members(&tm) {
			refs[model.NormalizeUsername(m.Username)] = true
		}
	}
	for _, u := range after.Users {
		if !declared[u.Username] && !ignoredUser(u.Username) && u.Username != "root@x.io" && !refs[u.Username] {
			fail("undeclared user %s kept", u.Username)
		}
	}
	teamOf := func(c model.Current, name string) *model.Team {
		for i := range c.Teams {
			if strings.EqualFold(c.Teams[i].Name, name) {
				return &c.Teams[i]
			}
		}
		return nil
	}
	for _, d := range desired.Teams {
		tm := teamOf(after, d.Name)
		if strings.HasPrefix(strings.ToLower(d.Name), "ops-") {
			// An ignored team is left alone, but for losing the users deleted
			// from the account (an audited run blocks those deletes).
			b := teamOf(before, d.Name)
			if b != nil {
				b = model.Ptr(*b)
				b.Members = model.Ptr(slices.DeleteFunc(slices.Clone(*b.Members), func(m model.Member) bool { return find(after, m.Username) == nil }))
			}
			if !reflect.DeepEqual(b, tm) {
				fail("ignored team %s changed: %+v → %+v", d.Name, b, tm)
			}
			continue
		}
		if tm == nil || tm.Name != d.Name || d.Description != nil && *d.Description != *tm.Description {
			fail("team %s = %+v", d.Name, tm)
		}
		if d.Members == nil {
			continue
		}
		want := map[string]string{}
		for _, m := range *d.Members {
			if n := model.NormalizeUsername(m.Username); !ignoredUser(n) {
				want[n] = memberRole(m.Role)
			}
		}
		have := map[string]string{}
		for _, m := range *tm.Members {
			if !ignoredUser(m.Username) {
				have[m.Username] = m.Role
			}
		}
		if !maps.Equal(want, have) {
			fail("team %s members = %v, want %v", d.Name, have, want)
		}
		if b := teamOf(before, d.Name); b != nil {
			for _, m := range *b.Members {
				if ignoredUser(m.Username) && !slices.Contains(*tm.Members, m) {
					fail("team %s lost ignored member %s", d.Name, m.Username)
				}
			}
		}
	}
	for _, tm := range after.Teams {
		if teamOf(model.Current{Teams: desired.Teams}, tm.Name) == nil && !strings.HasPrefix(tm.Name, "ops-") {
			fail("undeclared team %s kept", tm.Name)
		}
	}
}

// TestPropertyPureAndOrderFree: Compute changes neither of its inputs, and
// its plan does not depend on the order of the users, teams and members it
// is given: the same states in another order give the same plan, byte for
// byte.
func TestPropertyPureAndOrderFree(t *testing.T) {
	iterations := 1000
	if testing.Short() {
		iterations = 100
	}
	r := rand.New(rand.NewPCG(3, 4))
	o := propertyOptions()
	encode := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	shuffleTeams := func(ts []model.Team) {
		r.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
		for _, tm := range ts {
			if tm.Members != nil {
				ms := *tm.Members
				r.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
			}
		}
	}
	for i := range iterations {
		desired, current := randomWorld(r)
		d0, c0 := encode(desired), encode(current)
		p, err := Compute(desired, current, o)
		if d1, c1 := encode(desired), encode(current); d1 != d0 || c1 != c0 {
			t.Fatalf("iteration %d: Compute changed its input:\ndesired %s\n     was %s\ncurrent %s\n     was %s", i, d1, d0, c1, c0)
		}
		if err != nil {
			continue
		}
		want := encode(p)
		d2 := model.Desired{Users: cloneUsers(desired.Users), Teams: cloneTeams(desired.Teams), CustomRoles: desired.CustomRoles, Revision: desired.Revision}
		c2 := model.Current{Users: cloneUsers(current.Users), Teams: cloneTeams(current.Teams), CustomRoles: current.CustomRoles}
		r.Shuffle(len(d2.Users), func(i, j int) { d2.Users[i], d2.Users[j] = d2.Users[j], d2.Users[i] })
		r.Shuffle(len(c2.Users), func(i, j int) { c2.Users[i], c2.Users[j] = c2.Users[j], c2.Users[i] })
		shuffleTeams(d2.Teams)
		shuffleTeams(c2.Teams)
		if got := encode(mustCompute(t, d2, c2, o)); got != want {
			t.Fatalf("iteration %d: the plan depends on the order of its input:\n got %s\nwant %s", i, got, want)
		}
	}
}

func cloneUsers(us []model.User) []model.User {
	out := make([]model.User, len(us))
	for i, u := range us {
		out[i] = cloneUser(u)
	}
	return out
}

// cloneTeams copies teams deeply, keeping a nil member list nil.
func cloneTeams(ts []model.Team) []model.Team {
	out := slices.Clone(ts)
	for i := range out {
		if ts[i].Members != nil {
			out[i].Members = model.Ptr(slices.Clone(*ts[i].Members))
		}
	}
	return out
}
