package source

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gitTest sets up a hermetic git environment: no global or system config.
func gitTest(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
}

// g runs git in dir for a test's set-up, with a fixed identity.
func g(t *testing.T, dir string, args ...string) string {
	t.Helper()
	full := append([]string{"-c", "user.name=Test Author", "-c", "user.email=author@example.com",
		"-c", "init.defaultBranch=main", "-c", "commit.gpgSign=false"}, args...)
	cmd := exec.Command("git", full...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-03-01T10:00:00+01:00", "GIT_COMMITTER_DATE=2026-03-01T10:00:00+01:00")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes a file in dir and commits it.
func commit(t *testing.T, dir, file, content, subject string, extra ...string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, file)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	g(t, dir, "add", "--", file)
	g(t, dir, append([]string{"commit", "--quiet", "-m", subject}, extra...)...)
	return g(t, dir, "rev-parse", "HEAD")
}

// repos makes an upstream repository with one commit and a clone of it.
func repos(t *testing.T) (up, co string) {
	t.Helper()
	gitTest(t)
	root := t.TempDir()
	up, co = filepath.Join(root, "up"), filepath.Join(root, "co")
	if err := os.Mkdir(up, 0o755); err != nil {
		t.Fatal(err)
	}
	g(t, up, "init", "--quiet")
	commit(t, up, "users.yaml", "users: []\n", "Initial state")
	g(t, root, "clone", "--quiet", "--", up, co)
	return up, co
}

func pullOpts(co string) Options {
	return Options{Dir: co, Git: GitOptions{Pull: true, Remote: "origin", Branch: "main", Timeout: 30 * time.Second}}
}

func head(t *testing.T, dir string) string { return g(t, dir, "rev-parse", "HEAD") }

func TestSyncFastForward(t *testing.T) {
	up, co := repos(t)
	want := commit(t, up, "teams/sre.yaml", "teams: []\n", "Add the SRE team\n\nWith a body.")

	rev, err := Pull(context.Background(), pullOpts(co), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rev.Commit != want || head(t, co) != want {
		t.Errorf("Commit = %s, HEAD = %s, want %s", rev.Commit, head(t, co), want)
	}
	if rev.Author != "Test Author <author@example.com>" || rev.Subject != "Add the SRE team" || rev.Dir != co {
		t.Errorf("Revision = %+v", rev)
	}
	if wantDate := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC); !rev.Date.Equal(wantDate) {
		t.Errorf("Date = %v, want %v", rev.Date, wantDate)
	}
	if _, err := os.Stat(filepath.Join(co, "teams/sre.yaml")); err != nil {
		t.Errorf("the new file is not in the checkout: %v", err)
	}

	// Up to date: nothing to do, the same revision.
	again, err := Pull(context.Background(), pullOpts(co), nil)
	if err != nil || again != rev {
		t.Errorf("second Pull = %+v, %v; want %+v", again, err, rev)
	}
}

func TestSyncRefuses(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, up, co string) Options
		is      error  // errors.Is target, if any
		want    string // text the error contains
	}{
		{"modified file", func(t *testing.T, up, co string) Options {
			commit(t, up, "b.yaml", "users: []\n", "upstream change")
			writeFile(t, co, "users.yaml", "users: [oops]\n")
			return pullOpts(co)
		}, ErrDirty, "M users.yaml"},
		{"staged file", func(t *testing.T, up, co string) Options {
			writeFile(t, co, "users.yaml", "users: [oops]\n")
			g(t, co, "add", "users.yaml")
			return pullOpts(co)
		}, ErrDirty, "M users.yaml"},
		{"untracked file", func(t *testing.T, up, co string) Options {
			writeFile(t, co, "extra/new.yaml", "users: []\n")
			return pullOpts(co)
		}, ErrDirty, "?? extra/new.yaml"},
		{"diverged", func(t *testing.T, up, co string) Options {
			commit(t, up, "a.yaml", "users: []\n", "upstream")
			commit(t, co, "b.yaml", "users: []\n", "local")
			return pullOpts(co)
		}, ErrDiverged, "only fast-forwards are done"},
		{"local commit ahead", func(t *testing.T, up, co string) Options {
			commit(t, co, "b.yaml", "users: []\n", "local")
			return pullOpts(co)
		}, ErrDiverged, "is not an ancestor of origin/main"},
		{"remote not configured", func(t *testing.T, up, co string) Options {
			o := pullOpts(co)
			o.Git.Remote = "upstream"
			return o
		}, nil, `remote "upstream" is not configured`},
		{"remote repository gone", func(t *testing.T, up, co string) Options {
			if err := os.RemoveAll(up); err != nil {
				t.Fatal(err)
			}
			return pullOpts(co)
		}, nil, "fetching origin/main: git fetch"},
		{"remote branch missing", func(t *testing.T, up, co string) Options {
			g(t, co, "checkout", "--quiet", "-b", "release")
			o := pullOpts(co)
			o.Git.Branch = "release"
			return o
		}, nil, "couldn't find remote ref refs/heads/release"},
		{"other branch checked out", func(t *testing.T, up, co string) Options {
			g(t, co, "checkout", "--quiet", "-b", "feature")
			return pullOpts(co)
		}, nil, `the checkout is on branch "feature", not "main"`},
		{"detached HEAD", func(t *testing.T, up, co string) Options {
			g(t, co, "checkout", "--quiet", "--detach")
			return pullOpts(co)
		}, nil, "detached HEAD"},
		{"unsigned commit", func(t *testing.T, up, co string) Options {
			commit(t, up, "a.yaml", "users: []\n", "unsigned")
			o := pullOpts(co)
			o.Git.VerifySignatures = true
			return o
		}, ErrUnverified, "is not signed"},
		{"not a checkout", func(t *testing.T, up, co string) Options {
			return pullOpts(t.TempDir())
		}, nil, "is not a git checkout"},
		{"remote name like an option", func(t *testing.T, up, co string) Options {
			o := pullOpts(co)
			o.Git.Remote = "--upload-pack=touch /tmp/pwned"
			return o
		}, nil, `git remote "--upload-pack=touch /tmp/pwned" is not a valid name`},
		{"branch name with a revision expression", func(t *testing.T, up, co string) Options {
			o := pullOpts(co)
			o.Git.Branch = "main^{/x}"
			return o
		}, nil, "is not a valid name"},
		{"cancelled", func(t *testing.T, up, co string) Options {
			return pullOpts(co)
		}, context.Canceled, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up, co := repos(t)
			opts := tc.prepare(t, up, co)
			before := ""
			if _, err := os.Stat(filepath.Join(opts.Dir, ".git")); err == nil {
				before = head(t, opts.Dir)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.is == context.Canceled {
				cancel()
			}
			rev, err := Pull(ctx, opts, nil)
			if err == nil {
				t.Fatalf("Pull succeeded: %+v", rev)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if rev.Commit != "" {
				t.Errorf("a refused Pull returned commit %s", rev.Commit)
			}
			if before != "" && head(t, opts.Dir) != before {
				t.Errorf("HEAD moved from %s to %s", before, head(t, opts.Dir))
			}
		})
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSyncSignedCommit signs commits with an SSH key and checks that a
// verifiable commit is pulled and one signed by an unknown key is refused.
func TestSyncSignedCommit(t *testing.T) {
	up, co := repos(t)
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen is not installed")
	}
	keys := t.TempDir()
	for _, k := range []string{"trusted", "stranger"} {
		cmd := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", k, "-f", filepath.Join(keys, k))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("ssh-keygen: %v: %s", err, out)
		}
	}
	pub, err := os.ReadFile(filepath.Join(keys, "trusted.pub"))
	if err != nil {
		t.Fatal(err)
	}
	signers := filepath.Join(keys, "allowed_signers")
	writeFile(t, keys, "allowed_signers", "author@example.com "+string(pub))
	g(t, co, "config", "gpg.format", "ssh")
	g(t, co, "config", "gpg.ssh.allowedSignersFile", signers)

	sign := func(key string) []string {
		return []string{"-S", "--gpg-sign=" + filepath.Join(keys, key)}
	}
	g(t, up, "config", "gpg.format", "ssh")
	signed := commit(t, up, "a.yaml", "users: []\n", "signed", sign("trusted")...)
	opts := pullOpts(co)
	opts.Git.VerifySignatures = true
	rev, err := Pull(context.Background(), opts, nil)
	if err != nil {
		t.Fatalf("Pull of a verifiable commit: %v", err)
	}
	if rev.Commit != signed {
		t.Errorf("Commit = %s, want %s", rev.Commit, signed)
	}

	commit(t, up, "b.yaml", "users: []\n", "signed by a stranger", sign("stranger")...)
	_, err = Pull(context.Background(), opts, nil)
	if !errors.Is(err, ErrUnverified) {
		t.Errorf("Pull of a commit signed by an unknown key: %v, want ErrUnverified", err)
	}
	if head(t, co) != signed {
		t.Errorf("HEAD moved to an unverified commit")
	}
}

