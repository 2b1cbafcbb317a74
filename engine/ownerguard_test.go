package engine

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target"
)

// ownerAccount is a target whose Owners are a live set: a demotion takes
// its user out. LiveOwners lets the demotions meet: a demotion waits,
// for a bounded time, for another to count the Owners while it is between
// its own count and its write, which is how two unguarded demotions would
// both pass on the same count.
type ownerAccount struct {
	mu      sync.Mutex
	owners  []string
	counted int
	another chan struct{} // closed at the second count
}

func (o *ownerAccount) Capabilities() planner.Capabilities { return planner.FullCapabilities("") }
func (o *ownerAccount) Read(context.Context, *model.Desired) (*model.Current, error) {
	return &model.Current{}, nil
}
func (o *ownerAccount) Audit(context.Context, []string, []string, *model.Current) (model.AuditFacts, error) {
	return model.AuditFacts{}, nil
}
func (o *ownerAccount) Stats() target.Stats { return target.Stats{} }

func (o *ownerAccount) LiveOwners(context.Context) ([]string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.counted++; o.counted == 2 {
		close(o.another)
	}
	return slices.Clone(o.owners), nil
}

func (o *ownerAccount) Apply(_ context.Context, a *planner.Action, _ *target.IDs) (string, error) {
	select {
	case <-o.another:
	case <-time.After(200 * time.Millisecond):
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.owners = slices.DeleteFunc(o.owners, func(id string) bool { return id == a.UserID })
	return "", nil
}

// TestOwnerGuardOneAtATime: two demotions of the same step, each allowed by
// the plan's count, run concurrently; the live count of the second is taken
// after the first demotion is sent, so only one passes and min_owners holds.
func TestOwnerGuardOneAtATime(t *testing.T) {
	acct := &ownerAccount{owners: []string{"a", "b", "c"}, another: make(chan struct{})}
	demote := func(id string) *planner.Action {
		return &planner.Action{ID: "update-user:" + id, Type: planner.UpdateUser, User: id + "@x.io", UserID: id, Step: planner.StepDemotions,
			Before: &planner.Snapshot{User: &model.User{Role: model.Ptr(model.RoleOwner)}},
			After:  &planner.Snapshot{User: &model.User{Role: model.Ptr(model.RoleUser)}}}
	}
	p := &planner.Plan{Actions: []*planner.Action{demote("a"), demote("b")}}
	log, _ := testLogger()
	e, err := NewEngine(EngineOptions{Target: acct, Apply: true, Logger: log, Concurrency: 2,
		Desired: func(context.Context) (*model.Desired, error) { return &model.Desired{}, nil },
		Planner: func() planner.Options { o := planner.DefaultOptions(); o.Safeguards.MinOwners = 2; return o }()})
	if err != nil {
		t.Fatal(err)
	}
	res := e.Apply(context.Background(), p)
	var applied, refused int
	for _, r := range res {
		switch {
		case r.Outcome == ActionApplied:
			applied++
		case r.Outcome == ActionFailed && r.Error == "not sent: the account has 1 other Owner right now; min_owners is 2":
			refused++
		default:
			t.Errorf("%s: %s %q", r.Action, r.Outcome, r.Error)
		}
	}
	if applied != 1 || refused != 1 || len(acct.owners) != 2 {
		t.Errorf("applied %d, refused %d, owners left %v; want 1, 1 and two Owners", applied, refused, acct.owners)
	}
}
