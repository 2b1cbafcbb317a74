package planner

import (
	"maps"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // zone comparison must not depend on the host's zoneinfo

	"github.com/ogsync/ogsync/model"
)

// The span over which two time zones must agree to be equal.
var (
	zoneSpanStart = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	zoneSpanEnd   = time.Date(2038, 1, 1, 0, 0, 0, 0, time.UTC)
)

// comparer holds the caches of one Compute call.
type comparer struct {
	locs   map[string]*time.Location // nil value: the name does not load
	zoneEq map[[2]string]bool
	custom map[string][]string // lower-cased custom role name → account spellings
}

func newComparer(customRoles []string) *comparer {
	c := &comparer{locs: map[string]*time.Location{}, zoneEq: map[[2]string]bool{}, custom: map[string][]string{}}
	for _, r := range customRoles {
		k := strings.ToLower(r)
		if !slices.Contains(c.custom[k], r) {
			c.custom[k] = append(c.custom[k], r)
		}
	}
	return c
}

// role returns the canonical spelling of a role name: a built-in role in its
// canonical case; a custom role in the account's spelling when exactly one
// account custom role matches case-insensitively; otherwise the name as given.
func (c *comparer) role(name string) string {
	name = strings.TrimSpace(name)
	if r, ok := model.CanonicalBuiltinRole(name); ok {
		return r
	}
	if m := c.custom[strings.ToLower(name)]; len(m) == 1 {
		return m[0]
	}
	return name
}

// sameZone reports whether two IANA zone names denote the same zone: equal
// names, or names that both load and have the same UTC offset at every
// instant from 1970 to 2038 (aliases such as US/Pacific and
// America/Los_Angeles). A name that does not load equals only itself.
func (c *comparer) sameZone(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == b {
		return true
	}
	key := [2]string{min(a, b), max(a, b)}
	if eq, ok := c.zoneEq[key]; ok {
		return eq
	}
	la, lb := c.loc(a), c.loc(b)
	eq := la != nil && lb != nil && sameOffsets(la, lb)
	c.zoneEq[key] = eq
	return eq
}

func (c *comparer) loc(name string) *time.Location {
	if l, ok := c.locs[name]; ok {
		return l
	}
	var l *time.Location
	// "" and "Local" load without naming a zone; they are not IANA names.
	if name != "" && name != "Local" {
		l, _ = time.LoadLocation(name)
	}
	c.locs[name] = l
	return l
}

// sameOffsets walks the zone transitions of a and b over the span and
// reports whether their offsets agree throughout.
func sameOffsets(a, b *time.Location) bool {
	t := zoneSpanStart
	for t.Before(zoneSpanEnd) {
		ta, tb := t.In(a), t.In(b)
		_, oa := ta.Zone()
		_, ob := tb.Zone()
		if oa != ob {
			return false
		}
		_, ea := ta.ZoneBounds()
		_, eb := tb.ZoneBounds()
		next := zoneSpanEnd
		for _, e := range []time.Time{ea, eb} {
			if !e.IsZero() && e.After(t) && e.Before(next) {
				next = e
			}
		}
		t = next
	}
	return true
}

// sameLocale compares locale ids ignoring case and the -/_ separator.
func sameLocale(a, b string) bool {
	norm := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "-", "_") }
	return strings.EqualFold(norm(a), norm(b))
}

// tagSet returns tags as a sorted set.
func tagSet(tags *[]string) []string {
	if tags == nil || len(*tags) == 0 {
		return nil
	}
	s := slices.Clone(*tags)
	slices.Sort(s)
	return slices.Compact(s)
}

// detailMap returns details with the marker key left out, keys whose value
// list is empty dropped, and each value list as a sorted set.
func detailMap(d *map[string][]string, markerKey string) map[string][]string {
	if d == nil {
		return nil
	}
	var out map[string][]string
	for k, vs := range *d {
		if k == markerKey || len(vs) == 0 {
			continue
		}
		if out == nil {
			out = map[string][]string{}
		}
		s := slices.Clone(vs)
		slices.Sort(s)
		out[k] = slices.Compact(s)
	}
	return out
}

func sameDetails(a, b map[string][]string) bool {
	return maps.EqualFunc(a, b, slices.Equal[[]string])
}

// sameTags compares tags as sets without allocating when they are equal as lists.
func sameTags(a, b *[]string) bool {
	var x, y []string
	if a != nil {
		x = *a
	}
	if b != nil {
		y = *b
	}
	return sameSet(x, y)
}

// sameDetailMaps compares details as detailMap does, allocating only for
// value lists that differ as lists.
func sameDetailMaps(a, b *map[string][]string, markerKey string) bool {
	var x, y map[string][]string
	if a != nil {
		x = *a
	}
	if b != nil {
		y = *b
	}
	if liveKeys(x, markerKey) != liveKeys(y, markerKey) {
		return false
	}
	for k, vs := range x {
		if k == markerKey || len(vs) == 0 {
			continue
		}
		if !sameSet(vs, y[k]) {
			return false
		}
	}
	return true
}

func liveKeys(m map[string][]string, markerKey string) int {
	n := 0
	for k, vs := range m {
		if k != markerKey && len(vs) > 0 {
			n++
		}
	}
	return n
}

// sameSet compares two lists as sets.
func sameSet(a, b []string) bool {
	if slices.Equal(a, b) {
		return true
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// memberRole returns a member role in canonical form: "admin" and "user"
// (any case; empty means user), or a custom team role as given.
func memberRole(r string) string {
	r = strings.TrimSpace(r)
	switch strings.ToLower(r) {
	case "", model.MemberRoleUser:
		return model.MemberRoleUser
	case model.MemberRoleAdmin:
		return model.MemberRoleAdmin
	}
	return r
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
