package tests

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// TestAuditCost plans the offboarding of 30 users ogsync created, three of
// them still on call, and the deletes of 5 teams (adopt mode): the on-call
// audit costs 2 requests (the schedules with rotations and the escalations,
// once), whatever the number of deletes, and blocks exactly the three.
func TestAuditCost(t *testing.T) {
	seed := ownerSeed()
	marker := map[string][]string{"managed-by": {"ogsync"}}
	for i := range 30 {
		seed.Users = append(seed.Users, ogsim.SeedUser{Username: fmt.Sprintf("leaver%02d@example.com", i), FullName: "Leaver", Role: "User", Details: marker})
	}
	for i := range 5 {
		seed.Teams = append(seed.Teams, ogsim.SeedTeam{Name: fmt.Sprintf("old-team-%d", i)})
	}
	var onCall []ogsim.SeedRecipient
	for i := range 3 {
		onCall = append(onCall, ogsim.SeedRecipient{User: fmt.Sprintf("leaver%02d@example.com", i)})
	}
	seed.Schedules = []ogsim.SeedSchedule{{Name: "primary", Rotations: []ogsim.SeedRotation{{Name: "r", Type: "weekly", StartDate: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), Participants: onCall}}}}
	e := startEmu(t, ogsim.Options{Seed: seed})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "users.yaml"), "users:\n  - {username: "+owner+", fullName: Account Owner, role: Owner}\n")
	cfg := baseConfig(e.url, dir, 1000, 100)
	cfg.Ownership.Mode = "adopt"
	cfg.Safeguards.MaxShrinkPercent = 100
	cfg.Safeguards.MinUsers = 1
	engine, _ := newEngine(t, cfg, false, nil)
	e.sim.ResetStats()
	p, err := engine.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.Refused() || p.Summary.DeleteUser != 30 || p.Summary.DeleteTeam != 5 {
		t.Fatalf("plan: refused %v, %d user deletes, %d team deletes: %+v", p.Refused(), p.Summary.DeleteUser, p.Summary.DeleteTeam, p.Violations)
	}
	st := e.sim.Stats()
	audit := st.ByRoute["GET /v2/schedules"] + st.ByRoute["GET /v2/escalations"]
	if audit != 2 || st.Total != lowerBound(31)+2 {
		t.Errorf("the audit of 35 deletes cost %d requests (%d in all), want 2 (%d in all): %v", audit, st.Total, lowerBound(31)+2, st.ByRoute)
	}
	var blocked []string
	for _, a := range p.Actions {
		if a.IsBlocked() {
			blocked = append(blocked, a.ID)
		}
	}
	if want := []string{"delete-user:leaver00@example.com", "delete-user:leaver01@example.com", "delete-user:leaver02@example.com"}; !slices.Equal(blocked, want) || p.Summary.Blocked != 3 {
		t.Errorf("blocked %v (summary %d), want %v: the users on call", blocked, p.Summary.Blocked, want)
	}
	t.Logf("30 user and 5 team deletes: %d requests in all, %d of them for the audit", st.Total, audit)
}
