package report

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goldenfile "github.com/ogsync/ogsync/internal/golden"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
)

func user(id, name, role string, details map[string][]string) model.User {
	if details == nil {
		details = map[string][]string{}
	}
	return model.User{ID: id, Username: name, FullName: model.Ptr("Full " + name), Role: model.Ptr(role), TimeZone: model.Ptr("Europe/Berlin"),
		Locale: model.Ptr("en_US"), Tags: &[]string{}, Details: &details}
}

func team(id, name, desc string, ms ...model.Member) model.Team {
	return model.Team{ID: id, Name: name, Description: model.Ptr(desc), Members: &ms}
}

var marker = map[string][]string{"managed-by": {"ogsync"}}

// samplePlan has every action type, a skip, a refusal and audit blocks.
func samplePlan(t *testing.T) *planner.Plan {
	t.Helper()
	o := planner.DefaultOptions()
	o.Policies = planner.PolicyNames{Users: planner.PolicySync, Teams: planner.PolicySync, Members: planner.PolicySync}
	o.Ownership.Mode = planner.OwnershipAdopt
	o.Scope.ProtectedUsers = []string{"root@example.com"}
	o.Safeguards.MaxDeletes = planner.MaxDeletes{Count: 1, Percent: 100}
	o.Safeguards.MinOwners = 0
	desired := model.Desired{
		Revision: model.Revision{Commit: "0123456789abcdef0123456789abcdef01234567", Author: "Ann <ann@example.com>",
			Date: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Subject: "Add Nina, retire legacy"},
		Users: []model.User{
			{Username: "nina@example.com", FullName: model.Ptr("Nina N"), Role: model.Ptr("admin"), TimeZone: model.Ptr("US/Pacific"),
				Tags: &[]string{"sre"}, Details: &map[string][]string{"costCenter": {"42"}}, Origin: "users/sre.yaml:3"},
			{Username: "owen@example.com", Role: model.Ptr("Owner"), Origin: "users/sre.yaml:10"},
			{Username: "ann@example.com", Role: model.Ptr("User"), TimeZone: model.Ptr("America/Los_Angeles"), Origin: "users/sre.yaml:14"},
			{Username: "root@example.com", FullName: model.Ptr("Root"), Origin: "users/admins.yaml:1"},
		},
		Teams: []model.Team{
			{Name: "sre", Description: model.Ptr("Site reliability"), Origin: "teams/sre.yaml:1", Members: &[]model.Member{
				{Username: "ann@example.com", Role: "admin", Origin: "teams/sre.yaml:4"},
				{Username: "nina@example.com", Role: "user", Origin: "teams/sre.yaml:5"}}},
			{Name: "platform", Origin: "teams/platform.yaml:1", Members: &[]model.Member{{Username: "nina@example.com", Role: "admin"}}},
		},
	}
	ann := user("u-ann", "ann@example.com", "Owner", nil)
	ann.TimeZone = model.Ptr("US/Pacific")
	current := model.Current{
		Users: []model.User{ann, user("u-owen", "owen@example.com", "User", nil), user("u-root", "root@example.com", "Owner", nil),
			user("u-old", "old@example.com", "User", marker), user("u-gone", "gone@example.com", "User", nil)},
		Teams: []model.Team{
			team("t-sre", "sre", "SRE", model.Member{Username: "ann@example.com", UserID: "u-ann", Role: "user"}, model.Member{Username: "old@example.com", UserID: "u-old", Role: "user"}),
			team("t-legacy", "legacy", "", model.Member{Username: "gone@example.com", UserID: "u-gone", Role: "user"}),
		},
	}
	p, err := planner.Compute(desired, current, o)
	if err != nil {
		t.Fatal(err)
	}
	p.Audit(model.AuditFacts{Users: map[string]model.References{
		"u-old":  {Schedules: []model.Ref{{ID: "s1", Name: "SRE_schedule"}}, Teams: []model.Ref{{ID: "t-sre", Name: "sre"}}},
		"u-gone": {Teams: []model.Ref{{ID: "t-legacy", Name: "legacy"}}, Escalations: []model.Ref{{ID: "e1", Name: "legacy_escalation"}}},
	}, Teams: map[string]model.TeamReferences{"t-legacy": {}}})
	return p
}

