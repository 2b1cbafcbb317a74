package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target"
	"github.com/ogsync/ogsync/target/opsgenie"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// The end-to-end tests run the Engine against the in-process emulator on
// loopback with a real opsgenie.Client, and check the account the emulator
// holds afterwards.

// e2eKey is the emulator's API key.
const e2eKey = "e2e-0d9c7b1a-engine-key"

// marker is the default ownership marker (planner.DefaultOptions).
var marker = map[string][]string{"managed-by": {"ogsync"}}

// emulator is an ogsim server on 127.0.0.1.
type emulator struct {
	sim *ogsim.Server
	url string
}

func newEmulator(t *testing.T, seed *ogsim.Seed, faults ogsim.FaultOptions) *emulator {
	t.Helper()
	sim, err := ogsim.New(ogsim.Options{APIKey: e2eKey, Seed: seed, Faults: faults, IDSeed: 7})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	return &emulator{sim: sim, url: ts.URL}
}

// writes returns the requests of st that are not GETs, by route.
func writes(st ogsim.Stats) map[string]int {
	w := map[string]int{}
	for route, n := range st.ByRoute {
		if !strings.HasPrefix(route, "GET ") {
			w[route] = n
		}
	}
	return w
}

// testConfig is what the engine tests configure: the client's and the
// engine's options.
type testConfig struct {
	URL         string
	MaxRetries  int
	Concurrency int
	Heartbeat   string
	Planner     planner.Options
	StateDir    string
}

// e2eConfig is the configuration of the engine tests: every policy sync,
// marker ownership, the default safeguards, no retries.
func e2eConfig(t *testing.T, url string) *testConfig {
	t.Helper()
	cfg := testConfig{URL: url, Concurrency: 16, Planner: planner.DefaultOptions(), StateDir: t.TempDir()}
	cfg.Planner.Policies = planner.PolicyNames{Users: planner.PolicySync, Teams: planner.PolicySync, Members: planner.PolicySync}
	return &cfg
}

