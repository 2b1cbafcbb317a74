package migrate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ogsync/ogsync/diff"
	"github.com/ogsync/ogsync/planner/report"
)

// The formats Render writes.
const (
	FormatText     = "text"
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
)

// Render writes r in the named format.
func Render(w io.Writer, r *Report, format string) error {
	var err error
	switch format {
	case FormatText:
		err = text(w, r)
	case FormatMarkdown:
		err = markdown(w, r)
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	default:
		return fmt.Errorf("unknown format %q (text, markdown, json)", format)
	}
	if err != nil {
		return fmt.Errorf("writing the comparison: %w", err)
	}
	return nil
}

// lines are the differences, one phrase each, in report order: users,
// teams, memberships, each removed (only in from), changed, added (only in
// to).
func lines(d *diff.Diff) (users, teams, members []string) {
	for _, u := range d.Users {
		l := phrase(u.Op, "user "+u.Username)
		if u.Op == diff.Changed {
			l += ": " + fields(u.Fields)
		}
		users = append(users, l)
	}
	for _, t := range d.Teams {
		l := phrase(t.Op, "team "+t.Name)
		if t.Op == diff.Changed {
			l += ": " + fields(t.Fields)
		}
		teams = append(teams, l)
	}
	for _, m := range d.Members {
		l := phrase(m.Op, fmt.Sprintf("%s in team %s", m.User, m.Team))
		if m.Op == diff.Changed {
			l += fmt.Sprintf(": role %s → %s", m.Before, m.After)
		}
		members = append(members, l)
	}
	return users, teams, members
}

func phrase(op diff.Op, what string) string {
	switch op {
	case diff.Removed:
		return what + " is missing from the second account"
	case diff.Added:
		return what + " is only in the second account"
	}
	return what + " differs"
}

func fields(fs []diff.Field) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = fmt.Sprintf("%s %s → %s", f.Name, f.Before, f.After)
	}
	return strings.Join(parts, "; ")
}

func verdict(r *Report) string {
	if r.Equal() {
		return "The rosters are equal."
	}
	return fmt.Sprintf("The rosters differ: %s, %s, %s.", count(len(r.Diff.Users), "user"), count(len(r.Diff.Teams), "team"), count(len(r.Diff.Members), "membership"))
}

// count phrases n things: "1 team", "2 teams".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func text(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "ogsync migrate-check: %s (first) against %s (second)\n", r.From, r.To)
	users, teams, members := lines(r.Diff)
	for _, sec := range []struct {
		title string
		lines []string
	}{{"Users", users}, {"Teams", teams}, {"Memberships", members}} {
		if len(sec.lines) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n%s:\n", sec.title)
		for _, l := range sec.lines {
			fmt.Fprintf(b, "  %s\n", l)
		}
	}
	if len(r.NotCompared) > 0 {
		fmt.Fprintf(b, "\nNot compared (a target cannot manage them):\n")
		for _, n := range r.NotCompared {
			fmt.Fprintf(b, "  %s on %s", n.What, n.Target)
			if n.Why != "" {
				fmt.Fprintf(b, ": %s", n.Why)
			}
			fmt.Fprintln(b)
		}
	}
	fmt.Fprintf(b, "\n%s\n", verdict(r))
	return b.Flush()
}

func markdown(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "### ogsync migrate-check: `%s` against `%s`\n\n**%s**\n", r.From, r.To, verdict(r))
	users, teams, members := lines(r.Diff)
	for _, sec := range []struct {
		title string
		lines []string
	}{{"Users", users}, {"Teams", teams}, {"Memberships", members}} {
		if len(sec.lines) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n#### %s\n\n", sec.title)
		for _, l := range sec.lines {
			fmt.Fprintf(b, "- %s\n", report.MarkdownText(l))
		}
	}
	if len(r.NotCompared) > 0 {
		fmt.Fprintf(b, "\n#### Not compared\n\n| what | target | why |\n| --- | --- | --- |\n")
		for _, n := range r.NotCompared {
			fmt.Fprintf(b, "| %s | %s | %s |\n", report.MarkdownText(n.What), report.MarkdownText(n.Target), report.MarkdownText(n.Why))
		}
	}
	return b.Flush()
}
