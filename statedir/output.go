package statedir

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// WriteOutput writes a command's output file (a report, a plan) to path:
// atomically (WriteFileAtomic) when path is a regular file or does not
// exist; straight into it when it is a character device or a FIFO
// (/dev/tty, /dev/null, a named pipe), never replacing it. A symbolic link
// (on Linux /dev/stdout is one: without --out the output goes to standard
// output), a directory or another special file is refused.
func WriteOutput(path string, data []byte) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return WriteFileAtomic(path, data, 0o644)
	case err != nil:
		return err
	case st.Mode().IsRegular():
		return WriteFileAtomic(path, data, 0o644)
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: refusing to replace or follow it; give the target's path", path)
	case st.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		return writeThrough(path, data)
	default:
		return fmt.Errorf("%s is a %s, not a regular file: refusing to replace it", path, FileKind(st.Mode()))
	}
}

// WriteFiles writes a command's output files into dir (export --out),
// creating it, each file replaced atomically, in the order of their names.
func WriteFiles(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the output directory: %w", err)
	}
	for _, n := range slices.Sorted(maps.Keys(files)) {
		if err := WriteFileAtomic(filepath.Join(dir, n), files[n], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeThrough writes data into the device or FIFO at path, opened with
// openThrough: no O_CREATE, no O_TRUNC, never replaced.
func writeThrough(path string, data []byte) error {
	f, err := openThrough(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// FileKind names the type of a file mode for an error message: "directory",
// "FIFO", "character device" and so on.
func FileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeCharDevice != 0: // set together with ModeDevice
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "special file"
}
