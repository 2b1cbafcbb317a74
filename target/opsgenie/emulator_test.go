package opsgenie

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogsync/ogsync/internal/testlog"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// emulator is an ogsim server on loopback with a client for it.
type emulator struct {
	sim    *ogsim.Server
	client *Client
	clock  *fakeClock
	logs   *testlog.Buffer
}

// startEmulator serves an ogsim account seeded with seed (see
// newSimAccount) to a client with 5 retries and the default timeout and
// transport; co may adjust the client's options.
func startEmulator(t testing.TB, seed *ogsim.Seed, so ogsim.Options, co func(*Options)) *emulator {
	t.Helper()
	env := setup(t, func(o *Options) {
		o.MaxRetries, o.Timeout, o.HTTPClient = 5, 0, nil
		if co != nil {
			co(o)
		}
	})
	so.Seed = seed
	acct := newSimAccount(t, env, so)
	return &emulator{sim: acct.sim, client: env.client, clock: env.clock, logs: env.logs}
}

// seedAccount builds a seed of users and teams; team i has the members
// i*perTeam … i*perTeam+perTeam-1 (mod users), the first as admin.
func seedAccount(users, teams, perTeam int) *ogsim.Seed {
	s := &ogsim.Seed{}
	for i := range users {
		s.Users = append(s.Users, ogsim.SeedUser{
			Username: fmt.Sprintf("user%05d@example.com", i),
			FullName: fmt.Sprintf("User %d", i),
			Role:     []string{"User", "Admin", "Observer"}[i%3],
			TimeZone: "Europe/Berlin",
			Locale:   "en_US",
			Tags:     []string{"t" + fmt.Sprint(i%4)},
		})
	}
	for i := range teams {
		t := ogsim.SeedTeam{Name: fmt.Sprintf("team-%04d", i), Description: "team " + fmt.Sprint(i), NoDefaultResources: true}
		for j := range perTeam {
			role := "user"
			if j == 0 {
				role = "admin"
			}
			t.Members = append(t.Members, ogsim.SeedMember{Username: fmt.Sprintf("user%05d@example.com", (i*perTeam+j)%users), Role: role})
		}
		s.Teams = append(s.Teams, t)
	}
	return s
}

