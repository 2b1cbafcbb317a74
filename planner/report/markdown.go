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

// Headroom is what Markdown leaves free under MaxMarkdown, in bytes, for a
// header the caller adds (the example workflow's marker and title line).
const Headroom = 500

// detailsOver is the section length from which a list of creates and
// updates folds into <details>.
const detailsOver = 20

// Markdown returns p as a pull-request comment. What can harm comes first
// and is never folded or summarised: the source commit, the refusal and
// its violations, a deletion banner, the counts table, the blocked actions
// grouped by reason and every deletion with why it is planned. Then come
// the creates and updates, one section per kind (folded into <details> over
// 20 entries), and the skipped changes. The comment is at most
// MaxMarkdown-Headroom bytes, so characters too: when space runs out, the
// creates, updates and skips that do not fit are summarised as counts per
// action type, never cut mid-entry. Only a plan whose deletions and blocked
// actions alone exceed the limit loses some of them, and the note at the
// end says how many.
func Markdown(p *planner.Plan) string { return markdown(p, MaxMarkdown) }

// reserve is kept free for the closing tags and the notes at the end (at
// most 700 bytes) and the Headroom.
const reserve = Headroom + 700

// md writes Markdown within a budget, counting bytes (never fewer than
// characters). Once the budget is spent it writes nothing more and the
// caller only counts what it leaves out, building no entry text.
type md struct {
	b     strings.Builder
	limit int
	cut   bool
	open  int // <details> left open
	// lostHarm counts deletions and blocked actions left out (only when
	// they alone exceed the limit).
	lostHarm int
	// lost counts the creates, updates and skips left out, by type.
	lost map[planner.ActionType]int
	// lostSkips counts the skipped changes left out.
	lostSkips int
}

// fits reports whether n more bytes fit in the budget.
func (m *md) fits(n int) bool { return !m.cut && m.b.Len()+n <= m.limit-reserve }

// raw writes s, or marks the budget spent when it does not fit.
func (m *md) raw(s string) bool {
	if !m.fits(len(s)) {
		m.cut = true
		return false
	}
	m.b.WriteString(s)
	return true
}

func (m *md) fold(n int, summary string) bool {
	if n <= detailsOver {
		return false
	}
	if !m.raw("<details><summary>" + summary + "</summary>\n\n") {
		return false
	}
	m.open++
	return true
}

func (m *md) unfold(folded bool) {
	if folded && m.open > 0 {
		m.b.WriteString("\n</details>\n")
		m.open--
	}
}

