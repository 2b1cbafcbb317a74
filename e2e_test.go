package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/statedir"
	"github.com/ogsync/ogsync/target/opsgenie"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// The end-to-end tests of the commands run the CLI in-process against the
// emulator on 127.0.0.1, with a configuration file and a directory of
// desired YAML written for each test.

// cliKey is the API key of the command tests: distinctive, so that a test
// can tell it never reaches the output.
const cliKey = "cli-e2e-9f4b7c21-never-print-me"

// desiredYAML is the desired state of the command tests.
var desiredYAML = map[string]string{
	"users.yaml": `users:
  - username: owner@example.com
    fullName: The Owner
    role: Owner
  - username: alice@example.com
    fullName: Alice Example
    role: Admin
    timeZone: Europe/Berlin
    tags: [sre]
  - username: bob@example.com
    fullName: Bob Example
    role: User
  - username: carol@example.com
    fullName: Carol Example
    role: User
`,
	"teams.yaml": `teams:
  - name: SRE
    description: Site reliability
    members:
      - user: alice@example.com
        role: admin
      - user: bob@example.com
        role: user
      - user: carol@example.com
        role: user
`,
}

// driftedSeed is desiredYAML applied, then drifted: alice has the wrong
// role, carol left SRE and eve, not ogsync's, joined it.
func driftedSeed() *ogsim.Seed {
	marker := map[string][]string{"managed-by": {"ogsync"}}
	return &ogsim.Seed{
		Users: []ogsim.SeedUser{
			{Username: "owner@example.com", FullName: "The Owner", Role: "Owner"},
			{Username: "alice@example.com", FullName: "Alice Example", Role: "User", TimeZone: "Europe/Berlin", Tags: []string{"sre"}, Details: marker},
			{Username: "bob@example.com", FullName: "Bob Example", Role: "User", Details: marker},
			{Username: "carol@example.com", FullName: "Carol Example", Role: "User", Details: marker},
			{Username: "eve@example.com", FullName: "Eve Extra", Role: "User"},
		},
		Teams: []ogsim.SeedTeam{{Name: "SRE", Description: "Site reliability", Members: []ogsim.SeedMember{
			{Username: "alice@example.com", Role: "admin"}, {Username: "bob@example.com", Role: "user"}, {Username: "eve@example.com", Role: "user"},
		}}},
	}
}

// The plan of driftedSeed against desiredYAML.
const (
	driftActions  = 3 // update alice, add carol, remove eve
	driftHeadline = "update user alice@example.com"
)

// cliFixture is an emulator, a desired-state directory and a configuration
// file pointing at both.
type cliFixture struct {
	sim      *ogsim.Server
	url      string
	config   string
	stateDir string
	env      map[string]string
	// failing, when set, is a "METHOD /path" prefix the emulator answers
	// 500 without acting on it.
	failing atomic.Pointer[string]
}

