package tests

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/target/atlassian/atlsim"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// atlKey is the Atlassian emulator's credential (the API token and the org
// API key: atlsim accepts one key as both).
const atlKey = "c4n4ry-4tl4ss14n-t0k3n-Vb6Nm8Qw-0077"

// atlWrongOrgKey is an org API key the emulator refuses.
const atlWrongOrgKey = "c4n4ry-wr0ng-0rg-k3y-Jd5Fs7Gh-0078"

// atlEmu is the Atlassian emulator on loopback.
type atlEmu struct {
	srv *atlsim.Server
	url string
}

// startAtl serves an Atlassian emulator seeded with seed (nil: an empty org)
// on 127.0.0.1 until the test ends.
func startAtl(tb testing.TB, seed *atlsim.Seed) *atlEmu {
	tb.Helper()
	srv, err := atlsim.New(atlsim.Options{APIKey: atlKey, OrgID: "org-1", CloudID: "cloud-1", Seed: seed})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	tb.Cleanup(srv.Close)
	return &atlEmu{srv: srv, url: ts.URL}
}

// clientChanges are the changes of the emulator's journal a client made:
// all but the emulator's own record of the API caller, first seen.
func clientChanges(srv *atlsim.Server) []atlsim.Mutation {
	var out []atlsim.Mutation
	for _, m := range srv.Journal() {
		if m.Source != atlsim.SourceAuth {
			out = append(out, m)
		}
	}
	return out
}

// atlConfigYAML is a configuration of the Atlassian target: the emulator at
// url, the desired state in dir, sync policies, and extra YAML appended.
func atlConfigYAML(url, dir, stateDir, extra string) string {
	return fmt.Sprintf(`target: atlassian
atlassian:
  url: %s
  org_id: org-1
  cloud_id: cloud-1
  email: ogsync-bot@example.com
  timeout: 5s
%ssource:
  path: %s
policy: {users: sync, teams: sync, members: sync}
safeguards:
  max_deletes: {count: 1000, percent: 100}
state_dir: %s
`, url, extra, dir, stateDir)
}

// atlEnv is the environment of an ogsync process with the Atlassian
// credentials (and, when ogKey is set, the OpsGenie key).
func atlEnv(home, ogKey string) []string {
	return append(cliEnv(home, ogKey), "ATLASSIAN_API_TOKEN="+atlKey, "ATLASSIAN_ORG_API_KEY="+atlKey)
}