// noSleep replaces the client's backoff waits.
func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// newTestClient returns a client of the emulator for cfg, without rate
// limit and without waits between retries.
func newTestClient(t *testing.T, cfg *testConfig, readOnly bool) *opsgenie.Client {
	t.Helper()
	c, err := opsgenie.New(opsgenie.Options{
		BaseURL:     cfg.URL,
		APIKey:      e2eKey,
		MaxRetries:  cfg.MaxRetries,
		Concurrency: cfg.Concurrency,
		ReadOnly:    readOnly,
		Sleep:       noSleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fixed returns a desired-state loader that builds a fresh copy each call.
func fixed(build func() model.Desired) func(context.Context) (*model.Desired, error) {
	return func(context.Context) (*model.Desired, error) {
		d := build()
		return &d, nil
	}
}

func newTestEngine(t *testing.T, cfg *testConfig, client target.Target, apply bool, desired func(context.Context) (*model.Desired, error), mod ...func(*EngineOptions)) *Engine {
	t.Helper()
	logger, _ := testLogger()
	o := EngineOptions{Planner: cfg.Planner, Concurrency: cfg.Concurrency, Heartbeat: cfg.Heartbeat, Target: client, Desired: desired, Apply: apply, Logger: logger}
	for _, m := range mod {
		m(&o)
	}
	e, err := NewEngine(o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// person is a desired user with every managed field but locale set.
func person(name, role string) model.User {
	return model.User{
		Username: name,
		FullName: model.Ptr("Person " + strings.Split(name, "@")[0]),
		Role:     model.Ptr(role),
		TimeZone: model.Ptr("Europe/Berlin"),
		Tags:     &[]string{"e2e"},
		Details:  &map[string][]string{"costCenter": {"42"}},
	}
}

// seedPerson is the account's copy of person(name, role), with the marker.
func seedPerson(name, role string) ogsim.SeedUser {
	return ogsim.SeedUser{
		Username: name, FullName: "Person " + strings.Split(name, "@")[0], Role: role,
		TimeZone: "Europe/Berlin", Tags: []string{"e2e"},
		Details: map[string][]string{"costCenter": {"42"}, "managed-by": {"ogsync"}},
	}
}

func team(name string, members ...model.Member) model.Team {
	return model.Team{Name: name, Description: model.Ptr("Team " + name), Members: &members}
}

func member(user, role string) model.Member { return model.Member{Username: user, Role: role} }

// view is what a test compares of the emulator's account.
type view struct {
	users map[string]ogsim.StateUser
	teams map[string]map[string]string // team → member → role
}

func viewOf(sim *ogsim.Server) view {
	st := sim.State()
	v := view{users: map[string]ogsim.StateUser{}, teams: map[string]map[string]string{}}
	for _, u := range st.Users {
		v.users[u.Username] = u
	}
	for _, t := range st.Teams {
		ms := map[string]string{}
		for _, m := range t.Members {
			ms[m.Username] = m.Role
		}
		v.teams[t.Name] = ms
	}
	return v
}

// checkMatches fails the test unless the account holds exactly the desired
// users (with their managed fields) and teams (with their members), plus
// the extra users named.
func checkMatches(t *testing.T, sim *ogsim.Server, d model.Desired, extraUsers ...string) {
	t.Helper()
	v := viewOf(sim)
	want := slices.Clone(extraUsers)
	for _, u := range d.Users {
		want = append(want, u.Username)
		got, ok := v.users[u.Username]
		if !ok {
			t.Errorf("user %s is missing", u.Username)
			continue
		}
		if u.Role != nil && got.Role != *u.Role {
			t.Errorf("user %s: role %q, want %q", u.Username, got.Role, *u.Role)
		}
		if u.FullName != nil && got.FullName != *u.FullName {
			t.Errorf("user %s: fullName %q, want %q", u.Username, got.FullName, *u.FullName)
		}
		if u.TimeZone != nil && got.TimeZone != *u.TimeZone {
			t.Errorf("user %s: timeZone %q, want %q", u.Username, got.TimeZone, *u.TimeZone)
		}
		if u.Tags != nil && !slices.Equal(model.SortedCopy(got.Tags), model.SortedCopy(*u.Tags)) {
			t.Errorf("user %s: tags %q, want %q", u.Username, got.Tags, *u.Tags)
		}
		if u.Details != nil {
			for k, vs := range *u.Details {
				if !slices.Equal(got.Details[k], vs) {
					t.Errorf("user %s: details %s = %q, want %q", u.Username, k, got.Details[k], vs)
				}
			}
		}
	}
	slices.Sort(want)
	if got := slices.Sorted(maps.Keys(v.users)); !slices.Equal(got, want) {
		t.Errorf("account users:\n  %q\nwant\n  %q", got, want)
	}
	var teams []string
	for _, tm := range d.Teams {
		teams = append(teams, tm.Name)
		got, ok := v.teams[tm.Name]
		if !ok {
			t.Errorf("team %s is missing", tm.Name)
			continue
		}
		wantMembers := map[string]string{}
		for _, m := range *tm.Members {
			wantMembers[m.Username] = m.Role
		}
		if !maps.Equal(got, wantMembers) {
			t.Errorf("team %s members %v, want %v", tm.Name, got, wantMembers)
		}
	}
	slices.Sort(teams)
	if got := slices.Sorted(maps.Keys(v.teams)); !slices.Equal(got, teams) {
		t.Errorf("account teams %q, want %q", got, teams)
	}
}

// planOf returns the plan a cycle computed.
func planOf(t *testing.T, res Result) *planner.Plan {
	t.Helper()
	p := res.Plan
	if p == nil {
		t.Fatalf("the result carries no plan (outcome %s, error %q)", res.Outcome, res.Error)
	}
	return p
}

// actionKeys describes a plan's actions as "type team user", sorted.
func actionKeys(p *planner.Plan) []string {
	var keys []string
	for _, a := range p.Actions {
		parts := []string{string(a.Type)}
		for _, s := range []string{a.Team, a.User} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		keys = append(keys, strings.Join(parts, " "))
	}
	slices.Sort(keys)
	return keys
}

// outcomes counts a result's actions by outcome.
func outcomes(res Result) map[ActionOutcome]int {
	n := map[ActionOutcome]int{}
	for _, a := range res.Actions {
		n[a.Outcome]++
	}
	return n
}

// checkConverged runs a cycle that must find nothing to do and write nothing.
func checkConverged(t *testing.T, e *Engine, sim *ogsim.Server) Result {
	t.Helper()
	sim.ResetStats()
	res, err := e.RunCycle(context.Background())
	if err != nil {
		t.Fatalf("converged cycle: %v", err)
	}
	if w := writes(sim.Stats()); len(w) > 0 {
		t.Errorf("a converged cycle wrote: %v", w)
	}
	for _, a := range res.Actions {
		if a.Outcome != ActionBlocked {
			t.Errorf("a converged cycle has the action %q (%s)", a.Action, a.Outcome)
		}
	}
	return res
}

// importState is the desired state of TestEngineInitialImport: the Owner and
// 149 more users, and six teams with 24 or 25 members each.
func importState() model.Desired {
	d := model.Desired{Users: []model.User{person("owner@example.com", model.RoleOwner)}}
	members := make([][]model.Member, 6)
	for i := 1; i < 150; i++ {
		name := fmt.Sprintf("user%03d@example.com", i)
		role := model.RoleUser
		if i%10 == 0 {
			role = model.RoleAdmin
		}
		d.Users = append(d.Users, person(name, role))
		mrole := model.MemberRoleUser
		if i%7 == 0 {
			mrole = model.MemberRoleAdmin
		}
		members[i%6] = append(members[i%6], member(name, mrole))
	}
	for i, ms := range members {
		d.Teams = append(d.Teams, team(fmt.Sprintf("team-%d", i), ms...))
	}
	return d
}

func TestEngineInitialImport(t *testing.T) {
	emu := newEmulator(t, &ogsim.Seed{Users: []ogsim.SeedUser{seedPerson("owner@example.com", model.RoleOwner)}}, ogsim.FaultOptions{})
	cfg := e2eConfig(t, emu.url)
	e := newTestEngine(t, cfg, newTestClient(t, cfg, false), true, fixed(importState))

	res, err := e.RunCycle(context.Background())
	if err != nil {
		t.Fatalf("first cycle: %v", err)
	}
	if res.Outcome != OutcomeChangesApplied {
		t.Errorf("first cycle outcome %s, want %s", res.Outcome, OutcomeChangesApplied)
	}
	if n := outcomes(res); n[ActionApplied] != len(res.Actions) || n[ActionApplied] != 149+6 {
		t.Errorf("first cycle: %v of %d actions, want 155 applied", n, len(res.Actions))
	}
	if w := writes(emu.sim.Stats()); w["POST /v2/users"] != 149 || w["POST /v2/teams"] != 6 || len(w) != 2 {
		t.Errorf("first cycle writes %v, want 149 user creates and 6 team creates (members in the body)", w)
	}
	checkMatches(t, emu.sim, importState())
	for name, u := range viewOf(emu.sim).users {
		if name != "owner@example.com" && !slices.Equal(u.Details["managed-by"], []string{"ogsync"}) {
			t.Errorf("created user %s lacks the ownership marker: %v", name, u.Details)
		}
	}

	res = checkConverged(t, e, emu.sim)
	if res.Outcome != OutcomeOK || len(res.Actions) != 0 {
		t.Errorf("second cycle: outcome %s with %d actions, want ok with none", res.Outcome, len(res.Actions))
	}
	// ceil(150/100) user pages + one team list with members.
	st := emu.sim.Stats()
	want := map[string]int{"GET /v2/users": 2, "GET /v2/teams": 1}
	if st.Total != 3 || !maps.Equal(st.ByRoute, want) || res.APICalls != 3 {
		t.Errorf("second cycle read the account in %d requests %v (result says %d), want 3 %v", st.Total, st.ByRoute, res.APICalls, want)
	}
}

// driftFiles is the desired state of TestEngineCorrectsDrift, as YAML.
var driftFiles = fstest.MapFS{
	"users.yaml": {Data: []byte(`users:
  - username: owner@example.com
    fullName: The Owner
    role: Owner
  - username: alice@example.com
    fullName: Alice Example
    role: Admin
    timeZone: Europe/Berlin
    tags: [sre, oncall]
    details:
      costCenter: ["42"]
  - username: bob@example.com
    fullName: Bob Example
    role: User
  - username: carol@example.com
    fullName: Carol Example
    role: User
  - username: dave@example.com
    fullName: Dave Example
    role: User
`)},
	"teams.yaml": {Data: []byte(`teams:
  - name: SRE
    description: Site reliability
    members:
      - user: alice@example.com
        role: admin
      - user: bob@example.com
        role: user
      - user: carol@example.com
        role: admin
  - name: Ops
    description: Operations
    members:
      - user: dave@example.com
        role: admin
      - user: bob@example.com
        role: user
`)},
}

// driftSeed is the account of TestEngineCorrectsDrift and
// TestEngineDryRunWritesNothing: driftFiles applied once, then drifted.
func driftSeed() *ogsim.Seed {
	m := func(kv ...string) map[string][]string {
		d := maps.Clone(marker)
		for i := 0; i < len(kv); i += 2 {
			d[kv[i]] = []string{kv[i+1]}
		}
		return d
	}
	return &ogsim.Seed{
		Users: []ogsim.SeedUser{
			{Username: "owner@example.com", FullName: "The Owner", Role: "Owner"},
			// Wrong role, full name, time zone, tags and details.
			{Username: "alice@example.com", FullName: "Alice Old", Role: "User", TimeZone: "America/New_York", Tags: []string{"old"}, Details: m("costCenter", "7")},
			{Username: "bob@example.com", FullName: "Bob Example", Role: "User", Details: m()},
			{Username: "carol@example.com", FullName: "Carol Example", Role: "User", Details: m()},
			{Username: "dave@example.com", FullName: "Dave Example", Role: "User", Details: m()},
			// Not declared and not ogsync's: only its membership goes.
			{Username: "eve@example.com", FullName: "Eve Extra", Role: "User"},
		},
		Teams: []ogsim.SeedTeam{
			// alice user→admin, bob admin→user, carol missing, eve extra.
			{Name: "SRE", Description: "Site reliability", Members: []ogsim.SeedMember{
				{Username: "alice@example.com", Role: "user"}, {Username: "bob@example.com", Role: "admin"}, {Username: "eve@example.com", Role: "user"},
			}},
			{Name: "Ops", Description: "Operations", Members: []ogsim.SeedMember{
				{Username: "dave@example.com", Role: "admin"}, {Username: "bob@example.com", Role: "user"},
			}},
		},
	}
}

// driftDesired loads driftFiles.
func driftDesired(t *testing.T) (func(context.Context) (*model.Desired, error), model.Desired) {
	t.Helper()
	load := func(ctx context.Context) (*model.Desired, error) {
		return source.LoadFS(ctx, driftFiles, source.Options{})
	}
	d, err := load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return load, *d
}

func TestEngineCorrectsDrift(t *testing.T) {
	emu := newEmulator(t, driftSeed(), ogsim.FaultOptions{})
	cfg := e2eConfig(t, emu.url)
	cfg.Planner.Safeguards.MaxDeletes.Percent = 50 // one of five memberships goes
	load, desired := driftDesired(t)
	e := newTestEngine(t, cfg, newTestClient(t, cfg, false), true, load)

	res, err := e.RunCycle(context.Background())
	if err != nil {
		t.Fatalf("cycle: %v", err)
	}
	want := []string{
		"add-member SRE carol@example.com",
		"change-member-role SRE alice@example.com",
		"change-member-role SRE bob@example.com",
		"remove-member SRE eve@example.com",
		"update-user alice@example.com",
	}
	p := planOf(t, res)
	if got := actionKeys(p); !slices.Equal(got, want) {
		t.Errorf("plan:\n  %q\nwant\n  %q", got, want)
	}
	if a := p.Action("update-user:alice@example.com"); a == nil || !slices.Equal(a.Fields, []string{"fullName", "role", "timeZone", "tags", "details"}) {
		t.Errorf("alice's update: %+v", a)
	}
	if res.Outcome != OutcomeChangesApplied || outcomes(res)[ActionApplied] != len(want) {
		t.Errorf("outcome %s, actions %v, violations %q; want %s with all applied", res.Outcome, outcomes(res), res.Violations, OutcomeChangesApplied)
	}
	checkMatches(t, emu.sim, desired, "eve@example.com")
	v := viewOf(emu.sim)
	if d := v.users["alice@example.com"].Details; !slices.Equal(d["managed-by"], []string{"ogsync"}) || len(d) != 2 {
		t.Errorf("alice's details after the update: %v, want costCenter and the marker kept", d)
	}
	if _, ok := v.users["eve@example.com"]; !ok {
		t.Error("eve, not ogsync's, was deleted")
	}

	res = checkConverged(t, e, emu.sim)
	if res.Outcome != OutcomeOK || len(res.Actions) != 0 {
		t.Errorf("next cycle: outcome %s with %d actions, want ok with none", res.Outcome, len(res.Actions))
	}
}

func TestEngineDryRunWritesNothing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		readOnly bool
	}{
		{"read-only client", true},
		// Without Apply the engine writes nothing even through a client
		// that would.
		{"writable client", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := newEmulator(t, driftSeed(), ogsim.FaultOptions{})
			cfg := e2eConfig(t, emu.url)
			cfg.Planner.Safeguards.MaxDeletes.Percent = 50
			load, _ := driftDesired(t)
			before := emu.sim.State()
			e := newTestEngine(t, cfg, newTestClient(t, cfg, tc.readOnly), false, load)

			res, err := e.RunCycle(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			st := emu.sim.Stats()
			if st.Total == 0 {
				t.Fatal("the cycle sent no request at all")
			}
			for route := range st.ByRoute {
				if !strings.HasPrefix(route, "GET ") {
					t.Errorf("a dry run sent %d %s", st.ByRoute[route], route)
				}
			}
			if res.Outcome != OutcomeDryRun || !res.DryRun || len(res.Actions) != 5 {
				t.Errorf("outcome %s, dry run %v, %d actions; want dry-run with 5", res.Outcome, res.DryRun, len(res.Actions))
			}
			for _, a := range res.Actions {
				if a.Outcome != ActionPlanned && a.Outcome != ActionBlocked {
					t.Errorf("a dry run's action %q is %s", a.Action, a.Outcome)
				}
			}
			if after := emu.sim.State(); !equalState(before, after) {
				t.Error("the account changed during a dry run")
			}
		})
	}
}

func equalState(a, b ogsim.State) bool {
	return fmt.Sprintf("%+v", a) == fmt.Sprintf("%+v", b)
}

// TestReadOnlyClientRefusesWrites calls every write of a read-only client
// directly: each is refused with opsgenie.ErrReadOnly before a request is sent.
func TestReadOnlyClientRefusesWrites(t *testing.T) {
	emu := newEmulator(t, driftSeed(), ogsim.FaultOptions{})
	cfg := e2eConfig(t, emu.url)
	c := newTestClient(t, cfg, true)
	ctx := context.Background()
	u := person("new@example.com", model.RoleUser)
	m := member("bob@example.com", model.MemberRoleAdmin)
	calls := map[string]func() error{
		"CreateUser":       func() error { _, err := c.CreateUser(ctx, u); return err },
		"UpdateUser":       func() error { return c.UpdateUser(ctx, "bob@example.com", opsgenie.UserPatchOf(u)) },
		"DeleteUser":       func() error { return c.DeleteUser(ctx, "bob@example.com") },
		"CreateTeam":       func() error { _, err := c.CreateTeam(ctx, team("New")); return err },
		"UpdateTeam":       func() error { return c.UpdateTeam(ctx, "x", opsgenie.TeamPatch{Description: model.Ptr("d")}) },
		"DeleteTeam":       func() error { return c.DeleteTeam(ctx, "x") },
		"AddMember":        func() error { _, err := c.AddMember(ctx, "x", m); return err },
		"RemoveMember":     func() error { return c.RemoveMember(ctx, "x", "bob@example.com") },
		"ChangeMemberRole": func() error { _, err := c.ChangeMemberRole(ctx, "x", m); return err },
	}
	for _, name := range slices.Sorted(maps.Keys(calls)) {
		if calls[name] == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			emu.sim.ResetStats()
			err := calls[name]()
			if !errors.Is(err, opsgenie.ErrReadOnly) {
				t.Errorf("error %v, want opsgenie.ErrReadOnly", err)
			}
			if st := emu.sim.Stats(); st.Total != 0 {
				t.Errorf("the refused write sent %d requests: %v", st.Total, st.ByRoute)
			}
		})
	}
}

// splitClient reads through one client and writes through another, so a
// test can retry reads while every write fault shows.
type splitClient struct {
	*opsgenie.Client
	w *opsgenie.Client
}

func newSplitClient(r, w *opsgenie.Client) *splitClient {
	return &splitClient{Client: r, w: w}
}

// Apply writes through the second client.
func (s *splitClient) Apply(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	return s.w.Apply(ctx, a, ids)
}

// Stats sums both clients' requests.
func (s *splitClient) Stats() target.Stats {
	a, b := s.Client.Stats(), s.w.Stats()
	a.Total += b.Total
	a.Throttled += b.Throttled
	return a
}

// countingReporter counts the outcomes an apply reports.
type countingReporter struct {
	mu       sync.Mutex
	total    int
	done     int
	n        map[ActionOutcome]int
	finished bool
}

func (r *countingReporter) Add(o ActionOutcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	r.n[o]++
}

func (r *countingReporter) Finish() { r.finished = true }

// faultSeed is the account of TestEnginePartialFailureConverges: the Owner,
// ten of ogsync's users, two leavers, and two teams.
func faultSeed() *ogsim.Seed {
	s := &ogsim.Seed{Users: []ogsim.SeedUser{{Username: "owner@example.com", FullName: "The Owner", Role: "Owner"}}}
	for i := 1; i <= 10; i++ {
		s.Users = append(s.Users, seedPerson(fmt.Sprintf("u%02d@example.com", i), model.RoleUser))
	}
	s.Users = append(s.Users, seedPerson("gone1@example.com", model.RoleUser), seedPerson("gone2@example.com", model.RoleUser))
	alpha := ogsim.SeedTeam{Name: "alpha", Description: "Team alpha", Members: []ogsim.SeedMember{{Username: "gone1@example.com"}}}
	beta := ogsim.SeedTeam{Name: "beta", Description: "Team beta"}
	for i := 1; i <= 5; i++ {
		alpha.Members = append(alpha.Members, ogsim.SeedMember{Username: fmt.Sprintf("u%02d@example.com", i), Role: "user"})
		beta.Members = append(beta.Members, ogsim.SeedMember{Username: fmt.Sprintf("u%02d@example.com", i+5), Role: "user"})
	}
	s.Teams = []ogsim.SeedTeam{alpha, beta}
	return s
}

// faultState is the desired state of TestEnginePartialFailureConverges:
// twelve new users who join the existing teams and two new ones, three
// promotions, and the leavers gone.
func faultState() model.Desired {
	d := model.Desired{Users: []model.User{{Username: "owner@example.com", FullName: model.Ptr("The Owner"), Role: model.Ptr(model.RoleOwner)}}}
	var alpha, beta, gamma, delta []model.Member
	for i := 1; i <= 10; i++ {
		name := fmt.Sprintf("u%02d@example.com", i)
		role := model.RoleUser
		if i <= 3 {
			role = model.RoleAdmin
		}
		d.Users = append(d.Users, person(name, role))
		if i <= 5 {
			alpha = append(alpha, member(name, model.MemberRoleUser))
		} else {
			beta = append(beta, member(name, model.MemberRoleUser))
		}
	}
	for i := 1; i <= 12; i++ {
		name := fmt.Sprintf("n%02d@example.com", i)
		d.Users = append(d.Users, person(name, model.RoleUser))
		switch {
		case i <= 4:
			alpha = append(alpha, member(name, model.MemberRoleUser))
		case i <= 8:
			beta = append(beta, member(name, model.MemberRoleAdmin))
		default:
			gamma = append(gamma, member(name, model.MemberRoleUser))
		}
	}
	gamma = append(gamma, member("u01@example.com", model.MemberRoleAdmin))
	delta = append(delta, member("u02@example.com", model.MemberRoleAdmin), member("n01@example.com", model.MemberRoleUser))
	d.Teams = []model.Team{team("alpha", alpha...), team("beta", beta...), team("gamma", gamma...), team("delta", delta...)}
	return d
}

// checkSkipsExplained checks that every skipped action names the action it
// depended on, and that this action did not apply.
func checkSkipsExplained(t *testing.T, res Result) {
	t.Helper()
	byName := map[string]ActionResult{}
	for _, a := range res.Actions {
		byName[a.Action] = a
	}
	for _, a := range res.Actions {
		if a.Outcome != ActionSkipped {
			continue
		}
		var dep string
		if _, err := fmt.Sscanf(a.Error, "depends on %q", &dep); err != nil {
			t.Errorf("skipped %q does not say what it depends on: %q", a.Action, a.Error)
			continue
		}
		d, ok := byName[dep]
		if !ok || d.Outcome == ActionApplied || !strings.HasSuffix(a.Error, "which was "+string(d.Outcome)) {
			t.Errorf("skipped %q: %q, but that action is %+v", a.Action, a.Error, d)
		}
	}
}

func TestEnginePartialFailureConverges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults ogsim.FaultOptions
	}{
		{"faults before the effect", ogsim.FaultOptions{Seed: 11, ErrorRate: 0.3, DropRate: 0.1}},
		// The ambiguous case: the write took effect, the answer was lost.
		{"faults after the effect", ogsim.FaultOptions{Seed: 12, ErrorRate: 0.3, DropRate: 0.1, AfterEffect: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := newEmulator(t, faultSeed(), tc.faults)
			cfg := e2eConfig(t, emu.url)
			cfg.Concurrency = 1 // one request at a time: the seeded faults hit the same requests every run
			cfg.Planner.Safeguards.MaxDeletes.Percent = 50
			before := viewOf(emu.sim)

			// Reads are retried; writes are not, so their faults show.
			retrying := *cfg
			retrying.MaxRetries = 8
			reader := newTestClient(t, &retrying, false)
			rep := &countingReporter{n: map[ActionOutcome]int{}}
			e := newTestEngine(t, cfg, newSplitClient(reader, newTestClient(t, cfg, false)), true, fixed(faultState), func(o *EngineOptions) {
				o.Progress = func(total int) ProgressReporter { rep.total = total; return rep }
			})

			res, err := e.RunCycle(context.Background())
			if err != nil {
				t.Fatalf("first cycle: %v", err)
			}
			n := outcomes(res)
			if res.Outcome != OutcomePartial || n[ActionApplied] == 0 || n[ActionFailed] == 0 || n[ActionSkipped] == 0 {
				t.Fatalf("first cycle: outcome %s, actions %v; want partial with some applied, failed and skipped", res.Outcome, n)
			}
			t.Logf("cycle 1: %s %v", res.Outcome, n)
			for _, a := range res.Actions {
				t.Logf("  %s %s: %s", a.Outcome, a.Action, a.Error)
			}
			checkSkipsExplained(t, res)
			if rep.total != len(res.Actions) || rep.done != rep.total || rep.n[ActionFailed] != n[ActionFailed] || rep.n[ActionSkipped] != n[ActionSkipped] || !rep.finished {
				t.Errorf("progress: %d of %d reported, %v, finished %v; want all %d, failed and skipped as %v", rep.done, rep.total, rep.n, rep.finished, len(res.Actions), n)
			}
			for _, a := range res.Actions {
				if strings.Contains(a.Error, e2eKey) {
					t.Errorf("action %q: the error carries the API key", a.Action)
				}
			}
			first := planOf(t, res)
			deletable := map[string]bool{}
			for _, a := range first.Actions {
				if a.Type == planner.DeleteUser || a.Type == planner.DeleteTeam {
					deletable[a.User+a.Team] = true
				}
			}

			// The faults stay; the writes are retried now, as reads are.
			e = newTestEngine(t, cfg, reader, true, fixed(faultState))
			converged := false
			for cycle := 2; cycle <= 6 && !converged; cycle++ {
				res, err := e.RunCycle(context.Background())
				t.Logf("cycle %d: %s %v", cycle, res.Outcome, outcomes(res))
				if err != nil {
					continue
				}
				converged = res.Outcome == OutcomeOK
				checkSkipsExplained(t, res)
			}
			if !converged {
				t.Fatal("no cycle found the account converged within 5 cycles after the first")
			}
			checkMatches(t, emu.sim, faultState())
			st := emu.sim.State()
			if users := viewOf(emu.sim).users; len(users) != len(st.Users) {
				t.Errorf("%d users but %d usernames: duplicates", len(st.Users), len(users))
			}
			if teams := viewOf(emu.sim).teams; len(teams) != len(st.Teams) {
				t.Errorf("%d teams but %d names: duplicates", len(st.Teams), len(teams))
			}
			after := viewOf(emu.sim)
			for name := range before.users {
				if _, ok := after.users[name]; !ok && !deletable[name] {
					t.Errorf("user %s was deleted, but the first plan did not delete it", name)
				}
			}
			for name := range before.teams {
				if _, ok := after.teams[name]; !ok && !deletable[name] {
					t.Errorf("team %s was deleted, but the first plan did not delete it", name)
				}
			}
		})
	}
}

