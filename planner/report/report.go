// Package report renders a planner.Plan for people and machines: text for a
// terminal, Markdown for a pull-request comment, JSON for saving and review
// (the format of docs/plan-json.md). Every format shows blocked actions and
// safeguard violations. CycleMarkdown renders how a cycle that applied (or
// planned) went: the state directory's last-report.md.
package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
)

// Output formats.
const (
	FormatText     = "text"
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
)

// Formats lists the output formats.
var Formats = []string{FormatText, FormatMarkdown, FormatJSON}

// Render writes p in the named format.
func Render(w io.Writer, p *planner.Plan, format string) error {
	switch format {
	case FormatText:
		return Text(w, p)
	case FormatMarkdown:
		if _, err := io.WriteString(w, Markdown(p)); err != nil {
			return fmt.Errorf("writing plan report: %w", err)
		}
		return nil
	case FormatJSON:
		return JSON(w, p)
	}
	return fmt.Errorf("unknown plan format %q (text, markdown, json)", format)
}

// JSON writes the plan in its saved form (planner.WritePlan).
func JSON(w io.Writer, p *planner.Plan) error { return planner.WritePlan(w, p) }

// maxValue bounds one field value in a report.
const maxValue = 200

// value formats one field of a user or team for a report.
func value(u *model.User, t *model.Team, field string) string {
	var s string
	switch {
	case u != nil:
		switch field {
		case "fullName":
			s = strconv.Quote(deref(u.FullName))
		case "role":
			s = strconv.Quote(deref(u.Role))
		case "timeZone":
			s = strconv.Quote(deref(u.TimeZone))
		case "locale":
			s = strconv.Quote(deref(u.Locale))
		case "tags":
			if u.Tags != nil {
				s = "[" + strings.Join(*u.Tags, ", ") + "]"
			}
		case "details":
			if u.Details != nil {
				keys := slices.Sorted(mapsKeys(*u.Details))
				parts := make([]string, len(keys))
				for i, k := range keys {
					parts[i] = k + ": [" + strings.Join((*u.Details)[k], ", ") + "]"
				}
				s = "{" + strings.Join(parts, ", ") + "}"
			}
		}
	case t != nil:
		switch field {
		case "name":
			s = strconv.Quote(t.Name)
		case "description":
			s = strconv.Quote(deref(t.Description))
		}
	}
	if len(s) > maxValue {
		s = s[:maxValue] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

func mapsKeys(m map[string][]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// createFields lists the set fields of a created user, in the diff's order.
func createFields(u *model.User) []string {
	var fs []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"fullName", u.FullName != nil}, {"role", u.Role != nil}, {"timeZone", u.TimeZone != nil},
		{"locale", u.Locale != nil}, {"tags", u.Tags != nil}, {"details", u.Details != nil}} {
		if f.set {
			fs = append(fs, f.name)
		}
	}
	return fs
}

// Headline describes an action in one phrase.
func Headline(a *planner.Action) string {
	switch a.Type {
	case planner.CreateUser:
		return "create user " + a.User
	case planner.UpdateUser:
		return "update user " + a.User
	case planner.DeleteUser:
		return "delete user " + a.User
	case planner.CreateTeam:
		return "create team " + a.Team
	case planner.UpdateTeam:
		return "update team " + a.Team
	case planner.DeleteTeam:
		return "delete team " + a.Team
	case planner.AddMember:
		return fmt.Sprintf("add %s to team %s as %s", a.User, a.Team, a.After.Role)
	case planner.ChangeMemberRole:
		return fmt.Sprintf("change %s in team %s from %s to %s", a.User, a.Team, a.Before.Role, a.After.Role)
	case planner.RemoveMember:
		return fmt.Sprintf("remove %s from team %s", a.User, a.Team)
	}
	return a.ID
}

// details returns the field lines of an action: "field: before → after".
func details(a *planner.Action) []string {
	var lines []string
	switch a.Type {
	case planner.CreateUser:
		for _, f := range createFields(a.After.User) {
			lines = append(lines, f+": "+value(a.After.User, nil, f))
		}
	case planner.UpdateUser:
		for _, f := range a.Fields {
			lines = append(lines, f+": "+value(a.Before.User, nil, f)+" → "+value(a.After.User, nil, f))
		}
	case planner.CreateTeam:
		t := a.After.Team
		if t.Description != nil {
			lines = append(lines, "description: "+value(nil, t, "description"))
		}
		if t.Members != nil {
			ms := make([]string, len(*t.Members))
			for i, m := range *t.Members {
				ms[i] = m.Username + " (" + m.Role + ")"
			}
			lines = append(lines, fmt.Sprintf("members (%d): %s", len(ms), truncate(strings.Join(ms, ", "), 4*maxValue)))
		}
	case planner.UpdateTeam:
		for _, f := range a.Fields {
			lines = append(lines, f+": "+value(nil, a.Before.Team, f)+" → "+value(nil, a.After.Team, f))
		}
	case planner.DeleteTeam:
		if t := a.Before.Team; t.Members != nil && len(*t.Members) > 0 {
			lines = append(lines, "had "+count(len(*t.Members), "member", "members"))
		}
	}
	return lines
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// sections groups actions by kind, in the plan's order.
var sections = []struct {
	kind, title string
}{{"user", "Users"}, {"team", "Teams"}, {"member", "Memberships"}}

func ofKind(p *planner.Plan, kind string) []*planner.Action {
	var out []*planner.Action
	for _, a := range p.Actions {
		if a.Type.Kind() == kind {
			out = append(out, a)
		}
	}
	return out
}

// deletions phrases what the plan deletes ("2 users, 1 team and 3 team memberships"), or "".
func deletions(s planner.Summary) string {
	var parts []string
	for _, d := range []struct {
		n          int
		one, other string
	}{{s.DeleteUser, "user", "users"}, {s.DeleteTeam, "team", "teams"}, {s.RemoveMember, "team membership", "team memberships"}} {
		if d.n > 0 {
			parts = append(parts, count(d.n, d.one, d.other))
		}
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// source describes where the desired state came from.
func source(r model.Revision) string {
	var s string
	switch {
	case r.Commit != "":
		s = "commit " + r.Commit
		if r.Subject != "" {
			s += " " + strconv.Quote(r.Subject)
		}
		var by []string
		if r.Author != "" {
			by = append(by, r.Author)
		}
		if !r.Date.IsZero() {
			by = append(by, r.Date.UTC().Format("2006-01-02 15:04 UTC"))
		}
		if len(by) > 0 {
			s += " (" + strings.Join(by, ", ") + ")"
		}
	case r.Dir != "":
		s = "directory " + r.Dir + " (not a git commit)"
	default:
		s = "unknown source"
	}
	return s
}

func policies(p *planner.Plan) string {
	or := func(s string) string {
		if s == "" {
			return planner.PolicyUpsertOnly
		}
		return s
	}
	return fmt.Sprintf("users %s, teams %s, members %s; ownership %s",
		or(p.Policies.Users), or(p.Policies.Teams), or(p.Policies.Members), p.Ownership)
}

// blockGroups groups the blocked actions by reason, reasons in first-seen order.
func blockGroups(p *planner.Plan) (reasons []string, actions map[string][]*planner.Action) {
	actions = map[string][]*planner.Action{}
	for _, a := range p.Actions {
		for _, r := range a.Blocked {
			if _, ok := actions[r]; !ok {
				reasons = append(reasons, r)
			}
			actions[r] = append(actions[r], a)
		}
	}
	return reasons, actions
}

// count phrases n things: "1 member", "2 members".
func count(n int, one, other string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, other)
}

// notAudited says why a plan's user deletes carry no on-call audit.
func notAudited(p *planner.Plan) string {
	if p.Refused() {
		return "User deletes were not audited: the plan is refused."
	}
	return "User deletes are not audited yet."
}
