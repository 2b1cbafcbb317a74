package atlassian

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target"
	"github.com/ogsync/ogsync/target/atlassian/atlsim"
)

const smallSeed = `
users:
  - {email: ada@example.com, displayName: Ada, access: {jira-servicedesk: user}}
  - {email: bob@example.com, displayName: Bob, access: {jira-servicedesk: admin}}
  - {email: cy@example.com, displayName: Cy, access: {jira-servicedesk: user}, status: suspended}
teams:
  - {displayName: Ops, description: on call, members: [ada@example.com], operations: true}
`

const routeEnable = "/jsm/ops/api/{cloudId}/v1/teams/{teamId}/enable-ops"

func createTeamAction(name string, members ...model.Member) *planner.Action {
	ms := members
	return &planner.Action{ID: "create-team:" + name, Type: planner.CreateTeam, Team: name,
		After: &planner.Snapshot{Team: &model.Team{Name: name, Description: model.Ptr("d"), Members: &ms}}}
}

// TestCreateTeamEventualConsistency: enable-ops answers 404 (or 422) while
// the new team is invisible to Ops, and the request stays IN_PROGRESS for
// a few polls; the create retries both and succeeds; the auto-added caller
// is removed; the declared admin becomes the ops admin.
func TestCreateTeamEventualConsistency(t *testing.T) {
	for _, status := range []int{404, 422} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			e := newEnv(t, smallSeed, atlsim.Options{Behavior: atlsim.Behavior{OpsInvisibleCalls: 3, OpsInvisibleStatus: status, EnablePendingPolls: 2}}, nil)
			ctx := context.Background()
			if _, err := e.tg.Read(ctx, &model.Desired{}); err != nil {
				t.Fatal(err)
			}
			ids := &target.IDs{}
			a := createTeamAction("New", model.Member{Username: "ada@example.com", Role: model.MemberRoleAdmin}, model.Member{Username: "bob@example.com", Role: model.MemberRoleUser})
			if _, err := e.tg.Apply(ctx, a, ids); err != nil {
				t.Fatal(err)
			}
			if got := e.countRoute("POST", routeEnable); got != 4 {
				t.Errorf("enable-ops sent %d times, want 4 (3 invisible + 1)", got)
			}
			if got := e.countRoute("GET", "/jsm/ops/api/{cloudId}/v1/teams/{teamId}/requests/{requestId}"); got != 3 {
				t.Errorf("request polled %d times, want 3", got)
			}
			id := ids.Team("new")
			found := false
			for _, tm := range e.srv.State().Teams {
				if tm.TeamID != id {
					continue
				}
				found = true
				if len(tm.Members) != 2 || !tm.Operations || len(tm.OpsAdmins) != 1 {
					t.Errorf("team = %+v, want 2 members (the caller removed), operations on, 1 admin", tm)
				}
				if !HasTeamMarker(tm.Description) {
					t.Errorf("description %q lacks the marker", tm.Description)
				}
			}
			if !found {
				t.Errorf("no team with the recorded id %q", id)
			}
		})
	}
}

// TestCreateTeamFailureDeletes: enable-ops never succeeds (the request
// FAILS): the half-made team is deleted and the error says so.
func TestCreateTeamFailureDeletes(t *testing.T) {
	e := newEnv(t, smallSeed, atlsim.Options{Behavior: atlsim.Behavior{EnableFails: true}}, nil)
	if _, err := e.tg.Read(context.Background(), &model.Desired{}); err != nil {
		t.Fatal(err)
	}
	_, err := e.tg.Apply(context.Background(), createTeamAction("Bad", model.Member{Username: "ada@example.com"}), &target.IDs{})
	if err == nil || !strings.Contains(err.Error(), "deleted again") {
		t.Fatalf("err = %v, want the half-made team deleted", err)
	}
	for _, tm := range e.srv.State().Teams {
		if tm.DisplayName == "Bad" && !tm.Deleted {
			t.Error("the half-made team is still there")
		}
	}
}

