package source

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	goldenfile "github.com/ogsync/ogsync/internal/golden"
	"github.com/ogsync/ogsync/model"
)

// exportAccount is an account with built-in and custom roles, tags,
// details, a team without members and users in several teams, as a target
// reads it (members named). ogsync export of the same account in the
// OpsGenie emulator writes the same files (TestExportGolden in package main).
func exportAccount() ([]model.User, []model.Team) {
	user := func(name, full, role, tz, locale string, tags []string, details map[string][]string) model.User {
		u := model.User{ID: "id-" + name, Username: name, FullName: &full, Role: &role, TimeZone: &tz, Locale: &locale}
		if tags != nil {
			u.Tags = &tags
		}
		if details != nil {
			u.Details = &details
		}
		return u
	}
	users := []model.User{
		user("maria.garcia@example.com", "María García", "Owner", "Europe/Madrid", "es_ES",
			[]string{"sre", "leadership"}, map[string][]string{"costCenter": {"4100"}, "office": {"Madrid", "Remote"}}),
		user("jonas.weber@example.com", "Jonas Weber", "admin", "Europe/Berlin", "de_DE", []string{"sre"}, nil),
		user("priya.nair@example.com", "Priya Nair", "Incident Commander", "Asia/Kolkata", "en_IN", nil, nil),
		user("tom.o+oncall@example.com", "Tom O'Connor", "User", "America/New_York", "en_US",
			nil, map[string][]string{"yes": {"no", "true", "1e3", "null"}}),
		user("sam.taylor@example.com", "Sam Taylor", "Stakeholder", "UTC", "en_GB", nil, nil),
	}
	member := func(name, role string) model.Member {
		return model.Member{Username: name, UserID: "id-" + name, Role: role}
	}
	teams := []model.Team{
		{ID: "906a394a-3c00-4fa6-8a50-10c516cd871d", Name: "SRE", Description: model.Ptr("Site reliability: owns the platform."), Members: &[]model.Member{
			member("maria.garcia@example.com", "admin"), member("jonas.weber@example.com", "admin"),
			member("priya.nair@example.com", "user"), member("tom.o+oncall@example.com", "user"),
		}},
		{ID: "f8ed15dd-d967-4c82-8dab-cde621f2d340", Name: "Infrastructure", Description: model.Ptr(""), Members: &[]model.Member{
			member("jonas.weber@example.com", "admin"), member("sam.taylor@example.com", "user"),
		}},
		{ID: "b20f2596-747b-47d1-a28d-a27d3ed467cf", Name: "empty team", Description: model.Ptr("nobody yet"), Members: &[]model.Member{}},
	}
	return users, teams
}

