//go:build !unix

package statedir

import "os"

// openThrough opens a device or FIFO for writing.
func openThrough(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|NoFollow, 0)
}
