// Package migrate compares the rosters of two accounts, such as an OpsGenie
// account and the Atlassian organisation it is moving to: which users,
// teams and team memberships one has and the other lacks or holds
// differently. Only what both targets manage is compared; the rest is
// listed as not compared, with the reason. It writes nothing.
package migrate

import (
	"context"
	"fmt"
	"slices"

	"github.com/ogsync/ogsync/diff"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target"
)

// Report is the comparison of two rosters. Its Diff reads from From to To:
// "removed" is what only From has (missing from To), "added" what only To
// has, "changed" what both have, differently.
type Report struct {
	From string     `json:"from"`
	To   string     `json:"to"`
	Diff *diff.Diff `json:"diff"`
	// NotCompared are the fields and settings one of the targets cannot
	// manage, so that they are left out of the comparison.
	NotCompared []NotCompared `json:"not_compared"`
}

// NotCompared is a field or setting left out of the comparison.
type NotCompared struct {
	// What names it: a user field ("tags"), "member-roles", "team-description".
	What string `json:"what"`
	// Target is the target that cannot manage it.
	Target string `json:"target"`
	// Why is that target's reason.
	Why string `json:"why,omitempty"`
}

// Equal reports whether the rosters are the same, what is not compared aside.
func (r *Report) Equal() bool { return r.Diff.Empty() }

// Check reads both accounts and compares them. The roster of from is read
// first and given to to's Read as the desired state, so that a target that
// cannot read a field back reports what from holds, and the field is not
// compared anyway.
func Check(ctx context.Context, from, to target.Target) (*Report, error) {
	fc, tc := from.Capabilities(), to.Capabilities()
	cur, err := from.Read(ctx, &model.Desired{})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", fc.Target, err)
	}
	base := roster(cur)
	other, err := to.Read(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", tc.Target, err)
	}
	head := roster(other)
	r := &Report{From: fc.Target, To: tc.Target, NotCompared: notCompared(fc, tc)}
	keep := compared(fc, tc)
	restrict(base, keep)
	restrict(head, keep)
	base.Revision = model.Revision{Dir: fc.Target}
	head.Revision = model.Revision{Dir: tc.Target}
	r.Diff = diff.Compute(base, head)
	return r, nil
}

// roster turns an account read into a desired state holding all of it,
// ids and origins left out.
func roster(c *model.Current) *model.Desired {
	d := &model.Desired{Users: make([]model.User, 0, len(c.Users)), Teams: make([]model.Team, 0, len(c.Teams)), CustomRoles: slices.Clone(c.CustomRoles)}
	for _, u := range c.Users {
		u.ID, u.Origin, u.Blocked, u.Verified = "", "", false, false
		d.Users = append(d.Users, u)
	}
	for _, t := range c.Teams {
		t.ID, t.Origin = "", ""
		if t.Members != nil {
			ms := make([]model.Member, 0, len(*t.Members))
			for _, m := range *t.Members {
				if m.Username == "" {
					continue // named by an id no user of the account has
				}
				ms = append(ms, model.Member{Username: m.Username, Role: m.Role})
			}
			t.Members = &ms
		}
		d.Teams = append(d.Teams, t)
	}
	return d
}

// what is compared: the user fields both targets manage, and whether team
// descriptions and member roles are.
type comparedSet struct {
	userFields              map[string]bool
	description, memberRole bool
}

func compared(a, b planner.Capabilities) comparedSet {
	c := comparedSet{userFields: map[string]bool{}, description: a.TeamDescription && b.TeamDescription, memberRole: a.MemberRoles && b.MemberRoles}
	for _, f := range planner.UserFields {
		if a.ManagesUserField(f) && b.ManagesUserField(f) {
			c.userFields[f] = true
		}
	}
	return c
}

func notCompared(a, b planner.Capabilities) []NotCompared {
	var out []NotCompared
	lacks := func(what string, aHas, bHas bool) {
		for _, side := range []struct {
			has bool
			c   planner.Capabilities
		}{{aHas, a}, {bHas, b}} {
			if !side.has {
				out = append(out, NotCompared{What: what, Target: side.c.Target, Why: side.c.Why[what]})
			}
		}
	}
	for _, f := range planner.UserFields {
		lacks(f, a.ManagesUserField(f), b.ManagesUserField(f))
	}
	lacks("team-description", a.TeamDescription, b.TeamDescription)
	lacks("member-roles", a.MemberRoles, b.MemberRoles)
	return out
}

// restrict clears what is not compared.
func restrict(d *model.Desired, keep comparedSet) {
	for i := range d.Users {
		u := &d.Users[i]
		for f, clear := range map[string]func(){
			"fullName": func() { u.FullName = nil },
			"role":     func() { u.Role = nil },
			"timeZone": func() { u.TimeZone = nil },
			"locale":   func() { u.Locale = nil },
			"tags":     func() { u.Tags = nil },
			"details":  func() { u.Details = nil },
		} {
			if !keep.userFields[f] {
				clear()
			}
		}
	}
	for i := range d.Teams {
		t := &d.Teams[i]
		if !keep.description {
			t.Description = nil
		}
		if !keep.memberRole && t.Members != nil {
			for j := range *t.Members {
				(*t.Members)[j].Role = model.MemberRoleUser
			}
		}
	}
}
