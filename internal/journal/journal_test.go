package journal

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// streamID returns the "DEV:INO" of f, as systemd sets JOURNAL_STREAM.
func streamID(t *testing.T, f *os.File) string {
	t.Helper()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

// stderr is the journal only when JOURNAL_STREAM names its device and inode.
func TestIsStream(t *testing.T) {
	dir := t.TempDir()
	journal, err := os.Create(filepath.Join(dir, "journal"))
	if err != nil {
		t.Fatal(err)
	}
	defer journal.Close()
	other, err := os.Create(filepath.Join(dir, "other"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	env := map[string]string{"JOURNAL_STREAM": streamID(t, journal)}
	getenv := func(k string) string { return env[k] }
	if !IsStream(journal, getenv) {
		t.Error("the stream JOURNAL_STREAM names is not taken for the journal")
	}
	if IsStream(other, getenv) {
		t.Error("a redirected stderr is taken for the journal")
	}
	if IsStream(&bytes.Buffer{}, getenv) || IsStream(journal, func(string) string { return "" }) {
		t.Error("journal without a file or without JOURNAL_STREAM")
	}
}

// What the commands print on stderr outside the logger is an error: on the
// journal each of its lines gets <3>, a notice <5>; lines that carry a
// priority keep it.
func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	j := NewWriter(&buf)
	fmt.Fprintf(j, "ogsync run: reading API key file: no such file\n")
	fmt.Fprintf(j, "a.yaml:1:2: x\nb.yaml:3:4: y\n")
	fmt.Fprint(j, "partial ")
	fmt.Fprint(j, "line\n")
	fmt.Fprint(j, "<6>already prefixed\n")
	Notice(j, "ogsync run: cycle ok; 1 action blocked by safeguards\n")
	want := "<3>ogsync run: reading API key file: no such file\n<3>a.yaml:1:2: x\n<3>b.yaml:3:4: y\n<3>partial line\n<6>already prefixed\n<5>ogsync run: cycle ok; 1 action blocked by safeguards\n"
	if buf.String() != want {
		t.Errorf("journal got:\n%s\nwant:\n%s", buf.String(), want)
	}
	var plain bytes.Buffer
	Notice(&plain, "n\n")
	if plain.String() != "n\n" {
		t.Errorf("a notice off the journal: %q", plain.String())
	}
}

// Wrap puts a filter below the prefixes: it gets the prefixed lines, and
// what it writes reaches the stream.
func TestWriterWrap(t *testing.T) {
	var buf, seen bytes.Buffer
	j := NewWriter(&buf)
	j.Wrap(func(w io.Writer) io.Writer { return io.MultiWriter(w, &seen) })
	fmt.Fprint(j, "x\n")
	if buf.String() != "<3>x\n" || seen.String() != "<3>x\n" {
		t.Errorf("stream %q, filter %q", buf.String(), seen.String())
	}
}

// Filter goes below the prefixes of a Writer, and around any other writer.
func TestFilter(t *testing.T) {
	var buf, seen bytes.Buffer
	tee := func(w io.Writer) io.Writer { return io.MultiWriter(w, &seen) }
	j := NewWriter(&buf)
	if got := Filter(j, tee); got != j {
		t.Fatalf("Filter(Writer) = %T, want the Writer itself", got)
	}
	fmt.Fprint(j, "x\n")
	if buf.String() != "<3>x\n" || seen.String() != "<3>x\n" {
		t.Errorf("journal: stream %q, filter %q", buf.String(), seen.String())
	}
	buf.Reset()
	seen.Reset()
	fmt.Fprint(Filter(&buf, tee), "y\n")
	if buf.String() != "y\n" || seen.String() != "y\n" {
		t.Errorf("plain: stream %q, filter %q", buf.String(), seen.String())
	}
}
