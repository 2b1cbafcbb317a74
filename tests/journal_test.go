package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// TestJournalPriorities runs the binary with stderr on a file that
// JOURNAL_STREAM names, as systemd does for the journal: every stderr line
// then starts with a syslog priority, so journalctl -p err shows the errors
// (a command's own error message included) and not the info lines.
func TestJournalPriorities(t *testing.T) {
	e := startEmu(t, ogsim.Options{Seed: &ogsim.Seed{Users: []ogsim.SeedUser{{Username: "owner@example.com", FullName: "The Owner", Role: "Owner"}}}})
	dir := t.TempDir()
	desired := filepath.Join(dir, "desired")
	if err := os.Mkdir(desired, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(desired, "users.yaml"), []byte("users:\n  - username: owner@example.com\n    fullName: The Owner\n    role: Owner\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "ogsync.yaml")
	if err := os.WriteFile(cfg, []byte(configYAML(e.url, desired, filepath.Join(dir, "state"), "")), 0o600); err != nil {
		t.Fatal(err)
	}

	journal := func(args ...string) []string {
		t.Helper()
		f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		cmd := exec.Command(ogsyncBinary(t), args...)
		cmd.Env = append(cliEnv(dir, testKey), fmt.Sprintf("JOURNAL_STREAM=%d:%d", st.Dev, st.Ino))
		cmd.Stderr = f
		_ = cmd.Run() // the exit code is not the point here
		data, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	}

	lines := journal("run", "--once", "--config", cfg, "--log-format", "json")
	if len(lines) < 2 {
		t.Fatalf("stderr: %q", lines)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "<6>{") {
			t.Errorf("an info line without <6>: %q", l)
		}
	}
	lines = journal("run", "--once", "--config", filepath.Join(dir, "missing.yaml"))
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "<3>ogsync run: ") {
		t.Errorf("a command's error without <3>: %q", lines)
	}
}