// TestExportGolden pins the exact files of a split export, and that the
// order of the input does not matter.
func TestExportGolden(t *testing.T) {
	users, teams := exportAccount()
	exp, err := Export(users, teams, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(exp.Warnings) > 0 || exp.Users != 5 || exp.Teams != 3 || exp.Roles != 1 {
		t.Errorf("warnings %v, %d users, %d teams, %d roles", exp.Warnings, exp.Users, exp.Teams, exp.Roles)
	}
	if err := exp.Check(t.Context()); err != nil {
		t.Fatalf("the export does not load: %v", err)
	}
	for _, name := range []string{ExportUsersFile, ExportTeamsFile} {
		goldenfile.Check(t, filepath.Join("testdata", "export", name), exp.Files[name])
	}
	slices.Reverse(users)
	slices.Reverse(teams)
	again, err := Export(users, teams, true)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range exp.Files {
		if string(again.Files[name]) != string(data) {
			t.Errorf("%s depends on the order of the input", name)
		}
	}
}

// TestExportOneDocument: unsplit, the export is one document that loads
// back to the same users, teams and roles.
func TestExportOneDocument(t *testing.T) {
	users, teams := exportAccount()
	exp, err := Export(users, teams, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(exp.Files) != 1 || exp.Files[ExportFile] == nil {
		t.Fatalf("files: %d, want %s alone", len(exp.Files), ExportFile)
	}
	d, err := LoadFS(t.Context(), mapFS(exp.Files), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Users) != 5 || len(d.Teams) != 3 || !slices.Equal(d.CustomRoles, []string{"Incident Commander"}) {
		t.Errorf("loaded %d users, %d teams, roles %v", len(d.Users), len(d.Teams), d.CustomRoles)
	}
}

// TestExportWarnings: values the desired-state format cannot hold are left
// out, each with a warning; the rest is canonical and sorted.
func TestExportWarnings(t *testing.T) {
	users := []model.User{
		{ID: "u2", Username: "b@x.com", FullName: model.Ptr(" padded "), Role: model.Ptr("user"), TimeZone: model.Ptr("Mars/Olympus"),
			Details: &map[string][]string{"empty": {}, "k": {"v"}}},
		{ID: "u1", Username: "a@x.com", FullName: model.Ptr(""), Role: model.Ptr("Custom"), Tags: &[]string{"z", "a"}},
	}
	teams := []model.Team{
		{Name: "b", Members: &[]model.Member{{UserID: "u1", Username: "a@x.com", Role: "user"}, {UserID: "gone", Role: "user"}}},
		{Name: "A", Description: model.Ptr("")},
	}
	doc, warns := buildExport(users, teams)
	wantWarns := []string{
		`user b@x.com: full name " padded " left out: it is not one line of text`,
		`user b@x.com: time zone "Mars/Olympus" left out: not an IANA time zone`,
		`user b@x.com: details key "empty" left out: it has no value`,
		`team b: member gone left out: not a user of the account`,
	}
	if !slices.Equal(warns, wantWarns) {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(warns, "\n"), strings.Join(wantWarns, "\n"))
	}
	if doc.Users[0].Username != "a@x.com" || !slices.Equal(doc.Users[0].Tags, []string{"a", "z"}) || doc.Users[0].FullName != "" {
		t.Errorf("user a = %+v", doc.Users[0])
	}
	if doc.Users[1].Role != "User" || doc.Users[1].TimeZone != "" || len(doc.Users[1].Details) != 1 {
		t.Errorf("user b = %+v", doc.Users[1])
	}
	if !slices.Equal(doc.Roles, []string{"Custom"}) {
		t.Errorf("roles = %v", doc.Roles)
	}
	if doc.Teams[0].Name != "A" || doc.Teams[0].Members == nil || len(doc.Teams[1].Members) != 1 || doc.Teams[1].Members[0].User != "a@x.com" {
		t.Errorf("teams = %+v", doc.Teams)
	}
}

// TestExportMultilineDetails: a details value of several lines is written
// as a block scalar and reads back the same, instead of failing the export.
func TestExportMultilineDetails(t *testing.T) {
	d := map[string][]string{"notes": {"line one\nline two", "single"}, "k": {"plain"}, "runbook": {"step 1\n  indented step\nstep 3"}}
	fn := "Bob"
	exp, err := Export([]model.User{{Username: "bob@example.com", FullName: &fn, Details: &d}}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(exp.Warnings) > 0 {
		t.Errorf("warnings: %v", exp.Warnings)
	}
	out := string(exp.Files[ExportFile])
	if !strings.Contains(out, "- |-\n") || !strings.Contains(out, "k: [plain]") {
		t.Errorf("no block scalar, or the one-line list changed:\n%s", out)
	}
	if err := exp.Check(t.Context()); err != nil {
		t.Fatalf("the export does not load: %v", err)
	}
	got, err := LoadFS(t.Context(), mapFS(exp.Files), Options{})
	if err != nil {
		t.Fatal(err)
	}
	back := *got.Users[0].Details
	for k, v := range d {
		if strings.Join(back[k], "|") != strings.Join(v, "|") {
			t.Errorf("%s read back as %q, want %q", k, back[k], v)
		}
	}
}

// TestExportCheckRefuses: a team name the desired-state format refuses
// fails Check, naming it.
func TestExportCheckRefuses(t *testing.T) {
	exp, err := Export(nil, []model.Team{{Name: "ops/oncall"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.Check(t.Context()); err == nil || !strings.Contains(err.Error(), "ops/oncall") {
		t.Errorf("Check = %v, want an error naming the team", err)
	}
}

func mapFS(files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for n, data := range files {
		fsys[n] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return fsys
}

// TestExportAccount reads with an empty desired state, passes the warnings
// on, and refuses an export that does not load back.
func TestExportAccount(t *testing.T) {
	users, teams := exportAccount()
	var asked *model.Desired
	read := func(_ context.Context, d *model.Desired) (*model.Current, error) {
		asked = d
		return &model.Current{Users: users, Teams: teams}, nil
	}
	var warned []string
	exp, err := ExportAccount(t.Context(), read, true, func(w string) { warned = append(warned, w) })
	if err != nil {
		t.Fatal(err)
	}
	if asked == nil || len(asked.Users)+len(asked.Teams) != 0 {
		t.Errorf("read with %v, want an empty desired state", asked)
	}
	want, _ := Export(users, teams, true)
	if !slices.Equal(warned, want.Warnings) || exp.Summary() != want.Summary() || len(exp.Files) != 2 {
		t.Errorf("warned %q, summary %q, %d files; want %q, %q, 2", warned, exp.Summary(), len(exp.Files), want.Warnings, want.Summary())
	}
	if got := (&Exported{Users: 1, Teams: 2}).Summary(); got != "1 user, 2 teams and 0 custom roles" {
		t.Errorf("Summary = %q", got)
	}
	bad := func(context.Context, *model.Desired) (*model.Current, error) {
		return &model.Current{Teams: []model.Team{{Name: "ops/oncall"}}}, nil
	}
	if _, err := ExportAccount(t.Context(), bad, true, func(string) {}); err == nil || !strings.Contains(err.Error(), "nothing written") {
		t.Errorf("an export that does not load: %v", err)
	}
	exp.Redact(func([]byte) []byte { return []byte("x") })
	if string(exp.Files[ExportUsersFile]) != "x" {
		t.Errorf("Redact left %q", exp.Files[ExportUsersFile])
	}
}
