package statedir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// LockFile is the name of the lock file in the state directory.
const LockFile = "ogsync.lock"

// ErrLocked is returned (wrapped in a *LockedError) when another process
// holds the lock.
var ErrLocked = errors.New("lock held by another process")

// LockedError says who holds the lock.
type LockedError struct {
	// Path is the lock file.
	Path string
	// PID is the holder's process id as written in the file; 0 if unknown.
	PID int
}

// Error names the holder and the file.
func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("another ogsync (pid %d) holds %s", e.PID, e.Path)
	}
	return fmt.Sprintf("another ogsync holds %s", e.Path)
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// Lock is an exclusive advisory lock on a file, held from AcquireLock until
// Release or the end of the process (the kernel drops it when the process
// exits, even on a crash, so a stale lock never blocks the next run).
type Lock struct {
	f    *os.File
	path string
}

// AcquireLock takes the exclusive lock on path without waiting, creating the
// file if needed, and writes the process id in it. When another process (or
// another Lock in this one) holds it, the error is a *LockedError.
func AcquireLock(path string) (*Lock, error) {
	// O_NOFOLLOW: a symbolic link planted as the lock file is refused, not
	// followed (and its target truncated); O_NONBLOCK: a FIFO does not block.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|NoFollow|syscall.O_NONBLOCK, 0o640)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	if err := checkLockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, &LockedError{Path: path, PID: readPID(path)}
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if err := writePID(f); err != nil {
		f.Close() // closing drops the lock
		return nil, fmt.Errorf("writing pid to %s: %w", path, err)
	}
	return &Lock{f: f, path: path}, nil
}

// Path returns the lock file's path.
func (l *Lock) Path() string { return l.path }

// Release drops the lock. The file stays: removing it would let a process
// that opened it just before lock a file no longer in the directory.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("releasing %s: %w", l.path, err)
	}
	return nil
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		return err
	}
	return f.Sync()
}

// readPID reads the holder's pid; 0 when the file holds none (the holder may
// be between locking and writing it).
func readPID(path string) int {
	f, err := os.OpenFile(path, os.O_RDONLY|NoFollow|syscall.O_NONBLOCK, 0)
	if err != nil {
		return 0
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 32))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
