package statedir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	for _, content := range []string{"first\n", "second\n"} {
		if err := WriteFileAtomic(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != content {
			t.Errorf("content = %q, want %q", got, content)
		}
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", st.Mode().Perm())
	}
	err := WriteFileAtomic(filepath.Join(dir, "missing", "f"), []byte("x"), 0o600)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "missing", "f")) {
		t.Errorf("error = %v, want one naming the file", err)
	}
	// A directory in the way: the rename fails and the temp file goes.
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "adir"), []byte("x"), 0o600); err == nil {
		t.Error("writing over a directory succeeded")
	}
	assertNoTemp(t, dir)
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// WriteFiles creates the directory and writes every file into it.
func TestWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "desired")
	if err := WriteFiles(dir, map[string][]byte{"users.yaml": []byte("u\n"), "teams.yaml": []byte("t\n")}); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]string{"users.yaml": "u\n", "teams.yaml": "t\n"} {
		if got, err := os.ReadFile(filepath.Join(dir, n)); err != nil || string(got) != want {
			t.Errorf("%s: %q, %v", n, got, err)
		}
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFiles(file, map[string][]byte{"a": nil}); err == nil || !strings.Contains(err.Error(), "creating the output directory") {
		t.Errorf("a file as the directory: %v", err)
	}
}
