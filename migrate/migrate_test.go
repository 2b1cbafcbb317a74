package migrate

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target"
)

// fakeTarget is a target whose Read is a function.
type fakeTarget struct {
	caps     planner.Capabilities
	ReadFunc func(ctx context.Context, desired *model.Desired) (*model.Current, error)
}

func (f *fakeTarget) Capabilities() planner.Capabilities { return f.caps }
func (f *fakeTarget) Read(ctx context.Context, d *model.Desired) (*model.Current, error) {
	return f.ReadFunc(ctx, d)
}
func (f *fakeTarget) Audit(context.Context, []string, []string, *model.Current) (model.AuditFacts, error) {
	return model.AuditFacts{}, errors.New("not used")
}
func (f *fakeTarget) Apply(context.Context, *planner.Action, *target.IDs) (string, error) {
	return "", errors.New("migrate-check writes nothing")
}
func (f *fakeTarget) Stats() target.Stats { return target.Stats{} }

func user(id, name, role string, tags ...string) model.User {
	return model.User{ID: id, Username: name, FullName: model.Ptr("Full " + name), Role: model.Ptr(role),
		TimeZone: model.Ptr("UTC"), Locale: model.Ptr("en_US"), Tags: &tags, Details: &map[string][]string{}}
}

func team(id, name string, ms ...model.Member) model.Team {
	return model.Team{ID: id, Name: name, Description: model.Ptr(name + " team"), Members: &ms}
}

func opsgenieAccount() *model.Current {
	return &model.Current{
		Users: []model.User{user("og1", "ann@x.io", "Admin", "sre"), user("og2", "bob@x.io", "User")},
		Teams: []model.Team{team("ogt1", "SRE", model.Member{Username: "ann@x.io", UserID: "og1", Role: "admin"}, model.Member{Username: "bob@x.io", UserID: "og2", Role: "user"})},
	}
}

// atlassianCaps are the Atlassian target's: no tags, details or member roles.
func atlassianCaps() planner.Capabilities {
	c := planner.FullCapabilities("atlassian")
	c.UserFields = []string{"fullName", "role", "timeZone", "locale"}
	c.MemberRoles = false
	c.Why = map[string]string{"tags": "accounts have no tags", "member-roles": "set once, at enable-ops"}
	return c
}

func TestCheckEqualRosters(t *testing.T) {
	from := &fakeTarget{caps: planner.FullCapabilities("opsgenie"), ReadFunc: func(context.Context, *model.Desired) (*model.Current, error) {
		return opsgenieAccount(), nil
	}}
	var given *model.Desired
	to := &fakeTarget{caps: atlassianCaps(), ReadFunc: func(_ context.Context, d *model.Desired) (*model.Current, error) {
		given = d
		c := opsgenieAccount()
		// Other ids, no tags, every member an admin: nothing compared differs.
		for i := range c.Users {
			c.Users[i].ID, c.Users[i].Tags = "acc-"+c.Users[i].ID, &[]string{}
		}
		for j := range *c.Teams[0].Members {
			(*c.Teams[0].Members)[j].Role = "admin"
		}
		c.Teams[0].ID = "team-uuid"
		return c, nil
	}}
	r, err := Check(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Equal() {
		t.Errorf("rosters differ: %+v", r.Diff)
	}
	if given == nil || len(given.Users) != 2 || given.Users[0].ID != "" {
		t.Errorf("the second target was not given the first roster as desired: %+v", given)
	}
	var what []string
	for _, n := range r.NotCompared {
		what = append(what, n.What+"@"+n.Target)
	}
	if got := strings.Join(what, " "); got != "tags@atlassian details@atlassian member-roles@atlassian" {
		t.Errorf("not compared: %s", got)
	}
	var buf bytes.Buffer
	if err := Render(&buf, r, FormatText); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "The rosters are equal.") || !strings.Contains(buf.String(), "tags on atlassian: accounts have no tags") {
		t.Errorf("text:\n%s", buf.String())
	}
}

func TestCheckDifferences(t *testing.T) {
	from := &fakeTarget{caps: planner.FullCapabilities("opsgenie"), ReadFunc: func(context.Context, *model.Desired) (*model.Current, error) {
		return opsgenieAccount(), nil
	}}
	to := &fakeTarget{caps: atlassianCaps(), ReadFunc: func(context.Context, *model.Desired) (*model.Current, error) {
		return &model.Current{
			Users: []model.User{user("a1", "ann@x.io", "User"), user("a3", "cat@x.io", "User")},
			Teams: []model.Team{team("t1", "SRE", model.Member{Username: "ann@x.io", Role: "user"}), team("t2", "Web")},
		}, nil
	}}
	r, err := Check(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(&buf, r, FormatText); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"user bob@x.io is missing from the second account",
		"user ann@x.io differs: role \"Admin\" → \"User\"",
		"user cat@x.io is only in the second account",
		"team Web is only in the second account",
		"bob@x.io in team SRE is missing from the second account",
		"The rosters differ: 3 users, 1 team, 1 membership.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if r.Equal() {
		t.Error("Equal")
	}
	for _, f := range []string{FormatMarkdown, FormatJSON} {
		buf.Reset()
		if err := Render(&buf, r, f); err != nil || !strings.Contains(buf.String(), "bob@x.io") {
			t.Errorf("%s: %v\n%s", f, err, buf.String())
		}
	}
}

func TestCheckReadError(t *testing.T) {
	from := &fakeTarget{caps: planner.FullCapabilities("opsgenie"), ReadFunc: func(context.Context, *model.Desired) (*model.Current, error) {
		return nil, errors.New("boom")
	}}
	if _, err := Check(context.Background(), from, from); err == nil || !strings.Contains(err.Error(), "reading opsgenie: boom") {
		t.Errorf("err = %v", err)
	}
}
