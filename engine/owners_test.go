package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target/opsgenie"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// hidingClient reads the user list without some users, as a list that lags
// behind a create would.
type hidingClient struct {
	*opsgenie.Client
	hide []string
}

func (c *hidingClient) Read(ctx context.Context, d *model.Desired) (*model.Current, error) {
	cur, err := c.Client.Read(ctx, d)
	if err != nil {
		return nil, err
	}
	cur.Users = slices.DeleteFunc(cur.Users, func(u model.User) bool { return slices.Contains(c.hide, u.Username) })
	return cur, nil
}

func ownersOf(sim *ogsim.Server) []string {
	var out []string
	for _, u := range sim.State().Users {
		if u.Role == model.RoleOwner {
			out = append(out, u.Username)
		}
	}
	slices.Sort(out)
	return out
}

func handoverSeed() *ogsim.Seed {
	return &ogsim.Seed{Users: []ogsim.SeedUser{
		seedPerson("old@example.com", model.RoleOwner),
		seedPerson("new@example.com", model.RoleUser),
	}}
}

func handoverState() model.Desired {
	return model.Desired{Users: []model.User{person("old@example.com", model.RoleAdmin), person("new@example.com", model.RoleOwner)}}
}

// TestOwnerGuardCreateConflict: the plan creates the new Owner (a lagging
// list hid that the user exists, as a User) and demotes the old one. The
// create answers 409: the user is not an Owner, so the create is not
// applied and the demotion that depends on it does not run.
func TestOwnerGuardCreateConflict(t *testing.T) {
	emu := newEmulator(t, handoverSeed(), ogsim.FaultOptions{})
	cfg := e2eConfig(t, emu.url)
	client := &hidingClient{Client: newTestClient(t, cfg, false), hide: []string{"new@example.com"}}
	e := newTestEngine(t, cfg, client, true, fixed(handoverState))
	res, err := e.RunCycle(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a := findAction(res, string(planner.CreateUser)); a.Outcome != ActionFailed {
		t.Errorf("the create answered 409 for a User: %s (%s), want failed", a.Outcome, a.Error)
	}
	if a := findAction(res, string(planner.UpdateUser)); a.Outcome != ActionSkipped {
		t.Errorf("the demotion: %s (%s), want skipped", a.Outcome, a.Error)
	}
	if o := ownersOf(emu.sim); !slices.Equal(o, []string{"old@example.com"}) {
		t.Errorf("owners after the apply: %v", o)
	}
	// The next cycle, with a list that shows everyone, converges.
	e2 := newTestEngine(t, cfg, newTestClient(t, cfg, false), true, fixed(handoverState))
	if _, err := e2.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if o := ownersOf(emu.sim); !slices.Equal(o, []string{"new@example.com"}) {
		t.Errorf("owners after the second cycle: %v", o)
	}
}

// TestOwnerGuardLiveCount: between the plan and its apply someone else
// demotes the Owner the plan counted on. The demotion the plan holds is
// checked against the live count and not sent.
func TestOwnerGuardLiveCount(t *testing.T) {
	seed := &ogsim.Seed{Users: []ogsim.SeedUser{seedPerson("a@example.com", model.RoleOwner), seedPerson("b@example.com", model.RoleOwner)}}
	emu := newEmulator(t, seed, ogsim.FaultOptions{})
	cfg := e2eConfig(t, emu.url)
	desired := func() model.Desired {
		return model.Desired{Users: []model.User{person("a@example.com", model.RoleAdmin), person("b@example.com", model.RoleOwner)}}
	}
	client := newTestClient(t, cfg, false)
	e := newTestEngine(t, cfg, client, true, fixed(desired))
	p, err := e.Plan(context.Background())
	if err != nil || p.Refused() {
		t.Fatalf("plan: %v %+v", err, p.Violations)
	}
	other := newTestClient(t, cfg, false)
	b, err := other.GetUser(context.Background(), "b@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := other.UpdateUser(context.Background(), b.ID, opsgenie.UserPatch{Role: model.Ptr(model.RoleUser)}); err != nil {
		t.Fatal(err)
	}
	results := e.Apply(context.Background(), p)
	i := slices.IndexFunc(results, func(r ActionResult) bool { return r.Op == string(planner.UpdateUser) })
	if i < 0 || results[i].Outcome != ActionFailed || results[i].Error != "not sent: the account has 0 other Owners right now; min_owners is 1" {
		t.Fatalf("the demotion: %+v", results)
	}
	if o := ownersOf(emu.sim); !slices.Equal(o, []string{"a@example.com"}) {
		t.Errorf("owners: %v", o)
	}
}

func findAction(res Result, op string) ActionResult {
	for _, a := range res.Actions {
		if a.Op == op {
			return a
		}
	}
	return ActionResult{}
}
