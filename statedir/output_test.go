//go:build unix

package statedir

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWriteOutput: an output file (plan --out) replaces a regular file atomically, writes
// through a character device or a FIFO without replacing it, and refuses a
// symbolic link or a directory, leaving them as they were.
func TestWriteOutput(t *testing.T) {
	dir := t.TempDir()
	data := []byte("the report\n")

	regular := filepath.Join(dir, "plan.txt")
	if err := os.WriteFile(regular, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutput(regular, data); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(regular); string(got) != string(data) {
		t.Errorf("regular file holds %q", got)
	}
	if err := WriteOutput(filepath.Join(dir, "new.txt"), data); err != nil {
		t.Errorf("a new file: %v", err)
	}

	// A character device: written through, never replaced.
	if err := WriteOutput(os.DevNull, data); err != nil {
		t.Errorf("%s: %v", os.DevNull, err)
	}
	if st, err := os.Lstat(os.DevNull); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a character device: %v %v", os.DevNull, st.Mode(), err)
	}

	// A FIFO: written through to its reader.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutput(fifo, data); err == nil || !strings.Contains(err.Error(), "nobody reads") {
		t.Errorf("a FIFO without a reader: err = %v", err)
	}
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := WriteOutput(fifo, data); err != nil {
		t.Errorf("fifo: %v", err)
	}
	if got, _ := io.ReadAll(r); string(got) != string(data) {
		t.Errorf("the FIFO's reader got %q", got)
	}
	if st, _ := os.Lstat(fifo); st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", st.Mode())
	}

	// A symbolic link: refused; neither it nor its target changes.
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("target"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	err = WriteOutput(link, data)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("symlink: err = %v", err)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if got, _ := os.ReadFile(target); string(got) != "target" {
		t.Errorf("the link's target holds %q", got)
	}

	// A directory: refused.
	if err := WriteOutput(dir, data); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: err = %v", err)
	}
}

func TestFileKind(t *testing.T) {
	for _, c := range []struct {
		mode fs.FileMode
		want string
	}{
		{fs.ModeDir, "directory"},
		{fs.ModeDevice | fs.ModeCharDevice, "character device"},
		{fs.ModeDevice, "block device"},
		{fs.ModeSocket, "socket"},
		{fs.ModeNamedPipe, "FIFO"},
		{fs.ModeSymlink, "symbolic link"},
		{fs.ModeIrregular, "special file"},
	} {
		if got := FileKind(c.mode); got != c.want {
			t.Errorf("FileKind(%v) = %q, want %q", c.mode, got, c.want)
		}
	}
}