// TestAtlassianConverges applies examples/desired to an empty Atlassian
// emulator through the built binary: the dry runs before write nothing,
// the apply converges (the next plan --detailed-exitcode exits 0), and no
// piece of the credential reaches stdout, stderr, the state directory or
// the reports.
func TestAtlassianConverges(t *testing.T) {
	e := startAtl(t, nil)
	base := t.TempDir()
	state := filepath.Join(base, "state")
	reports := filepath.Join(base, "reports")
	if err := os.MkdirAll(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	desired, err := filepath.Abs("../examples/desired")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(base, "ogsync.yaml")
	writeFile(t, cfg, atlConfigYAML(e.url, desired, state, ""))
	// The same configuration with the secrets in files, outside what is scanned.
	keys := filepath.Join(base, "..", filepath.Base(base)+"-keys")
	writeFile(t, filepath.Join(keys, "token"), atlKey+"\n")
	writeFile(t, filepath.Join(keys, "org"), atlKey+"\n")
	t.Cleanup(func() { os.RemoveAll(keys) })
	cfgFiles := filepath.Join(base, "files.yaml")
	writeFile(t, cfgFiles, atlConfigYAML(e.url, desired, state,
		"  api_token_file: "+filepath.Join(keys, "token")+"\n  org_api_key_file: "+filepath.Join(keys, "org")+"\n"))
	env, noEnv := atlEnv(base, ""), cliEnv(base, "")

	var out strings.Builder
	step := func(name string, env []string, want int, args ...string) cliResult {
		t.Helper()
		r := runCLI(t, env, args...)
		out.WriteString(r.stdout + r.stderr)
		if r.code != want {
			t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", name, r.code, want, r.stdout, r.stderr)
		}
		return r
	}
	journal := len(clientChanges(e.srv))
	step("validate", env, 0, "validate", "--config", cfg)
	step("plan", env, 2, "plan", "--config", cfg, "--detailed-exitcode", "--log-level", "debug", "--log-format", "json")
	step("plan json to a file", noEnv, 2, "plan", "--config", cfgFiles, "--detailed-exitcode", "--format", "json", "--out", filepath.Join(reports, "plan.json"), "--log-level", "debug")
	step("run --once (dry run)", env, 0, "run", "--config", cfg, "--once", "--log-level", "debug")
	if c := clientChanges(e.srv); len(c) != journal {
		t.Fatalf("the dry runs changed the org: %+v", c[journal:])
	}
	step("apply", noEnv, 0, "apply", "--config", cfgFiles, "--log-level", "debug", "--log-format", "text")
	if len(clientChanges(e.srv)) == journal {
		t.Fatal("apply changed nothing")
	}
	e.srv.ResetStats()
	step("plan after apply", env, 0, "plan", "--config", cfg, "--detailed-exitcode", "--format", "markdown", "--out", filepath.Join(reports, "plan.md"))
	// The no-op read of target/atlassian/README.md: ⌈N/100⌉ directory pages
	// + ⌈T_org/300⌉ team pages + one member page for each of the 5 declared
	// teams with declared members (each under 50) + P = 0 undeclared JSM
	// users + no profile read (no managed account): 1 + 1 + 5 = 7.
	if st := e.srv.Stats(); st.Total != 7 {
		t.Errorf("the no-op plan sent %d requests, want 7: %v", st.Total, st.ByRoute)
	}
	step("export", env, 0, "export", "--config", cfg, "--out", filepath.Join(reports, "export"))
	// A wrong org API key, distinct from the token: the admin API answers
	// 401; neither secret shows in what is printed.
	wrongEnv := append(cliEnv(base, ""), "ATLASSIAN_API_TOKEN="+atlKey, "ATLASSIAN_ORG_API_KEY="+atlWrongOrgKey)
	r := step("wrong org key", wrongEnv, 1, "plan", "--config", cfg, "--log-level", "debug")
	if !strings.Contains(r.stderr, "401") {
		t.Errorf("the 401 is not reported:\n%s", r.stderr)
	}
	if f := leaked(atlWrongOrgKey, out.String()); len(f) > 0 {
		t.Errorf("pieces of the wrong org key in the output: %v", f)
	}

	if f := leaked(atlKey, out.String()); len(f) > 0 {
		t.Errorf("pieces of the credential in the output: %v", f)
	}
	for _, d := range []string{state, reports} {
		if f := scanDir(t, atlKey, d); len(f) > 0 {
			t.Errorf("pieces of the credential in %s: %v", d, f)
		}
	}
}

// TestMigrateCheck applies examples/desired to the OpsGenie demo account
// and to the Atlassian demo org (the same drifted roster), then compares
// them: equal (exit 0); against an Atlassian org not yet synced, they
// differ (exit 2) and the report names what.
func TestMigrateCheck(t *testing.T) {
	ogSeed, err := ogsim.LoadSeed("../examples/demo/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	atlSeed, err := atlsim.LoadSeed("../examples/demo/atlassian-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	og := startEmu(t, ogsim.Options{Seed: ogSeed})
	atl := startAtl(t, atlSeed)
	atlFresh := startAtl(t, atlSeed)
	base := t.TempDir()
	desired, err := filepath.Abs("../examples/desired")
	if err != nil {
		t.Fatal(err)
	}
	// The demo's policies: users and members sync, teams upsert-only.
	demo := "policy: {users: sync, teams: upsert-only, members: sync}\n"
	ogCfg := filepath.Join(base, "opsgenie.yaml")
	writeFile(t, ogCfg, strings.Replace(configYAML(og.url, desired, filepath.Join(base, "og-state"), ""), "policy: {users: sync, teams: sync, members: sync}\n", demo, 1))
	atlCfg := filepath.Join(base, "atlassian.yaml")
	writeFile(t, atlCfg, strings.Replace(atlConfigYAML(atl.url, desired, filepath.Join(base, "atl-state"), ""), "policy: {users: sync, teams: sync, members: sync}\n", demo, 1))
	freshCfg := filepath.Join(base, "fresh.yaml")
	writeFile(t, freshCfg, atlConfigYAML(atlFresh.url, desired, filepath.Join(base, "fresh-state"), ""))
	env := atlEnv(base, testKey)

	for _, c := range []string{ogCfg, atlCfg} {
		if r := runCLI(t, env, "apply", "--config", c); r.code != 0 {
			t.Fatalf("apply %s: exit %d\n%s%s", c, r.code, r.stdout, r.stderr)
		}
	}
	ogWrites, atlJournal := len(og.writeLog()), len(clientChanges(atl.srv))

	var all strings.Builder
	r := runCLI(t, env, "migrate-check", "--from", ogCfg, "--to", atlCfg)
	all.WriteString(r.stdout + r.stderr)
	if r.code != 0 {
		t.Errorf("migrate-check of equal rosters: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("equal:\n%s", r.stdout)
	for _, f := range []string{"markdown", "json"} {
		r := runCLI(t, env, "migrate-check", "--from", ogCfg, "--to", atlCfg, "--format", f, "--out", filepath.Join(base, "report."+f))
		all.WriteString(r.stdout + r.stderr)
		if r.code != 0 {
			t.Errorf("migrate-check --format %s: exit %d\n%s", f, r.code, r.stderr)
		}
	}

	r = runCLI(t, env, "migrate-check", "--from", ogCfg, "--to", freshCfg)
	all.WriteString(r.stdout + r.stderr)
	if r.code != 2 {
		t.Errorf("migrate-check of different rosters: exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"noah.brown@example.com", "olivia.rossi@example.com", "ben.former@example.com"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the report does not name %s:\n%s", want, r.stdout)
		}
	}

	r = runCLI(t, env, "migrate-check", "--from", ogCfg)
	if r.code != 1 || !strings.Contains(r.stderr, "--to is required") {
		t.Errorf("without --to: exit %d\n%s", r.code, r.stderr)
	}
	if n := len(og.writeLog()); n != ogWrites {
		t.Errorf("migrate-check wrote to the OpsGenie account: %v", og.writeLog()[ogWrites:])
	}
	if n := len(clientChanges(atl.srv)); n != atlJournal {
		t.Errorf("migrate-check changed the Atlassian org: %d journal entries", n-atlJournal)
	}
	if c := clientChanges(atlFresh.srv); len(c) != 0 {
		t.Errorf("migrate-check changed the org not yet synced: %+v", c)
	}
	for _, key := range []string{testKey, atlKey} {
		if f := leaked(key, all.String()); len(f) > 0 {
			t.Errorf("pieces of a credential in the output: %v", f)
		}
		if f := scanDir(t, key, base); len(f) > 0 {
			t.Errorf("pieces of a credential in the files: %v", f)
		}
	}
}
