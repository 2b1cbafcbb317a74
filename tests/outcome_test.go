package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/statedir"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// TestDemoBlockedOnly runs the binary against the demo's account
// (examples/demo/seed.yaml and examples/desired). After one apply, the
// only change left is the blocked delete of the leaver still on call: a
// blocked action is a reported outcome, not an error, so
// plan --detailed-exitcode exits 2 (changes) and run --once exits 0, in a
// dry run and with --apply, recording a successful cycle.
func TestDemoBlockedOnly(t *testing.T) {
	data, err := os.ReadFile("../examples/demo/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seed, err := ogsim.ParseSeed("seed.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	e := startEmu(t, ogsim.Options{Seed: seed})
	desired, err := filepath.Abs("../examples/desired")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	cfg := filepath.Join(dir, "ogsync.yaml")
	if err := os.WriteFile(cfg, []byte(configYAML(e.url, desired, state, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	env := cliEnv(dir, testKey)
	const blocked = `delete user alex.leaver@example.com`

	r := runCLI(t, env, "apply", "--config", cfg, "--log-format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, blocked+": on-call audit") {
		t.Fatalf("apply: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, env, "plan", "--config", cfg, "--detailed-exitcode", "--log-format", "json")
	if r.code != 2 || !strings.Contains(r.stdout, "BLOCKED: on-call audit") || !strings.Contains(r.stdout, "alex.leaver@example.com") {
		t.Errorf("plan --detailed-exitcode: exit %d, want 2\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "plan", "--config", cfg, "--log-format", "json")
	if r.code != 0 {
		t.Errorf("plan: exit %d, want 0\nstderr:\n%s", r.code, r.stderr)
	}

	for _, args := range [][]string{{"run", "--once"}, {"run", "--once", "--apply"}} {
		r = runCLI(t, env, append(args, "--config", cfg, "--log-format", "json")...)
		if r.code != 0 || !strings.Contains(r.stderr, "1 action blocked by safeguards") {
			t.Errorf("%v: exit %d, want 0\nstderr:\n%s", args, r.code, r.stderr)
		}
		var res engine.Result
		data, err := os.ReadFile(filepath.Join(state, statedir.ResultFile))
		if err == nil {
			err = json.Unmarshal(data, &res)
		}
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != engine.OutcomeOK || !res.Succeeded || len(res.Actions) != 1 || res.Actions[0].Outcome != engine.ActionBlocked || res.Actions[0].Action != blocked {
			t.Errorf("%v: last result %s, succeeded %v, actions %+v", args, res.Outcome, res.Succeeded, res.Actions)
		}
	}
}