func TestSyncPullDisabled(t *testing.T) {
	t.Run("plain directory", func(t *testing.T) {
		gitTest(t)
		dir := t.TempDir()
		rev, err := Pull(context.Background(), Options{Dir: dir}, nil)
		if err != nil || rev.Commit != "" || rev.Dir != dir {
			t.Errorf("Pull = %+v, %v; want only Dir", rev, err)
		}
		_, err = Pull(context.Background(), Options{Dir: dir, Git: GitOptions{VerifySignatures: true}}, nil)
		if err == nil || !strings.Contains(err.Error(), "not a git checkout") {
			t.Errorf("verifying a plain directory: %v", err)
		}
	})
	t.Run("checkout", func(t *testing.T) {
		up, co := repos(t)
		was := head(t, co)
		commit(t, up, "a.yaml", "users: []\n", "not pulled")
		rev, err := Pull(context.Background(), Options{Dir: co}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rev.Commit != was || rev.Subject != "Initial state" || head(t, co) != was {
			t.Errorf("Pull = %+v, want HEAD %s unchanged", rev, was)
		}
		_, err = Pull(context.Background(), Options{Dir: co, Git: GitOptions{VerifySignatures: true}}, nil)
		if !errors.Is(err, ErrUnverified) {
			t.Errorf("verifying an unsigned HEAD: %v, want ErrUnverified", err)
		}
	})
}

// TestSyncIgnoresGitDir checks that GIT_DIR inherited from a hook does not
// point the commands at another repository.
func TestSyncIgnoresGitDir(t *testing.T) {
	up, co := repos(t)
	want := commit(t, up, "a.yaml", "users: []\n", "next")
	t.Setenv("GIT_DIR", filepath.Join(up, ".git"))
	t.Setenv("GIT_WORK_TREE", up)
	rev, err := Pull(context.Background(), pullOpts(co), nil)
	if err != nil || rev.Commit != want {
		t.Errorf("Pull = %+v, %v; want commit %s", rev, err, want)
	}
}

func TestFetch(t *testing.T) {
	up, co := repos(t)
	want := commit(t, up, "users.yaml", "users:\n  - username: a@example.com\n", "Add a")
	d, err := Fetch(context.Background(), pullOpts(co), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Revision.Commit != want || len(d.Users) != 1 || d.Users[0].Username != "a@example.com" {
		t.Errorf("Fetch = %+v", d)
	}
}

func TestRedact(t *testing.T) {
	got := redact("fatal: unable to access 'https://bot:s3cret@git.example.com/org/repo.git/': 403")
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "https://***@git.example.com") {
		t.Errorf("redact = %q", got)
	}
}

func TestGitOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts GitOptions
		want string
	}{
		{"pull off checks nothing", GitOptions{Remote: "-x", Branch: "a b"}, ""},
		{"valid", GitOptions{Pull: true, Remote: "origin", Branch: "release/v1.2"}, ""},
		{"at sign", GitOptions{Pull: true, Remote: "origin", Branch: "a@b"}, `git branch "a@b" is not a valid name`},
		{"option-like remote", GitOptions{Pull: true, Remote: "-upload-pack=x", Branch: "main"}, `git remote "-upload-pack=x" is not a valid name`},
		{"lock suffix", GitOptions{Pull: true, Remote: "origin", Branch: "main.lock"}, `git branch "main.lock" is not a valid name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Options{Git: tc.opts}.Validate().Err()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}
