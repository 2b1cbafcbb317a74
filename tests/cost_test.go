package tests

import (
	"context"
	"fmt"
	"testing"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/target/opsgenie"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// lowerBound is the fewest requests that read an account of users users
// consistently: the list pages (100 users, then 99 more each, as pages
// overlap by one user to see a shift at their boundary) plus one team list
// with members.
func lowerBound(users int) int { return opsgenie.UserPages(users) + 1 }

// TestCycleCost imports a small world into an account with one Owner, then
// checks that a no-op cycle reads the account at the lower bound and plans
// nothing, and that the import cost one request per write plus the reads.
// The sizes put U (the owner included) on and around page boundaries.
func TestCycleCost(t *testing.T) {
	for _, tc := range []struct{ users, teams int }{{0, 0}, {99, 3}, {100, 3}, {198, 4}, {199, 4}, {349, 7}} {
		w := newWorld(tc.users, tc.teams)
		t.Run(fmt.Sprintf("U=%d/T=%d", w.userCount(), len(w.teams)), func(t *testing.T) {
			dir := t.TempDir()
			w.writeYAML(t, dir)
			e := startEmu(t, ogsim.Options{Seed: ownerSeed()})
			cfg := baseConfig(e.url, dir, 1000, 100)
			eng, _ := newEngine(t, cfg, true, testLogger(t))
			ctx := context.Background()

			res, err := eng.RunCycle(ctx)
			wantOutcome := engine.OutcomeChangesApplied
			if tc.users == 0 {
				wantOutcome = engine.OutcomeOK
			}
			if err != nil || res.Outcome != wantOutcome {
				t.Fatalf("import: outcome %s, err %v", res.Outcome, err)
			}
			if d := differences(e.sim.State(), w, nil, 10); len(d) > 0 {
				t.Fatalf("after the import: %v", d)
			}
			// Reads: one user page (the account has one user), the team list;
			// writes: one create per user and per team (members travel in the
			// team create).
			wantImport := lowerBound(1) + (w.userCount() - 1) + len(w.teams)
			if res.APICalls != wantImport {
				t.Errorf("import: %d API calls, want %d", res.APICalls, wantImport)
			}

			e.sim.ResetStats()
			res, err = eng.RunCycle(ctx)
			if err != nil || res.Outcome != engine.OutcomeOK {
				t.Fatalf("no-op cycle: outcome %s, err %v", res.Outcome, err)
			}
			if got, want := e.sim.Stats().Total, lowerBound(w.userCount()); got != want || res.APICalls != want {
				t.Errorf("no-op cycle: the emulator counted %d requests, the client %d; the lower bound opsgenie.UserPages(%d)+1 is %d", got, res.APICalls, w.userCount(), want)
			}
		})
	}
}
