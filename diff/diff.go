// Package diff compares two desired states, such as the ones of two
// commits: which users, teams and team memberships a change adds, removes
// or changes. It reads no account; it is what a pull request from a fork,
// which holds no API key, can still be shown.
package diff

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ogsync/ogsync/model"
)

// Op is what a change does to one object.
type Op string

// The operations, in the order a report lists them: what goes away first.
const (
	Removed Op = "removed"
	Changed Op = "changed"
	Added   Op = "added"
)

// opOrder ranks the operations for sorting.
var opOrder = map[Op]int{Removed: 0, Changed: 1, Added: 2}

// Field is one field's change: its value before and after, formatted.
// A field that is not declared reads "(not managed)".
type Field struct {
	Name   string `json:"name"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// User is one user's change.
type User struct {
	Op       Op     `json:"op"`
	Username string `json:"username"`
	// Fields are the declared fields of an added or removed user, or the changed fields of a changed one.
	Fields []Field `json:"fields,omitempty"`
	// Origin is where the user is declared at the head revision (at the base for a removal).
	Origin string `json:"origin,omitempty"`
}

// Team is one team's change.
type Team struct {
	Op     Op      `json:"op"`
	Name   string  `json:"name"`
	Fields []Field `json:"fields,omitempty"`
	Origin string  `json:"origin,omitempty"`
}

// Member is one team membership's change.
type Member struct {
	Op   Op     `json:"op"`
	Team string `json:"team"`
	User string `json:"user"`
	// Before and After are the member roles ("" where there is none).
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	Origin string `json:"origin,omitempty"`
}

// Diff is the change of a desired state from Base to Head, sorted: by
// operation (removed, changed, added), then by name.
type Diff struct {
	Base    model.Revision `json:"base"`
	Head    model.Revision `json:"head"`
	Users   []User         `json:"users"`
	Teams   []Team         `json:"teams"`
	Members []Member       `json:"members"`
}

// Empty reports whether nothing changed.
func (d *Diff) Empty() bool { return len(d.Users)+len(d.Teams)+len(d.Members) == 0 }

// Counts are the changes per operation of one kind.
type Counts struct{ Added, Removed, Changed int }

// Total is the number of changes.
func (c Counts) Total() int { return c.Added + c.Removed + c.Changed }

func (c *Counts) add(op Op) {
	switch op {
	case Added:
		c.Added++
	case Removed:
		c.Removed++
	case Changed:
		c.Changed++
	}
}

// UserCounts counts the user changes.
func (d *Diff) UserCounts() (c Counts) {
	for _, u := range d.Users {
		c.add(u.Op)
	}
	return c
}

// TeamCounts counts the team changes.
func (d *Diff) TeamCounts() (c Counts) {
	for _, t := range d.Teams {
		c.add(t.Op)
	}
	return c
}

// MemberCounts counts the membership changes.
func (d *Diff) MemberCounts() (c Counts) {
	for _, m := range d.Members {
		c.add(m.Op)
	}
	return c
}

// notManaged stands for a field the desired state does not declare.
const notManaged = "(not managed)"

// Compute compares base with head. Members of added and removed teams count
// as added and removed memberships; a team whose membership becomes managed
// (or unmanaged) shows that as a change of its "members" field.
func Compute(base, head *model.Desired) *Diff {
	d := &Diff{Base: base.Revision, Head: head.Revision, Users: []User{}, Teams: []Team{}, Members: []Member{}}
	bu := index(base.Users, func(u model.User) string { return u.Username })
	hu := index(head.Users, func(u model.User) string { return u.Username })
	for name, b := range bu {
		h, ok := hu[name]
		if !ok {
			d.Users = append(d.Users, User{Op: Removed, Username: name, Fields: userFields(b, nil), Origin: b.Origin})
			continue
		}
		if fs := userFields(b, h); len(fs) > 0 {
			d.Users = append(d.Users, User{Op: Changed, Username: name, Fields: fs, Origin: h.Origin})
		}
	}
	for name, h := range hu {
		if _, ok := bu[name]; !ok {
			d.Users = append(d.Users, User{Op: Added, Username: name, Fields: userFields(nil, h), Origin: h.Origin})
		}
	}
	// Teams match as the planner matches them: by the id both commits give
	// (the planner renames such a team in place), else by name,
	// case-insensitively; a change of name is then a rename.
	bids, hids := teamIDs(base.Teams), teamIDs(head.Teams)
	teamKey := func(t model.Team) string {
		if t.ID != "" && bids[t.ID] && hids[t.ID] {
			return "id:" + t.ID
		}
		return "name:" + strings.ToLower(t.Name)
	}
	bt, ht := index(base.Teams, teamKey), index(head.Teams, teamKey)
	for key, b := range bt {
		h, ok := ht[key]
		switch {
		case !ok:
			d.Teams = append(d.Teams, Team{Op: Removed, Name: b.Name, Fields: teamFields(b, nil), Origin: b.Origin})
			d.Members = append(d.Members, members(b.Name, b, nil)...)
		default:
			if fs := teamFields(b, h); len(fs) > 0 {
				d.Teams = append(d.Teams, Team{Op: Changed, Name: h.Name, Fields: fs, Origin: h.Origin})
			}
			d.Members = append(d.Members, members(h.Name, b, h)...)
		}
	}
	for key, h := range ht {
		if _, ok := bt[key]; !ok {
			d.Teams = append(d.Teams, Team{Op: Added, Name: h.Name, Fields: teamFields(nil, h), Origin: h.Origin})
			d.Members = append(d.Members, members(h.Name, nil, h)...)
		}
	}
	slices.SortFunc(d.Users, func(a, b User) int {
		return cmp.Or(cmp.Compare(opOrder[a.Op], opOrder[b.Op]), strings.Compare(a.Username, b.Username))
	})
	slices.SortFunc(d.Teams, func(a, b Team) int {
		return cmp.Or(cmp.Compare(opOrder[a.Op], opOrder[b.Op]), strings.Compare(a.Name, b.Name))
	})
	slices.SortFunc(d.Members, func(a, b Member) int {
		return cmp.Or(cmp.Compare(opOrder[a.Op], opOrder[b.Op]), strings.Compare(a.Team, b.Team), strings.Compare(a.User, b.User))
	})
	return d
}

// teamIDs is the set of the ids the teams give.
func teamIDs(ts []model.Team) map[string]bool {
	ids := make(map[string]bool, len(ts))
	for _, t := range ts {
		if t.ID != "" {
			ids[t.ID] = true
		}
	}
	return ids
}

// index maps the objects by key; the loader has already refused duplicates.
func index[T any](xs []T, key func(T) string) map[string]*T {
	m := make(map[string]*T, len(xs))
	for i := range xs {
		m[key(xs[i])] = &xs[i]
	}
	return m
}

// members compares the memberships of one team; b or h is nil when the
// team is added or removed.
func members(team string, b, h *model.Team) []Member {
	var bm, hm map[string]*model.Member
	if b != nil && b.Members != nil {
		bm = index(*b.Members, func(m model.Member) string { return m.Username })
	}
	if h != nil && h.Members != nil {
		hm = index(*h.Members, func(m model.Member) string { return m.Username })
	}
	var out []Member
	for u, x := range bm {
		y, ok := hm[u]
		switch {
		case !ok:
			out = append(out, Member{Op: Removed, Team: team, User: u, Before: x.Role, Origin: x.Origin})
		case x.Role != y.Role:
			out = append(out, Member{Op: Changed, Team: team, User: u, Before: x.Role, After: y.Role, Origin: y.Origin})
		}
	}
	for u, y := range hm {
		if _, ok := bm[u]; !ok {
			out = append(out, Member{Op: Added, Team: team, User: u, After: y.Role, Origin: y.Origin})
		}
	}
	return out
}

// userFields lists the fields of a user that differ between b and h (nil
// for an added or removed user: then every declared field).
func userFields(b, h *model.User) []Field {
	var fs []Field
	get := func(u *model.User, f func(*model.User) string) string {
		if u == nil {
			return ""
		}
		return f(u)
	}
	for _, f := range userFormats {
		before, after := get(b, f.format), get(h, f.format)
		if before == after || (b == nil && after == notManaged) || (h == nil && before == notManaged) {
			continue
		}
		fs = append(fs, Field{Name: f.name, Before: before, After: after})
	}
	return fs
}

// userFormats formats each field of a user, in the order of docs/desired-state.md.
var userFormats = []struct {
	name   string
	format func(*model.User) string
}{
	{"fullName", func(u *model.User) string { return quoted(u.FullName) }},
	{"role", func(u *model.User) string { return quoted(u.Role) }},
	{"timeZone", func(u *model.User) string { return quoted(u.TimeZone) }},
	{"locale", func(u *model.User) string { return quoted(u.Locale) }},
	{"tags", func(u *model.User) string {
		if u.Tags == nil {
			return notManaged
		}
		return "[" + strings.Join(slices.Sorted(slices.Values(*u.Tags)), ", ") + "]"
	}},
	{"details", func(u *model.User) string {
		if u.Details == nil {
			return notManaged
		}
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(*u.Details)) {
			parts = append(parts, k+": ["+strings.Join(slices.Sorted(slices.Values((*u.Details)[k])), ", ")+"]")
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}},
}

// teamFields lists the fields of a team that differ between b and h (nil
// for an added or removed team: then every declared field).
func teamFields(b, h *model.Team) []Field {
	var fs []Field
	if b != nil && h != nil && b.Name != h.Name {
		fs = append(fs, Field{Name: "name", Before: strconv.Quote(b.Name), After: strconv.Quote(h.Name)})
	}
	desc := func(t *model.Team) string {
		if t == nil {
			return ""
		}
		return quoted(t.Description)
	}
	if before, after := desc(b), desc(h); before != after && !(b == nil && after == notManaged) && !(h == nil && before == notManaged) {
		fs = append(fs, Field{Name: "description", Before: before, After: after})
	}
	managed := func(t *model.Team) string {
		switch {
		case t == nil:
			return ""
		case t.Members == nil:
			return notManaged
		case len(*t.Members) == 1:
			return "1 member"
		}
		return strconv.Itoa(len(*t.Members)) + " members"
	}
	// The member count is shown for an added or removed team whose
	// membership is managed, and when a kept team's membership becomes
	// managed or unmanaged; the members themselves are membership changes.
	show := false
	switch {
	case b != nil && h != nil:
		show = (b.Members == nil) != (h.Members == nil)
	case b == nil:
		show = h.Members != nil
	default:
		show = b.Members != nil
	}
	if show {
		fs = append(fs, Field{Name: "members", Before: managed(b), After: managed(h)})
	}
	return fs
}

func quoted(s *string) string {
	if s == nil {
		return notManaged
	}
	return strconv.Quote(*s)
}