// cancellingClient cancels the cycle when its n-th action begins (that
// action goes ahead), and counts the actions that begin after the cancel.
type cancellingClient struct {
	target.Target
	n         int32
	cancel    context.CancelFunc
	calls     atomic.Int32
	cancelled atomic.Bool
	late      atomic.Int32
}

func (c *cancellingClient) Apply(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	if c.cancelled.Load() {
		c.late.Add(1)
	}
	if c.calls.Add(1) == c.n {
		c.cancel()
		c.cancelled.Store(true)
	}
	return c.Target.Apply(ctx, a, ids)
}

// cancelState is the desired state of TestEngineCancel: twenty new users
// and two new teams of them.
func cancelState() model.Desired {
	d := model.Desired{Users: []model.User{{Username: "owner@example.com", FullName: model.Ptr("The Owner"), Role: model.Ptr(model.RoleOwner)}}}
	var a, b []model.Member
	for i := 1; i <= 20; i++ {
		name := fmt.Sprintf("c%02d@example.com", i)
		d.Users = append(d.Users, person(name, model.RoleUser))
		if i%2 == 0 {
			a = append(a, member(name, model.MemberRoleUser))
		} else {
			b = append(b, member(name, model.MemberRoleAdmin))
		}
	}
	d.Teams = []model.Team{team("even", a...), team("odd", b...)}
	return d
}

