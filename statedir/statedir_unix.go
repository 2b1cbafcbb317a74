//go:build unix

package statedir

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwner refuses a directory owned by a user other than the process's.
func checkOwner(dir string, st fs.FileInfo) error {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := os.Geteuid(); int(sys.Uid) != uid {
		return fmt.Errorf("the state directory %s belongs to uid %d, not to ogsync's user (uid %d): give it to that user (chown)", dir, sys.Uid, uid)
	}
	return nil
}

// checkLockFile refuses a lock file that is not a regular file of one link
// (a hard link would make ogsync truncate another file).
func checkLockFile(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", f.Name())
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && sys.Nlink > 1 {
		return fmt.Errorf("%s has %d hard links: refusing to write it", f.Name(), sys.Nlink)
	}
	return nil
}
