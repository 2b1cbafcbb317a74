package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner/report"
)

func states() (base, head *model.Desired) {
	base = &model.Desired{
		Revision: model.Revision{Commit: "1111111111111111111111111111111111111111", Subject: "Before"},
		Users: []model.User{
			{Username: "ann@example.com", FullName: model.Ptr("Ann"), Role: model.Ptr("User")},
			{Username: "bob@example.com", FullName: model.Ptr("Bob"), Tags: &[]string{"b", "a"}},
			{Username: "leaver@example.com", FullName: model.Ptr("Leaver")},
		},
		Teams: []model.Team{
			{Name: "sre", Description: model.Ptr("SRE"), Members: &[]model.Member{
				{Username: "ann@example.com", Role: "user"}, {Username: "leaver@example.com", Role: "admin"}}},
			{Name: "legacy", Members: &[]model.Member{{Username: "bob@example.com", Role: "user"}}},
			{Name: "free"},
		},
	}
	head = &model.Desired{
		Revision: model.Revision{Commit: "2222222222222222222222222222222222222222", Subject: "After"},
		Users: []model.User{
			{Username: "ann@example.com", FullName: model.Ptr("Ann A"), Role: model.Ptr("Admin"), Origin: "users.yaml:2"},
			{Username: "bob@example.com", FullName: model.Ptr("Bob"), Tags: &[]string{"a", "b"}},
			{Username: "new@example.com", FullName: model.Ptr("New"), TimeZone: model.Ptr("Europe/Berlin"), Origin: "users.yaml:9"},
		},
		Teams: []model.Team{
			{Name: "sre", Description: model.Ptr("SRE"), Members: &[]model.Member{
				{Username: "ann@example.com", Role: "admin"}, {Username: "new@example.com", Role: "user"}}},
			{Name: "free", Members: &[]model.Member{}},
			{Name: "platform", Description: model.Ptr("Platform"), Members: &[]model.Member{{Username: "bob@example.com", Role: "admin"}}},
		},
	}
	return base, head
}

func TestCompute(t *testing.T) {
	base, head := states()
	d := Compute(base, head)
	var got []string
	for _, u := range d.Users {
		got = append(got, fmt.Sprintf("%s %s %v", u.Op, u.Username, u.Fields))
	}
	for _, tm := range d.Teams {
		got = append(got, fmt.Sprintf("%s team %s %v", tm.Op, tm.Name, tm.Fields))
	}
	for _, m := range d.Members {
		got = append(got, MemberLine(m))
	}
	want := []string{
		`removed leaver@example.com [{fullName "Leaver" }]`,
		`changed ann@example.com [{fullName "Ann" "Ann A"} {role "User" "Admin"}]`,
		`added new@example.com [{fullName  "New"} {timeZone  "Europe/Berlin"}]`,
		`removed team legacy [{members 1 member }]`,
		`changed team free [{members (not managed) 0 members}]`,
		`added team platform [{description  "Platform"} {members  1 member}]`,
		"remove bob@example.com from team legacy (was user)",
		"remove leaver@example.com from team sre (was admin)",
		"change ann@example.com in team sre from user to admin",
		"add bob@example.com to team platform as admin",
		"add new@example.com to team sre as user",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if Compute(base, base).Empty() != true || d.Empty() {
		t.Error("Empty is wrong")
	}
}

func TestRenderFormats(t *testing.T) {
	base, head := states()
	d := Compute(base, head)
	for _, f := range report.Formats {
		var buf bytes.Buffer
		if err := Render(&buf, d, f); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{"leaver@example.com", "new@example.com", "legacy", "2222222222"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", f, want, out)
			}
		}
		if f == report.FormatJSON {
			var back Diff
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.Members) != 5 {
				t.Errorf("JSON does not read back: %v, %+v", err, back)
			}
		}
	}
	// Removals come first in Markdown.
	md := Markdown(d)
	if strings.Index(md, "### Removed (4)") > strings.Index(md, "### Changed and added (7)") || !strings.Contains(md, "### Removed (4)") {
		t.Errorf("removals do not come first:\n%s", md)
	}
	if err := Render(&bytes.Buffer{}, d, "html"); err == nil {
		t.Error("unknown format accepted")
	}
	var buf bytes.Buffer
	if err := Text(&buf, Compute(base, base)); err != nil || !strings.Contains(buf.String(), "No change") {
		t.Errorf("empty diff: %v %q", err, buf.String())
	}
}

// TestMarkdownKeepsRemovals renders a diff far over the comment limit:
// every removal is named, and what is left out is counted.
func TestMarkdownKeepsRemovals(t *testing.T) {
	base, head := &model.Desired{}, &model.Desired{}
	for i := range 100 {
		base.Users = append(base.Users, model.User{Username: fmt.Sprintf("leaver-%03d@example.com", i)})
	}
	for i := range 5000 {
		head.Users = append(head.Users, model.User{Username: fmt.Sprintf("a-new-user-with-a-long-name-%05d@example.com", i), FullName: model.Ptr("Someone")})
	}
	d := Compute(base, head)
	md := Markdown(d)
	if n := utf8.RuneCountInString(md); n > report.MaxMarkdown {
		t.Fatalf("%d characters, over the limit", n)
	}
	for _, u := range base.Users {
		if !strings.Contains(md, "remove user "+report.MarkdownText(u.Username)) {
			t.Errorf("removal of %s not shown", u.Username)
		}
	}
	shown := strings.Count(md, "🟢")
	if !strings.Contains(md, fmt.Sprintf("%d more changes do not fit", 5000-shown)) {
		t.Errorf("%d shown; the note does not count the rest", shown)
	}
}

// TestComputeTeamRenameByCase shows a change of case as a rename, as the
// planner plans it, not as a removal and an addition.
func TestComputeTeamRenameByCase(t *testing.T) {
	ms := &[]model.Member{{Username: "ann@example.com", Role: "user"}}
	base := &model.Desired{Teams: []model.Team{{Name: "SRE", Members: ms}}}
	head := &model.Desired{Teams: []model.Team{{Name: "sre", Members: ms}}}
	d := Compute(base, head)
	if len(d.Teams) != 1 || d.Teams[0].Op != Changed || d.Teams[0].Name != "sre" ||
		fmt.Sprint(d.Teams[0].Fields) != `[{name "SRE" "sre"}]` || len(d.Members) != 0 {
		t.Errorf("diff = %+v", d)
	}
}

// TestComputeTeamRenameByID shows a team renamed under the id it keeps as
// one change of its name, as the planner applies it (one PATCH), not as a
// removal and an addition of the team and its members; a team whose id
// appears in one commit only still matches by name.
func TestComputeTeamRenameByID(t *testing.T) {
	ms := &[]model.Member{{Username: "ann@example.com", Role: "user"}}
	base := &model.Desired{Teams: []model.Team{{ID: "4513b7ea", Name: "SRE", Members: ms}, {Name: "Ops", Members: ms}}}
	head := &model.Desired{Teams: []model.Team{{ID: "4513b7ea", Name: "Reliability", Members: ms}, {ID: "77aa", Name: "Ops", Members: ms}}}
	d := Compute(base, head)
	if len(d.Teams) != 1 || d.Teams[0].Op != Changed || d.Teams[0].Name != "Reliability" ||
		fmt.Sprint(d.Teams[0].Fields) != `[{name "SRE" "Reliability"}]` || len(d.Members) != 0 {
		t.Errorf("diff = %+v", d)
	}
}