// TestCreateTeamBatches: 120 members are added in batches of at most 50.
func TestCreateTeamBatches(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("users:\n")
	var ms []model.Member
	for i := range 120 {
		fmt.Fprintf(&sb, "  - {email: u%03d@example.com, access: {jira-servicedesk: user}}\n", i)
		ms = append(ms, model.Member{Username: fmt.Sprintf("u%03d@example.com", i), Role: model.MemberRoleUser})
	}
	e := newEnv(t, sb.String(), atlsim.Options{}, nil)
	if _, err := e.tg.Read(context.Background(), &model.Desired{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tg.Apply(context.Background(), createTeamAction("Big", ms...), &target.IDs{}); err != nil {
		t.Fatal(err)
	}
	if got := e.countRoute("POST", "/gateway/api/public/teams/v1/org/{orgId}/teams/{teamId}/members/add"); got != 3 {
		t.Errorf("%d add calls, want 3 (50+50+20)", got)
	}
	// The members read pages by 50 too: 120 members = 3 pages.
	e.srv.ResetStats()
	cur, err := e.tg.Read(context.Background(), &model.Desired{Teams: []model.Team{{Name: "Big", Members: &ms}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.countRoute("POST", "/gateway/api/public/teams/v1/org/{orgId}/teams/{teamId}/members"); got != 3 {
		t.Errorf("%d member pages, want 3", got)
	}
	if n := len(*cur.Teams[0].Members); n != 120 {
		t.Errorf("%d members read, want 120", n)
	}
}

// TestMemberBatchErrors: a per-member error in a 200 answer fails the
// action (a suspended account cannot join); ALREADY_MEMBER and
// NOT_A_MEMBER mean done.
func TestMemberBatchErrors(t *testing.T) {
	e := newEnv(t, smallSeed, atlsim.Options{}, nil)
	ctx := context.Background()
	cur, err := e.tg.Read(ctx, &model.Desired{})
	if err != nil {
		t.Fatal(err)
	}
	ops := cur.Teams[0].ID
	id := func(u string) string {
		for _, c := range cur.Users {
			if c.Username == u {
				return c.ID
			}
		}
		t.Fatalf("no %s", u)
		return ""
	}
	add := func(u string) error {
		_, err := e.tg.Apply(ctx, &planner.Action{ID: "add", Type: planner.AddMember, Team: "Ops", TeamID: ops, User: u, UserID: id(u)}, &target.IDs{})
		return err
	}
	if err := add("cy@example.com"); err == nil || !strings.Contains(err.Error(), "USER_INACTIVE") {
		t.Errorf("adding a suspended account: err = %v, want USER_INACTIVE", err)
	}
	if err := add("ada@example.com"); err != nil {
		t.Errorf("adding a member again: %v, want done", err)
	}
	rm := &planner.Action{ID: "rm", Type: planner.RemoveMember, Team: "Ops", TeamID: ops, User: "bob@example.com", UserID: id("bob@example.com")}
	if _, err := e.tg.Apply(ctx, rm, &target.IDs{}); err != nil {
		t.Errorf("removing a non-member: %v, want done", err)
	}
}

// TestDeleteTeamGone: a second delete meets 410 and counts as done; a
// change-member-role is refused before any request.
func TestDeleteTeamGone(t *testing.T) {
	e := newEnv(t, smallSeed, atlsim.Options{}, nil)
	ctx := context.Background()
	cur, err := e.tg.Read(ctx, &model.Desired{})
	if err != nil {
		t.Fatal(err)
	}
	del := &planner.Action{ID: "del", Type: planner.DeleteTeam, Team: "Ops", TeamID: cur.Teams[0].ID}
	for i, want := range []string{"deleted", "already deleted"} {
		note, err := e.tg.Apply(ctx, del, &target.IDs{})
		if err != nil || !strings.HasPrefix(note, want) {
			t.Errorf("delete %d: note %q, err %v; want %q", i+1, note, err, want)
		}
	}
	before := e.srv.Stats().Total
	_, err = e.tg.Apply(ctx, &planner.Action{ID: "role", Type: planner.ChangeMemberRole, Team: "Ops", TeamID: cur.Teams[0].ID, User: "ada@example.com"}, &target.IDs{})
	if err == nil || e.srv.Stats().Total != before {
		t.Errorf("change-member-role: err %v, %d requests; want an error and none", err, e.srv.Stats().Total-before)
	}
}

// TestRateLimited: with one request a second per API on the emulator's
// (fake) clock, 429s are waited out as Retry-After says and retried; the
// read completes and the throttled answers are counted.
func TestRateLimited(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	one := atlsim.Bucket{PerSecond: 1}
	e := newEnv(t, smallSeed, atlsim.Options{Clock: clock.Now, RateLimit: atlsim.RateLimitOptions{Admin: one, Teams: one, Jira: one, Ops: one}},
		func(o *Options) { o.Now, o.Sleep = clock.Now, clock.Sleep })
	ctx := context.Background()
	for range 3 {
		cur, err := e.tg.Read(ctx, &model.Desired{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cur.Users) < 3 { // the three (and the caller, once it has signed in)
			t.Errorf("%d users, want at least 3", len(cur.Users))
		}
	}
	if e.srv.Stats().Throttled == 0 {
		t.Fatal("no 429 met: the test does not test")
	}
	if got, want := e.tg.Stats().Throttled, e.srv.Stats().Throttled; got != want {
		t.Errorf("Throttled = %d, the emulator refused %d", got, want)
	}
}

// fakeClock is a clock that Sleep advances.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return ctx.Err()
}

// TestRetryAfter: a 429 with Retry-After: 7 makes the Target wait 7 s, then it succeeds.
func TestRetryAfter(t *testing.T) {
	var n atomic.Int32
	e := newEnv(t, smallSeed, atlsim.Options{}, nil)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		e.srv.ServeHTTP(w, r)
	})
	ts := httptest.NewServer(h)
	defer ts.Close()
	tg := e.retarget(t, ts.URL, nil)
	if _, err := tg.Read(context.Background(), &model.Desired{}); err != nil {
		t.Fatal(err)
	}
	if e.waits.count() == 0 || e.waits.d[0].Seconds() != 7 {
		t.Errorf("waits = %v, want 7s first", e.waits.d)
	}
	if tg.Stats().Throttled != 1 {
		t.Errorf("Throttled = %d, want 1", tg.Stats().Throttled)
	}
}

// retarget returns a Target like e's on another URL.
func (e *env) retarget(t *testing.T, u string, mod func(*Options)) *Target {
	t.Helper()
	o := e.tg.opts
	o.BaseURL = u
	if mod != nil {
		mod(&o)
	}
	tg, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// TestFaultsConverge: with 5xx and dropped connections, some after the
// write took effect, the demo still converges (retries where safe, a
// create looked up before it is re-sent), within a bounded number of cycles.
func TestFaultsConverge(t *testing.T) {
	e := demoEnv(t, atlsim.Options{Faults: atlsim.FaultOptions{Seed: 7, ErrorRate: 0.1, DropRate: 0.05, AfterEffect: true}}, func(o *Options) { o.MaxRetries = 8 })
	desired := loadDesired(t)
	ctx := context.Background()
	converged := false
	for cycle := 0; cycle < 8 && !converged; cycle++ {
		cur, err := e.tg.Read(ctx, desired)
		if err != nil {
			continue
		}
		opts := syncOptions()
		caps := e.tg.Capabilities()
		opts.Capabilities = &caps
		p, err := planner.Compute(*desired, *cur, opts)
		if err != nil {
			t.Fatal(err)
		}
		u, tm := p.AuditCandidates()
		facts, err := e.tg.Audit(ctx, u, tm, cur)
		if err != nil {
			continue
		}
		p.Audit(facts)
		rest := p.Runnable()
		if len(rest) == 0 {
			converged = true
			break
		}
		ids := &target.IDs{}
		for _, a := range rest {
			if _, err := e.tg.Apply(ctx, a, ids); err != nil {
				noSecret(t, "error", err.Error())
			}
		}
	}
	if !converged {
		t.Fatal("did not converge under faults in 8 cycles")
	}
	if !strings.Contains(e.logs.String(), "retrying") {
		t.Error("no fault was met: the test does not test")
	}
	invites := 0
	for _, m := range e.srv.Journal() {
		if m.Op == atlsim.OpCreateUser && m.Source == atlsim.SourceAPI {
			invites++
		}
	}
	if invites != 1 {
		t.Errorf("%d accounts created, want 1 (noah.brown), never twice", invites)
	}
}

// TestReadOnly: every write is refused before it is sent; reads (the
// members read is a POST) still work.
func TestReadOnly(t *testing.T) {
	e := newEnv(t, smallSeed, atlsim.Options{}, func(o *Options) { o.ReadOnly = true })
	ctx := context.Background()
	desired := &model.Desired{Teams: []model.Team{{Name: "Ops", Members: &[]model.Member{}}}}
	cur, err := e.tg.Read(ctx, desired)
	if err != nil {
		t.Fatal(err)
	}
	before := e.srv.Stats().Total
	for _, a := range []*planner.Action{
		createTeamAction("X"),
		{ID: "u", Type: planner.CreateUser, User: "new@example.com", After: &planner.Snapshot{User: &model.User{Username: "new@example.com", Role: model.Ptr("User")}}},
		{ID: "d", Type: planner.DeleteTeam, Team: "Ops", TeamID: cur.Teams[0].ID},
		{ID: "r", Type: planner.RemoveMember, Team: "Ops", TeamID: cur.Teams[0].ID, User: "ada@example.com", UserID: cur.Users[0].ID},
		{ID: "du", Type: planner.DeleteUser, User: "ada@example.com", UserID: cur.Users[0].ID},
	} {
		if _, err := e.tg.Apply(ctx, a, &target.IDs{}); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: err = %v, want ErrReadOnly", a.ID, err)
		}
	}
	if got := e.srv.Stats().Total - before; got != 0 {
		t.Errorf("%d requests sent in read-only mode", got)
	}
	if len(e.srv.Journal()) != 1 { // the caller's account, created on first use
		t.Errorf("journal = %+v, want only the caller's first-use account", e.srv.Journal())
	}
}

// TestSecretsRedacted: a server that echoes the credentials, in any case,
// in error bodies and headers never gets them into an error or a log line.
func TestSecretsRedacted(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", strings.ToUpper(testToken[4:16]))
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"code":"BAD_%s","message":"token %s key %s auth %s","requestId":"%s"}`,
			testKey[2:12], strings.ToLower(testToken), strings.ToUpper(testKey), r.Header.Get("Authorization"), testToken[10:20])
	}))
	defer ts.Close()
	e := newEnv(t, "", atlsim.Options{}, nil)
	tg := e.retarget(t, ts.URL, func(o *Options) { o.OrgAPIKey = testKey })
	_, err := tg.Read(context.Background(), &model.Desired{})
	if err == nil {
		t.Fatal("no error")
	}
	noSecret(t, "error", err.Error())
	noSecret(t, "logs", e.logs.String())
	// A non-JSON body is redacted too, before it is truncated.
	ts2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, strings.Repeat("x", 505)+testKey)
	}))
	defer ts2.Close()
	tg2 := e.retarget(t, ts2.URL, func(o *Options) { o.OrgAPIKey = testKey })
	if _, err := tg2.Read(context.Background(), &model.Desired{}); err == nil {
		t.Fatal("no error")
	} else {
		noSecret(t, "error", err.Error())
		if strings.Contains(err.Error(), testKey[:7]) {
			t.Errorf("the body was cut before it was redacted: %q", err)
		}
	}
	// Ids and names in a malformed answer are server text too.
	ts3 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"data":[{"accountId":"%s","email":"a@x.com","productAccess":[]},{"accountId":"%s","email":"b@x.com","productAccess":[]}],"links":{}}`, testKey, testKey)
	}))
	defer ts3.Close()
	_, err = e.retarget(t, ts3.URL, func(o *Options) { o.OrgAPIKey = testKey }).Read(context.Background(), &model.Desired{})
	var me *MalformedError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a MalformedError", err)
	}
	noSecret(t, "error", err.Error())
	// A transport error names the route, not the URL with its ids.
	dead := e.retarget(t, "http://127.0.0.1:1", func(o *Options) { o.MaxRetries = -1 })
	_, err = dead.Apply(context.Background(), &planner.Action{ID: "x", Type: planner.DeleteTeam, Team: "T", TeamID: "team-id-1234"}, &target.IDs{})
	if err == nil || strings.Contains(err.Error(), "team-id-1234") || !strings.Contains(err.Error(), "/teams/{teamId}") {
		t.Errorf("transport error %q: want the route and no id", err)
	}
}

