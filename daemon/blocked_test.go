package daemon

import (
	"context"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/engine"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// A cycle whose only changes are blocked is a success on every surface of
// the daemon: the outcome, the metrics, /healthz and last-result.json, cycle
// after cycle; with max_blocked_cycles set, the same action blocked that
// many cycles in a row turns /healthz unhealthy while the cycles stay ok.
func TestDaemonBlockedOnlyCycles(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, yearly) // max_failed_cycles: 2
	cfg.MaxBlockedCycles = 4
	fc := newFakeCycle(func(context.Context, int) (engine.Result, error) {
		return engine.Result{Actions: []engine.ActionResult{{Action: "delete user leaver@example.com", Kind: "user", Op: "delete", Outcome: engine.ActionBlocked, Error: "on-call audit: still referenced"}}}, nil
	})
	f := newDaemon(t, cfg, func(*Settings) (engine.Cycle, error) { return fc.cycle, nil }, nil)
	for i := 1; i <= 4; i++ {
		res, err := f.d.RunOnce(context.Background())
		if err != nil || res.Outcome != engine.OutcomeOK || !res.Succeeded {
			t.Fatalf("cycle %d: %s, %v", i, res.Outcome, err)
		}
		if healthy := f.d.Health().Healthy(); healthy != (i < 4) {
			t.Errorf("after %d blocked cycles healthy = %v", i, healthy)
		}
	}
	if got := testutil.ToFloat64(f.metrics.cycles.WithLabelValues(string(engine.OutcomeOK))); got != 4 {
		t.Errorf("ok cycles = %v, want 4", got)
	}
	if got := testutil.ToFloat64(f.metrics.consecutiveFailed); got != 0 {
		t.Errorf("consecutive failed = %v, want 0", got)
	}
	if got := testutil.ToFloat64(f.metrics.blockedStreak); got != 4 {
		t.Errorf("blocked streak = %v, want 4", got)
	}
	if r := readResult(t, cfg.StateDir); r.Outcome != engine.OutcomeOK || !r.Succeeded || r.Counts["user"].Blocked != 1 {
		t.Errorf("last result = %+v", r)
	}
	if !strings.Contains(f.logs.String(), `level=WARN msg="an action stays blocked; /healthz is unhealthy until it is unblocked" action="delete user leaver@example.com" cycles=4`) {
		t.Errorf("no warning about the action blocked 4 cycles:\n%s", f.logs.String())
	}
	if strings.Contains(f.logs.String(), "cycle did not succeed") {
		t.Errorf("a blocked-only cycle was logged as an error:\n%s", f.logs.String())
	}
}
