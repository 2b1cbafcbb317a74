package tests

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// stormCase is one fault storm.
type stormCase struct {
	users, teams int
	// afterEffect makes injected errors and drops happen after the request
	// took effect (a create that "failed" did create).
	afterEffect bool
	seed        int64
	// errorRate, dropRate and spikeRate default to 10%, 5% and 1.5%.
	errorRate, dropRate, spikeRate float64
}

// TestFaultStorm imports 1,000 users with their teams and members, and
// changes a lived-in account (deletes, member removals, a role change),
// through a storm: 10% of requests answered 5xx, 5% of connections dropped,
// emulator rate limits below the client's (429 bursts in both domains),
// latency with jitter, and 1.5% latency spikes longer than the client's
// timeout (the request still takes effect after the client gave up). The
// account must equal the desired state after at most two cycles, hold no
// user or team twice, and have received no DELETE the plans did not
// contain. OGSYNC_LONG=1 adds more seeds, 5,000 users × 100 teams, and a
// harsher storm (20% 5xx, 10% drops, 5% spikes).
func TestFaultStorm(t *testing.T) {
	cases := []stormCase{
		{users: 1000, teams: 20, afterEffect: true, seed: 1},
	}
	if longRun() {
		for s := int64(2); s < 8; s++ {
			cases = append(cases, stormCase{users: 1000, teams: 20, afterEffect: s%2 == 0, seed: s})
		}
		cases = append(cases, stormCase{users: 5000, teams: 100, afterEffect: true, seed: 9},
			stormCase{users: 1000, teams: 20, afterEffect: true, seed: 10, errorRate: 0.2, dropRate: 0.1, spikeRate: 0.05})
	}
	for _, tc := range cases {
		tc.errorRate, tc.dropRate, tc.spikeRate = cmp.Or(tc.errorRate, 0.10), cmp.Or(tc.dropRate, 0.05), cmp.Or(tc.spikeRate, stormSpikeRate)
		name := fmt.Sprintf("users=%d/teams=%d/after-effect=%t/seed=%d", tc.users, tc.teams, tc.afterEffect, tc.seed)
		if tc.errorRate != 0.10 || tc.dropRate != 0.05 {
			name += fmt.Sprintf("/errors=%g/drops=%g/spikes=%g", tc.errorRate, tc.dropRate, tc.spikeRate)
		}
		t.Run(name, func(t *testing.T) {
			runStorm(t, tc)
		})
	}
}

// Storm settings.
const (
	stormSpikeRate   = 0.015
	stormSpike       = 2500 * time.Millisecond
	stormTimeout     = 2 * time.Second // the client's per-attempt timeout, below the spike
	stormClientRate  = 250
	stormClientBurst = 50
)

