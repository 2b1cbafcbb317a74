package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/target"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// failingPing is a client whose heartbeat pings fail.
type failingPing struct{ target.Target }

func (failingPing) PingHeartbeat(context.Context, string) error {
	return errors.New("opsgenie: GET /v2/heartbeats/{name}/ping: 503 Service Unavailable")
}

// The heartbeat is pinged after every cycle that is not an error: a dry run
// (through the read-only client) and an apply; not after a refused plan. A
// failed ping is recorded and does not change the cycle's outcome.
func TestEngineHeartbeat(t *testing.T) {
	seed := &ogsim.Seed{Users: []ogsim.SeedUser{{Username: "owner@example.com", FullName: "The Owner", Role: "Owner"}}}
	desired := func() model.Desired {
		return model.Desired{Users: []model.User{
			{Username: "owner@example.com", FullName: model.Ptr("The Owner"), Role: model.Ptr(model.RoleOwner)},
			person("new@example.com", model.RoleUser),
		}}
	}
	emu := newEmulator(t, seed, ogsim.FaultOptions{})
	cfg := e2eConfig(t, emu.url)
	cfg.Heartbeat = "ogsync-roster"
	pings := func() int { return emu.sim.Stats().Heartbeats["ogsync-roster"] }

	dry := newTestEngine(t, cfg, newTestClient(t, cfg, true), false, fixed(desired))
	res, err := dry.RunCycle(context.Background())
	if err != nil || res.Outcome != OutcomeDryRun || res.Heartbeat != HeartbeatPinged || pings() != 1 {
		t.Fatalf("dry run: %s, %v, heartbeat %q, %d pings", res.Outcome, err, res.Heartbeat, pings())
	}

	apply := newTestEngine(t, cfg, newTestClient(t, cfg, false), true, fixed(desired))
	res, err = apply.RunCycle(context.Background())
	if err != nil || res.Outcome != OutcomeChangesApplied || res.Heartbeat != HeartbeatPinged || pings() != 2 {
		t.Fatalf("apply: %s, %v, heartbeat %q, %d pings", res.Outcome, err, res.Heartbeat, pings())
	}

	refusing := *cfg
	refusing.Planner.Safeguards.MinUsers = 5
	refused := newTestEngine(t, &refusing, newTestClient(t, &refusing, false), true, fixed(desired))
	res, err = refused.RunCycle(context.Background())
	if err != nil || res.Outcome != OutcomeRefused || res.Heartbeat != HeartbeatNotPinged || pings() != 2 {
		t.Fatalf("refused: %s, %v, heartbeat %q, %d pings", res.Outcome, err, res.Heartbeat, pings())
	}

	failing := newTestEngine(t, cfg, failingPing{newTestClient(t, cfg, false)}, true, fixed(desired))
	res, err = failing.RunCycle(context.Background())
	if err != nil || res.Outcome != OutcomeOK || !res.Succeeded || res.Heartbeat != HeartbeatFailed || res.HeartbeatError == "" {
		t.Fatalf("failed ping: %s, %v, heartbeat %q %q", res.Outcome, err, res.Heartbeat, res.HeartbeatError)
	}

	none := *cfg
	none.Heartbeat = ""
	res, _ = newTestEngine(t, &none, newTestClient(t, &none, false), true, fixed(desired)).RunCycle(context.Background())
	if res.Heartbeat != "" || pings() != 2 {
		t.Errorf("without a heartbeat: %q, %d pings", res.Heartbeat, pings())
	}
}
