package tests

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// Distinctive API keys: the emulator accepts any configured key, so these
// need not be UUIDs, and they occur nowhere by chance.
const (
	secretKey      = "c4n4ry-0g5ync-k3y-7Qz9xW2v-5ecre7-0042"
	secretWrongKey = "c4n4ry-0g5ync-wr0ng-k3y-Lp8mB3n1-0043"
)

// TestSecretScan runs whole cycles at debug level with a distinctive API
// key — plan (text, JSON and Markdown reports), apply of the saved plan,
// run --once with and without --apply, export, a cycle through injected
// faults (retries logged), a wrong key (401) — taking the key from the
// environment and from api_key_file, with text and JSON logs. The key must
// appear nowhere: not in stdout or stderr, not in any file of the state
// directory, not in the reports or the export.
func TestSecretScan(t *testing.T) {
	w := newWorld(40, 3)
	base := t.TempDir()
	dir := filepath.Join(base, "desired")
	w.writeYAML(t, dir)
	seed := ownerSeed()
	// Something to update, and users to audit and delete.
	seed.Users = append(seed.Users,
		ogsim.SeedUser{Username: w.users[1].username, FullName: "Old name", Role: "User"},
		ogsim.SeedUser{Username: "leaver@example.com", FullName: "Leaver", Role: "User", Details: map[string][]string{"managed-by": {"ogsync"}}})
	e := startEmu(t, ogsim.Options{APIKey: secretKey, Seed: seed})
	faulty := startEmu(t, ogsim.Options{APIKey: secretKey, Seed: ownerSeed(),
		Faults: ogsim.FaultOptions{Seed: 3, ErrorRate: 0.3, DropRate: 0.1, Latency: time.Millisecond}})

	keyDir := filepath.Join(base, "secrets") // outside everything scanned
	keyFile := filepath.Join(keyDir, "opsgenie-api-key")
	writeFile(t, keyFile, secretKey+"\n")
	wrongKeyFile := filepath.Join(keyDir, "wrong-key")
	writeFile(t, wrongKeyFile, secretWrongKey+"\n")

	stateDir := filepath.Join(base, "state")
	reports := filepath.Join(base, "reports")
	if err := os.MkdirAll(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	cfgEnv := filepath.Join(base, "env.yaml")
	writeFile(t, cfgEnv, configYAML(e.url, dir, stateDir, ""))
	cfgFile := filepath.Join(base, "file.yaml")
	writeFile(t, cfgFile, strings.Replace(configYAML(e.url, dir, stateDir, ""), "  timeout: 5s\n", "  timeout: 5s\n  api_key_file: "+keyFile+"\n", 1))
	cfgFaulty := filepath.Join(base, "faulty.yaml")
	writeFile(t, cfgFaulty, strings.Replace(configYAML(faulty.url, dir, stateDir, ""), "  timeout: 5s\n", "  timeout: 5s\n  max_retries: 2\n  api_key_file: "+keyFile+"\n", 1))
	cfgWrong := filepath.Join(base, "wrong.yaml")
	writeFile(t, cfgWrong, strings.Replace(configYAML(e.url, dir, stateDir, ""), "  timeout: 5s\n", "  timeout: 5s\n  api_key_file: "+wrongKeyFile+"\n", 1))

	withKey, noKey := cliEnv(base, secretKey), cliEnv(base, "")
	planJSON := filepath.Join(reports, "plan.json")
	steps := []struct {
		name string
		env  []string
		args []string
		code int
	}{
		{"plan text, key from the environment", withKey, []string{"plan", "--config", cfgEnv, "--log-level", "debug", "--log-format", "text"}, 0},
		{"plan json, key from the file", noKey, []string{"plan", "--config", cfgFile, "--log-level", "debug", "--format", "json", "--out", planJSON}, 0},
		{"plan markdown", noKey, []string{"plan", "--config", cfgFile, "--log-level", "debug", "--format", "markdown", "--out", filepath.Join(reports, "plan.md")}, 0},
		{"run --once (dry run)", withKey, []string{"run", "--config", cfgEnv, "--once", "--log-level", "debug", "--log-format", "json"}, 0},
		{"apply the saved plan", noKey, []string{"apply", "--config", cfgFile, "--plan", planJSON, "--log-level", "debug", "--log-format", "json"}, 0},
		{"run --once --apply", withKey, []string{"run", "--config", cfgEnv, "--once", "--apply", "--log-level", "debug", "--log-format", "text"}, 0},
		{"export", noKey, []string{"export", "--config", cfgFile, "--out", filepath.Join(reports, "export"), "--log-level", "debug"}, 0},
		{"apply through faults", noKey, []string{"run", "--config", cfgFaulty, "--once", "--apply", "--log-level", "debug", "--log-format", "json"}, -1},
		{"wrong key: 401", noKey, []string{"run", "--config", cfgWrong, "--once", "--log-level", "debug", "--log-format", "json"}, 1},
		{"wrong key from the environment: 401", cliEnv(base, secretWrongKey), []string{"apply", "--config", cfgEnv, "--log-level", "debug"}, 1},
	}
	scan := func(where, text string) {
		t.Helper()
		for _, k := range []string{secretKey, secretWrongKey} {
			// The whole key, and its tail in case something truncates it.
			for _, s := range []string{k, k[8:]} {
				if strings.Contains(text, s) {
					t.Errorf("%s contains the API key (%q)", where, s)
				}
			}
		}
	}
	scanned := map[string]bool{}
	scanTree := func(root string) {
		t.Helper()
		if _, err := os.Stat(root); os.IsNotExist(err) {
			return // plan writes no state
		}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			scanned[p] = true
			scan(p, string(data))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range steps {
		res := runCLI(t, s.env, s.args...)
		if s.code >= 0 && res.code != s.code {
			t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", s.name, res.code, s.code, res.stdout, res.stderr)
		}
		if len(res.stdout)+len(res.stderr) == 0 {
			t.Errorf("%s: no output at all: nothing was scanned", s.name)
		}
		if s.name == "apply through faults" && !strings.Contains(res.stderr, "retrying opsgenie request") {
			t.Errorf("%s: no retry was logged; the faults did not reach the logs", s.name)
		}
		scan(s.name+": stdout", res.stdout)
		scan(s.name+": stderr", res.stderr)
		// Each run replaces the state files (a run that fails before
		// planning removes last-plan.json): scan them after every run.
		scanTree(stateDir)
	}
	if d := differences(e.sim.State(), w, nil, 5); len(d) > 0 {
		t.Errorf("the cycles did not converge (so not every path ran): %v", d)
	}
	scanTree(reports)
	// The state directory holds the lock, the last plan, result and report;
	// the reports: plan.json, plan.md and the export's two files.
	if len(scanned) < 8 {
		t.Errorf("only %d files scanned: %v", len(scanned), slices.Sorted(maps.Keys(scanned)))
	}
}
