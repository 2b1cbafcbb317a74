// Package golden compares test output with golden files: the one helper
// every package's tests use. UPDATE=1 (any non-empty value) rewrites the
// files instead: `UPDATE=1 go test ./...`.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Update reports whether the golden files are to be rewritten (UPDATE set).
func Update() bool { return os.Getenv("UPDATE") != "" }

// Check compares got with the file, or rewrites the file (and makes its
// directory) when Update holds.
func Check(t testing.TB, file string, got []byte) {
	t.Helper()
	if Update() {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with UPDATE=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (UPDATE=1 rewrites it)\n--- got\n%s\n--- want\n%s", file, got, want)
	}
}
