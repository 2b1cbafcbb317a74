package planner

import (
	"slices"
	"strings"

	"github.com/ogsync/ogsync/model"
)

// unmanageablePrefix starts the reason of every Plan.Unmanageable entry.
const unmanageablePrefix = "unmanageable on this target: "

// unmanageable records a change the target cannot make; whats name the
// fields or operations, as Capabilities.Why does.
func (b *builder) unmanageable(t ActionType, team, user string, fields []string, whats ...string) {
	reasons := make([]string, 0, len(whats))
	for _, w := range whats {
		if r := b.caps.why(w); !slices.Contains(reasons, r) {
			reasons = append(reasons, r)
		}
	}
	b.plan.Unmanageable = append(b.plan.Unmanageable, Skip{Type: t, Team: team, User: user, Fields: fields,
		Reason: unmanageablePrefix + strings.Join(reasons, "; ")})
}

// manageableUser returns d without the fields the target cannot set (a role
// it cannot give included), and the names of the fields it left out. With
// full capabilities it returns d itself.
func (b *builder) manageableUser(d *model.User) (*model.User, []string) {
	if b.fullCaps {
		return d, nil
	}
	u := *d
	var dropped []string
	drop := func(f string, set bool, clear func()) {
		if set && !b.caps.ManagesUserField(f) {
			clear()
			dropped = append(dropped, f)
		}
	}
	drop("fullName", u.FullName != nil, func() { u.FullName = nil })
	drop("role", u.Role != nil, func() { u.Role = nil })
	if u.Role != nil && !b.caps.GivesRole(b.cmp.role(*u.Role)) {
		u.Role = nil
		dropped = append(dropped, "role")
	}
	drop("timeZone", u.TimeZone != nil, func() { u.TimeZone = nil })
	drop("locale", u.Locale != nil, func() { u.Locale = nil })
	drop("tags", u.Tags != nil, func() { u.Tags = nil })
	drop("details", u.Details != nil, func() { u.Details = nil })
	return &u, dropped
}

// whatOf names what a left-out user field needs: the field, or for a role
// the target cannot give, the role.
func (b *builder) whatOf(f string, d *model.User) string {
	if f == "role" && b.caps.ManagesUserField("role") && d.Role != nil {
		return b.cmp.role(*d.Role)
	}
	return f
}

// whatsOf is whatOf of each field.
func (b *builder) whatsOf(fields []string, d *model.User) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = b.whatOf(f, d)
	}
	return out
}

// without returns the elements of all not in some, in order.
func without(all, some []string) []string {
	var out []string
	for _, s := range all {
		if !slices.Contains(some, s) {
			out = append(out, s)
		}
	}
	return out
}
