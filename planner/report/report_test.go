package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE") != "" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (UPDATE=1 to accept):\n%s", name, got)
	}
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
func hugePlan(t *testing.T, n int) *planner.Plan {
	t.Helper()
	var d model.Desired
	var c model.Current
	ms := []model.Member{}
	for i := range n {
		name := fmt.Sprintf("new-user-with-a-long-name-%05d@example.com", i)
		d.Users = append(d.Users, model.User{Username: name, FullName: model.Ptr("A rather long full name " + fmt.Sprint(i)), Tags: &[]string{"one", "two"}})
		ms = append(ms, model.Member{Username: name})
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
	for _, want := range []string{"Refused by safeguards", "would delete 3000 users", "This plan deletes 3000 users", "more entries are not shown", "| users | 3000 | 0 | 3000 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("truncated markdown lacks %q", want)
		}
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Errorf("unbalanced <details>: %d open, %d closed", strings.Count(out, "<details>"), strings.Count(out, "</details>"))
	}
}

func TestMarkdownTruncationGolden(t *testing.T) {
	golden(t, "truncated.md", []byte(markdown(hugePlan(t, 30), 3000)))
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