func TestEngineCancel(t *testing.T) {
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprintf("concurrency %d", workers), func(t *testing.T) {
			emu := newEmulator(t, &ogsim.Seed{Users: []ogsim.SeedUser{{Username: "owner@example.com", FullName: "The Owner", Role: "Owner"}}},
				ogsim.FaultOptions{Latency: 5 * time.Millisecond})
			cfg := e2eConfig(t, emu.url)
			cfg.Concurrency = workers
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			client := &cancellingClient{Target: newTestClient(t, cfg, false), n: 5, cancel: cancel}
			e := newTestEngine(t, cfg, client, true, fixed(cancelState))

			res, err := e.RunCycle(ctx)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cycle error %v, want context.Canceled", err)
			}
			if late := int(client.late.Load()); late > workers-1 {
				t.Errorf("%d writes began after the cancel; at most %d were already on their way", late, workers-1)
			}
			n := outcomes(res)
			// The write that cancelled and those in flight finished.
			if n[ActionApplied] < 5 || n[ActionApplied] > 5+workers-1 || n[ActionApplied] != int(client.calls.Load()) {
				t.Errorf("%d actions applied, %d writes begun; want the 5 begun before the cancel and up to %d in flight", n[ActionApplied], client.calls.Load(), workers-1)
			}
			for _, a := range res.Actions {
				if a.Outcome != ActionApplied && a.Outcome != ActionCancelled {
					t.Errorf("action %q is %s (%s), want cancelled", a.Action, a.Outcome, a.Error)
				}
			}
			if n[ActionApplied]+n[ActionCancelled] != 22 || res.Outcome != OutcomePartial {
				t.Errorf("outcome %s, actions %v; want partial with every action applied or cancelled", res.Outcome, n)
			}
			if users := len(viewOf(emu.sim).users); users != 1+n[ActionApplied] {
				t.Errorf("the account has %d users, want the owner and the %d applied", users, n[ActionApplied])
			}

			res, err = e.RunCycle(context.Background())
			if err != nil || res.Outcome != OutcomeChangesApplied {
				t.Fatalf("the next cycle: %s, %v", res.Outcome, err)
			}
			checkMatches(t, emu.sim, cancelState())
			checkConverged(t, e, emu.sim)
		})
	}
}

