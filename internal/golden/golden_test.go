package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }

func TestCheck(t *testing.T) {
	t.Setenv("UPDATE", "")
	file := filepath.Join(t.TempDir(), "sub", "out.txt")
	r := &recorder{TB: t}
	Check(r, file, []byte("a"))
	if !r.failed {
		t.Error("a missing golden file passed")
	}
	t.Setenv("UPDATE", "1")
	r = &recorder{TB: t}
	Check(r, file, []byte("a"))
	if r.failed {
		t.Error("UPDATE=1 did not write the file")
	}
	t.Setenv("UPDATE", "")
	for _, tc := range []struct {
		got  string
		fail bool
	}{{"a", false}, {"b", true}} {
		r = &recorder{TB: t}
		Check(r, file, []byte(tc.got))
		if r.failed != tc.fail {
			t.Errorf("got %q: failed %v, want %v", tc.got, r.failed, tc.fail)
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "a" {
		t.Errorf("file = %q", b)
	}
}
