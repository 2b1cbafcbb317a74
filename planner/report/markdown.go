package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
)

// MaxMarkdown is the most characters Markdown returns: GitHub's limit on a
// pull-request comment.
const MaxMarkdown = 65536

// detailsOver is the section length from which a list folds into <details>.
const detailsOver = 20

// Markdown returns p as a pull-request comment: the source commit, a
// refusal and a deletion banner when they apply, a counts table, the
// blocked actions grouped by reason, one section per kind, and the skipped
// changes. Lists longer than 20 entries fold into <details>. The comment is
// at most MaxMarkdown characters: what does not fit is cut, with a note.
func Markdown(p *planner.Plan) string { return markdown(p, MaxMarkdown) }

// md writes Markdown within a budget, counting bytes (never fewer than characters).
type md struct {
	b       strings.Builder
	limit   int
	cut     bool
	omitted int
	open    int // <details> left open
}

// reserve is kept free for the closing tags and the truncation note.
const reserve = 600

func (m *md) raw(s string) {
	if m.cut {
		return
	}
	if m.b.Len()+len(s) > m.limit-reserve {
		m.cut = true
		return
	}
	m.b.WriteString(s)
}

// item writes one list entry, or counts it as omitted once the budget is spent.
func (m *md) item(s string) {
	m.raw(s)
	if m.cut {
		m.omitted++
	}
}

func (m *md) fold(n int, summary string) bool {
	if n <= detailsOver {
		return false
	}
	m.raw(fmt.Sprintf("<details><summary>%s</summary>\n\n", summary))
	if !m.cut {
		m.open++
	}
	return true
}

func (m *md) unfold(folded bool) {
	if folded && m.open > 0 && !m.cut {
		m.b.WriteString("\n</details>\n")
		m.open--
	}
}

func markdown(p *planner.Plan, limit int) string {
	m := &md{limit: limit}
	m.raw("## ogsync plan\n\n")
	m.raw(fmt.Sprintf("**Source:** %s  \n**Policies:** %s\n\n", mdSource(p.Revision), esc(policies(p))))
	if p.Refused() {
		m.raw("> [!CAUTION]\n> **Refused by safeguards: nothing will be applied.**\n")
		for _, v := range p.Violations {
			m.raw(fmt.Sprintf("> - %s: %s\n", code(v.Rule), esc(v.Message)))
		}
		m.raw("\n")
	}
	if !p.HasChanges() {
		m.raw("**No changes.** The account matches the desired state.\n")
	} else {
		if d := deletions(p.Summary); d != "" {
			m.raw(fmt.Sprintf("> [!WARNING]\n> **This plan deletes %s.**\n\n", d))
		}
		s := p.Summary
		m.raw("| | create / add | update / role | delete / remove |\n|---|---:|---:|---:|\n")
		m.raw(fmt.Sprintf("| users | %d | %d | %d |\n", s.CreateUser, s.UpdateUser, s.DeleteUser))
		m.raw(fmt.Sprintf("| teams | %d | %d | %d |\n", s.CreateTeam, s.UpdateTeam, s.DeleteTeam))
		m.raw(fmt.Sprintf("| memberships | %d | %d | %d |\n\n", s.AddMember, s.ChangeMemberRole, s.RemoveMember))
		m.raw(fmt.Sprintf("%s, **%d blocked**, %d skipped.", count(s.Total, "action", "actions"), s.Blocked, s.Skipped))
		if !p.Audited && s.DeleteUser > 0 {
			m.raw(" " + notAudited(p))
		}
		m.raw("\n")
	}
	if reasons, acts := blockGroups(p); len(reasons) > 0 {
		m.raw("\n### Blocked\n\n")
		for _, r := range reasons {
			as := acts[r]
			m.raw(fmt.Sprintf("**%s** (%d)\n\n", esc(r), len(as)))
			folded := m.fold(len(as), count(len(as), "blocked action", "blocked actions"))
			for _, a := range as {
				m.item("- " + esc(Headline(a)) + "\n")
			}
			m.unfold(folded)
			m.raw("\n")
		}
	}
	for _, s := range sections {
		acts := ofKind(p, s.kind)
		if len(acts) == 0 {
			continue
		}
		m.raw(fmt.Sprintf("\n### %s (%d)\n\n", s.title, len(acts)))
		folded := m.fold(len(acts), count(len(acts), s.kind+" change", s.kind+" changes"))
		for _, a := range acts {
			var e strings.Builder
			e.WriteString("- " + badge(a.Type) + " " + esc(Headline(a)))
			if a.Origin != "" {
				e.WriteString(" (" + code(a.Origin) + ")")
			}
			if a.IsBlocked() {
				e.WriteString(" **BLOCKED**")
			}
			e.WriteString("\n")
			if a.Type.Destructive() {
				e.WriteString("  - why: " + esc(a.Reason) + "\n")
			}
			for _, d := range details(a) {
				e.WriteString("  - " + code(d) + "\n")
			}
			m.item(e.String())
		}
		m.unfold(folded)
	}
	if len(p.Skipped) > 0 {
		m.raw(fmt.Sprintf("\n### Skipped (%d)\n\nScope or policy keeps these from being applied.\n\n", len(p.Skipped)))
		m.raw(fmt.Sprintf("<details><summary>%s</summary>\n\n", count(len(p.Skipped), "skipped change", "skipped changes")))
		if !m.cut {
			m.open++
		}
		for _, s := range p.Skipped {
			m.item("- " + esc(skipTarget(s)) + ": " + esc(s.Reason) + "\n")
		}
		m.unfold(true)
	}
	for ; m.open > 0; m.open-- {
		m.b.WriteString("\n</details>\n")
	}
	if m.cut {
		fmt.Fprintf(&m.b, "\n> [!NOTE]\n> The plan is too long for one comment: %d more entries are not shown. "+
			"Run `ogsync plan --format json` for the whole plan.\n", m.omitted)
	}
	return m.b.String()
}

// esc makes text safe in Markdown running text and table cells.
func esc(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]",
		"<", "&lt;", ">", "&gt;", "|", "\\|", "\n", " ", "\r", " ", "#", "\\#")
	return r.Replace(s)
}

// code wraps s in a code span that no backtick inside can close.
func code(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || fence != "`" {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// badge marks an action's operation in a comment.
func badge(t planner.ActionType) string {
	switch t.Op() {
	case planner.OpCreate:
		return "🟢"
	case planner.OpUpdate:
		return "🟡"
	}
	return "🔴"
}

// mdSource describes the source commit: the full SHA in a code span, then
// the subject, author and date.
func mdSource(r model.Revision) string {
	if r.Commit == "" {
		return esc(source(r))
	}
	s := "commit " + code(r.Commit)
	if r.Subject != "" {
		s += " " + esc(strconv.Quote(r.Subject))
	}
	var by []string
	if r.Author != "" {
		by = append(by, esc(r.Author))
	}
	if !r.Date.IsZero() {
		by = append(by, r.Date.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if len(by) > 0 {
		s += " (" + strings.Join(by, ", ") + ")"
	}
	return s
}
