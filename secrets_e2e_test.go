package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/redact"
	"github.com/ogsync/ogsync/statedir"
)

// TestSecretsHiddenInWrittenFiles: when the account or the desired state
// holds the API key itself (a server that echoes it, a key pasted into a
// full name), every file a command writes hides it, as stdout and stderr
// do: plan --out (text, Markdown, JSON), export --out, export to stdout,
// the state directory of run --once, and diff --out. Each file that shows
// users' fields must show the mask, so that the data did reach it.
func TestSecretsHiddenInWrittenFiles(t *testing.T) {
	seed := driftedSeed()
	for i := range seed.Users {
		if seed.Users[i].Username == "bob@example.com" {
			seed.Users[i].FullName = "Bob " + cliKey // desired: "Bob Example", so the plan shows the old name
		}
	}
	f := newCLIFixture(t, seed, "")
	out := t.TempDir()
	check := func(what, text string) {
		t.Helper()
		if strings.Contains(text, cliKey) || strings.Contains(text, cliKey[redact.MinPiece:]) {
			t.Errorf("%s holds the API key:\n%s", what, text)
		}
		// The result and the report list actions, not the users' fields.
		if strings.HasSuffix(what, statedir.ResultFile) || strings.HasSuffix(what, statedir.ReportFile) {
			return
		}
		if !strings.Contains(text, redact.Mask) {
			t.Errorf("%s does not show %s: the key never reached it, so the test proves nothing:\n%s", what, redact.Mask, text)
		}
	}
	checkFile := func(path string) {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		check(path, string(data))
	}

	for _, format := range []string{"text", "markdown", "json"} {
		file := filepath.Join(out, "plan."+format)
		if code, _, errs := f.run(t, "plan", "--config", f.config, "--format", format, "--out", file); code != exitOK {
			t.Fatalf("plan --format %s: exit %d:\n%s", format, code, errs)
		}
		checkFile(file)
	}

	exportDir := filepath.Join(out, "export")
	if code, _, errs := f.run(t, "export", "--config", f.config, "--out", exportDir); code != exitOK {
		t.Fatalf("export --out: exit %d:\n%s", code, errs)
	}
	checkFile(filepath.Join(exportDir, "users.yaml"))
	code, stdout, errs := f.run(t, "export", "--config", f.config)
	if code != exitOK {
		t.Fatalf("export: exit %d:\n%s", code, errs)
	}
	check("export's stdout", stdout)

	if code, _, errs := f.run(t, "run", "--config", f.config, "--once"); code != exitOK {
		t.Fatalf("run --once: exit %d:\n%s", code, errs)
	}
	for _, name := range []string{statedir.PlanFile, statedir.ResultFile, statedir.ReportFile} {
		checkFile(filepath.Join(f.stateDir, name))
	}

	// diff reads git alone; the key it knows comes from the environment.
	dir, git := gitRepo(t)
	writeTestFile(t, dir, "users.yaml", "users:\n  - username: bob@example.com\n    fullName: Bob\n")
	git("add", ".")
	git("commit", "--quiet", "-m", "base")
	base := git("rev-parse", "HEAD")
	writeTestFile(t, dir, "users.yaml", "users:\n  - username: bob@example.com\n    fullName: Bob "+cliKey+"\n")
	git("commit", "--quiet", "-am", "rename")
	for _, format := range []string{"text", "markdown", "json"} {
		file := filepath.Join(out, "diff."+format)
		code, _, errs := f.run(t, "diff", "--desired", dir, "--base", base, "--format", format, "--out", file)
		if code != exitOK {
			t.Fatalf("diff --format %s: exit %d:\n%s", format, code, errs)
		}
		checkFile(file)
	}
}
