package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo makes a git repository with a fixed identity and no outside config.
func gitRepo(t *testing.T) (dir string, git func(args ...string) string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir = t.TempDir()
	git = func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=T", "-c", "user.email=t@example.com",
			"-c", "init.defaultBranch=main", "-c", "commit.gpgSign=false"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "--quiet")
	return dir, git
}

func TestDiffCommand(t *testing.T) {
	dir, git := gitRepo(t)
	writeTestFile(t, dir, "roster/users.yaml", "users:\n  - username: ann@example.com\n  - username: leaver@example.com\n")
	writeTestFile(t, dir, "roster/teams.yaml", "teams:\n  - name: sre\n    members:\n      - user: ann@example.com\n        role: user\n      - user: leaver@example.com\n        role: admin\n")
	git("add", ".")
	git("commit", "--quiet", "-m", "base")
	base := git("rev-parse", "HEAD")
	writeTestFile(t, dir, "roster/users.yaml", "users:\n  - username: ann@example.com\n    role: Admin\n  - username: new@example.com\n")
	writeTestFile(t, dir, "roster/teams.yaml", "teams:\n  - name: sre\n    members:\n      - user: ann@example.com\n        role: admin\n      - user: new@example.com\n        role: user\n")
	git("commit", "--quiet", "-am", "Replace the leaver")
	roster := filepath.Join(dir, "roster")

	code, out, errs := runCLI(t, nil, "diff", "--desired", roster, "--base", base)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"- remove user leaver@example.com", "~ change user ann@example.com", `role: (not managed) → "Admin"`, "+ add user new@example.com",
		"- remove leaver@example.com from team sre (was admin)", "~ change ann@example.com in team sre from user to admin",
		"+ add new@example.com to team sre as user", `"Replace the leaver"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text diff lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := runCLI(t, nil, "diff", "--desired", roster, "--base", base, "--detailed-exitcode"); code != exitChanges {
		t.Errorf("--detailed-exitcode with a change: exit %d, want 2 (%s)", code, errs)
	}
	if code, out, errs := runCLI(t, nil, "diff", "--desired", roster, "--base", "HEAD", "--detailed-exitcode"); code != exitOK || !strings.Contains(out, "No change") {
		t.Errorf("no change: exit %d, %q %s", code, out, errs)
	}
	md := filepath.Join(t.TempDir(), "diff.md")
	if code, _, errs := runCLI(t, nil, "diff", "--desired", roster, "--base", base, "--format", "markdown", "--out", md); code != exitOK {
		t.Fatalf("markdown: exit %d: %s", code, errs)
	} else if b, _ := os.ReadFile(md); !strings.Contains(string(b), "### Removed (2)") {
		t.Errorf("markdown diff:\n%s", b)
	}
	code, out, _ = runCLI(t, nil, "diff", "--desired", roster, "--base", base, "--format", "json")
	var j struct {
		Users []struct{ Op, Username string }
	}
	if err := json.Unmarshal([]byte(out), &j); code != exitOK || err != nil || len(j.Users) != 3 || j.Users[0].Op != "removed" {
		t.Errorf("json: exit %d, %v, %+v", code, err, j)
	}

	// A config file names the directory; the work tree is never read.
	writeTestFile(t, dir, "ogsync.yaml", "source:\n  path: roster\n")
	writeTestFile(t, dir, "roster/users.yaml", "users: [\n")
	if code, out, errs := runCLI(t, nil, "diff", "--config", filepath.Join(dir, "ogsync.yaml"), "--base", base); code != exitOK || !strings.Contains(out, "new@example.com") {
		t.Errorf("--config: exit %d, %s %s", code, out, errs)
	}
}

func TestDiffCommandErrors(t *testing.T) {
	dir, git := gitRepo(t)
	writeTestFile(t, dir, "users.yaml", "users:\n  - username: ann@example.com\n    rol: Admin\n")
	git("add", ".")
	git("commit", "--quiet", "-m", "typo")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--desired", dir}, "--base is required"},
		{[]string{"--base", "HEAD"}, "one of --config or --desired is required"},
		{[]string{"--desired", dir, "--base", "HEAD", "--format", "html"}, "--format=html"},
		{[]string{"--desired", dir, "--base", "nope"}, "resolving nope"},
		{[]string{"--desired", dir, "--base", "HEAD"}, "users.yaml:3"},
		{[]string{"--desired", t.TempDir(), "--base", "HEAD"}, "not inside a git checkout"},
	} {
		code, _, errs := runCLI(t, nil, append([]string{"diff"}, tc.args...)...)
		if code != exitError || !strings.Contains(errs, tc.want) {
			t.Errorf("diff %v: exit %d, stderr %q; want 1 and %q", tc.args, code, errs, tc.want)
		}
	}
}
