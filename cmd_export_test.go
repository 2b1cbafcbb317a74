package main

import (
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	goldenfile "github.com/ogsync/ogsync/internal/golden"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/statedir"
	"github.com/ogsync/ogsync/target/opsgenie"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

const exportTestKey = "7c1f9a52-1111-4222-8333-0123456789ab"

// exportSeed is an account with built-in and custom roles, tags, details,
// a team without members and users in several teams.
func exportSeed() *ogsim.Seed {
	return &ogsim.Seed{
		CustomRoles: []ogsim.SeedRole{{Name: "Incident Commander"}, {Name: "Unused Role"}},
		Users: []ogsim.SeedUser{
			{Username: "maria.garcia@example.com", FullName: "María García", Role: "Owner", TimeZone: "Europe/Madrid", Locale: "es_ES",
				Tags: []string{"sre", "leadership"}, Details: map[string][]string{"costCenter": {"4100"}, "office": {"Madrid", "Remote"}}},
			{Username: "jonas.weber@example.com", FullName: "Jonas Weber", Role: "admin", TimeZone: "Europe/Berlin", Locale: "de_DE", Tags: []string{"sre"}},
			{Username: "priya.nair@example.com", FullName: "Priya Nair", Role: "Incident Commander", TimeZone: "Asia/Kolkata", Locale: "en_IN"},
			{Username: "tom.o+oncall@example.com", FullName: "Tom O'Connor", Role: "User", TimeZone: "America/New_York", Locale: "en_US",
				Details: map[string][]string{"yes": {"no", "true", "1e3", "null"}}},
			{Username: "sam.taylor@example.com", FullName: "Sam Taylor", Role: "Stakeholder", TimeZone: "UTC", Locale: "en_GB"},
		},
		Teams: []ogsim.SeedTeam{
			{Name: "SRE", Description: "Site reliability: owns the platform.", Members: []ogsim.SeedMember{
				{Username: "maria.garcia@example.com", Role: "admin"}, {Username: "jonas.weber@example.com", Role: "admin"},
				{Username: "priya.nair@example.com"}, {Username: "tom.o+oncall@example.com"},
			}},
			{Name: "Infrastructure", Members: []ogsim.SeedMember{{Username: "jonas.weber@example.com", Role: "admin"}, {Username: "sam.taylor@example.com"}}},
			{Name: "empty team", Description: "nobody yet"},
		},
	}
}

// startExportEmulator serves the seed and writes a config file pointing at it.
func startExportEmulator(t *testing.T, seed *ogsim.Seed) (sim *ogsim.Server, cfgFile, url string) {
	t.Helper()
	sim, err := ogsim.New(ogsim.Options{APIKey: exportTestKey, Seed: seed, IDSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfgFile = filepath.Join(dir, "ogsync.yaml")
	cfg := "opsgenie:\n  url: https://api.eu.opsgenie.com\n  rate_limit: { per_second: 100, burst: 10 }\nsource:\n  path: desired\n"
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return sim, cfgFile, srv.URL
}

// TestExportRoundTrip exports an account, loads the files with the
// desired-state loader and compares them with the account.
func TestExportRoundTrip(t *testing.T) {
	sim, cfgFile, url := startExportEmulator(t, exportSeed())
	out := filepath.Join(t.TempDir(), "desired")
	env := map[string]string{"OPSGENIE_API_KEY": exportTestKey}
	code, stdout, stderr := runCLI(t, env, "export", "--config", cfgFile, "--out", out, "--api-url", url, "--log-level", "warn")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing with --out", stdout)
	}
	if !strings.Contains(stderr, "exported 5 users, 3 teams and 1 custom role to "+out+" (2 API requests)") {
		t.Errorf("stderr = %q", stderr)
	}
	if strings.Contains(stdout+stderr, exportTestKey) {
		t.Error("the output carries the API key")
	}
	if st := sim.Stats(); st.Total != 2 || st.ByRoute["GET /v2/users"] != 1 || st.ByRoute["GET /v2/teams"] != 1 {
		t.Errorf("emulator stats = %+v, want one list of users and one of teams", st)
	}

	desired, err := source.Load(t.Context(), source.Options{Dir: out})
	if err != nil {
		t.Fatalf("the loader refuses the export: %v", err)
	}
	client, err := opsgenie.New(opsgenie.Options{BaseURL: url, APIKey: exportTestKey})
	if err != nil {
		t.Fatal(err)
	}
	users, err := client.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	teams, err := client.ListTeams(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	compareExport(t, desired, users, teams)
	if !slices.Equal(desired.CustomRoles, []string{"Incident Commander"}) {
		t.Errorf("custom roles = %v, want the one in use", desired.CustomRoles)
	}

	// Planned against the same account, the export changes nothing, even
	// with every policy at sync and the YAML authoritative for everything.
	current, err := client.Read(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	strict := planner.DefaultOptions()
	strict.Policies = planner.PolicyNames{Users: planner.PolicySync, Teams: planner.PolicySync, Members: planner.PolicySync}
	strict.Ownership.Mode = planner.OwnershipAdopt
	for name, opts := range map[string]planner.Options{"default options": planner.DefaultOptions(), "sync and adopt": strict} {
		plan, err := planner.Compute(*desired, *current, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if plan.HasChanges() || len(plan.Skipped) > 0 || plan.Refused() {
			t.Errorf("%s: the plan of the export against its account is not empty: %+v", name, plan.Summary)
			for _, a := range plan.Actions {
				t.Logf("  %s %v %s", a.ID, a.Fields, a.Reason)
			}
		}
	}

	// Export again over the same directory: the same bytes.
	first := readDir(t, out)
	if code, _, stderr := runCLI(t, env, "export", "--config", cfgFile, "--out", out, "--api-url", url); code != exitOK {
		t.Fatalf("second export: exit %d: %s", code, stderr)
	}
	if second := readDir(t, out); !equalFiles(first, second) {
		t.Errorf("a second export differs:\n%v\n%v", first, second)
	}
	if len(first) != 2 {
		t.Errorf("files = %v, want users.yaml and teams.yaml (no temporary files left)", slices.Sorted(maps.Keys(first)))
	}
}

// compareExport checks that the desired state equals the account in every
// field the export manages.
func compareExport(t *testing.T, d *model.Desired, users []model.User, teams []model.Team) {
	t.Helper()
	if len(d.Users) != len(users) || len(d.Teams) != len(teams) {
		t.Fatalf("desired has %d users and %d teams, the account %d and %d", len(d.Users), len(teams), len(users), len(teams))
	}
	str := func(p *string) string {
		if p == nil {
			return "<unmanaged>"
		}
		return *p
	}
	for i, u := range users {
		w := d.Users[i]
		if w.Username != u.Username || str(w.FullName) != str(u.FullName) || str(w.Role) != str(u.Role) ||
			str(w.TimeZone) != str(u.TimeZone) || str(w.Locale) != str(u.Locale) {
			t.Errorf("user %d: desired %+v, account %+v", i, w, u)
		}
		if got, want := tagsOf(w.Tags), tagsOf(u.Tags); !slices.Equal(got, want) {
			t.Errorf("user %s tags: desired %v, account %v", u.Username, got, want)
		}
		if got, want := detailsOf(w.Details), detailsOf(u.Details); got != want {
			t.Errorf("user %s details: desired %v, account %v", u.Username, got, want)
		}
	}
	slices.SortFunc(teams, func(a, b model.Team) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	for i, tm := range teams {
		w := d.Teams[i]
		if w.Name != tm.Name || strings.TrimPrefix(str(w.Description), "<unmanaged>") != *tm.Description {
			t.Errorf("team %d: desired %+v, account %+v", i, w, tm)
		}
		if w.Members == nil {
			t.Errorf("team %s: members not managed", tm.Name)
			continue
		}
		var got, want []string
		for _, m := range *w.Members {
			got = append(got, m.Username+"/"+m.Role)
		}
		for _, m := range *tm.Members {
			want = append(want, m.Username+"/"+m.Role)
		}
		if !slices.Equal(got, want) {
			t.Errorf("team %s members: desired %v, account %v", tm.Name, got, want)
		}
	}
}

func tagsOf(p *[]string) []string {
	if p == nil {
		return nil
	}
	if len(*p) == 0 {
		return nil
	}
	return model.SortedCopy(*p)
}

func detailsOf(p *map[string][]string) string {
	if p == nil || len(*p) == 0 {
		return "{}"
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(*p)) {
		b.WriteString(k + "=" + strings.Join((*p)[k], ",") + ";")
	}
	return b.String()
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func equalFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestExportGolden: the files written are the encoder's, byte for byte
// (the golden files of source.TestExportGolden, an account equal to this
// one).
func TestExportGolden(t *testing.T) {
	_, cfgFile, url := startExportEmulator(t, exportSeed())
	out := t.TempDir()
	env := map[string]string{"OPSGENIE_API_KEY": exportTestKey}
	if code, _, stderr := runCLI(t, env, "export", "--config", cfgFile, "--out", out, "--api-url", url); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, name := range []string{source.ExportUsersFile, source.ExportTeamsFile} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		goldenfile.Check(t, filepath.Join("source", "testdata", "export", name), got)
	}
}

func TestExportStdout(t *testing.T) {
	_, cfgFile, url := startExportEmulator(t, exportSeed())
	code, stdout, stderr := runCLI(t, map[string]string{"OPSGENIE_API_KEY": exportTestKey}, "export", "--config", cfgFile, "--api-url", url)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "all.yaml"), []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := source.Load(t.Context(), source.Options{Dir: dir})
	if err != nil {
		t.Fatalf("the loader refuses the stdout export: %v\n%s", err, stdout)
	}
	if len(d.Users) != 5 || len(d.Teams) != 3 {
		t.Errorf("loaded %d users and %d teams", len(d.Users), len(d.Teams))
	}
	if !strings.Contains(stderr, "to stdout") {
		t.Errorf("stderr = %q", stderr)
	}
}

// TestExportEmptyAccount: an account with no users and no teams exports
// files the loader accepts.
func TestExportEmptyAccount(t *testing.T) {
	_, cfgFile, url := startExportEmulator(t, nil)
	out := t.TempDir()
	code, _, stderr := runCLI(t, map[string]string{"OPSGENIE_API_KEY": exportTestKey}, "export", "--config", cfgFile, "--out", out, "--api-url", url)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	d, err := source.Load(t.Context(), source.Options{Dir: out})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Users) != 0 || len(d.Teams) != 0 {
		t.Errorf("desired = %+v", d)
	}
}

func TestExportErrors(t *testing.T) {
	_, cfgFile, url := startExportEmulator(t, exportSeed())
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("wrong-"+exportTestKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		contains string
	}{
		{"no config", nil, []string{"export"}, "--config is required"},
		{"positional argument", nil, []string{"export", "--config", cfgFile, "extra"}, `unexpected argument "extra"`},
		{"no API key flag", nil, []string{"export", "--config", cfgFile, "--api-key", "x"}, "flag provided but not defined: -api-key"},
		{"http api url elsewhere", nil, []string{"export", "--config", cfgFile, "--api-url", "http://example.com"}, "--api-url"},
		{"no key", nil, []string{"export", "--config", cfgFile, "--api-url", url}, "no API key"},
		{"wrong key", map[string]string{"OPSGENIE_API_KEY": "11111111-2222-4333-8444-555555555555"}, []string{"export", "--config", cfgFile, "--api-url", url}, "401 Unauthorized"},
		{"missing config", nil, []string{"export", "--config", "/nonexistent/ogsync.yaml"}, "reading config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.env, tc.args...)
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if !strings.Contains(stderr, tc.contains) {
				t.Errorf("stderr = %q, want %q", stderr, tc.contains)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			for _, v := range tc.env {
				if strings.Contains(stderr, v) {
					t.Error("stderr carries the API key")
				}
			}
		})
	}
}

// TestExportRefusesInvalidOutput: an account whose team name the
// desired-state format refuses gives an error and writes nothing.
func TestExportRefusesInvalidOutput(t *testing.T) {
	seed := exportSeed()
	seed.Teams = append(seed.Teams, ogsim.SeedTeam{Name: "ops/oncall"})
	sim, err := ogsim.New(ogsim.Options{APIKey: exportTestKey, Seed: seed})
	if err != nil {
		t.Skipf("the emulator refuses the team name too: %v", err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	_, cfgFile, _ := startExportEmulator(t, nil)
	out := filepath.Join(t.TempDir(), "desired")
	code, _, stderr := runCLI(t, map[string]string{"OPSGENIE_API_KEY": exportTestKey}, "export", "--config", cfgFile, "--out", out, "--api-url", srv.URL)
	if code != exitError || !strings.Contains(stderr, "does not pass validation, nothing written") || !strings.Contains(stderr, "ops/oncall") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the output directory was created: %v", err)
	}
}

func TestWriteFileAtomicKeepsOldOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "users.yaml")
	if err := statedir.WriteFileAtomic(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A directory in the way of the rename: the write fails, the old
	// content of another path is untouched and no temporary file is left.
	blocked := filepath.Join(dir, "teams.yaml")
	if err := os.Mkdir(blocked, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(blocked, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := statedir.WriteFileAtomic(blocked, []byte("new\n"), 0o644); err == nil {
		t.Fatal("writing over a non-empty directory succeeded")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("directory after the failure holds %d entries, want users.yaml and teams.yaml only", len(entries))
	}
	if b, _ := os.ReadFile(path); string(b) != "old\n" {
		t.Errorf("users.yaml = %q", b)
	}
}
