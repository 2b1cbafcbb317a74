//go:build unix

package statedir

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// openThrough opens a device or FIFO for writing. O_NOFOLLOW guards against
// a swap for a link since the Lstat; O_NONBLOCK makes a FIFO nobody reads
// fail at once instead of hanging.
func openThrough(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|NoFollow|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ENXIO) {
		return nil, fmt.Errorf("%s is a FIFO that nobody reads", path)
	}
	return f, err
}
