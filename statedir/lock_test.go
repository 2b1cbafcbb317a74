package statedir

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestLockContention(t *testing.T) {
	path := filepath.Join(t.TempDir(), LockFile)
	first, err := AcquireLock(path)
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(data)); got != strconv.Itoa(os.Getpid()) {
		t.Errorf("lock file holds %q, want our pid %d", got, os.Getpid())
	}

	// flock locks belong to the open file description: a second open in this
	// process conflicts just as another process would.
	second, err := AcquireLock(path)
	if err == nil {
		second.Release()
		t.Fatal("second lock succeeded while the first is held")
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("error %v is not ErrLocked", err)
	}
	want := "another ogsync (pid " + strconv.Itoa(os.Getpid()) + ") holds " + path
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}

	if err := first.Release(); err != nil {
		t.Fatalf("release: %v", err)
	}
	if err := first.Release(); err != nil {
		t.Errorf("second release: %v", err)
	}
	third, err := AcquireLock(path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	third.Release()
}

func TestLockedErrorWithoutPID(t *testing.T) {
	e := &LockedError{Path: "/var/lib/ogsync/ogsync.lock"}
	if got, want := e.Error(), "another ogsync holds /var/lib/ogsync/ogsync.lock"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestLockMissingDirectory(t *testing.T) {
	_, err := AcquireLock(filepath.Join(t.TempDir(), "missing", LockFile))
	if err == nil || errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "opening lock file") {
		t.Errorf("error = %v, want an opening error", err)
	}
}
