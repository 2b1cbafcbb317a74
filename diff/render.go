package diff

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner/report"
)

// Render writes d in the named format: report.FormatText,
// report.FormatMarkdown or report.FormatJSON.
func Render(w io.Writer, d *Diff, format string) error {
	var err error
	switch format {
	case report.FormatText:
		err = Text(w, d)
	case report.FormatMarkdown:
		_, err = io.WriteString(w, Markdown(d))
	case report.FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(d)
	default:
		return fmt.Errorf("unknown diff format %q (text, markdown, json)", format)
	}
	if err != nil {
		return fmt.Errorf("writing the diff: %w", err)
	}
	return nil
}

// symbols mark an operation in text.
var symbols = map[Op]string{Removed: "-", Changed: "~", Added: "+"}

// badges mark an operation in Markdown.
var badges = map[Op]string{Removed: "🔴", Changed: "🟡", Added: "🟢"}

// UserLine describes a user change in one phrase.
func UserLine(u User) string {
	return map[Op]string{Removed: "remove", Changed: "change", Added: "add"}[u.Op] + " user " + u.Username
}

// TeamLine describes a team change in one phrase.
func TeamLine(t Team) string {
	return map[Op]string{Removed: "remove", Changed: "change", Added: "add"}[t.Op] + " team " + t.Name
}

// MemberLine describes a membership change in one phrase.
func MemberLine(m Member) string {
	switch m.Op {
	case Removed:
		return fmt.Sprintf("remove %s from team %s (was %s)", m.User, m.Team, m.Before)
	case Changed:
		return fmt.Sprintf("change %s in team %s from %s to %s", m.User, m.Team, m.Before, m.After)
	}
	return fmt.Sprintf("add %s to team %s as %s", m.User, m.Team, m.After)
}

// fieldLine formats a field change: "role: "User" → "Admin"", or the
// value alone for an added or removed object.
func fieldLine(op Op, f Field) string {
	switch op {
	case Added:
		return f.Name + ": " + f.After
	case Removed:
		return f.Name + ": " + f.Before
	}
	return f.Name + ": " + f.Before + " → " + f.After
}

// revision names a revision in one phrase.
func revision(r model.Revision) string {
	if r.Commit == "" {
		return "directory " + r.Dir
	}
	s := "commit " + r.Commit[:min(12, len(r.Commit))]
	if r.Subject != "" {
		s += fmt.Sprintf(" %q", r.Subject)
	}
	return s
}

// counts phrases the counts of one kind: "2 added, 1 removed".
func counts(c Counts) string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{c.Removed, "removed"}, {c.Changed, "changed"}, {c.Added, "added"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return strings.Join(parts, ", ")
}

// Text writes d for a terminal.
func Text(w io.Writer, d *Diff) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "ogsync diff of the desired state\n  from %s\n  to   %s\n", revision(d.Base), revision(d.Head))
	if d.Empty() {
		fmt.Fprintln(b, "\nNo change to users, teams or memberships.")
		return b.Flush()
	}
	if c := d.UserCounts(); c.Total() > 0 {
		fmt.Fprintf(b, "\nUsers (%s):\n", counts(c))
		for _, u := range d.Users {
			fmt.Fprintf(b, "  %s %s\n", symbols[u.Op], UserLine(u))
			for _, f := range u.Fields {
				fmt.Fprintf(b, "      %s\n", fieldLine(u.Op, f))
			}
		}
	}
	if c := d.TeamCounts(); c.Total() > 0 {
		fmt.Fprintf(b, "\nTeams (%s):\n", counts(c))
		for _, t := range d.Teams {
			fmt.Fprintf(b, "  %s %s\n", symbols[t.Op], TeamLine(t))
			for _, f := range t.Fields {
				fmt.Fprintf(b, "      %s\n", fieldLine(t.Op, f))
			}
		}
	}
	if c := d.MemberCounts(); c.Total() > 0 {
		fmt.Fprintf(b, "\nMemberships (%s):\n", counts(c))
		for _, m := range d.Members {
			fmt.Fprintf(b, "  %s %s\n", symbols[m.Op], MemberLine(m))
		}
	}
	fmt.Fprintf(b, "\n%s\n", summary(d))
	return b.Flush()
}

