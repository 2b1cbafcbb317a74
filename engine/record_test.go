package engine

import (
	"time"

	"encoding/json"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/statedir"
)

func TestStateWriteResult(t *testing.T) {
	dir := t.TempDir()
	r := sampleResult()
	r.Plan = &planner.Plan{Actions: []*planner.Action{{ID: "create-user:carol@example.com", Reason: "create user carol@example.com"}}}
	if err := WriteResult(statedir.Dir{Path: dir}, &r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{statedir.PlanFile, statedir.ResultFile, statedir.ReportFile} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o640 {
			t.Errorf("%s mode = %v, want 0640", name, st.Mode().Perm())
		}
	}
	var back Result
	data, _ := os.ReadFile(filepath.Join(dir, statedir.ResultFile))
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("decoding %s: %v", statedir.ResultFile, err)
	}
	if back.Outcome != OutcomePartial || back.Commit != r.Commit || len(back.Actions) != 4 || back.Counts["user"].Failed != 1 {
		t.Errorf("result read back = %+v", back)
	}
	if strings.Contains(string(data), "\"plan\"") {
		t.Errorf("%s carries the plan:\n%s", statedir.ResultFile, data)
	}
	plan, _ := os.ReadFile(filepath.Join(dir, statedir.PlanFile))
	if !strings.Contains(string(plan), "create user carol@example.com") {
		t.Errorf("%s = %s", statedir.PlanFile, plan)
	}
	report, _ := os.ReadFile(filepath.Join(dir, statedir.ReportFile))
	if !strings.HasPrefix(string(report), "# ogsync cycle: partial") {
		t.Errorf("%s = %s", statedir.ReportFile, report)
	}
	assertNoTemp(t, dir)
}

func TestStateWriteFailureKeepsOldFiles(t *testing.T) {
	dir := t.TempDir()
	s := statedir.Dir{Path: dir}
	r := sampleResult()
	r.Plan = &planner.Plan{Revision: model.Revision{Commit: "old plan"}}
	if err := WriteResult(s, &r); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, statedir.PlanFile))

	bad := sampleResult()
	bad.Plan = &planner.Plan{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} // beyond what JSON can encode
	err := WriteResult(s, &bad)
	if err == nil || !strings.Contains(err.Error(), "encoding "+statedir.PlanFile) {
		t.Fatalf("error = %v, want an encoding error", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, statedir.PlanFile))
	if string(after) != string(before) {
		t.Errorf("%s changed after a failed write:\n%s", statedir.PlanFile, after)
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
	s := statedir.Dir{Path: dir}
	r := sampleResult()
	r.Plan = &planner.Plan{Revision: model.Revision{Commit: "old plan"}}
	if err := WriteResult(s, &r); err != nil {
		t.Fatal(err)
	}
	failed := sampleResult()
	failed.Plan = nil
	if err := WriteResult(s, &failed); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, statedir.PlanFile)); !os.IsNotExist(err) {
		t.Errorf("%s after a cycle without a plan: %v; want it removed", statedir.PlanFile, err)
	}
	if err := WriteResult(s, &failed); err != nil {
		t.Errorf("a second cycle without a plan: %v", err)
	}
}