func emptyPlan(t *testing.T) *planner.Plan {
	t.Helper()
	u := user("u1", "ann@example.com", "Owner", nil)
	p, err := planner.Compute(model.Desired{Users: []model.User{{Username: "ann@example.com", Role: model.Ptr("owner")}},
		Revision: model.Revision{Commit: "89abcdef0123456789abcdef0123456789abcdef"}},
		model.Current{Users: []model.User{u}}, planner.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// golden compares got with testdata/name, rewriting it when UPDATE is set.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

func TestGolden(t *testing.T) {
	plans := map[string]func(*testing.T) *planner.Plan{"sample": samplePlan, "empty": emptyPlan}
	for name, mk := range plans {
		for _, f := range Formats {
			t.Run(name+"/"+f, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Render(&buf, mk(t), f); err != nil {
					t.Fatal(err)
				}
				ext := map[string]string{FormatText: "txt", FormatMarkdown: "md", FormatJSON: "json"}[f]
				golden(t, name+"."+ext, buf.Bytes())
			})
		}
	}
}

// TestBlockedInEveryFormat checks each blocked action and the refusal
// reach every format.
func TestBlockedInEveryFormat(t *testing.T) {
	p := samplePlan(t)
	if !p.Refused() || p.Summary.Blocked == 0 {
		t.Fatalf("sample plan should be refused and have blocked actions: %+v", p.Summary)
	}
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := Render(&buf, p, f); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if f == FormatMarkdown {
			out = strings.ReplaceAll(out, `\`, "")
		}
		for _, want := range []string{
			"would delete 2 users (40.0% of 5); limit is 1 and 100%",
			`still referenced by schedules "SRE_schedule"`,
			`still referenced by escalations "legacy_escalation"`,
			"0123456789abcdef0123456789abcdef01234567",
		} {
			if f == FormatJSON {
				want = strings.ReplaceAll(want, `"`, `\"`)
			}
			if !strings.Contains(out, want) {
				t.Errorf("%s output lacks %q", f, want)
			}
		}
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	if err := Render(&bytes.Buffer{}, emptyPlan(t), "html"); err == nil || !strings.Contains(err.Error(), `unknown plan format "html"`) {
		t.Errorf("err = %v", err)
	}
}

// hugePlan has n user creates, n member adds and n user deletes (blocked by the cap).
func hugePlan(t *testing.T, n int) *planner.Plan { return hugePlanOf(t, n, n) }

// hugePlanOf has n user creates, n member adds and del user deletes (blocked by the cap).
func hugePlanOf(t testing.TB, n, del int) *planner.Plan {
	t.Helper()
	var d model.Desired
	var c model.Current
	ms := []model.Member{}
	for i := range n {
		name := fmt.Sprintf("new-user-with-a-long-name-%05d@example.com", i)
		d.Users = append(d.Users, model.User{Username: name, FullName: model.Ptr("A rather long full name " + fmt.Sprint(i)), Tags: &[]string{"one", "two"}})
		ms = append(ms, model.Member{Username: name})
	}
	for i := range del {
		c.Users = append(c.Users, user(fmt.Sprint("old", i), fmt.Sprintf("old%05d@example.com", i), "User", marker))
	}
	d.Teams = []model.Team{{Name: "everyone", Members: &ms}}
	c.Teams = []model.Team{team("t", "everyone", "")}
	o := planner.DefaultOptions()
	o.Policies.Users = planner.PolicySync
	o.Safeguards.MaxShrinkPercent = 100
	p, err := planner.Compute(d, c, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMarkdownStaysUnderGitHubLimit(t *testing.T) {
	p := hugePlan(t, 3000)
	out := Markdown(p)
	if n := utf8.RuneCountInString(out); n > MaxMarkdown {
		t.Fatalf("markdown is %d characters, over %d", n, MaxMarkdown)
	}
	// 3,000 blocked deletes cannot all fit: the comment says so, and shows
	// them before any create.
	for _, want := range []string{"Refused by safeguards", "would delete 3000 users", "This plan deletes 3000 users",
		"of deletions and blocked actions do not fit in one comment", "Not shown for lack of space: 3000 user creates and 3000 member adds",
		"| users | 3000 | 0 | 3000 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("truncated markdown lacks %q", want)
		}
	}
	if len(out) > MaxMarkdown-Headroom {
		t.Errorf("markdown is %d bytes, leaving less than %d for a workflow's header", len(out), Headroom)
	}
	if strings.Contains(out, "create user") {
		t.Error("a create is shown while deletions were left out")
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Errorf("unbalanced <details>: %d open, %d closed", strings.Count(out, "<details>"), strings.Count(out, "</details>"))
	}
}

// thousandPlan has 1,000 changes: 400 user creates, 400 member adds, 100
// member role changes, 70 member removals and 30 user deletes.
func thousandPlan(t testing.TB) *planner.Plan {
	t.Helper()
	var d model.Desired
	var c model.Current
	var want, have []model.Member
	for i := range 170 {
		name := fmt.Sprintf("staying-user-with-a-long-name-%05d@example.com", i)
		u := user(fmt.Sprint("s", i), name, "User", nil)
		c.Users = append(c.Users, u)
		d.Users = append(d.Users, model.User{Username: name, Role: model.Ptr("User")})
		have = append(have, model.Member{Username: name, UserID: u.ID, Role: "user"})
		if i < 100 {
			want = append(want, model.Member{Username: name, Role: "admin"})
		}
	}
	for i := range 400 {
		name := fmt.Sprintf("new-user-with-a-long-name-%05d@example.com", i)
		d.Users = append(d.Users, model.User{Username: name, FullName: model.Ptr("A rather long full name " + fmt.Sprint(i)),
			Tags: &[]string{"one", "two"}, Origin: fmt.Sprintf("users/new.yaml:%d", 3*i+1)})
		want = append(want, model.Member{Username: name, Role: "user", Origin: fmt.Sprintf("teams/everyone.yaml:%d", i+2)})
	}
	for i := range 30 {
		c.Users = append(c.Users, user(fmt.Sprint("old", i), fmt.Sprintf("leaver-%02d@example.com", i), "User", marker))
	}
	d.Teams = []model.Team{{Name: "everyone", Members: &want, Origin: "teams/everyone.yaml:1"}}
	c.Teams = []model.Team{team("t", "everyone", "", have...)}
	o := planner.DefaultOptions()
	o.Policies = planner.PolicyNames{Users: planner.PolicySync, Teams: planner.PolicySync, Members: planner.PolicySync}
	o.Safeguards.MaxShrinkPercent = 100
	o.Safeguards.MaxDeletes = planner.MaxDeletes{Count: 1000, Percent: 100}
	p, err := planner.Compute(d, c, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMarkdownNamesEveryDeletion renders a 1,000-change plan: every user
// delete and member removal is named with its reason, the creates and
// updates that do not fit are counted, and the comment fits GitHub's limit.
func TestMarkdownNamesEveryDeletion(t *testing.T) {
	p := thousandPlan(t)
	s := p.Summary
	if s.Total != 1000 || s.DeleteUser != 30 || s.RemoveMember != 70 || s.AddMember != 400 || s.ChangeMemberRole != 100 {
		t.Fatalf("plan summary = %+v", s)
	}
	out := Markdown(p)
	if n := utf8.RuneCountInString(out); n > MaxMarkdown {
		t.Fatalf("markdown is %d characters, over %d", n, MaxMarkdown)
	}
	if len(out) > MaxMarkdown-Headroom {
		t.Errorf("markdown is %d bytes, leaving less than %d for a workflow's header", len(out), Headroom)
	}
	plain := strings.ReplaceAll(out, `\`, "")
	for _, a := range p.Actions {
		if a.Type.Destructive() && !strings.Contains(plain, "- 🔴 "+Headline(a)+" ") && !strings.Contains(plain, "- 🔴 "+Headline(a)+"\n") {
			t.Errorf("the comment does not name %q", Headline(a))
		}
	}
	if n := strings.Count(out, "\n  - why: "); n != 100 {
		t.Errorf("%d deletions carry their reason, want 100", n)
	}
	if strings.Contains(out, "do not fit in one comment") {
		t.Error("deletions were left out")
	}
	// What is shown plus what is counted as not shown is every create and update.
	shown := strings.Count(out, "\n- 🟢 ") + strings.Count(out, "\n- 🟡 ")
	lost := 0
	for _, m := range regexp.MustCompile(`(\d+) (?:user creates?|member adds?|member role changes?)`).FindAllStringSubmatch(out[strings.Index(out, "Not shown for lack of space"):], -1) {
		n, _ := strconv.Atoi(m[1])
		lost += n
	}
	if shown == 0 || lost == 0 || shown+lost != 900 {
		t.Errorf("%d creates and updates shown, %d counted as not shown; want a sum of 900", shown, lost)
	}
	t.Logf("1,000 changes: %d characters, all 100 deletions named, %d creates and updates shown, %d counted", utf8.RuneCountInString(out), shown, lost)
	// Deletions come before the first create or update.
	if strings.Index(out, "### Deletions (100)") > strings.Index(out, "- 🟢 ") {
		t.Error("deletions do not come first")
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Error("unbalanced <details>")
	}
}

// BenchmarkMarkdown20k renders a plan of 20,000 actions (10,000 user
// creates, 10,000 member adds), far over the comment's limit.
func BenchmarkMarkdown20k(b *testing.B) {
	t := &testing.T{}
	p := hugePlanOf(t, 10000, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if len(Markdown(p)) > MaxMarkdown {
			b.Fatal("over the limit")
		}
	}
	b.ReportMetric(float64(p.Summary.Total), "actions")
}

func TestMarkdownTruncationGolden(t *testing.T) {
	golden(t, "truncated.md", []byte(markdown(hugePlan(t, 30), 7000)))
}

func TestMarkdownEscapes(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"a_b*c", `a\_b\*c`},
		{"<script>", "&lt;script&gt;"},
		{"x|y", `x\|y`},
	} {
		if got := esc(tt.in); got != tt.want {
			t.Errorf("esc(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"plain", "`plain`"},
		{"a`b", "`` a`b ``"},
		{"line\nbreak", "`line break`"},
	} {
		if got := code(tt.in); got != tt.want {
			t.Errorf("code(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
