package planner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadPlanFile reads a saved plan back; a missing or malformed file is
// an error naming it.
func TestReadPlanFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(file, marshal(t, samplePlan(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := ReadPlanFile(file)
	if err != nil || len(ComparePlans(samplePlan(t), p)) > 0 {
		t.Fatalf("read back: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPlanFile(bad); err == nil || !strings.Contains(err.Error(), bad+": ") {
		t.Errorf("malformed: %v", err)
	}
	if _, err := ReadPlanFile(filepath.Join(dir, "none.json")); err == nil || !strings.Contains(err.Error(), "reading the saved plan") {
		t.Errorf("missing: %v", err)
	}
}

// TestCheckReviewed: the same plan passes; a changed one is refused with its
// differences, at most maxShownDifferences of them listed.
func TestCheckReviewed(t *testing.T) {
	reviewed := samplePlan(t)
	if err := CheckReviewed(reviewed, samplePlan(t)); err != nil {
		t.Errorf("the same plan: %v", err)
	}
	fresh := samplePlan(t)
	fresh.Actions = fresh.Actions[1:]
	err := CheckReviewed(reviewed, fresh)
	if err == nil || !strings.Contains(err.Error(), "nothing applied") || !strings.Contains(err.Error(), reviewed.Actions[0].ID+": no longer in the fresh plan") {
		t.Errorf("one action less: %v", err)
	}
	many := samplePlan(t)
	base := many.Actions[0]
	for i := range maxShownDifferences + 5 {
		a := *base
		a.ID = fmt.Sprintf("%s-%02d", base.ID, i)
		many.Actions = append(many.Actions, &a)
	}
	err = CheckReviewed(reviewed, many)
	if err == nil || !strings.Contains(err.Error(), "… and 5 more differences") {
		t.Errorf("25 new actions: %v", err)
	}
}