// summary is the closing line: "2 users, 1 team and 3 memberships change."
func summary(d *Diff) string {
	return fmt.Sprintf("Changes: %d users, %d teams, %d memberships.", len(d.Users), len(d.Teams), len(d.Members))
}

// mdReserve is kept free in a Markdown diff for its closing note.
const mdReserve = 1000

// Markdown returns d as a pull-request comment of at most
// report.MaxMarkdown characters. Removals come first and are never left
// out; the changes and additions that do not fit are counted instead.
func Markdown(d *Diff) string {
	var b strings.Builder
	left := 0
	// write adds one entry; a removal may use the space kept for the rest.
	write := func(s string, removal bool) {
		room := report.MaxMarkdown - mdReserve
		if removal {
			room = report.MaxMarkdown - mdReserve/2
		}
		if left > 0 && !removal || b.Len()+len(s) > room {
			left++
			return
		}
		b.WriteString(s)
	}
	fmt.Fprintf(&b, "## ogsync diff\n\n**From:** %s  \n**To:** %s\n\n", mdRevision(d.Base), mdRevision(d.Head))
	if d.Empty() {
		b.WriteString("**No change** to users, teams or memberships.\n")
		return b.String()
	}
	uc, tc, mc := d.UserCounts(), d.TeamCounts(), d.MemberCounts()
	fmt.Fprintf(&b, "| | removed | changed | added |\n|---|---:|---:|---:|\n"+
		"| users | %d | %d | %d |\n| teams | %d | %d | %d |\n| memberships | %d | %d | %d |\n",
		uc.Removed, uc.Changed, uc.Added, tc.Removed, tc.Changed, tc.Added, mc.Removed, mc.Changed, mc.Added)
	entry := func(op Op, line string, origin string, fields []Field) string {
		var e strings.Builder
		e.WriteString("- " + badges[op] + " " + report.MarkdownText(line))
		if origin != "" {
			e.WriteString(" (" + report.MarkdownCode(origin) + ")")
		}
		e.WriteString("\n")
		for _, f := range fields {
			e.WriteString("  - " + report.MarkdownCode(fieldLine(op, f)) + "\n")
		}
		return e.String()
	}
	// Removals of every kind first, then the rest.
	removed := uc.Removed + tc.Removed + mc.Removed
	for _, removals := range []bool{true, false} {
		n, title := removed, "Removed"
		if !removals {
			n, title = uc.Total()+tc.Total()+mc.Total()-removed, "Changed and added"
		}
		if n == 0 {
			continue
		}
		if heading := fmt.Sprintf("\n### %s (%d)\n\n", title, n); b.Len()+len(heading) <= report.MaxMarkdown-mdReserve {
			b.WriteString(heading)
		}
		for _, u := range d.Users {
			if (u.Op == Removed) == removals {
				write(entry(u.Op, UserLine(u), u.Origin, u.Fields), removals)
			}
		}
		for _, t := range d.Teams {
			if (t.Op == Removed) == removals {
				write(entry(t.Op, TeamLine(t), t.Origin, t.Fields), removals)
			}
		}
		for _, m := range d.Members {
			if (m.Op == Removed) == removals {
				write(entry(m.Op, MemberLine(m), m.Origin, nil), removals)
			}
		}
	}
	if left > 0 {
		fmt.Fprintf(&b, "\n> [!NOTE]\n> %d more changes do not fit in one comment; `ogsync diff --format text` lists them all.\n", left)
	}
	return b.String()
}

func mdRevision(r model.Revision) string {
	if r.Commit == "" {
		return report.MarkdownText("directory " + r.Dir)
	}
	s := "commit " + report.MarkdownCode(r.Commit)
	if r.Subject != "" {
		s += " " + report.MarkdownText(fmt.Sprintf("%q", r.Subject))
	}
	return s
}