func runStorm(t *testing.T, tc stormCase) {
	w := newWorld(tc.users, tc.teams)
	dir := t.TempDir()
	w.writeYAML(t, dir)

	// A lived-in account: the owner; 30 users ogsync created once and the
	// desired state no longer declares (to delete); 10 users created by hand
	// (not ogsync's to delete); a team the desired state does not declare
	// (not ogsync's to delete either); the first desired
	// team with a wrong role and two members too many.
	seed := ownerSeed()
	marker := map[string][]string{"managed-by": {"ogsync"}}
	var strangers []string
	for i := range 30 {
		seed.Users = append(seed.Users, ogsim.SeedUser{Username: fmt.Sprintf("leaver%03d@example.com", i), FullName: "Leaver", Role: "User", Details: marker})
	}
	for i := range 10 {
		u := fmt.Sprintf("stranger%03d@example.com", i)
		strangers = append(strangers, u)
		seed.Users = append(seed.Users, ogsim.SeedUser{Username: u, FullName: "Stranger", Role: "User"})
	}
	first := w.teams[0]
	seed.Users = append(seed.Users, ogsim.SeedUser{Username: first.members[0].username, FullName: "Old name", Role: "User"})
	seed.Teams = append(seed.Teams,
		// Teams carry no ownership marker: in marker mode a team the desired
		// state does not declare is left alone.
		ogsim.SeedTeam{Name: "stale-team", Members: []ogsim.SeedMember{{Username: "stranger001@example.com"}}},
		ogsim.SeedTeam{Name: first.name, Description: first.description, Members: []ogsim.SeedMember{
			{Username: first.members[0].username, Role: "user"}, // should be admin
			{Username: "leaver001@example.com"}, {Username: "stranger000@example.com", Role: "admin"},
		}})

	limit := ogsim.RateLimitOptions{Configuration: ogsim.Bucket{PerSecond: 100}, Search: ogsim.Bucket{PerSecond: 5}}
	e := startEmu(t, ogsim.Options{
		Seed:      seed,
		RateLimit: limit,
		Faults: ogsim.FaultOptions{Seed: tc.seed, ErrorRate: tc.errorRate, DropRate: tc.dropRate,
			Latency: time.Millisecond, Jitter: 20 * time.Millisecond, AfterEffect: tc.afterEffect},
	})
	spikes := newSpiker(tc.seed, tc.spikeRate, stormSpike)
	e.setOnWrite(func(int, *http.Request) { spikes.maybe() })

	cfg := baseConfig(e.url, dir, stormClientRate, stormClientBurst)
	// A fixed rate above the emulator's limits: the adaptive limiter would
	// start below them and never draw the 429 bursts the storm needs.
	cfg.OpsGenie.RateLimit.Adaptive = new(false)
	cfg.OpsGenie.Timeout = stormTimeout
	cfg.Apply.Concurrency = 16
	eng, client := newEngine(t, cfg, true, testLogger(t))

	deadline, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	allowed := map[string]bool{}
	var outcomes []string
	converged := false
	for cycle := 1; cycle <= 2 && !converged; cycle++ {
		res, err := eng.RunCycle(deadline)
		outcomes = append(outcomes, fmt.Sprintf("cycle %d: %s (%d calls, %d throttled) %v", cycle, res.Outcome, res.APICalls, res.Throttled, err))
		if p := res.Plan; p != nil {
			for _, a := range p.Runnable() { // a blocked delete must not be sent
				for _, path := range deletePaths(a) {
					allowed[path] = true
				}
			}
		}
		for _, a := range res.Actions {
			if a.Outcome != engine.ActionApplied {
				t.Logf("cycle %d: %s: %s %s", cycle, a.Action, a.Outcome, a.Error)
			}
		}
		converged = len(differences(e.sim.State(), w, strangers, 1)) == 0
	}
	t.Log(strings.Join(outcomes, "\n"))
	st := e.sim.State()
	if d := differences(st, w, strangers, 20); len(d) > 0 {
		t.Errorf("not converged after 2 cycles:\n  %s", strings.Join(d, "\n  "))
	}
	if n := duplicates(st); n != 0 {
		t.Errorf("%d duplicate users or teams", n)
	}
	var unplanned []string
	deletes := 0
	for _, wr := range e.writeLog() {
		if path, ok := strings.CutPrefix(wr, "DELETE "); ok {
			deletes++
			if !allowed[path] {
				unplanned = append(unplanned, path)
			}
		}
	}
	if len(unplanned) > 0 {
		t.Errorf("%d DELETE requests the plans did not contain: %v", len(unplanned), unplanned)
	}
	stats := e.sim.Stats()
	if stats.Throttled == 0 {
		t.Errorf("the emulator never answered 429: the storm lacks its rate-limit bursts")
	}
	// The storm reached the client: answers lost (drops, timeouts) and 5xx.
	lost, failed := 0, 0
	for _, c := range client.RequestStats().Calls {
		switch {
		case c.Status == 0:
			lost += c.Count
		case c.Status >= 500:
			failed += c.Count
		}
	}
	if lost == 0 || failed == 0 || spikes.count() == 0 {
		t.Errorf("the client saw %d lost answers, %d 5xx and %d spikes: the storm did not happen", lost, failed, spikes.count())
	}
	t.Logf("client: %d attempts without an answer (drops, timeouts), %d answered 5xx", lost, failed)
	t.Logf("emulator: %d requests, %d throttled, %d DELETEs (all planned), %d latency spikes", stats.Total, stats.Throttled, deletes, spikes.count())
}

// deletePaths are the request paths a planned destructive action may use.
func deletePaths(a *planner.Action) []string {
	switch a.Type {
	case planner.DeleteUser:
		return []string{"/v2/users/" + a.UserID}
	case planner.DeleteTeam:
		return []string{"/v2/teams/" + a.TeamID}
	case planner.RemoveMember, planner.ChangeMemberRole:
		// A role change removes and re-adds the member where the API keeps
		// the old role on a re-add.
		return []string{"/v2/teams/" + a.TeamID + "/members/" + a.UserID, "/v2/teams/" + a.TeamID + "/members/" + a.User}
	}
	return nil
}

// spiker delays a share of requests by a fixed spike, reproducibly for a
// sequence of calls.
type spiker struct {
	mu    sync.Mutex
	rng   *rand.Rand
	rate  float64
	spike time.Duration
	n     int
}

func newSpiker(seed int64, rate float64, spike time.Duration) *spiker {
	return &spiker{rng: rand.New(rand.NewPCG(uint64(seed), 0x5eed)), rate: rate, spike: spike}
}

// maybe sleeps for the spike with probability rate. It ignores the
// client: a request the client gave up on still takes effect afterwards.
func (s *spiker) maybe() {
	s.mu.Lock()
	hit := s.rng.Float64() < s.rate
	if hit {
		s.n++
	}
	s.mu.Unlock()
	if hit {
		time.Sleep(s.spike)
	}
}

func (s *spiker) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}
