package statedir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLockRefusesLinksAndSpecialFiles: a symbolic link, a hard link or a
// FIFO planted as the lock file is refused, and the file behind it is left
// as it was (a root-run ogsync would otherwise truncate any file).
func TestLockRefusesLinksAndSpecialFiles(t *testing.T) {
	for _, kind := range []string{"symlink", "hardlink", "fifo", "dangling symlink"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			victim := filepath.Join(dir, "victim")
			if err := os.WriteFile(victim, []byte("precious\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			lock := filepath.Join(dir, LockFile)
			var err error
			switch kind {
			case "symlink":
				err = os.Symlink(victim, lock)
			case "dangling symlink":
				err = os.Symlink(filepath.Join(dir, "created-through-the-link"), lock)
			case "hardlink":
				err = os.Link(victim, lock)
			case "fifo":
				err = syscall.Mkfifo(lock, 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			l, err := AcquireLock(lock)
			if err == nil {
				l.Release()
				t.Fatal("the lock was taken")
			}
			t.Logf("error: %v", err)
			if data, _ := os.ReadFile(victim); string(data) != "precious\n" {
				t.Errorf("the file behind the lock was changed: %q", data)
			}
			if _, err := os.Lstat(filepath.Join(dir, "created-through-the-link")); err == nil {
				t.Error("a file was created through the link")
			}
		})
	}
}

// TestPrepareStateDir refuses a directory others can write to.
func TestPrepareStateDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "state")
	if err := PrepareStateDir(dir); err != nil {
		t.Fatalf("a fresh state directory: %v", err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o750 {
		t.Errorf("mode %v, want 0750", st.Mode().Perm())
	}
	for _, mode := range []os.FileMode{0o777, 0o1777, 0o770, 0o752} {
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		err := PrepareStateDir(dir)
		if err == nil || !strings.Contains(err.Error(), "writable by others") {
			t.Errorf("mode %04o: err = %v", mode, err)
		}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := PrepareStateDir(dir); err != nil {
		t.Errorf("mode 0700: %v", err)
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := PrepareStateDir(file); err == nil {
		t.Error("a file was accepted as the state directory")
	}
}

// TestCleanTemp removes what a kill between create and rename leaves, and
// nothing else.
func TestCleanTemp(t *testing.T) {
	dir := t.TempDir()
	leftovers := []string{".last-plan.json.tmp-123", ".last-result.json.tmp-9", ".last-report.md.tmp-4242"}
	keep := []string{PlanFile, LockFile, ".hidden", "notes.tmp-1", ".x.tmp-abc"}
	for _, n := range append(append([]string(nil), leftovers...), keep...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := Dir{Path: dir}.CleanTemp()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(removed, ",") != ".last-plan.json.tmp-123,.last-report.md.tmp-4242,.last-result.json.tmp-9" {
		t.Errorf("removed %v", removed)
	}
	for _, n := range keep {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

// cycleRecord is the record of a cycle whose every file names it.
func cycleRecord(name string) Record {
	marker := "marker-of-cycle-" + name
	return Record{Plan: []string{marker}, Report: []byte("# " + marker + "\n"), Result: map[string]string{"error": marker}}
}

// TestStateFilesDescribeOneCycle stops WriteCycle after each of its steps,
// as a kill would: the files present are always those of one cycle.
func TestStateFilesDescribeOneCycle(t *testing.T) {
	steps := []string{ResultFile + " removed", PlanFile + " written", ReportFile + " written", ""}
	for _, stop := range steps {
		t.Run("stop after "+stop, func(t *testing.T) {
			dir := t.TempDir()
			a := cycleRecord("A")
			if err := (Dir{Path: dir}).WriteCycle(a); err != nil {
				t.Fatal(err)
			}
			b := cycleRecord("B")
			killed := errors.New("killed")
			s := Dir{Path: dir, stop: func(step string) error {
				if step == stop {
					return killed
				}
				return nil
			}}
			if err := s.WriteCycle(b); !errors.Is(err, killed) && stop != "" {
				t.Fatalf("err = %v", err)
			}
			cycles := map[string][]string{}
			for _, name := range []string{PlanFile, ResultFile, ReportFile} {
				data, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					continue
				}
				for _, c := range []string{"A", "B"} {
					if strings.Contains(string(data), "marker-of-cycle-"+c) {
						cycles[c] = append(cycles[c], name)
					}
				}
			}
			if len(cycles) > 1 {
				t.Errorf("the state directory mixes two cycles: %v", cycles)
			}
			if _, err := os.Stat(filepath.Join(dir, ResultFile)); err == nil && len(cycles["B"]) != 3 && len(cycles["A"]) != 3 {
				t.Errorf("%s present beside an incomplete set: %v", ResultFile, cycles)
			}
		})
	}
}