// auditSeed is the account of TestEngineOnCallAudit: six of ogsync's
// users who stay, and leavers in every situation.
func auditSeed() *ogsim.Seed {
	s := &ogsim.Seed{Users: []ogsim.SeedUser{{Username: "owner@example.com", FullName: "The Owner", Role: "Owner"}}}
	for i := 1; i <= 6; i++ {
		s.Users = append(s.Users, seedPerson(fmt.Sprintf("keep%d@example.com", i), model.RoleUser))
	}
	s.Users = append(s.Users,
		seedPerson("on-schedule@example.com", model.RoleUser),
		seedPerson("on-escalation@example.com", model.RoleUser),
		seedPerson("in-team@example.com", model.RoleUser),
		seedPerson("free@example.com", model.RoleUser),
		seedPerson("protected@example.com", model.RoleUser),
		ogsim.SeedUser{Username: "unowned@example.com", FullName: "Not Ours", Role: "User"},
	)
	s.Teams = []ogsim.SeedTeam{{Name: "ops", Description: "Team ops", NoDefaultResources: true, Members: []ogsim.SeedMember{
		{Username: "keep1@example.com", Role: "admin"}, {Username: "in-team@example.com", Role: "user"},
	}}}
	s.Schedules = []ogsim.SeedSchedule{{Name: "Primary", Timezone: "UTC", OwnerTeam: "ops", Rotations: []ogsim.SeedRotation{{
		Name: "weekly", Type: "weekly", StartDate: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
		Participants: []ogsim.SeedRecipient{{User: "keep1@example.com"}, {User: "on-schedule@example.com"}},
	}}}}
	s.Escalations = []ogsim.SeedEscalation{{Name: "Critical", OwnerTeam: "ops", Rules: []ogsim.SeedRule{
		{Recipient: ogsim.SeedRecipient{Schedule: "Primary"}},
		{Delay: 10, Recipient: ogsim.SeedRecipient{User: "on-escalation@example.com"}},
	}}}
	return s
}

