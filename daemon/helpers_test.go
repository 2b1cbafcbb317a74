package daemon

import (
	"fmt"
	"testing"
	"time"

	"github.com/ogsync/ogsync/engine"
)

func act(kind, op string, o engine.ActionOutcome) engine.ActionResult {
	return engine.ActionResult{Action: op + " " + kind + " x", Kind: kind, Op: op, Outcome: o}
}

// sampleResult is a partial cycle: 1 user failed, 1 user blocked, 2 applied.
func sampleResult() engine.Result {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	r := engine.Result{
		Start:  start,
		End:    start.Add(3*time.Second + 250*time.Millisecond),
		Commit: "0123456789abcdef0123456789abcdef01234567",
		Actions: []engine.ActionResult{
			act("user", "create", engine.ActionApplied),
			{Action: "update user bob@example.com", Kind: "user", Op: "update", Outcome: engine.ActionFailed, Error: "updating user: 422"},
			act("member", "add", engine.ActionApplied),
			{Action: "delete user dave@example.com", Kind: "user", Op: "delete", Outcome: engine.ActionBlocked, Error: "on call"},
		},
		APICalls:  42,
		Throttled: 3,
	}
	r.Finish(nil)
	return r
}

// cycleFactory builds the cycle of the settings a test loads.
type cycleFactory func(s *Settings) (engine.Cycle, error)

// mustCycle builds the first cycle.
func mustCycle(t *testing.T, factory cycleFactory, s *Settings) engine.Cycle {
	t.Helper()
	c, err := factory(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// loader is the daemon's Loader over a test's load and factory, as main
// builds one: nil when load is.
func loader(factory cycleFactory, load func() (*Settings, error)) Loader {
	if load == nil {
		return nil
	}
	return func() (Settings, engine.Cycle, error) {
		s, err := load()
		if err != nil {
			return Settings{}, nil, err
		}
		c, err := factory(s)
		if err != nil {
			return Settings{}, nil, fmt.Errorf("building the sync cycle: %w", err)
		}
		return *s, c, nil
	}
}