// TestNewValidates: missing or malformed options are refused, naming
// them and never the secret.
func TestNewValidates(t *testing.T) {
	_, err := New(Options{APIToken: testToken, Email: "nobody", BaseURL: "ftp://x"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"org_id: is required", "cloud_id: is required", "org_api_key: is required", `email: "nobody" is not an e-mail address`, "base_url: "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	noSecret(t, "error", err.Error())
	if _, err := New(Options{Site: "acme", OrgID: "o", CloudID: "c", Email: "a@b.c", APIToken: "t", OrgAPIKey: "k"}); err != nil {
		t.Errorf("valid options refused: %v", err)
	}
}

// TestMalformedAnswers: answers that cannot be planned from fail the read.
func TestMalformedAnswers(t *testing.T) {
	for name, tc := range map[string]struct{ route, body string }{
		"user without id":     {"/directories/", `{"data":[{"accountId":"","email":"a@x.com","productAccess":[]}],"links":{"next":null}}`},
		"duplicate email":     {"/directories/", `{"data":[{"accountId":"1","email":"a@x.com","productAccess":[]},{"accountId":"2","email":"A@x.com","productAccess":[]}],"links":{}}`},
		"no productAccess":    {"/directories/", `{"data":[{"accountId":"1","email":"a@x.com"}],"links":{}}`},
		"repeating cursor":    {"/directories/", `{"data":[],"links":{"next":"c1"}}`},
		"team without id":     {"/teams", `{"entities":[{"teamId":"","displayName":"A"}],"cursor":null}`},
		"duplicate team name": {"/teams", `{"entities":[{"teamId":"1","displayName":"A"},{"teamId":"2","displayName":"a"}],"cursor":null}`},
		"null entities":       {"/teams", `{"cursor":null}`},
		"members no pageInfo": {"/members", `{"results":[]}`},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, smallSeed, atlsim.Options{}, nil)
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.Contains(r.URL.Path, tc.route) && (tc.route != "/teams" || strings.HasSuffix(r.URL.Path, "/teams")) {
					fmt.Fprint(w, tc.body)
					return
				}
				e.srv.ServeHTTP(w, r)
			}))
			defer ts.Close()
			_, err := e.retarget(t, ts.URL, nil).Read(context.Background(), &model.Desired{Teams: []model.Team{{Name: "Ops", Members: &[]model.Member{}}}})
			var me *MalformedError
			if !errors.As(err, &me) {
				t.Fatalf("err = %v, want a MalformedError", err)
			}
		})
	}
}