func auditState() model.Desired {
	d := model.Desired{Users: []model.User{{Username: "owner@example.com", FullName: model.Ptr("The Owner"), Role: model.Ptr(model.RoleOwner)}}}
	for i := 1; i <= 6; i++ {
		d.Users = append(d.Users, person(fmt.Sprintf("keep%d@example.com", i), model.RoleUser))
	}
	d.Teams = []model.Team{team("ops", member("keep1@example.com", model.MemberRoleAdmin))}
	return d
}

func TestEngineOnCallAudit(t *testing.T) {
	emu := newEmulator(t, auditSeed(), ogsim.FaultOptions{})
	cfg := e2eConfig(t, emu.url)
	cfg.Planner.Safeguards.MaxDeletes = planner.MaxDeletes{Count: 10, Percent: 100}
	cfg.Planner.Scope.ProtectedUsers = []string{"Protected@example.com"}
	e := newTestEngine(t, cfg, newTestClient(t, cfg, false), true, fixed(auditState))
	before := viewOf(emu.sim)

	res, err := e.RunCycle(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ActionResult{}
	for _, a := range res.Actions {
		got[a.Action] = a
	}
	for _, tc := range []struct {
		action  string
		outcome ActionOutcome
		error   string
	}{
		{"delete user on-schedule@example.com", ActionBlocked, `on-call audit: still referenced by schedules "Primary"`},
		{"delete user on-escalation@example.com", ActionBlocked, `on-call audit: still referenced by escalations "Critical"`},
		{"remove in-team@example.com from team ops", ActionApplied, ""},
		{"delete user in-team@example.com", ActionApplied, ""},
		{"delete user free@example.com", ActionApplied, ""},
	} {
		a, ok := got[tc.action]
		if !ok {
			t.Errorf("no action %q in %v", tc.action, slices.Sorted(maps.Keys(got)))
			continue
		}
		if a.Outcome != tc.outcome || !strings.Contains(a.Error, tc.error) {
			t.Errorf("%s: %s %q, want %s %q", tc.action, a.Outcome, a.Error, tc.outcome, tc.error)
		}
	}
	if len(got) != 5 {
		t.Errorf("%d actions, want 5: %v", len(got), slices.Sorted(maps.Keys(got)))
	}
	if res.Outcome != OutcomeChangesApplied {
		t.Errorf("outcome %s, want %s (blocked deletes alone do not fail a cycle)", res.Outcome, OutcomeChangesApplied)
	}
	p := planOf(t, res)
	if !slices.ContainsFunc(p.Skipped, func(s planner.Skip) bool {
		return s.Type == planner.DeleteUser && s.User == "protected@example.com" && strings.Contains(s.Reason, "protected")
	}) {
		t.Errorf("the plan does not report the protected user's delete as skipped: %+v", p.Skipped)
	}

	after := viewOf(emu.sim)
	for _, name := range []string{"on-schedule@example.com", "on-escalation@example.com", "protected@example.com", "unowned@example.com"} {
		if fmt.Sprint(after.users[name]) != fmt.Sprint(before.users[name]) {
			t.Errorf("user %s changed:\n  before %+v\n  after  %+v", name, before.users[name], after.users[name])
		}
	}
	for _, name := range []string{"in-team@example.com", "free@example.com"} {
		if _, ok := after.users[name]; ok {
			t.Errorf("user %s was not deleted", name)
		}
	}

	res = checkConverged(t, e, emu.sim)
	var left []string
	for _, a := range res.Actions {
		left = append(left, a.Action)
	}
	if want := []string{"delete user on-escalation@example.com", "delete user on-schedule@example.com"}; !slices.Equal(left, want) || res.Outcome != OutcomeOK {
		t.Errorf("next cycle: %s with %q, want ok with only the blocked deletes %q", res.Outcome, left, want)
	}
}

func TestEngineSafeguards(t *testing.T) {
	// The account: the Owner and 40 of ogsync's users.
	seed := &ogsim.Seed{Users: []ogsim.SeedUser{{Username: "owner@example.com", FullName: "The Owner", Role: "Owner"}}}
	all := model.Desired{Users: []model.User{{Username: "owner@example.com", FullName: model.Ptr("The Owner"), Role: model.Ptr(model.RoleOwner)}}}
	for i := 1; i <= 40; i++ {
		name := fmt.Sprintf("s%02d@example.com", i)
		seed.Users = append(seed.Users, seedPerson(name, model.RoleUser))
		all.Users = append(all.Users, person(name, model.RoleUser))
	}
	// keep returns the desired state with the first n users, s01 promoted.
	keep := func(n int) func() model.Desired {
		return func() model.Desired {
			d := model.Desired{Users: slices.Clone(all.Users[:1+n])}
			d.Users[1].Role = model.Ptr(model.RoleAdmin)
			return d
		}
	}
	for _, tc := range []struct {
		name       string
		desired    func() model.Desired
		maxDeletes planner.MaxDeletes
		rule, msg  string
	}{
		{"gutted desired state", keep(2), planner.MaxDeletes{Count: 100, Percent: 100}, "max_shrink_percent",
			"the desired state declares 3 users in scope, 7.3% of the 41 the account has in scope; max_shrink_percent 50 needs at least 20.5"},
		{"deletion cap", keep(34), planner.MaxDeletes{Count: 5, Percent: 100}, "max_deletes.users",
			"would delete 6 users (14.6% of 41); limit is 5 and 100%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := newEmulator(t, seed, ogsim.FaultOptions{})
			cfg := e2eConfig(t, emu.url)
			cfg.Planner.Safeguards.MaxDeletes = tc.maxDeletes
			e := newTestEngine(t, cfg, newTestClient(t, cfg, false), true, fixed(tc.desired))
			before := emu.sim.State()

			res, err := e.RunCycle(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != OutcomeRefused {
				t.Errorf("outcome %s, want blocked", res.Outcome)
			}
			want := tc.rule + ": " + tc.msg
			if !slices.ContainsFunc(res.Violations, func(v string) bool { return strings.HasPrefix(v, want) }) {
				t.Errorf("violations %q lack %q", res.Violations, want)
			}
			if w := writes(emu.sim.Stats()); len(w) > 0 {
				t.Errorf("a refused plan wrote: %v", w)
			}
			if !equalState(before, emu.sim.State()) {
				t.Error("the account changed")
			}
			for _, a := range res.Actions {
				if a.Outcome != ActionBlocked {
					t.Errorf("action %q of a refused plan is %s", a.Action, a.Outcome)
				}
			}
		})
	}
}

func TestEngineCheck(t *testing.T) {
	emu := newEmulator(t, driftSeed(), ogsim.FaultOptions{})
	cfg := e2eConfig(t, emu.url)
	cfg.Planner.Safeguards.MaxDeletes.Percent = 50
	load, desired := driftDesired(t)
	reviewed, err := newTestEngine(t, cfg, newTestClient(t, cfg, true), false, load).Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	check := func(fresh *planner.Plan) error {
		checked++
		if d := planner.ComparePlans(reviewed, fresh); len(d) > 0 {
			return fmt.Errorf("the plan changed: %s", strings.Join(d, "; "))
		}
		return nil
	}
	writer := newTestClient(t, cfg, false)
	e := newTestEngine(t, cfg, writer, true, load, func(o *EngineOptions) { o.Check = check })

	// The account changes after the review: dave's full name drifts.
	users, err := writer.ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dave := users[slices.IndexFunc(users, func(u model.User) bool { return u.Username == "dave@example.com" })]
	if err := writer.UpdateUser(context.Background(), dave.ID, opsgenie.UserPatch{FullName: model.Ptr("Dave Changed")}); err != nil {
		t.Fatal(err)
	}
	before := emu.sim.State()
	emu.sim.ResetStats()
	res, err := e.RunCycle(context.Background())
	if err == nil || !strings.Contains(err.Error(), "update-user:dave@example.com: new in the fresh plan") {
		t.Errorf("cycle error %v, want the difference", err)
	}
	if res.Outcome != OutcomeFailed || checked != 1 {
		t.Errorf("outcome %s after %d checks, want failed after 1", res.Outcome, checked)
	}
	for _, a := range res.Actions {
		if a.Outcome != ActionSkipped || a.Error != "not applied: the plan failed its check" {
			t.Errorf("action %q: %s %q", a.Action, a.Outcome, a.Error)
		}
	}
	if w := writes(emu.sim.Stats()); len(w) > 0 || !equalState(before, emu.sim.State()) {
		t.Errorf("a plan that failed its check wrote %v", w)
	}

	// Back as reviewed: the check passes and the plan is applied.
	if err := writer.UpdateUser(context.Background(), dave.ID, opsgenie.UserPatch{FullName: dave.FullName}); err != nil {
		t.Fatal(err)
	}
	res, err = e.RunCycle(context.Background())
	if err != nil || res.Outcome != OutcomeChangesApplied || checked != 2 {
		t.Errorf("cycle as reviewed: %s, %v after %d checks", res.Outcome, err, checked)
	}
	checkMatches(t, emu.sim, desired, "eve@example.com")
}

// failingClient fails the updates of one user id, and records the order of
// the updates and deletes it passes on.
type failingClient struct {
	*opsgenie.Client
	failID string
	mu     sync.Mutex
	order  []string
}

func (c *failingClient) note(s string) {
	c.mu.Lock()
	c.order = append(c.order, s)
	c.mu.Unlock()
}

func (c *failingClient) Apply(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	switch a.Type {
	case planner.UpdateUser:
		if a.UserID == c.failID {
			return "", errors.New("injected failure")
		}
		c.note("update " + a.UserID)
	case planner.DeleteTeam:
		c.note("delete team " + a.TeamID)
	case planner.DeleteUser:
		c.note("delete user " + a.UserID)
	}
	return c.Client.Apply(ctx, a, ids)
}

// TestEngineOwnerHandover hands the Owner role from one user to another:
// the promotion runs before the demotion, and when the promotion fails the
// demotion is skipped, so the account never lacks an Owner.
func TestEngineOwnerHandover(t *testing.T) {
	seed := &ogsim.Seed{Users: []ogsim.SeedUser{
		{Username: "old@example.com", FullName: "Old Owner", Role: "Owner"},
		{Username: "new@example.com", FullName: "New Owner", Role: "Admin"},
	}}
	desired := fixed(func() model.Desired {
		return model.Desired{Users: []model.User{
			{Username: "old@example.com", Role: model.Ptr(model.RoleAdmin)},
			{Username: "new@example.com", Role: model.Ptr(model.RoleOwner)},
		}}
	})
	for _, tc := range []struct {
		name          string
		failPromotion bool
	}{{"promotion succeeds", false}, {"promotion fails", true}} {
		t.Run(tc.name, func(t *testing.T) {
			emu := newEmulator(t, seed, ogsim.FaultOptions{})
			cfg := e2eConfig(t, emu.url)
			ids := map[string]string{}
			for _, u := range emu.sim.State().Users {
				ids[u.Username] = u.ID
			}
			client := &failingClient{Client: newTestClient(t, cfg, false)}
			if tc.failPromotion {
				client.failID = ids["new@example.com"]
			}
			res, err := newTestEngine(t, cfg, client, true, desired).RunCycle(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			v := viewOf(emu.sim)
			got := map[string]ActionResult{}
			for _, a := range res.Actions {
				got[a.Action] = a
			}
			promotion, demotion := got["update user new@example.com"], got["update user old@example.com"]
			if !tc.failPromotion {
				if want := []string{"update " + ids["new@example.com"], "update " + ids["old@example.com"]}; !slices.Equal(client.order, want) {
					t.Errorf("writes %q, want the promotion first: %q", client.order, want)
				}
				if v.users["new@example.com"].Role != "Owner" || v.users["old@example.com"].Role != "Admin" || res.Outcome != OutcomeChangesApplied {
					t.Errorf("outcome %s, roles new %s old %s", res.Outcome, v.users["new@example.com"].Role, v.users["old@example.com"].Role)
				}
				return
			}
			if promotion.Outcome != ActionFailed || demotion.Outcome != ActionSkipped ||
				demotion.Error != `depends on "update user new@example.com", which was failed` || len(client.order) != 0 {
				t.Errorf("promotion %+v, demotion %+v, writes %q", promotion, demotion, client.order)
			}
			if v.users["old@example.com"].Role != "Owner" || res.Outcome != OutcomeFailed {
				t.Errorf("outcome %s, the old owner is %s", res.Outcome, v.users["old@example.com"].Role)
			}
		})
	}
}

// TestEngineAdoptDeletes deletes, in adopt mode, an undeclared team before
// its undeclared member: the member's delete depends on the team's.
func TestEngineAdoptDeletes(t *testing.T) {
	seed := &ogsim.Seed{
		Users: []ogsim.SeedUser{
			{Username: "owner@example.com", FullName: "The Owner", Role: "Owner"},
			{Username: "keep@example.com", FullName: "Keep", Role: "User"},
			{Username: "leaver@example.com", FullName: "Leaver", Role: "User"},
		},
		Teams: []ogsim.SeedTeam{{Name: "old", NoDefaultResources: true, Members: []ogsim.SeedMember{
			{Username: "keep@example.com"}, {Username: "leaver@example.com"},
		}}},
	}
	emu := newEmulator(t, seed, ogsim.FaultOptions{})
	cfg := e2eConfig(t, emu.url)
	cfg.Planner.Ownership.Mode = planner.OwnershipAdopt
	cfg.Planner.Safeguards.MaxDeletes = planner.MaxDeletes{Count: 10, Percent: 100}
	ids := map[string]string{}
	for _, u := range emu.sim.State().Users {
		ids[u.Username] = u.ID
	}
	oldTeam := emu.sim.State().Teams[0].ID
	client := &failingClient{Client: newTestClient(t, cfg, false)}
	desired := fixed(func() model.Desired {
		return model.Desired{Users: []model.User{
			{Username: "owner@example.com", Role: model.Ptr(model.RoleOwner)},
			{Username: "keep@example.com", Role: model.Ptr(model.RoleUser)},
		}}
	})
	e := newTestEngine(t, cfg, client, true, desired)
	res, err := e.RunCycle(context.Background())
	if err != nil || res.Outcome != OutcomeChangesApplied {
		t.Fatalf("outcome %s, %v: %+v", res.Outcome, err, res.Actions)
	}
	if want := []string{"delete team " + oldTeam, "delete user " + ids["leaver@example.com"]}; !slices.Equal(client.order, want) {
		t.Errorf("writes %q, want %q", client.order, want)
	}
	if a := planOf(t, res).Action("delete-user:leaver@example.com"); a == nil || !slices.Equal(a.DependsOn, []string{"delete-team:old"}) {
		t.Errorf("the leaver's delete: %+v", a)
	}
	checkMatches(t, emu.sim, model.Desired{Users: []model.User{{Username: "owner@example.com"}, {Username: "keep@example.com"}}})
	checkConverged(t, e, emu.sim)
}

// A team whose name differs from the YAML only in case is renamed, and the
// next cycle has nothing left to do.
func TestEngineRenamesTeamCase(t *testing.T) {
	seed := &ogsim.Seed{
		Users: []ogsim.SeedUser{seedPerson("owner@example.com", model.RoleOwner)},
		Teams: []ogsim.SeedTeam{{Name: "sre", Description: "SRE", Members: []ogsim.SeedMember{{Username: "owner@example.com", Role: "admin"}}}},
	}
	emu := newEmulator(t, seed, ogsim.FaultOptions{})
	cfg := e2eConfig(t, emu.url)
	desired := fixed(func() model.Desired {
		tm := team("SRE", member("owner@example.com", "admin"))
		tm.Description = model.Ptr("SRE")
		return model.Desired{Users: []model.User{person("owner@example.com", model.RoleOwner)}, Teams: []model.Team{tm}}
	})
	e := newTestEngine(t, cfg, newTestClient(t, cfg, false), true, desired)

	res, err := e.RunCycle(context.Background())
	if err != nil || res.Outcome != OutcomeChangesApplied {
		t.Fatalf("first cycle: %s, %v (%+v)", res.Outcome, err, res.Actions)
	}
	var names []string
	for _, tm := range emu.sim.State().Teams {
		names = append(names, tm.Name)
	}
	if strings.Join(names, ",") != "SRE" {
		t.Fatalf("teams after the rename = %v, want [SRE]", names)
	}
	checkConverged(t, e, emu.sim)
}

// A plan refused by a safeguard is not audited: its deletes can never run,
// so the cycle makes no on-call reads for them.
func TestEngineRefusedPlanIsNotAudited(t *testing.T) {
	seed := &ogsim.Seed{Users: []ogsim.SeedUser{seedPerson("owner@example.com", model.RoleOwner)}}
	for i := range 20 {
		seed.Users = append(seed.Users, seedPerson(fmt.Sprintf("leaver%02d@example.com", i), model.RoleUser))
	}
	emu := newEmulator(t, seed, ogsim.FaultOptions{})
	cfg := e2eConfig(t, emu.url)
	cfg.Planner.Safeguards.MaxShrinkPercent = 100 // let the deletion cap, not the shrink check, refuse it
	desired := fixed(func() model.Desired {
		return model.Desired{Users: []model.User{person("owner@example.com", model.RoleOwner)}}
	})
	e := newTestEngine(t, cfg, newTestClient(t, cfg, false), true, desired)

	res, err := e.RunCycle(context.Background())
	if err != nil || res.Outcome != OutcomeRefused {
		t.Fatalf("cycle: %s, %v; want blocked", res.Outcome, err)
	}
	st := emu.sim.Stats()
	for route, n := range st.ByRoute {
		if route != "GET /v2/users" && route != "GET /v2/teams" {
			t.Errorf("%d requests to %s; a refused plan needs only the account read", n, route)
		}
	}
	if p := planOf(t, res); p.Audited || p.Summary.DeleteUser != 20 {
		t.Errorf("plan audited=%v with %d user deletes; want not audited, 20", p.Audited, p.Summary.DeleteUser)
	}
}
