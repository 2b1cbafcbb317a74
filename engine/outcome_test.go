package engine

import (
	"testing"

	"github.com/ogsync/ogsync/planner"
)

// A dependant of a blocked action is blocked too, so that a plan whose
// only changes are blocked is a successful cycle, in a dry run and in an apply.
func TestReportBlocksDependants(t *testing.T) {
	p := &planner.Plan{Actions: []*planner.Action{
		{ID: "remove-member:sre:a@x.io", Type: planner.RemoveMember, Team: "sre", User: "a@x.io", Step: planner.StepRemoveMembers, Blocked: []string{"protected"}},
		{ID: "delete-user:a@x.io", Type: planner.DeleteUser, User: "a@x.io", Step: planner.StepDeleteUsers, DependsOn: []string{"remove-member:sre:a@x.io"}},
	}}
	got := Report(p)
	for _, a := range got {
		if a.Outcome != ActionBlocked {
			t.Errorf("%s: %s %q, want blocked", a.Action, a.Outcome, a.Error)
		}
	}
	if got[1].Error != "depends on a blocked action" {
		t.Errorf("dependant's reason = %q", got[1].Error)
	}
	for _, dry := range []bool{true, false} {
		r := Result{DryRun: dry, Actions: got}
		r.Finish(nil)
		if r.Outcome != OutcomeOK || !r.Succeeded {
			t.Errorf("dry run %v: outcome %s, succeeded %v; want ok", dry, r.Outcome, r.Succeeded)
		}
	}
}
