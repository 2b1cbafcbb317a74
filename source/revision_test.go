package source

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadRevision loads the desired state of two commits of a
// subdirectory, without touching the work tree.
func TestLoadRevision(t *testing.T) {
	gitTest(t)
	repo := t.TempDir()
	g(t, repo, "init", "--quiet")
	readme := commit(t, repo, "README.md", "not desired state\n", "Readme")
	commit(t, repo, "roster/users/a.yaml", "users:\n  - username: ann@example.com\n    fullName: Ann\n", "Add Ann")
	base := commit(t, repo, "roster/teams/sre.yaml", "teams:\n  - name: sre\n    members:\n      - user: ann@example.com\n        role: user\n", "Add sre")
	commit(t, repo, "roster/users/a.yaml", "users:\n  - username: ann@example.com\n    fullName: Ann A\n  - username: bob@example.com\n", "Add Bob")
	// The work tree differs from HEAD; LoadRevision must not see it.
	if err := os.WriteFile(filepath.Join(repo, "roster/users/a.yaml"), []byte("users: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{Dir: filepath.Join(repo, "roster")}

	// Before the first desired-state commit: an empty state, not an error.
	empty, err := LoadRevision(context.Background(), Options{Dir: repo, Files: []string{"roster/**/*.yaml"}}, readme)
	if err != nil || len(empty.Users)+len(empty.Teams) != 0 || empty.Revision.Commit != readme {
		t.Fatalf("commit without desired state: %+v, %v", empty, err)
	}

	old, err := LoadRevision(context.Background(), opts, base)
	if err != nil {
		t.Fatal(err)
	}
	if len(old.Users) != 1 || *old.Users[0].FullName != "Ann" || len(old.Teams) != 1 {
		t.Fatalf("base state = %+v", old)
	}
	if old.Revision.Commit != base || old.Revision.Subject != "Add sre" {
		t.Errorf("base revision = %+v", old.Revision)
	}
	if old.Users[0].Origin != "users/a.yaml:2" {
		t.Errorf("origin = %q, want users/a.yaml:2 (relative to the directory)", old.Users[0].Origin)
	}
	now, err := LoadRevision(context.Background(), opts, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if len(now.Users) != 2 || *now.Users[0].FullName != "Ann A" || now.Revision.Subject != "Add Bob" {
		t.Fatalf("HEAD state = %+v", now)
	}
}

func TestLoadRevisionErrors(t *testing.T) {
	gitTest(t)
	repo := t.TempDir()
	g(t, repo, "init", "--quiet")
	commit(t, repo, "users.yaml", "users:\n  - username: ann@example.com\n    fulName: Ann\n", "Typo")
	ctx := context.Background()

	_, err := LoadRevision(ctx, Options{Dir: repo}, "HEAD")
	var ve *ValidationErrors
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "users.yaml:3") {
		t.Errorf("invalid file: err = %v, want a validation error at users.yaml:3", err)
	}
	if _, err := LoadRevision(ctx, Options{Dir: repo}, "no-such-branch"); err == nil || !strings.Contains(err.Error(), "resolving no-such-branch") {
		t.Errorf("unknown revision: err = %v", err)
	}
	if _, err := LoadRevision(ctx, Options{Dir: repo}, "--output=/tmp/x"); err == nil || !strings.Contains(err.Error(), "not valid") {
		t.Errorf("option-like revision: err = %v", err)
	}
	if _, err := LoadRevision(ctx, Options{Dir: t.TempDir()}, "HEAD"); !errors.Is(err, ErrNotCheckout) {
		t.Errorf("plain directory: err = %v, want ErrNotCheckout", err)
	}
	if err := os.Symlink("users.yaml", filepath.Join(repo, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	g(t, repo, "add", "link.yaml")
	g(t, repo, "commit", "--quiet", "-m", "link")
	if _, err := LoadRevision(ctx, Options{Dir: repo}, "HEAD"); err == nil || !strings.Contains(err.Error(), "link.yaml: a symbolic link, which is not followed") {
		t.Errorf("symbolic link: err = %v", err)
	}
}
