package planner

import (
	"fmt"
	"os"
	"strings"
)

// ReadPlanFile reads a saved plan from file (ReadPlan); errors name the file.
func ReadPlanFile(file string) (*Plan, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("reading the saved plan: %w", err)
	}
	defer f.Close()
	p, err := ReadPlan(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return p, nil
}

// maxShownDifferences bounds the differences CheckReviewed lists.
const maxShownDifferences = 20

// CheckReviewed refuses a fresh plan that does not do what the reviewed
// one does (ComparePlans): the error lists the first differences, sorted.
func CheckReviewed(reviewed, fresh *Plan) error {
	diff := ComparePlans(reviewed, fresh)
	if len(diff) == 0 {
		return nil
	}
	lines := diff
	if len(lines) > maxShownDifferences {
		lines = append(lines[:maxShownDifferences:maxShownDifferences], fmt.Sprintf("… and %d more differences", len(diff)-maxShownDifferences))
	}
	return fmt.Errorf("the account or the desired state changed since the plan was saved; nothing applied. Differences:\n  %s", strings.Join(lines, "\n  "))
}