// TestUnknownInviteLookedUp: the invite takes effect but its answer is
// lost; the Target looks the account up instead of inviting again, also
// when its address is part of another's and the directory gives one
// account a page (the match is on a later page).
func TestUnknownInviteLookedUp(t *testing.T) {
	for name, c := range map[string]struct {
		email string
		beh   atlsim.Behavior
	}{
		"default":               {"new@example.com", atlsim.Behavior{}},
		"match on a later page": {"da@example.com", atlsim.Behavior{DirectoryPageMax: 1}},
	} {
		t.Run(name, func(t *testing.T) { testUnknownInvite(t, c.email, c.beh) })
	}
}

func testUnknownInvite(t *testing.T, email string, beh atlsim.Behavior) {
	e := newEnv(t, smallSeed, atlsim.Options{Behavior: beh}, nil)
	var dropped atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/users/invite") && !dropped.Swap(true) {
			e.srv.ServeHTTP(httptest.NewRecorder(), r) // takes effect, answer lost
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		e.srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	tg := e.retarget(t, ts.URL, nil)
	ids := &target.IDs{}
	a := &planner.Action{ID: "u", Type: planner.CreateUser, User: email, After: &planner.Snapshot{User: &model.User{Username: email,
		Role: model.Ptr(model.RoleStakeholder), Details: &map[string][]string{"managed-by": {"ogsync"}}}}}
	if _, err := tg.Apply(context.Background(), a, ids); err != nil {
		t.Fatal(err)
	}
	if ids.User(email) == "" {
		t.Error("the created accountId was not recorded")
	}
	if got := e.countRoute("POST", "/admin/v2/orgs/{orgId}/users/invite"); got != 1 {
		t.Errorf("invite sent %d times, want 1", got)
	}
	cur, err := tg.Read(context.Background(), &model.Desired{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range cur.Users {
		if u.Username == email {
			if *u.Role != model.RoleStakeholder || u.Details == nil || (*u.Details)["managed-by"][0] != "ogsync" {
				t.Errorf("read back %+v, want Stakeholder with the marker", u)
			}
			return
		}
	}
	t.Error("the new user is not read back")
}

// TestAudit: references by rotation, override, escalation and forwarding
// rule are all found, for users and teams, at the documented cost.
func TestAudit(t *testing.T) {
	seed := smallSeed + `
forwardingRules:
  - {from: bob@example.com, to: ada@example.com, startDate: 2026-03-01T00:00:00Z, endDate: 2026-03-08T00:00:00Z, alias: holiday}
schedules:
  - name: Ops primary
    team: Ops
    rotations:
      - {name: r, type: weekly, startDate: 2026-01-05T09:00:00Z, participants: [{user: ada@example.com}]}
    overrides:
      - {alias: o1, user: bob@example.com, startDate: 2026-02-01T00:00:00Z, endDate: 2026-02-02T00:00:00Z}
escalations:
  - name: Ops critical
    team: Ops
    rules: [{recipient: {user: cy@example.com}}]
`
	e := newEnv(t, seed, atlsim.Options{}, nil)
	ctx := context.Background()
	cur, err := e.tg.Read(ctx, &model.Desired{Teams: []model.Team{{Name: "Ops", Members: &[]model.Member{}}}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, u := range cur.Users {
		ids[u.Username] = u.ID
	}
	e.srv.ResetStats()
	facts, err := e.tg.Audit(ctx, []string{ids["ada@example.com"], ids["bob@example.com"], ids["cy@example.com"]}, []string{cur.Teams[0].ID}, cur)
	if err != nil {
		t.Fatal(err)
	}
	// 1 schedule page + 1 overrides page + 1 ops team list + 1 escalation page + 1 forwarding page.
	if got := e.srv.Stats().Total; got != 5 {
		t.Errorf("audit cost %d requests, want 5", got)
	}
	ada, bob, cy := facts.Users[ids["ada@example.com"]], facts.Users[ids["bob@example.com"]], facts.Users[ids["cy@example.com"]]
	if len(ada.Schedules) != 2 || len(ada.Teams) != 1 {
		t.Errorf("ada: %+v, want the schedule, the forwarding rule and team Ops", ada)
	}
	if len(bob.Schedules) != 2 {
		t.Errorf("bob: %+v, want the override's schedule and the forwarding rule", bob)
	}
	if len(cy.Escalations) != 1 {
		t.Errorf("cy: %+v, want the escalation", cy)
	}
	if tf := facts.Teams[cur.Teams[0].ID]; len(tf.Schedules) != 1 || len(tf.Escalations) != 1 {
		t.Errorf("team facts %+v, want its schedule and its escalation", tf)
	}
	// A team whose members Read did not read (not declared) is read by the audit.
	undeclared, err := e.tg.Read(ctx, &model.Desired{})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.ResetStats()
	facts, err = e.tg.Audit(ctx, []string{ids["ada@example.com"]}, nil, undeclared)
	if err != nil {
		t.Fatal(err)
	}
	if got := facts.Users[ids["ada@example.com"]].Teams; len(got) != 1 || got[0].Name != "Ops" {
		t.Errorf("ada's teams = %v, want Ops", got)
	}
	if got := e.srv.Stats().Total; got != 6 {
		t.Errorf("audit cost %d requests, want 5 + 1 member page", got)
	}
	if f, err := e.tg.Audit(ctx, nil, nil, cur); err != nil || len(f.Users) != 0 {
		t.Errorf("no candidates: %v %v", f, err)
	}
}