func markdown(p *planner.Plan, limit int) string {
	m := &md{limit: limit, lost: map[planner.ActionType]int{}}
	m.raw("## ogsync plan\n\n")
	m.raw("**Source:** " + mdSource(p.Revision) + "  \n**Policies:** " + esc(policies(p)) + "\n\n")
	if p.Refused() {
		m.raw("> [!CAUTION]\n> **Refused by safeguards: nothing will be applied.**\n")
		for _, v := range p.Violations {
			m.raw("> - " + code(v.Rule) + ": " + esc(v.Message) + "\n")
		}
		m.raw("\n")
	}
	if !p.HasChanges() {
		m.raw("**No changes.** The account matches the desired state.\n")
	} else {
		if d := deletions(p.Summary); d != "" {
			m.raw("> [!WARNING]\n> **This plan deletes " + d + ".**\n\n")
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
	harm(m, p)
	rest(m, p)
	for ; m.open > 0; m.open-- {
		m.b.WriteString("\n</details>\n")
	}
	if m.lostHarm > 0 {
		fmt.Fprintf(&m.b, "\n> [!CAUTION]\n> **%s of deletions and blocked actions do not fit in one comment.** "+
			"The full plan (`ogsync plan --format text`, or the workflow's artifact) lists them all.\n",
			count(m.lostHarm, "entry", "entries"))
	}
	if n := lostTotal(m); n > 0 {
		fmt.Fprintf(&m.b, "\n> [!NOTE]\n> Not shown for lack of space: %s. "+
			"The full plan (`ogsync plan --format text`, or the workflow's artifact) lists them all.\n", lostPhrase(m))
	}
	return m.b.String()
}

// harm writes the blocked actions by reason and every deletion, unfolded.
// They stop only at the hard limit, when they alone exceed it.
func harm(m *md, p *planner.Plan) {
	if reasons, acts := blockGroups(p); len(reasons) > 0 {
		m.raw("\n### Blocked\n\n")
		for _, r := range reasons {
			as := acts[r]
			m.raw("**" + esc(r) + "** (" + strconv.Itoa(len(as)) + ")\n\n")
			for _, a := range as {
				if m.cut || !m.raw("- "+esc(Headline(a))+"\n") {
					m.lostHarm++
				}
			}
			m.raw("\n")
		}
	}
	n := p.Summary.DeleteUser + p.Summary.DeleteTeam + p.Summary.RemoveMember
	if n == 0 {
		return
	}
	m.raw("\n### Deletions (" + strconv.Itoa(n) + ")\n\n")
	for _, s := range sections {
		for _, a := range p.Actions {
			if a.Type.Kind() != s.kind || !a.Type.Destructive() {
				continue
			}
			if m.cut || !m.raw(entry(a)) {
				m.lostHarm++
			}
		}
	}
}

// rest writes the creates and updates by kind, then the skipped changes,
// while they fit; what does not fit is counted by type.
func rest(m *md, p *planner.Plan) {
	for _, s := range sections {
		var n int
		for _, a := range p.Actions {
			if a.Type.Kind() == s.kind && !a.Type.Destructive() {
				n++
			}
		}
		if n == 0 {
			continue
		}
		folded := false
		if m.raw("\n### " + s.title + " (" + strconv.Itoa(n) + ")\n\n") {
			folded = m.fold(n, count(n, s.kind+" create or update", s.kind+" creates and updates"))
		}
		for _, a := range p.Actions {
			if a.Type.Kind() != s.kind || a.Type.Destructive() {
				continue
			}
			if m.cut || !m.raw(entry(a)) {
				m.lost[a.Type]++
			}
		}
		m.unfold(folded)
	}
	m.unmanageable(p)
	if len(p.Skipped) == 0 {
		return
	}
	folded := false
	if m.raw("\n### Skipped (" + strconv.Itoa(len(p.Skipped)) + ")\n\nScope or policy keeps these from being applied.\n\n") {
		if m.raw("<details><summary>" + count(len(p.Skipped), "skipped change", "skipped changes") + "</summary>\n\n") {
			m.open++
			folded = true
		}
	}
	for _, s := range p.Skipped {
		if m.cut || !m.raw("- "+esc(skipTarget(s))+": "+esc(s.Reason)+"\n") {
			m.lostSkips++
		}
	}
	m.unfold(folded)
}

// unmanageable writes the changes the target cannot make.
func (m *md) unmanageable(p *planner.Plan) {
	if len(p.Unmanageable) == 0 {
		return
	}
	m.raw("\n### Unmanageable (" + strconv.Itoa(len(p.Unmanageable)) + ")\n\nThe target cannot make these; they are never applied.\n\n")
	for _, s := range p.Unmanageable {
		if m.cut || !m.raw("- "+esc(skipTarget(s))+": "+esc(s.Reason)+"\n") {
			m.lostSkips++
		}
	}
}

// entry is one action's list entry: badge, headline, origin, the blocked
// mark, why (for a deletion) and the field lines.
func entry(a *planner.Action) string {
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
	return e.String()
}

// lostNames phrases each action type left out of a comment.
var lostNames = []struct {
	t          planner.ActionType
	one, other string
}{
	{planner.CreateUser, "user create", "user creates"},
	{planner.UpdateUser, "user update", "user updates"},
	{planner.CreateTeam, "team create", "team creates"},
	{planner.UpdateTeam, "team update", "team updates"},
	{planner.AddMember, "member add", "member adds"},
	{planner.ChangeMemberRole, "member role change", "member role changes"},
}

func lostTotal(m *md) int {
	n := m.lostSkips
	for _, c := range m.lost {
		n += c
	}
	return n
}

// lostPhrase lists what a comment left out: "12 user creates, 3 member adds and 2 skipped changes".
func lostPhrase(m *md) string {
	var parts []string
	for _, l := range lostNames {
		if n := m.lost[l.t]; n > 0 {
			parts = append(parts, count(n, l.one, l.other))
		}
	}
	if m.lostSkips > 0 {
		parts = append(parts, count(m.lostSkips, "skipped change", "skipped changes"))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// esc makes text safe in Markdown running text and table cells.
func esc(s string) string { return escaper.Replace(s) }

// escaper and spacer are built once: a strings.Replacer is safe for
// concurrent use, and building one per call costs more than replacing.
var (
	escaper = strings.NewReplacer("\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]",
		"<", "&lt;", ">", "&gt;", "|", "\\|", "\n", " ", "\r", " ", "#", "\\#")
	spacer = strings.NewReplacer("\n", " ", "\r", " ")
)

// code wraps s in a code span that no backtick inside can close.
func code(s string) string {
	s = spacer.Replace(s)
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

// MarkdownText escapes s for Markdown running text and table cells.
func MarkdownText(s string) string { return esc(s) }

// MarkdownCode wraps s in a Markdown code span that no backtick inside can close.
func MarkdownCode(s string) string { return code(s) }
