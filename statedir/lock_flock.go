//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package statedir

import (
	"errors"
	"os"
	"syscall"
)

var errWouldBlock = syscall.EWOULDBLOCK

// tryLock takes an exclusive flock(2) on f without blocking. flock locks
// belong to the open file description, so two opens conflict even within one
// process.
func tryLock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		return err
	}
}
