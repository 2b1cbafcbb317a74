package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStateWriteResult(t *testing.T) {
	dir := t.TempDir()
	r := sampleResult()
	r.Plan = map[string][]string{"actions": {"create user carol@example.com"}}
	if err := (State{Dir: dir}).WriteResult(&r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{PlanFile, ResultFile, ReportFile} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o640 {
			t.Errorf("%s mode = %v, want 0640", name, st.Mode().Perm())
		}
	}
	var back Result
	data, _ := os.ReadFile(filepath.Join(dir, ResultFile))
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("decoding %s: %v", ResultFile, err)
	}
	if back.Outcome != OutcomePartial || back.Commit != r.Commit || len(back.Actions) != 4 || back.Counts["user"].Failed != 1 {
		t.Errorf("result read back = %+v", back)
	}
	if strings.Contains(string(data), "\"plan\"") {
		t.Errorf("%s carries the plan:\n%s", ResultFile, data)
	}
	plan, _ := os.ReadFile(filepath.Join(dir, PlanFile))
	if !strings.Contains(string(plan), "create user carol@example.com") {
		t.Errorf("%s = %s", PlanFile, plan)
	}
	report, _ := os.ReadFile(filepath.Join(dir, ReportFile))
	if !strings.HasPrefix(string(report), "# ogsync cycle: partial") {
		t.Errorf("%s = %s", ReportFile, report)
	}
	assertNoTemp(t, dir)
}

func TestStateWriteFailureKeepsOldFiles(t *testing.T) {
	dir := t.TempDir()
	s := State{Dir: dir}
	r := sampleResult()
	r.Plan = []string{"old plan"}
	if err := s.WriteResult(&r); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, PlanFile))

	bad := sampleResult()
	bad.Plan = map[string]any{"unencodable": make(chan int)}
	err := s.WriteResult(&bad)
	if err == nil || !strings.Contains(err.Error(), "encoding "+PlanFile) {
		t.Fatalf("error = %v, want an encoding error", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, PlanFile))
	if string(after) != string(before) {
		t.Errorf("%s changed after a failed write:\n%s", PlanFile, after)
	}
	assertNoTemp(t, dir)
}

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

func TestStateWriteResultWithoutPlanRemovesTheOldOne(t *testing.T) {
	dir := t.TempDir()
	s := State{Dir: dir}
	r := sampleResult()
	r.Plan = []string{"old plan"}
	if err := s.WriteResult(&r); err != nil {
		t.Fatal(err)
	}
	failed := sampleResult()
	failed.Plan = nil
	if err := s.WriteResult(&failed); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, PlanFile)); !os.IsNotExist(err) {
		t.Errorf("%s after a cycle without a plan: %v; want it removed", PlanFile, err)
	}
	if err := s.WriteResult(&failed); err != nil {
		t.Errorf("a second cycle without a plan: %v", err)
	}
}