// newCLIFixture starts an emulator seeded with seed and writes the desired
// state and a configuration (rate limits out of the way, no retries, git
// pull off) with extra appended.
func newCLIFixture(t *testing.T, seed *ogsim.Seed, extra string) *cliFixture {
	t.Helper()
	sim, err := ogsim.New(ogsim.Options{APIKey: cliKey, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	f := &cliFixture{sim: sim, env: map[string]string{"OPSGENIE_API_KEY": cliKey}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := f.failing.Load(); p != nil && strings.HasPrefix(r.Method+" "+r.URL.Path, *p) {
			http.Error(w, `{"message":"injected","took":0.001,"requestId":"x"}`, http.StatusInternalServerError)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	desired := filepath.Join(dir, "desired")
	if err := os.Mkdir(desired, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range desiredYAML {
		if err := os.WriteFile(filepath.Join(desired, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f.url, f.config, f.stateDir = ts.URL, filepath.Join(dir, "ogsync.yaml"), filepath.Join(dir, "state")
	f.writeConfig(t, extra)
	return f
}

// writeConfig (re)writes the fixture's configuration with extra appended.
func (f *cliFixture) writeConfig(t *testing.T, extra string) {
	t.Helper()
	body := fmt.Sprintf(`opsgenie:
  url: %s
  max_retries: 0
  rate_limit: {per_second: 1000, burst: 1000}
source:
  path: %s
  git: {pull: false}
policy: {users: sync, teams: sync, members: sync}
safeguards:
  max_deletes: {count: 10, percent: 50}
state_dir: %s
`, f.url, filepath.Join(filepath.Dir(f.config), "desired"), f.stateDir) + extra
	if err := os.WriteFile(f.config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// run runs the CLI with the fixture's environment and checks that the API
// key appears in neither output.
func (f *cliFixture) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	code, stdout, stderr = runCLI(t, f.env, args...)
	noKey(t, stdout, stderr)
	return code, stdout, stderr
}

func noKey(t *testing.T, outputs ...string) {
	t.Helper()
	for _, s := range outputs {
		if strings.Contains(s, cliKey) {
			t.Errorf("the API key appears in the output:\n%s", s)
		}
	}
}

// writes returns the requests the emulator received that are not GETs.
func writes(sim *ogsim.Server) map[string]int {
	w := map[string]int{}
	for route, n := range sim.Stats().ByRoute {
		if !strings.HasPrefix(route, "GET ") {
			w[route] = n
		}
	}
	return w
}

// readResult reads the last cycle's result from the state directory.
func readResult(t *testing.T, stateDir string) engine.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(stateDir, statedir.ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	var r engine.Result
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// drift changes bob's full name through the API, as someone editing the
// account by hand would.
func (f *cliFixture) drift(t *testing.T) {
	t.Helper()
	c, err := opsgenie.New(opsgenie.Options{BaseURL: f.url, APIKey: cliKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateUser(context.Background(), "bob@example.com", opsgenie.UserPatch{FullName: model.Ptr("Bob Edited")}); err != nil {
		t.Fatal(err)
	}
}

func TestPlanCommandE2E(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"text", nil, exitOK, []string{"ogsync plan for directory", driftHeadline, "+ add carol@example.com to team SRE as user", "- remove eve@example.com from team SRE"}},
		{"detailed exit code", []string{"--detailed-exitcode"}, exitChanges, []string{driftHeadline}},
		{"markdown", []string{"--format", "markdown"}, exitOK, []string{"update user alice@example.com", "|"}},
		{"json", []string{"--format", "json", "--detailed-exitcode"}, exitChanges, []string{`"format_version": 2`, `"id": "update-user:alice@example.com"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newCLIFixture(t, driftedSeed(), "")
			code, out, errs := f.run(t, append([]string{"plan", "--config", f.config}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errs)
			}
			for _, want := range tc.contains {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if w := writes(f.sim); len(w) > 0 {
				t.Errorf("plan wrote: %v", w)
			}
			if _, err := os.Stat(f.stateDir); !os.IsNotExist(err) {
				t.Errorf("plan touched the state directory: %v", err)
			}

			// --out writes the same report to a file, and nothing to stdout.
			file := filepath.Join(t.TempDir(), "plan.out")
			code2, out2, errs2 := f.run(t, append([]string{"plan", "--config", f.config, "--out", file}, tc.args...)...)
			data, err := os.ReadFile(file)
			if err != nil || code2 != tc.code || out2 != "" {
				t.Fatalf("--out: exit %d, stdout %q, stderr %q, file error %v", code2, out2, errs2, err)
			}
			if normalize(string(data)) != normalize(out) {
				t.Errorf("--out file differs from stdout:\n%s\n---\n%s", data, out)
			}
		})
	}

	t.Run("json reads back as a plan", func(t *testing.T) {
		f := newCLIFixture(t, driftedSeed(), "")
		_, out, _ := f.run(t, "plan", "--config", f.config, "--format", "json")
		p, err := planner.ReadPlan(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Actions) != driftActions || p.Action("update-user:alice@example.com") == nil {
			t.Errorf("%d actions: %+v", len(p.Actions), p.Actions)
		}
	})

	t.Run("no changes", func(t *testing.T) {
		f := newCLIFixture(t, driftedSeed(), "")
		if code, _, errs := f.run(t, "apply", "--config", f.config); code != exitOK {
			t.Fatalf("apply: exit %d:\n%s", code, errs)
		}
		code, out, errs := f.run(t, "plan", "--config", f.config, "--detailed-exitcode")
		if code != exitOK || !strings.Contains(out, "No changes") {
			t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, errs)
		}
	})

	t.Run("refused", func(t *testing.T) {
		// A desired state that drops all but the owner is refused.
		f := newCLIFixture(t, driftedSeed(), "")
		if err := os.WriteFile(filepath.Join(filepath.Dir(f.config), "desired", "users.yaml"), []byte("users:\n  - username: owner@example.com\n    role: Owner\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(filepath.Dir(f.config), "desired", "teams.yaml")); err != nil {
			t.Fatal(err)
		}
		code, out, errs := f.run(t, "plan", "--config", f.config, "--detailed-exitcode")
		if code != exitError || !strings.Contains(out, "max_shrink_percent") {
			t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, errs)
		}
	})

	t.Run("blocked delete", func(t *testing.T) {
		// A leaver still on call: the delete is blocked, the rest may run.
		seed := driftedSeed()
		seed.Users = append(seed.Users, ogsim.SeedUser{Username: "leaver@example.com", FullName: "Leaver", Role: "User", Details: map[string][]string{"managed-by": {"ogsync"}}})
		seed.Schedules = []ogsim.SeedSchedule{{Name: "Primary", Rotations: []ogsim.SeedRotation{{
			Name: "weekly", Type: "weekly", StartDate: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
			Participants: []ogsim.SeedRecipient{{User: "leaver@example.com"}},
		}}}}
		f := newCLIFixture(t, seed, "")
		// Blocked is a reported outcome, not an error: 0, and 2 (changes) with --detailed-exitcode.
		code, out, errs := f.run(t, "plan", "--config", f.config)
		if code != exitOK || !strings.Contains(out, `BLOCKED: on-call audit: still referenced by schedules "Primary"`) {
			t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, errs)
		}
		if code, _, errs := f.run(t, "plan", "--config", f.config, "--detailed-exitcode"); code != exitChanges {
			t.Errorf("--detailed-exitcode: exit %d, want %d; stderr:\n%s", code, exitChanges, errs)
		}
	})

	t.Run("invalid desired state", func(t *testing.T) {
		f := newCLIFixture(t, driftedSeed(), "")
		bad := strings.Replace(desiredYAML["users.yaml"], "role: Admin", "role: Admn", 1)
		if err := os.WriteFile(filepath.Join(filepath.Dir(f.config), "desired", "users.yaml"), []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := f.run(t, "plan", "--config", f.config)
		if code != exitError || out != "" || !strings.Contains(errs, `ogsync plan: loading the desired state: users.yaml:7:11: users[1].role: "Admn" is neither a built-in role`) {
			t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errs)
		}
		if f.sim.Stats().Total != 0 {
			t.Errorf("an invalid desired state still read the account: %v", f.sim.Stats().ByRoute)
		}
	})

	t.Run("wrong key", func(t *testing.T) {
		f := newCLIFixture(t, driftedSeed(), "")
		const wrong = "0c1d2e3f-9a8b-4c7d-8e6f-5a4b3c2d1e0f" // well-formed, unknown
		f.env["OPSGENIE_API_KEY"] = wrong
		code, out, errs := f.run(t, "plan", "--config", f.config)
		if code != exitError || !strings.Contains(errs, "ogsync plan: reading the account: listing users: opsgenie: GET /v2/users: 401 Unauthorized") {
			t.Errorf("exit %d, stderr:\n%s", code, errs)
		}
		if strings.Contains(out+errs, wrong) {
			t.Errorf("the wrong API key appears in the output:\n%s%s", out, errs)
		}
	})

	t.Run("unreachable account", func(t *testing.T) {
		f := newCLIFixture(t, driftedSeed(), "")
		code, _, errs := f.run(t, "plan", "--config", f.config, "--api-url", "http://127.0.0.1:1")
		if code != exitError || !strings.Contains(errs, "ogsync plan: reading the account: listing users: opsgenie: GET /v2/users: connection error") {
			t.Errorf("exit %d, stderr:\n%s", code, errs)
		}
	})
}

// normalize drops the plan's creation time, which differs between two runs.
func normalize(s string) string {
	return regexp.MustCompile(`"created_at": "[^"]*"`).ReplaceAllString(s, `"created_at": ""`)
}

func TestApplySavedPlanE2E(t *testing.T) {
	t.Run("unchanged since the plan", func(t *testing.T) {
		f := newCLIFixture(t, driftedSeed(), "")
		saved := filepath.Join(t.TempDir(), "plan.json")
		if code, _, errs := f.run(t, "plan", "--config", f.config, "--format", "json", "--out", saved); code != exitOK {
			t.Fatalf("plan: exit %d:\n%s", code, errs)
		}
		code, out, errs := f.run(t, "apply", "--config", f.config, "--plan", saved)
		if code != exitOK || !strings.Contains(out, "changes-applied: 3 applied, 0 failed") {
			t.Fatalf("apply --plan: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
		}
		if code, out, _ := f.run(t, "plan", "--config", f.config, "--detailed-exitcode"); code != exitOK {
			t.Errorf("the account did not converge:\n%s", out)
		}
	})

	t.Run("account changed since the plan", func(t *testing.T) {
		f := newCLIFixture(t, driftedSeed(), "")
		saved := filepath.Join(t.TempDir(), "plan.json")
		if code, _, errs := f.run(t, "plan", "--config", f.config, "--format", "json", "--out", saved); code != exitOK {
			t.Fatalf("plan: exit %d:\n%s", code, errs)
		}
		f.drift(t)
		before := f.sim.State()
		f.sim.ResetStats()
		code, out, errs := f.run(t, "apply", "--config", f.config, "--plan", saved)
		if code != exitError || !strings.Contains(errs, "changed since the plan was saved; nothing applied") ||
			!strings.Contains(errs, "update-user:bob@example.com: new in the fresh plan") {
			t.Errorf("apply --plan: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
		}
		if w := writes(f.sim); len(w) > 0 {
			t.Errorf("a refused plan wrote: %v", w)
		}
		if fmt.Sprint(before) != fmt.Sprint(f.sim.State()) {
			t.Error("the account changed")
		}
		if r := readResult(t, f.stateDir); r.Outcome != engine.OutcomeFailed {
			t.Errorf("last result outcome %s, want failed", r.Outcome)
		}
	})

	t.Run("not a plan", func(t *testing.T) {
		f := newCLIFixture(t, driftedSeed(), "")
		bad := filepath.Join(t.TempDir(), "plan.json")
		if err := os.WriteFile(bad, []byte("{\"actions\": 3}"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errs := f.run(t, "apply", "--config", f.config, "--plan", bad)
		if code != exitError || !strings.Contains(errs, "ogsync apply: --plan: "+bad) || f.sim.Stats().Total != 0 {
			t.Errorf("exit %d, %d requests, stderr:\n%s", code, f.sim.Stats().Total, errs)
		}
	})
}

func TestApplyCommandE2E(t *testing.T) {
	f := newCLIFixture(t, driftedSeed(), "")
	code, out, errs := f.run(t, "apply", "--config", f.config)
	if code != exitOK || !strings.Contains(out, driftHeadline) || !strings.Contains(out, "changes-applied: 3 applied") {
		t.Fatalf("apply: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if w := writes(f.sim); w["PATCH /v2/users/{identifier}"] != 1 || w["POST /v2/teams/{identifier}/members"] != 1 || len(w) != 3 {
		t.Errorf("apply wrote %v", w)
	}
	r := readResult(t, f.stateDir)
	if r.Outcome != engine.OutcomeChangesApplied || r.DryRun || len(r.Actions) != driftActions {
		t.Errorf("last result: %+v", r)
	}
	report, err := os.ReadFile(filepath.Join(f.stateDir, statedir.ReportFile))
	if err != nil || !strings.HasPrefix(string(report), "# ogsync cycle: changes-applied") || !strings.Contains(string(report), driftHeadline) {
		t.Errorf("last report (%v):\n%s", err, report)
	}
	pf, err := os.Open(filepath.Join(f.stateDir, statedir.PlanFile))
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.ReadPlan(pf)
	pf.Close()
	if err != nil || len(p.Actions) != driftActions {
		t.Errorf("last plan: %v, %+v", err, p)
	}
	for _, name := range []string{statedir.ResultFile, statedir.ReportFile, statedir.PlanFile} {
		data, _ := os.ReadFile(filepath.Join(f.stateDir, name))
		noKey(t, string(data))
	}

	// Converged: the second apply writes nothing.
	f.sim.ResetStats()
	code, out, errs = f.run(t, "apply", "--config", f.config, "--log-level", "debug") // debug logs every request
	if !strings.Contains(errs, `"level":"DEBUG"`) {
		t.Errorf("no debug log (stderr is not a terminal: JSON):\n%s", errs)
	}
	if code != exitOK || !strings.Contains(out, "ok: 0 applied") {
		t.Errorf("second apply: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if w := writes(f.sim); len(w) > 0 {
		t.Errorf("the second apply wrote: %v", w)
	}
	if r := readResult(t, f.stateDir); r.Outcome != engine.OutcomeOK {
		t.Errorf("second apply's outcome %s", r.Outcome)
	}

	// Another process holds the lock.
	lock, err := statedir.AcquireLock(filepath.Join(f.stateDir, statedir.LockFile))
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	f.drift(t)
	f.sim.ResetStats()
	code, _, errs = f.run(t, "apply", "--config", f.config)
	want := "ogsync apply: another ogsync (pid " + strconv.Itoa(os.Getpid()) + ") holds " + filepath.Join(f.stateDir, statedir.LockFile)
	if code != exitError || !strings.Contains(errs, want) {
		t.Errorf("exit %d, stderr %q, want %q", code, errs, want)
	}
	if n := f.sim.Stats().Total; n != 0 {
		t.Errorf("apply sent %d requests while another process held the lock", n)
	}
}

// TestApplyPartialFailureE2E: a failed write makes apply exit 1 and name
// the failure; the next apply converges.
func TestApplyPartialFailureE2E(t *testing.T) {
	f := newCLIFixture(t, driftedSeed(), "")
	route := "POST /v2/teams/"
	f.failing.Store(&route) // member adds fail
	code, out, errs := f.run(t, "apply", "--config", f.config)
	if code != exitError || !strings.Contains(out, "partial: 2 applied, 1 failed") ||
		!strings.Contains(out, "failed    add carol@example.com to team SRE as user: adding ") {
		t.Errorf("apply: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if r := readResult(t, f.stateDir); r.Outcome != engine.OutcomePartial {
		t.Errorf("last result outcome %s, want partial", r.Outcome)
	}

	f.failing.Store(nil)
	code, out, errs = f.run(t, "apply", "--config", f.config)
	if code != exitOK || !strings.Contains(out, "changes-applied: 1 applied, 0 failed") {
		t.Errorf("second apply: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if code, out, _ := f.run(t, "plan", "--config", f.config, "--detailed-exitcode"); code != exitOK {
		t.Errorf("not converged:\n%s", out)
	}
}

func TestRunOnceE2E(t *testing.T) {
	f := newCLIFixture(t, driftedSeed(), "")
	code, _, errs := f.run(t, "run", "--config", f.config, "--once", "--log-format", "json")
	if code != exitOK {
		t.Fatalf("run --once: exit %d:\n%s", code, errs)
	}
	if w := writes(f.sim); len(w) > 0 {
		t.Errorf("a dry run wrote: %v", w)
	}
	if r := readResult(t, f.stateDir); r.Outcome != engine.OutcomeDryRun || !r.DryRun || len(r.Actions) != driftActions {
		t.Errorf("dry run result: %s, dry run %v, %d actions", r.Outcome, r.DryRun, len(r.Actions))
	}

	code, _, errs = f.run(t, "run", "--config", f.config, "--once", "--apply", "--log-format", "json")
	if code != exitOK || readResult(t, f.stateDir).Outcome != engine.OutcomeChangesApplied {
		t.Fatalf("run --once --apply: exit %d:\n%s", code, errs)
	}
	f.sim.ResetStats()
	code, _, errs = f.run(t, "run", "--config", f.config, "--once", "--apply", "--log-format", "json")
	if r := readResult(t, f.stateDir); code != exitOK || r.Outcome != engine.OutcomeOK || len(writes(f.sim)) > 0 {
		t.Errorf("converged run: exit %d, outcome %s, writes %v:\n%s", code, r.Outcome, writes(f.sim), errs)
	}
}

// metricValue returns the value of the sample line `series value` in a
// Prometheus text exposition, and whether it is there.
func metricValue(body, series string) (float64, bool) {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// TestRunDaemonE2E runs ogsync run --apply with the real engine on a
// one-second schedule: the cycle at start converges the account and the
// next finds nothing to do; /healthz and /metrics say so; a one-shot apply
// is refused the lock meanwhile; a reload with a bad configuration keeps
// the old one and the cycles go on; a cycle the account fails makes the
// daemon unhealthy; cancelling stops it cleanly.
func TestRunDaemonE2E(t *testing.T) {
	// Catch SIGHUP for the whole test, so the process never dies of one even
	// before the command installs its own handler.
	guard := make(chan os.Signal, 10)
	signal.Notify(guard, syscall.SIGHUP)
	defer signal.Stop(guard)

	f := newCLIFixture(t, driftedSeed(), "schedule: \"@every 1s\"\nlisten: 127.0.0.1:0\nhealth:\n  max_failed_cycles: 1\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"run", "--config", f.config, "--apply", "--log-format", "json"},
			stdio{out: &out, err: &errb, getenv: func(k string) string { return f.env[k] }})
	}()
	defer func() {
		cancel()
		<-done
		noKey(t, out.String(), errb.String())
	}()

	serving, next := waitLog(t, &errb, "serving /healthz and /metrics", 0)
	addr, _ := serving["addr"].(string)
	first, next := waitLog(t, &errb, "cycle finished", next)
	second, next := waitLog(t, &errb, "cycle finished", next)
	if first["outcome"] != string(engine.OutcomeChangesApplied) || second["outcome"] != string(engine.OutcomeOK) {
		t.Errorf("cycles: %v then %v, want changes-applied then ok", first["outcome"], second["outcome"])
	}
	if second["api_calls"] != 2.0 {
		t.Errorf("a converged cycle made %v API calls, want 2 (one user page, one team list)", second["api_calls"])
	}

	code, body := get(t, "http://"+addr+"/healthz")
	if code != 200 || !strings.HasPrefix(body, "ok\n") || !strings.Contains(body, "last_cycle: ok") || !strings.Contains(body, "consecutive_failed_cycles: 0") {
		t.Errorf("/healthz %d:\n%s", code, body)
	}
	code, body = get(t, "http://"+addr+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics %d", code)
	}
	for _, c := range []struct {
		series string
		min    float64
		max    float64
	}{
		{`ogsync_cycles_total{outcome="changes-applied"}`, 1, 1},
		{`ogsync_cycles_total{outcome="ok"}`, 1, 100},
		{`ogsync_cycles_total{outcome="failed"}`, 0, 0},
		{`ogsync_actions_total{kind="user",outcome="applied"}`, 1, 1},
		{`ogsync_actions_total{kind="member",outcome="applied"}`, 2, 2},
		{`ogsync_api_requests_total{method="GET",route="/v2/users",status="200"}`, 2, 100},
		{`ogsync_api_requests_total{method="GET",route="/v2/teams",status="200"}`, 2, 100},
		{`ogsync_api_requests_total{method="PATCH",route="/v2/users/{id}",status="200"}`, 1, 1},
		{`ogsync_api_requests_total{method="POST",route="/v2/teams/{id}/members",status="200"}`, 1, 1},
		{`ogsync_consecutive_failed_cycles`, 0, 0},
		{`ogsync_config_last_reload_successful`, 1, 1},
		// The adaptive limiter's rates, under the configured ceiling of 1000.
		{`ogsync_api_rate_limit{domain="configuration"}`, 10, 1000},
		{`ogsync_api_rate_limit{domain="search"}`, 5, 1000},
	} {
		v, ok := metricValue(body, c.series)
		if !ok || v < c.min || v > c.max {
			t.Errorf("/metrics: %s = %v (present %v), want %v..%v", c.series, v, ok, c.min, c.max)
		}
	}
	if v, ok := metricValue(body, "ogsync_last_success_timestamp_seconds"); !ok || v < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("/metrics: last success %v", v)
	}

	// A one-shot apply is refused the daemon's lock.
	f.sim.ResetStats()
	code, _, errs := f.run(t, "apply", "--config", f.config)
	if code != exitError || !strings.Contains(errs, "ogsync apply: another ogsync (pid "+strconv.Itoa(os.Getpid())+") holds") {
		t.Errorf("apply beside the daemon: exit %d:\n%s", code, errs)
	}

	// A bad configuration is refused on SIGHUP; the cycles go on.
	good, err := os.ReadFile(f.config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.config, append(good, "policy: {users: everything}\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	line, next := waitLog(t, &errb, "configuration reload failed; keeping the configuration in force", next)
	if e, _ := line["err"].(string); !strings.Contains(e, f.config+":") {
		t.Errorf("the reload error does not name the file: %q", e)
	}
	after, _ := waitLog(t, &errb, "cycle finished", next)
	if after["outcome"] != string(engine.OutcomeOK) {
		t.Errorf("cycle after the refused reload: %v", after["outcome"])
	}
	if _, body := get(t, "http://"+addr+"/metrics"); !strings.Contains(body, "ogsync_config_last_reload_successful 0") {
		t.Error("/metrics does not show the failed reload")
	}

	// The account fails to answer: the next cycle fails, and with
	// max_failed_cycles 1 the daemon is unhealthy.
	route := "GET /v2/users"
	f.failing.Store(&route)
	failed, _ := waitLog(t, &errb, "cycle did not succeed", next)
	if e, _ := failed["err"].(string); failed["outcome"] != string(engine.OutcomeFailed) || !strings.Contains(e, "reading the account: listing users: ") {
		t.Errorf("failed cycle: %v", failed)
	}
	code, body = get(t, "http://"+addr+"/healthz")
	if code != 503 || !strings.HasPrefix(body, "unhealthy: 1 cycles in a row did not succeed (limit 1)") || !strings.Contains(body, "last_cycle_error: reading the account: listing users: ") {
		t.Errorf("/healthz after a failed cycle: %d:\n%s", code, body)
	}
	if _, body := get(t, "http://"+addr+"/metrics"); !strings.Contains(body, `ogsync_cycles_total{outcome="failed"} 1`) || !strings.Contains(body, "ogsync_consecutive_failed_cycles 1") {
		t.Error("/metrics does not count the failed cycle")
	}

	cancel()
	select {
	case code := <-done:
		done <- code // for the deferred wait
		if code != exitOK {
			t.Errorf("exit %d; stderr:\n%s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("ogsync run did not stop within 5s")
	}
	if w := writes(f.sim); len(w) > 0 {
		t.Errorf("cycles after the first wrote: %v", w)
	}
}

// uuid matches the shape of the demo's random API key; nothing else in
// the demo's output has it.
var uuid = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func TestDemoE2E(t *testing.T) {
	t.Run("dry run", func(t *testing.T) {
		code, out, errs := runCLI(t, nil, "demo")
		if code != exitOK {
			t.Fatalf("exit %d:\n%s", code, errs)
		}
		if k := uuid.FindString(out + errs); k != "" {
			t.Errorf("the output holds %s, shaped like the demo's API key", k)
		}
		for _, want := range []string{
			"- delete user alex.leaver@example.com",
			`BLOCKED: on-call audit: still referenced by schedules "SRE primary"`,
			"This was a dry run: nothing was written",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("stdout lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("apply", func(t *testing.T) {
		code, out, errs := runCLI(t, nil, "demo", "--apply")
		if code != exitOK {
			t.Fatalf("exit %d:\n%s", code, errs)
		}
		if k := uuid.FindString(out + errs); k != "" {
			t.Errorf("the output holds %s, shaped like the demo's API key", k)
		}
		_, again, ok := strings.Cut(out, "\nPlanning again:\n")
		if !ok {
			t.Fatalf("no second plan:\n%s", out)
		}
		var changes []string
		for _, line := range strings.Split(again, "\n") {
			if l := strings.TrimSpace(line); strings.HasPrefix(l, "+ ") || strings.HasPrefix(l, "~ ") || strings.HasPrefix(l, "- ") {
				changes = append(changes, l)
			}
		}
		if len(changes) != 1 || changes[0] != "- delete user alex.leaver@example.com" ||
			!strings.Contains(again, "Summary: users +0 ~0 -1, teams +0 ~0 -0, memberships +0 ~0 -0; 1 blocked") {
			t.Errorf("the second plan has %q:\n%s", changes, again)
		}
		if !strings.Contains(out, "0 failed, 0 skipped, 1 blocked") {
			t.Errorf("the apply did not apply everything but the blocked delete:\n%s", out)
		}
	})
}