func TestEmulatorReadAccount(t *testing.T) {
	e := startEmulator(t, seedAccount(1234, 40, 5), ogsim.Options{}, nil)
	users, err := e.client.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	teams, err := e.client.ListTeams(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1234 || len(teams) != 40 {
		t.Fatalf("read %d users and %d teams, want 1234 and 40", len(users), len(teams))
	}
	st := e.sim.Stats()
	if st.ByRoute["GET /v2/users"] != 13 {
		t.Errorf("list users calls = %d, want 13", st.ByRoute["GET /v2/users"])
	}
	if st.ByRoute["GET /v2/teams"] != 1 || st.Total != 14 {
		t.Errorf("emulator saw %v, want 13 user pages and 1 team list", st.ByRoute)
	}
	if mine := e.client.RequestStats(); mine.Total != 14 || mine.ByRoute["GET /v2/users"] != 13 {
		t.Errorf("client stats = %+v", mine)
	}

	// Compare with the emulator's own dump.
	state := e.sim.State()
	for i, su := range state.Users {
		u := users[i]
		if u.ID != su.ID || u.Username != su.Username || *u.FullName != su.FullName || *u.Role != su.Role ||
			*u.TimeZone != su.TimeZone || *u.Locale != su.Locale || strings.Join(*u.Tags, ",") != strings.Join(su.Tags, ",") {
			t.Fatalf("user %d = %+v, emulator has %+v", i, u, su)
		}
	}
	for i, st := range state.Teams {
		tm := teams[i]
		if tm.ID != st.ID || tm.Name != st.Name || *tm.Description != st.Description || len(*tm.Members) != len(st.Members) {
			t.Fatalf("team %d = %+v, emulator has %+v", i, tm, st)
		}
		want := map[string]string{}
		for _, m := range st.Members {
			want[m.UserID] = m.Username + "/" + m.Role
		}
		for _, m := range *tm.Members {
			if want[m.UserID] != m.Username+"/"+m.Role {
				t.Errorf("team %s member %+v, emulator has %q", tm.Name, m, want[m.UserID])
			}
		}
	}
}

func TestEmulatorCurrent(t *testing.T) {
	seed := seedAccount(5, 2, 2)
	seed.CustomRoles = []ogsim.SeedRole{{Name: "Responder"}, {Name: "Auditor", ExtendedRole: "observer"}}
	seed.Users[0].Role = "Responder"
	e := startEmulator(t, seed, ogsim.Options{}, nil)
	cur, err := e.client.Read(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cur.CustomRoles, ",") != "Auditor,Responder" {
		t.Errorf("custom roles = %v", cur.CustomRoles)
	}
	if *cur.Users[0].Role != "Responder" || len(cur.Teams) != 2 {
		t.Errorf("current = %+v", cur)
	}
	if e.sim.Stats().Total != 3 {
		t.Errorf("requests = %d, want 3 (users, teams, roles)", e.sim.Stats().Total)
	}
}

func TestEmulatorWrites(t *testing.T) {
	e := startEmulator(t, seedAccount(3, 0, 0), ogsim.Options{}, nil)
	ctx := t.Context()
	c := e.client

	alice, err := c.CreateUser(ctx, model.User{Username: "Alice@Example.com", FullName: model.Ptr("Alice"), Role: model.Ptr("admin"), Tags: &[]string{"sre"}, Details: &map[string][]string{"costCenter": {"42"}}})
	if err != nil {
		t.Fatal(err)
	}
	if alice.ID == "" || alice.Existed {
		t.Fatalf("create = %+v", alice)
	}
	again, err := c.CreateUser(ctx, model.User{Username: "alice@example.com"})
	if err != nil || !again.Existed || again.ID != alice.ID {
		t.Fatalf("second create = %+v, %v; want the existing user", again, err)
	}
	if err := c.UpdateUser(ctx, alice.ID, UserPatch{FullName: model.Ptr("Alice Example"), Tags: &[]string{}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetUser(ctx, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if *got.FullName != "Alice Example" || len(*got.Tags) != 0 || *got.Role != "Admin" || (*got.Details)["costCenter"][0] != "42" {
		t.Errorf("user after update = %+v", got)
	}

	team, err := c.CreateTeam(ctx, model.Team{Name: "sre", Description: model.Ptr("SRE"), Members: &[]model.Member{
		{Username: "alice@example.com", Role: "admin"}, {Username: "user00000@example.com", Role: "user"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddMember(ctx, team.ID, model.Member{Username: "user00001@example.com"}); err != nil {
		t.Fatal(err)
	}
	tm, err := c.GetTeam(ctx, "sre", ByName)
	if err != nil {
		t.Fatal(err)
	}
	if len(*tm.Members) != 3 || (*tm.Members)[0].Username != "alice@example.com" || (*tm.Members)[0].Role != "admin" {
		t.Errorf("team = %+v", *tm.Members)
	}
	if err := c.RemoveMember(ctx, team.ID, "user00001@example.com"); err != nil {
		t.Fatal(err)
	}
	cur, err := c.Read(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := c.Audit(ctx, []string{alice.ID}, nil, cur)
	if err != nil {
		t.Fatal(err)
	}
	if r := refs.Users[alice.ID]; len(r.Teams) != 1 || r.Teams[0].Name != "sre" {
		t.Errorf("audit = %+v", r)
	}
	if err := c.UpdateTeam(ctx, team.ID, TeamPatch{Description: model.Ptr("Site reliability")}); err != nil {
		t.Fatal(err)
	}
	tm, err = c.GetTeam(ctx, team.ID, ByID)
	if err != nil {
		t.Fatal(err)
	}
	if len(*tm.Members) != 2 || *tm.Description != "Site reliability" {
		t.Errorf("team after a PATCH of its description = %+v", tm)
	}
	if err := c.DeleteTeam(ctx, team.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteUser(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUser(ctx, alice.ID); !IsNotFound(err) {
		t.Errorf("get after delete: %v, want 404", err)
	}
	if err := c.DeleteTeam(ctx, team.ID); !IsNotFound(err) {
		t.Errorf("second delete: %v, want 404", err)
	}
}

func TestEmulatorReferencedDelete(t *testing.T) {
	seed := seedAccount(2, 1, 1)
	seed.Schedules = []ogsim.SeedSchedule{{Name: "primary", Rotations: []ogsim.SeedRotation{{
		Name: "r1", Type: "weekly", StartDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Participants: []ogsim.SeedRecipient{{User: "user00000@example.com"}},
	}}}}
	seed.Escalations = []ogsim.SeedEscalation{{Name: "esc", Rules: []ogsim.SeedRule{{Delay: 5, Recipient: ogsim.SeedRecipient{User: "user00000@example.com"}}}}}
	e := startEmulator(t, seed, ogsim.Options{}, nil)
	ctx := t.Context()
	u, err := e.client.GetUser(ctx, "user00000@example.com")
	if err != nil {
		t.Fatal(err)
	}
	cur, err := e.client.Read(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.sim.ResetStats()
	refs, err := e.client.Audit(ctx, []string{u.ID}, nil, cur)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.sim.Stats().Total; n != 2 {
		t.Errorf("the audit sent %d requests, want 2 (schedules and escalations, once)", n)
	}
	r := refs.Users[u.ID]
	if len(r.Schedules) != 1 || r.Schedules[0].Name != "primary" || len(r.Escalations) != 1 || r.Escalations[0].Name != "esc" || len(r.Teams) != 1 {
		t.Errorf("audit = %+v", r)
	}
	err = e.client.DeleteUser(ctx, u.ID)
	if !IsReferenced(err) && !IsConflict(err) && !IsValidation(err) {
		t.Fatalf("delete of a referenced user: %v, want a refusal", err)
	}
	scheds, err := e.client.ListSchedules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(scheds) != 1 || len(scheds[0].Rotations) != 1 || scheds[0].Rotations[0].Participants[0].ID != u.ID {
		t.Errorf("schedules = %+v", scheds)
	}
	escs, err := e.client.ListEscalations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(escs) != 1 || escs[0].Rules[0].Recipient.ID != u.ID || escs[0].Rules[0].Delay.TimeAmount != 5 {
		t.Errorf("escalations = %+v", escs)
	}
}

// TestEmulatorFaults runs writes and reads through injected 5xx and dropped
// connections that happen after the request took effect: nothing may be
// created twice, and every read must succeed.
func TestEmulatorFaults(t *testing.T) {
	for _, after := range []bool{false, true} {
		t.Run(fmt.Sprintf("after effect %v", after), func(t *testing.T) {
			e := startEmulator(t, seedAccount(250, 0, 0), ogsim.Options{
				Faults: ogsim.FaultOptions{Seed: 7, ErrorRate: 0.15, DropRate: 0.15, AfterEffect: after},
			}, func(o *Options) {
				o.MaxRetries = 12
				o.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			})
			ctx := t.Context()
			for i := range 30 {
				if _, err := e.client.CreateUser(ctx, model.User{Username: fmt.Sprintf("new%02d@example.com", i), FullName: model.Ptr("New")}); err != nil {
					t.Fatalf("create %d: %v", i, err)
				}
			}
			team, err := e.client.CreateTeam(ctx, model.Team{Name: "ops"})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 10 {
				if _, err := e.client.AddMember(ctx, team.ID, model.Member{Username: fmt.Sprintf("new%02d@example.com", i)}); err != nil {
					t.Fatalf("add member %d: %v", i, err)
				}
			}
			users, err := e.client.ListUsers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(users) != 280 {
				t.Errorf("users = %d, want 280", len(users))
			}
			state := e.sim.State()
			seen := map[string]int{}
			for _, u := range state.Users {
				seen[u.Username]++
			}
			for name, n := range seen {
				if n > 1 {
					t.Errorf("%s exists %d times", name, n)
				}
			}
			teams := 0
			for _, tm := range state.Teams {
				if tm.Name == "ops" {
					teams++
					if len(tm.Members) != 10 {
						t.Errorf("ops has %d members, want 10", len(tm.Members))
					}
				}
			}
			if teams != 1 {
				t.Errorf("%d teams named ops, want 1", teams)
			}
			if st := e.client.RequestStats(); st.Retries == 0 {
				t.Error("no retries: the faults did not fire")
			}
		})
	}
}

// TestEmulatorRateLimit: below the server's limit the client never sees a
// 429; above it, it recovers and slows down.
func TestEmulatorRateLimit(t *testing.T) {
	tests := []struct {
		name      string
		server    ogsim.Bucket
		client    Rate
		start     float64 // the adaptive start; 0: the ceiling
		throttled func(n int) bool
	}{
		{"client below the per-second limit", ogsim.Bucket{PerSecond: 10}, Rate{PerSecond: 8, Burst: 8}, 0, func(n int) bool { return n == 0 }},
		{"client below the per-minute limit", ogsim.Bucket{PerSecond: 10, PerMinute: 120}, Rate{PerSecond: 1.9, Burst: 10}, 0, func(n int) bool { return n == 0 }},
		// An unlimited client cannot be slowed by halving; it waits out each
		// window: about one 429 per 11 requests.
		{"unlimited client against the per-second limit", ogsim.Bucket{PerSecond: 10}, Rate{}, 0, func(n int) bool { return n > 0 && n <= 20 }},
		{"client over the per-minute limit", ogsim.Bucket{PerSecond: 10, PerMinute: 60}, Rate{PerSecond: 5, Burst: 5}, 0, func(n int) bool { return n > 0 && n <= 5 }},
		// The defaults against a 10/s account: the rate climbs from 10/s,
		// is halved at the first 429 and saws below the limit: a few 429s
		// for 200 requests, never one per request.
		{"adaptive defaults against the per-second limit", ogsim.Bucket{PerSecond: 10}, Rate{PerSecond: DefaultCeiling, Burst: DefaultBurst}, DefaultStartConfiguration, func(n int) bool { return n > 0 && n <= 6 }},
		// ... and a per-minute limit of 120: the 429s of the minute window
		// hold the domain 60 s each; the halvings keep them few.
		{"adaptive defaults against a per-minute limit", ogsim.Bucket{PerSecond: 10, PerMinute: 120}, Rate{PerSecond: DefaultCeiling, Burst: DefaultBurst}, DefaultStartConfiguration, func(n int) bool { return n > 0 && n <= 5 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := startEmulator(t, seedAccount(20, 0, 0), ogsim.Options{
				RateLimit: ogsim.RateLimitOptions{Configuration: tc.server, Search: tc.server},
			}, func(o *Options) {
				o.Rate = tc.client
				o.MaxRetries = 8
				if tc.start > 0 {
					o.Start = map[string]float64{DomainConfiguration: tc.start}
				}
			})
			// Sequential: the fake clock is exact for one caller (concurrent
			// sleepers would each advance it by their own wait).
			for i := range 200 {
				if _, err := e.client.GetUser(t.Context(), fmt.Sprintf("user%05d@example.com", i%20)); err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
			}
			n := e.sim.Stats().Throttled
			t.Logf("429s: %d; fake time spent: %v; rate at the end: %v", n, e.clock.Elapsed(), e.client.config.current())
			if !tc.throttled(n) {
				t.Errorf("429s = %d (client saw %d), not as expected; waited %v", n, e.client.RequestStats().Throttled, e.clock.Elapsed())
			}
		})
	}
}

func TestEmulatorLatency(t *testing.T) {
	tests := []struct {
		name     string
		latency  time.Duration
		timeout  time.Duration
		ctx      time.Duration // caller's deadline; 0 for none
		attempts int
		want     func(error) bool
	}{
		{"slow but within the timeout", 30 * time.Millisecond, time.Second, 0, 1, func(err error) bool { return err == nil }},
		{"slower than the timeout: retried, then a timeout error", 2 * time.Second, 40 * time.Millisecond, 0, 3, func(err error) bool {
			var te *TransportError
			return errors.As(err, &te) && te.Timeout
		}},
		{"caller's deadline ends the wait at once", 5 * time.Second, 30 * time.Second, 100 * time.Millisecond, 1, func(err error) bool {
			return errors.Is(err, context.DeadlineExceeded)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := startEmulator(t, seedAccount(1, 0, 0), ogsim.Options{Faults: ogsim.FaultOptions{Latency: tc.latency}}, func(o *Options) {
				o.Sleep = sleepCtx // real waits: the emulator's latency is real
				o.Now = time.Now
				o.Jitter = func(time.Duration) time.Duration { return time.Millisecond }
				o.Timeout = tc.timeout
				o.MaxRetries = 2
			})
			ctx := t.Context()
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			start := time.Now()
			_, err := e.client.ListUsers(ctx)
			if !tc.want(err) {
				t.Fatalf("err = %v", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("the call took %v", d)
			}
			if got := e.client.RequestStats().Total; got != tc.attempts {
				t.Errorf("attempts = %d, want %d", got, tc.attempts)
			}
		})
	}
}

func TestEmulatorWrongKey(t *testing.T) {
	e := startEmulator(t, nil, ogsim.Options{}, nil)
	c, err := New(Options{BaseURL: e.client.base, APIKey: "11111111-2222-4333-8444-555555555555"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListUsers(t.Context())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		t.Fatalf("err = %v, want 401", err)
	}
	if strings.Contains(err.Error(), "11111111-2222-4333-8444-555555555555") {
		t.Error("the error carries the key")
	}
}

func TestEmulatorChangeMemberRole(t *testing.T) {
	e := startEmulator(t, seedAccount(10, 1, 3), ogsim.Options{}, nil)
	ctx := t.Context()
	tm, err := e.client.GetTeam(ctx, "team-0000", ByName)
	if err != nil {
		t.Fatal(err)
	}
	// user00001 is a plain member: make it admin, by username.
	e.sim.ResetStats()
	note, err := e.client.ChangeMemberRole(ctx, tm.ID, model.Member{Username: "USER00001@example.com", Role: "admin"})
	if err != nil || note != NoteReAdded {
		t.Fatalf("note %q, err %v", note, err)
	}
	if st := e.sim.Stats(); st.Total != 2 || st.ByRoute["POST /v2/teams/{identifier}/members"] != 1 || st.ByRoute["GET /v2/teams/{identifier}"] != 1 {
		t.Errorf("a role change sent %v, want one re-add and one read", st.ByRoute)
	}
	// A user who is no member is added with the role: the plan wants them there.
	if _, err := e.client.ChangeMemberRole(ctx, tm.ID, model.Member{Username: "user00009@example.com", Role: "admin"}); err != nil {
		t.Errorf("err = %v", err)
	}
	if _, err := e.client.ChangeMemberRole(ctx, tm.ID, model.Member{Username: "user00001@example.com", Role: "owner"}); err == nil {
		t.Error("a bad member role was accepted")
	}
	if err := e.client.RemoveMember(ctx, tm.ID, "user00009@example.com"); err != nil {
		t.Fatal(err)
	}

	// Concurrent membership writes to one team lose nothing: role changes
	// race with adds.
	var wg sync.WaitGroup
	for i := 3; i < 9; i++ {
		wg.Go(func() {
			if _, err := e.client.AddMember(ctx, tm.ID, model.Member{Username: fmt.Sprintf("user%05d@example.com", i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		if _, err := e.client.ChangeMemberRole(ctx, tm.ID, model.Member{Username: "user00002@example.com", Role: "admin"}); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() {
		if _, err := e.client.ChangeMemberRole(ctx, tm.ID, model.Member{Username: "user00000@example.com", Role: "user"}); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	got, err := e.client.GetTeam(ctx, tm.ID, ByID)
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, m := range *got.Members {
		roles = append(roles, strings.TrimSuffix(m.Username, "@example.com")+"/"+m.Role)
	}
	want := "user00000/user user00001/admin user00002/admin user00003/user user00004/user user00005/user user00006/user user00007/user user00008/user"
	if strings.Join(roles, " ") != want {
		t.Errorf("members = %v\nwant      %s", roles, want)
	}
}
