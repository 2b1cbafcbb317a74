package source

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSyncKillsHangingHelpers: a remote whose helper hangs (and starts a
// child of its own, as ssh or git-remote-https do) is given up at the
// timeout, and every process git started is gone when Pull returns.
func TestSyncKillsHangingHelpers(t *testing.T) {
	_, co := repos(t)
	bin := t.TempDir()
	pids := filepath.Join(t.TempDir(), "pids")
	helper := "#!/bin/sh\necho $$ >> \"$OGSYNC_TEST_PIDS\"\nsleep 300 &\necho $! >> \"$OGSYNC_TEST_PIDS\"\nwait\n"
	if err := os.WriteFile(filepath.Join(bin, "git-remote-hang"), []byte(helper), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("OGSYNC_TEST_PIDS", pids)
	g(t, co, "remote", "set-url", "origin", "hang::nowhere")

	opts := pullOpts(co)
	opts.Git.Timeout = 2 * time.Second
	_, err := Pull(t.Context(), opts, nil)
	if err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("err = %v, want the deadline", err)
	}
	data, _ := os.ReadFile(pids)
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		t.Fatalf("the helper did not start its child: %q", data)
	}
	// Killed processes are reaped by their parent or by init; give that a
	// bounded moment.
	for _, f := range fields {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		alive := true
		for i := 0; i < 200 && alive; i++ {
			alive = running(pid)
			if alive {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if alive {
			t.Errorf("process %d git started outlived Pull", pid)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// running reports whether pid is a live process (not a zombie).
func running(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return err != nil && !os.IsNotExist(err)
	}
	if i := strings.LastIndexByte(string(stat), ')'); i > 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

// TestSyncRefusesUncommittedFiles: a git-ignored or untracked desired-state
// file is not applied as if the commit held it; the pull, and the no-pull
// mode, refuse it and name it.
func TestSyncRefusesUncommittedFiles(t *testing.T) {
	up, co := repos(t)
	commit(t, up, ".gitignore", "local*.yaml\n", "Ignore local files")
	if _, err := Pull(t.Context(), pullOpts(co), nil); err != nil {
		t.Fatal(err)
	}
	writeFile(t, co, "notes.txt", "not desired state\n") // untracked, matches no pattern: fine
	if _, err := Pull(t.Context(), pullOpts(co), nil); err == nil {
		// clean() refuses any untracked file when pulling; the point here is the ignored one.
		t.Log("an untracked notes.txt passes the pull")
	}
	if err := os.Remove(filepath.Join(co, "notes.txt")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, co, "local-extra.yaml", "users:\n  - username: ghost@example.com\n    fullName: Ghost\n")
	for _, pull := range []bool{true, false} {
		opts := pullOpts(co)
		opts.Git.Pull = pull
		_, err := Fetch(t.Context(), opts, nil)
		if !errors.Is(err, ErrNotCommitted) || !strings.Contains(err.Error(), "local-extra.yaml") {
			t.Errorf("pull %v: err = %v, want ErrNotCommitted naming local-extra.yaml", pull, err)
		}
	}
	// Without the pull, a tracked file changed since HEAD is refused too.
	if err := os.Remove(filepath.Join(co, "local-extra.yaml")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, co, "users.yaml", "users:\n  - username: edited@example.com\n    fullName: Edited\n")
	opts := pullOpts(co)
	opts.Git.Pull = false
	if _, err := Fetch(t.Context(), opts, nil); !errors.Is(err, ErrNotCommitted) || !strings.Contains(err.Error(), "users.yaml") {
		t.Errorf("a changed users.yaml: err = %v", err)
	}
	g(t, co, "checkout", "--", "users.yaml")
	if _, err := Fetch(t.Context(), opts, nil); err != nil {
		t.Errorf("a clean checkout: %v", err)
	}
}

// TestFilesRefusesSymlinkedDirectory: a directory link the patterns reach
// into is an error naming it, not a silent skip; a matching file link too.
func TestFilesRefusesSymlinkedDirectory(t *testing.T) {
	root := t.TempDir()
	src, outside := filepath.Join(root, "src"), filepath.Join(root, "outside")
	writeFile(t, src, "users.yaml", "users: []\n")
	writeFile(t, outside, "more.yaml", "users: []\n")
	if err := os.Symlink(outside, filepath.Join(src, "team-b")); err != nil {
		t.Fatal(err)
	}
	_, err := Files(os.DirFS(src), nil)
	if err == nil || !strings.Contains(err.Error(), "team-b: a symbolic link to a directory") {
		t.Errorf("err = %v", err)
	}
	// Patterns that cannot reach into the link: no error.
	if files, err := Files(os.DirFS(src), []string{"*.yaml"}); err != nil || len(files) != 1 {
		t.Errorf("Files(*.yaml) = %v, %v", files, err)
	}
	if err := os.Remove(filepath.Join(src, "team-b")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "more.yaml"), filepath.Join(src, "more.yaml")); err != nil {
		t.Fatal(err)
	}
	if _, err := Files(os.DirFS(src), nil); err == nil || !strings.Contains(err.Error(), "more.yaml: a symbolic link") {
		t.Errorf("a file link: err = %v", err)
	}
}

// TestControlCharactersInFileNamesQuoted: a newline in a file name cannot
// forge a "FILE:LINE:COL:" line of the output.
func TestControlCharactersInFileNamesQuoted(t *testing.T) {
	dir := t.TempDir()
	name := "x.yaml\nforged.yaml:9:9: \x1b[31mfake.yaml"
	writeFile(t, dir, name, "users:\n  - username: nobody\n")
	_, err := Load(t.Context(), Options{Dir: dir})
	if err == nil {
		t.Fatal("no error")
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.HasPrefix(line, "forged.yaml") || strings.ContainsRune(line, 0x1b) {
			t.Errorf("a forged line or a raw escape: %q", line)
		}
	}
	if !strings.Contains(err.Error(), `"x.yaml\nforged.yaml:9:9: \x1b[31mfake.yaml":2`) {
		t.Errorf("the name is not quoted: %v", err)
	}
	if got := (Error{File: "ok/users.yaml", Line: 1, Column: 2, Msg: "m"}).Error(); got != "ok/users.yaml:1:2: m" {
		t.Errorf("a plain name changed: %q", got)
	}
}
