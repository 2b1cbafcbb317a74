//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package statedir

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

var errWouldBlock = errors.New("would block")

func tryLock(*os.File) error {
	return fmt.Errorf("file locking is not supported on %s", runtime.GOOS)
}
