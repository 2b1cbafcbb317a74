package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/planner"
	"github.com/prometheus/client_golang/prometheus/testutil"
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

// A cycle whose only changes are blocked is a success on every surface of
// the daemon: the outcome, the metrics, /healthz and last-result.json, cycle
// after cycle; with max_blocked_cycles set, the same action blocked that
// many cycles in a row turns /healthz unhealthy while the cycles stay ok.
func TestDaemonBlockedOnlyCycles(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, yearly) // max_failed_cycles: 2
	cfg.Health.MaxBlockedCycles = 4
	fc := newFakeCycle(func(context.Context, int) (Result, error) {
		return Result{Actions: []ActionResult{{Action: "delete user leaver@example.com", Kind: "user", Op: "delete", Outcome: ActionBlocked, Error: "on-call audit: still referenced"}}}, nil
	})
	f := newDaemon(t, cfg, func(*config.Config) (Cycle, error) { return fc.cycle, nil }, nil)
	for i := 1; i <= 4; i++ {
		res, err := f.d.RunOnce(context.Background())
		if err != nil || res.Outcome != OutcomeOK || !res.Succeeded {
			t.Fatalf("cycle %d: %s, %v", i, res.Outcome, err)
		}
		if healthy := f.d.Health().Healthy(); healthy != (i < 4) {
			t.Errorf("after %d blocked cycles healthy = %v", i, healthy)
		}
	}
	if got := testutil.ToFloat64(f.metrics.cycles.WithLabelValues(string(OutcomeOK))); got != 4 {
		t.Errorf("ok cycles = %v, want 4", got)
	}
	if got := testutil.ToFloat64(f.metrics.consecutiveFailed); got != 0 {
		t.Errorf("consecutive failed = %v, want 0", got)
	}
	if got := testutil.ToFloat64(f.metrics.blockedStreak); got != 4 {
		t.Errorf("blocked streak = %v, want 4", got)
	}
	if r := readResult(t, cfg.StateDir); r.Outcome != OutcomeOK || !r.Succeeded || r.Counts["user"].Blocked != 1 {
		t.Errorf("last result = %+v", r)
	}
	if !strings.Contains(f.logs.String(), `level=WARN msg="an action stays blocked; /healthz is unhealthy until it is unblocked" action="delete user leaver@example.com" cycles=4`) {
		t.Errorf("no warning about the action blocked 4 cycles:\n%s", f.logs.String())
	}
	if strings.Contains(f.logs.String(), "cycle did not succeed") {
		t.Errorf("a blocked-only cycle was logged as an error:\n%s", f.logs.String())
	}
}
