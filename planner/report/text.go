package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/ogsync/ogsync/planner"
)

// Text writes p for a terminal: one line per action with its field changes
// indented below, blocked actions marked in place, then the summary.
func Text(w io.Writer, p *planner.Plan) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "ogsync plan for %s\n", source(p.Revision))
	fmt.Fprintf(b, "Policies: %s\n", policies(p))
	if p.Refused() {
		fmt.Fprintln(b, "\nREFUSED by safeguards: nothing will be applied.")
		for _, v := range p.Violations {
			fmt.Fprintf(b, "  ! %s: %s\n", v.Rule, v.Message)
		}
	}
	if !p.HasChanges() {
		fmt.Fprintln(b, "\nNo changes. The account matches the desired state.")
	}
	for _, s := range sections {
		acts := ofKind(p, s.kind)
		if len(acts) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n%s:\n", s.title)
		for _, a := range acts {
			line := "  " + symbol(a.Type) + " " + Headline(a)
			if a.Origin != "" {
				line += "  (" + a.Origin + ")"
			}
			fmt.Fprintln(b, line)
			if a.Type.Destructive() {
				fmt.Fprintf(b, "      why: %s\n", a.Reason)
			}
			for _, d := range details(a) {
				fmt.Fprintf(b, "      %s\n", d)
			}
			for _, r := range a.Blocked {
				fmt.Fprintf(b, "      BLOCKED: %s\n", r)
			}
		}
	}
	if len(p.Skipped) > 0 {
		fmt.Fprintf(b, "\nSkipped (scope or policy; never applied):\n")
		for _, s := range p.Skipped {
			fmt.Fprintf(b, "  = %s: %s\n", skipTarget(s), s.Reason)
		}
	}
	if len(p.Unmanageable) > 0 {
		fmt.Fprintf(b, "\nUnmanageable (the target cannot make these; never applied):\n")
		for _, s := range p.Unmanageable {
			fmt.Fprintf(b, "  ! %s: %s\n", skipTarget(s), s.Reason)
		}
	}
	fmt.Fprintf(b, "\n%s\n", summaryLine(p))
	if err := b.Flush(); err != nil {
		return fmt.Errorf("writing plan report: %w", err)
	}
	return nil
}

func symbol(t planner.ActionType) string {
	switch t.Op() {
	case planner.OpCreate:
		return "+"
	case planner.OpUpdate:
		return "~"
	}
	return "-"
}

func skipTarget(s planner.Skip) string {
	parts := []string{string(s.Type)}
	for _, x := range []string{s.Team, s.User} {
		if x != "" {
			parts = append(parts, x)
		}
	}
	out := strings.Join(parts, " ")
	if len(s.Fields) > 0 {
		out += " (" + strings.Join(s.Fields, ", ") + ")"
	}
	return out
}

func summaryLine(p *planner.Plan) string {
	s := p.Summary
	line := fmt.Sprintf("Summary: users +%d ~%d -%d, teams +%d ~%d -%d, memberships +%d ~%d -%d; %d blocked, %d skipped.",
		s.CreateUser, s.UpdateUser, s.DeleteUser, s.CreateTeam, s.UpdateTeam, s.DeleteTeam,
		s.AddMember, s.ChangeMemberRole, s.RemoveMember, s.Blocked, s.Skipped)
	if p.HasChanges() && !p.Audited && s.DeleteUser > 0 {
		line += " " + notAudited(p)
	}
	return line
}
