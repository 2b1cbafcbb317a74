//go:build !unix

package statedir

import (
	"fmt"
	"io/fs"
	"os"
)

func checkOwner(string, fs.FileInfo) error { return nil }

func checkLockFile(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", f.Name())
	}
	return nil
}
