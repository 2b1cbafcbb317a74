package planner

import (
	"maps"
	"slices"
	"testing"

	"github.com/ogsync/ogsync/model"
)

type userMod func(*model.User)

func role(r string) userMod     { return func(u *model.User) { u.Role = model.Ptr(r) } }
func fullName(n string) userMod { return func(u *model.User) { u.FullName = model.Ptr(n) } }
func tz(z string) userMod       { return func(u *model.User) { u.TimeZone = model.Ptr(z) } }
func locale(l string) userMod   { return func(u *model.User) { u.Locale = model.Ptr(l) } }
func tags(t ...string) userMod  { return func(u *model.User) { t := slices.Clone(t); u.Tags = &t } }
func details(d map[string][]string) userMod {
	return func(u *model.User) { c := maps.Clone(d); u.Details = &c }
}

// marked adds the default ownership marker to a current user's details.
func marked(u *model.User) {
	d := map[string][]string{}
	if u.Details != nil {
		maps.Copy(d, *u.Details)
	}
	d["managed-by"] = []string{"ogsync"}
	u.Details = &d
}

// cur returns a current user with every field set.
func cur(id, name string, mods ...userMod) model.User {
	u := model.User{ID: id, Username: name, FullName: model.Ptr("Full " + name), Role: model.Ptr(model.RoleUser),
		TimeZone: model.Ptr("Europe/Berlin"), Locale: model.Ptr("en_US"), Tags: &[]string{}, Details: &map[string][]string{}}
	for _, m := range mods {
		m(&u)
	}
	return u
}

// des returns a desired user managing only the fields mods set.
func des(name string, mods ...userMod) model.User {
	u := model.User{Username: name, Origin: "users.yaml:1"}
	for _, m := range mods {
		m(&u)
	}
	return u
}

func mem(user, role string) model.Member { return model.Member{Username: user, Role: role} }

func curMem(id, user, role string) model.Member {
	return model.Member{Username: user, UserID: id, Role: role}
}

func team(name string, ms ...model.Member) model.Team {
	t := model.Team{Name: name, Origin: "teams.yaml:1"}
	if ms != nil {
		t.Members = &ms
	}
	return t
}

func curTeam(id, name, desc string, ms ...model.Member) model.Team {
	if ms == nil {
		ms = []model.Member{}
	}
	return model.Team{ID: id, Name: name, Description: model.Ptr(desc), Members: &ms}
}

// permissive returns options that allow everything and limit nothing.
func permissive() Options {
	o := DefaultOptions()
	o.Policies = PolicyNames{Users: PolicySync, Teams: PolicySync, Members: PolicySync}
	o.Safeguards = Safeguards{MaxShrinkPercent: 100, MaxDeletes: MaxDeletes{Count: 1 << 30, Percent: 100}}
	return o
}

func mustCompute(t testing.TB, d model.Desired, c model.Current, o Options) *Plan {
	t.Helper()
	p, err := Compute(d, c, o)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return p
}

func ids(p *Plan) []string {
	out := []string{}
	for _, a := range p.Actions {
		out = append(out, a.ID)
	}
	return out
}

func skipped(p *Plan) []string {
	out := []string{}
	for _, s := range p.Skipped {
		out = append(out, actionID(s.Type, s.Team, s.User)+" ("+s.Reason+")")
	}
	return out
}

func mustAction(t *testing.T, p *Plan, id string) *Action {
	t.Helper()
	a := p.Action(id)
	if a == nil {
		t.Fatalf("no action %s in %v", id, ids(p))
	}
	return a
}
