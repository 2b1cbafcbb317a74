package atlassian

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target"
	"github.com/ogsync/ogsync/target/atlassian/atlsim"
)

// loseFirst forwards to the emulator, but the first request whose path
// ends with suffix (and whose method is method) takes effect and its
// answer is replaced by a 502.
func loseFirst(e *env, method, suffix string) *httptest.Server {
	var lost atomic.Bool
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == method && strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), suffix) && !lost.Swap(true) {
			e.srv.ServeHTTP(httptest.NewRecorder(), r)
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		e.srv.ServeHTTP(w, r)
	}))
}

// TestLostTeamCreateLookedUp: the create takes effect but its answer is
// lost; the team is found by name and marker, not created twice.
func TestLostTeamCreateLookedUp(t *testing.T) {
	e := newEnv(t, smallSeed, atlsim.Options{}, nil)
	ts := loseFirst(e, http.MethodPost, "/teams")
	defer ts.Close()
	tg := e.retarget(t, ts.URL, nil)
	if _, err := tg.Read(context.Background(), &model.Desired{}); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.Apply(context.Background(), createTeamAction("Once", model.Member{Username: "bob@example.com"}), &target.IDs{}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tm := range e.srv.State().Teams {
		if tm.DisplayName == "Once" {
			n++
			if len(tm.Members) != 1 || !tm.Operations {
				t.Errorf("team %+v: want bob only, operations on", tm)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d teams named Once, want 1", n)
	}
}

// TestLostTeamCreateKeepsOthers: the create's answer is lost and, before
// the lookup finds the team, someone else adds a member to it. That member
// is not the create's doing: it stays.
func TestLostTeamCreateKeepsOthers(t *testing.T) {
	e := newEnv(t, smallSeed, atlsim.Options{}, nil)
	var lost atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/teams") && !lost.Swap(true) {
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, r)
			var ans struct {
				TeamID string `json:"teamId"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || ans.TeamID == "" {
				t.Errorf("create answer %q: %v", rec.Body.String(), err)
			}
			ada := accountOf(t, e, "ada@example.com")
			add := httptest.NewRequest(http.MethodPost, r.URL.Path+"/"+ans.TeamID+"/members/add",
				strings.NewReader(`{"members":[{"accountId":"`+ada+`"}]}`))
			add.Header = r.Header.Clone()
			e.srv.ServeHTTP(httptest.NewRecorder(), add)
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		e.srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	tg := e.retarget(t, ts.URL, nil)
	if _, err := tg.Read(context.Background(), &model.Desired{}); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.Apply(context.Background(), createTeamAction("Shared", model.Member{Username: "bob@example.com"}), &target.IDs{}); err != nil {
		t.Fatal(err)
	}
	ada := accountOf(t, e, "ada@example.com")
	for _, tm := range e.srv.State().Teams {
		if tm.DisplayName == "Shared" && !slices.Contains(tm.Members, ada) {
			t.Errorf("team %+v: the member someone else added was removed", tm)
		}
	}
}

// TestEnableOpsResent: enable-ops takes effect but its answer is lost; the
// re-send meets 409 (already enabled) and the create succeeds.
func TestEnableOpsResent(t *testing.T) {
	e := newEnv(t, smallSeed, atlsim.Options{Behavior: atlsim.Behavior{OpsInvisibleCalls: -1}}, nil)
	ts := loseFirst(e, http.MethodPost, "/enable-ops")
	defer ts.Close()
	tg := e.retarget(t, ts.URL, nil)
	if _, err := tg.Read(context.Background(), &model.Desired{}); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.Apply(context.Background(), createTeamAction("Twice", model.Member{Username: "ada@example.com"}), &target.IDs{}); err != nil {
		t.Fatal(err)
	}
	if got := e.countRoute("POST", routeEnable); got != 2 {
		t.Errorf("enable-ops sent %d times, want 2", got)
	}
}

// TestClientRate: the client-side budget spaces the requests of one API
// (Jira: the marker reads) and leaves the others alone.
func TestClientRate(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, smallSeed, atlsim.Options{}, func(o *Options) {
		o.Now, o.Sleep = clock.Now, clock.Sleep
		o.Rates.Jira = Rate{PerSecond: 1, Burst: 1}
	})
	start := clock.Now()
	if _, err := e.tg.Read(context.Background(), &model.Desired{}); err != nil {
		t.Fatal(err)
	}
	// Three marker reads at one a second: two waits of a second.
	if got := clock.Now().Sub(start); got < 2*time.Second || got > 3*time.Second {
		t.Errorf("waited %v on the fake clock, want about 2s", got)
	}
	if e.srv.Stats().Throttled != 0 {
		t.Error("the emulator throttled although it has no limit")
	}
}

// TestProfiles: a managed account's profile is read (Jira list) and set
// (PATCH); an unmanaged account's is reported as declared, so no action.
func TestProfiles(t *testing.T) {
	seed := `
users:
  - {email: mia@example.com, displayName: Mia, timeZone: UTC, locale: en_US, managed: true, access: {jira-servicedesk: user}}
  - {email: ola@example.com, displayName: Ola, timeZone: UTC, locale: en_US, access: {jira-servicedesk: admin}}
`
	e := newEnv(t, seed, atlsim.Options{}, nil)
	desired := &model.Desired{Users: []model.User{
		{Username: "mia@example.com", FullName: model.Ptr("Mia Wong"), TimeZone: model.Ptr("Europe/Paris"), Locale: model.Ptr("fr_FR"), Role: model.Ptr("User")},
		{Username: "ola@example.com", FullName: model.Ptr("Ola Nordmann"), TimeZone: model.Ptr("Europe/Oslo"), Role: model.Ptr("Owner")},
	}}
	opts := syncOptions()
	_, p := e.plan(t, desired, opts)
	if len(p.Actions) != 1 || p.Actions[0].User != "mia@example.com" || strings.Join(p.Actions[0].Fields, ",") != "fullName,timeZone,locale" {
		for _, a := range p.Actions {
			t.Log(a.ID, a.Fields)
		}
		t.Fatalf("want one update of mia's profile")
	}
	e.apply(t, p)
	_, p2 := e.plan(t, desired, opts)
	if p2.HasChanges() {
		t.Errorf("second plan has %s", p2.Actions[0].ID)
	}
	for _, u := range e.srv.State().Users {
		if u.Email == "mia@example.com" && (u.DisplayName != "Mia Wong" || u.TimeZone != "Europe/Paris" || u.Locale != "fr_FR") {
			t.Errorf("mia = %+v", u)
		}
		if u.Email == "ola@example.com" && u.DisplayName != "Ola" {
			t.Errorf("ola's profile was changed: %+v", u)
		}
	}
}

// TestRoles: the many-to-one role mapping reads back as declared where it
// maps to the account's JSM role, and a real change is applied.
func TestRoles(t *testing.T) {
	e := newEnv(t, smallSeed, atlsim.Options{}, nil)
	desired := &model.Desired{Users: []model.User{
		{Username: "ada@example.com", Role: model.Ptr("Observer")},   // JSM user: as declared
		{Username: "bob@example.com", Role: model.Ptr("Owner")},      // JSM admin: as declared
		{Username: "cy@example.com", Role: model.Ptr("Stakeholder")}, // JSM user: a change
	}}
	cur, p := e.plan(t, desired, syncOptions())
	roles := map[string]string{}
	for _, u := range cur.Users {
		roles[u.Username] = *u.Role
	}
	if roles["ada@example.com"] != "Observer" || roles["bob@example.com"] != "Owner" || roles["cy@example.com"] != "User" {
		t.Errorf("roles read = %v", roles)
	}
	if len(p.Actions) != 1 || p.Actions[0].Type != planner.UpdateUser || p.Actions[0].User != "cy@example.com" {
		t.Fatalf("want one role update of cy, got %d actions", len(p.Actions))
	}
	e.apply(t, p)
	if _, p2 := e.plan(t, desired, syncOptions()); p2.HasChanges() {
		t.Errorf("second plan has %s", p2.Actions[0].ID)
	}
}

// TestCapabilities: every field or operation not managed says why.
func TestCapabilities(t *testing.T) {
	c := (&Target{}).Capabilities()
	for _, f := range planner.UserFields {
		if !c.ManagesUserField(f) && c.Why[f] == "" {
			t.Errorf("user field %s: not managed and no reason", f)
		}
	}
	for _, r := range model.BuiltinRoles {
		if !c.GivesRole(r) && c.Why[r] == "" {
			t.Errorf("role %s: not given and no reason", r)
		}
	}
	if c.MemberRoles || c.Why["member-roles"] == "" {
		t.Error("member roles must be unmanaged, with a reason")
	}
	if !c.CreateUsers || !c.DeleteUsers || !c.TeamDescription || c.Target != "atlassian" {
		t.Errorf("capabilities = %+v", c)
	}
}

// TestAccessLag: an invite's access shows in reads only after a lag (§4.2).
// Until then the user is planned again and the invite re-sent, which
// changes nothing; once the lag has passed, the plan is empty.
func TestAccessLag(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, smallSeed, atlsim.Options{Clock: clock.Now, Behavior: atlsim.Behavior{AccessLag: 30 * time.Second}},
		func(o *Options) { o.Now, o.Sleep = clock.Now, clock.Sleep })
	desired := &model.Desired{Users: []model.User{
		{Username: "ada@example.com"}, {Username: "bob@example.com", Role: model.Ptr("Owner")}, {Username: "cy@example.com"},
		{Username: "new@example.com", Role: model.Ptr("User")},
	}}
	for i := range 2 {
		_, p := e.plan(t, desired, syncOptions())
		if len(p.Actions) != 1 || p.Actions[0].Type != planner.CreateUser || p.Refused() {
			t.Fatalf("cycle %d: want the create of new@example.com, got %d actions", i, len(p.Actions))
		}
		e.apply(t, p)
	}
	clock.Sleep(context.Background(), 31*time.Second)
	if _, p := e.plan(t, desired, syncOptions()); p.HasChanges() {
		t.Errorf("after the lag: %s still planned", p.Actions[0].ID)
	}
	created := 0
	for _, m := range e.srv.Journal() {
		if m.Op == atlsim.OpCreateUser && m.User == "new@example.com" {
			created++
		}
	}
	if created != 1 {
		t.Errorf("the account was created %d times, want 1", created)
	}
}

// TestAllMembers: with AllMembers, Read reads the members of undeclared teams too.
func TestAllMembers(t *testing.T) {
	e := newEnv(t, smallSeed, atlsim.Options{}, func(o *Options) { o.AllMembers = true })
	cur, err := e.tg.Read(context.Background(), &model.Desired{})
	if err != nil {
		t.Fatal(err)
	}
	if ms := cur.Teams[0].Members; ms == nil || len(*ms) != 1 || (*ms)[0].Username != "ada@example.com" || (*ms)[0].Role != model.MemberRoleUser {
		t.Errorf("members = %v, want ada as user", ms)
	}
}

// accountOf returns the accountId of the emulator's account with this e-mail.
func accountOf(t *testing.T, e *env, email string) string {
	t.Helper()
	for _, u := range e.srv.State().Users {
		if u.Email == email {
			return u.AccountID
		}
	}
	t.Fatalf("no account %s", email)
	return ""
}

// TestLostTeamCreateSparesOlderTeam: a marked team of the same name
// existed at the last read; a create whose request is lost without effect
// does not take that team for its own, so the failed create's rollback
// deletes only the team it made.
func TestLostTeamCreateSparesOlderTeam(t *testing.T) {
	seed := smallSeed + "  - {displayName: Once, description: \"old\\n\\n[managed-by: ogsync]\", members: [ada@example.com]}\n"
	e := newEnv(t, seed, atlsim.Options{Behavior: atlsim.Behavior{EnableFails: true}}, nil)
	var dropped atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/teams") && !dropped.Swap(true) {
			w.WriteHeader(http.StatusBadGateway) // lost before it took effect
			return
		}
		e.srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	tg := e.retarget(t, ts.URL, nil)
	if _, err := tg.Read(context.Background(), &model.Desired{}); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.Apply(context.Background(), createTeamAction("Once", model.Member{Username: "bob@example.com"}), &target.IDs{}); err == nil {
		t.Fatal("the create succeeded although enable-ops fails")
	}
	if !dropped.Load() {
		t.Fatal("no create was lost: the test does not test")
	}
	ada := accountOf(t, e, "ada@example.com")
	older, made := 0, 0
	for _, tm := range e.srv.State().Teams {
		switch {
		case tm.DisplayName != "Once":
		case strings.HasPrefix(tm.Description, "old"):
			older++
			if tm.Deleted || !slices.Equal(tm.Members, []string{ada}) {
				t.Errorf("the older team was changed: %+v", tm)
			}
		default:
			made++
			if !tm.Deleted {
				t.Errorf("the half-made team was not deleted: %+v", tm)
			}
		}
	}
	if older != 1 || made != 1 {
		t.Errorf("%d older and %d new teams named Once, want 1 and 1", older, made)
	}
}

// TestDeleteUserSparesCaller: the product access of the account ogsync
// signs in with is never removed, whether the action names it by e-mail
// or by accountId; no DELETE is sent.
func TestDeleteUserSparesCaller(t *testing.T) {
	seed := smallSeed[:strings.Index(smallSeed, "teams:")] + "  - {email: " + testEmail + ", displayName: Bot, access: {jira-servicedesk: admin}}\n"
	e := newEnv(t, seed, atlsim.Options{}, nil)
	ctx := context.Background()
	if _, err := e.tg.Read(ctx, &model.Desired{}); err != nil {
		t.Fatal(err)
	}
	caller := accountOf(t, e, testEmail)
	for name, a := range map[string]*planner.Action{
		"by e-mail":     {ID: "del", Type: planner.DeleteUser, User: strings.ToUpper(testEmail)},
		"by account id": {ID: "del", Type: planner.DeleteUser, User: "former-address@example.com", UserID: caller},
	} {
		if _, err := e.tg.Apply(ctx, a, &target.IDs{}); err == nil || !strings.Contains(err.Error(), "signs in with") {
			t.Errorf("%s: err = %v, want a refusal", name, err)
		}
	}
	if n := e.countRoute("DELETE", "/rest/api/3/user"); n != 0 {
		t.Errorf("%d DELETE /user sent, want none", n)
	}
	ada := &planner.Action{ID: "del", Type: planner.DeleteUser, User: "ada@example.com"}
	if _, err := e.tg.Apply(ctx, ada, &target.IDs{}); err != nil {
		t.Fatal(err)
	}
	if n := e.countRoute("DELETE", "/rest/api/3/user"); n != 1 {
		t.Errorf("%d DELETE /user sent for ada, want 1: the count does not count", n)
	}
}

// TestUpdateUserKeepsCallerAdmin: the JSM role of the account ogsync
// signs in with is never lowered below admin (ogsync needs JSM admin);
// no invite is sent and the role stays.
func TestUpdateUserKeepsCallerAdmin(t *testing.T) {
	seed := smallSeed[:strings.Index(smallSeed, "teams:")] + "  - {email: " + testEmail + ", displayName: Bot, access: {jira-servicedesk: admin}}\n"
	e := newEnv(t, seed, atlsim.Options{}, nil)
	ctx := context.Background()
	if _, err := e.tg.Read(ctx, &model.Desired{}); err != nil {
		t.Fatal(err)
	}
	const invite = "/admin/v2/orgs/{orgId}/users/invite"
	role := func(u, r string) *planner.Action {
		return &planner.Action{ID: "role", Type: planner.UpdateUser, User: u, Fields: []string{"role"},
			After: &planner.Snapshot{User: &model.User{Username: u, Role: model.Ptr(r)}}}
	}
	if _, err := e.tg.Apply(ctx, role(testEmail, model.RoleUser), &target.IDs{}); err == nil || !strings.Contains(err.Error(), "signs in with") {
		t.Errorf("lowering the caller: err = %v, want a refusal", err)
	}
	if n := e.countRoute("POST", invite); n != 0 {
		t.Errorf("%d invites sent, want none", n)
	}
	for _, u := range e.srv.State().Users {
		if u.Email == testEmail && u.Access[atlsim.ProductJSM] != "admin" {
			t.Errorf("the caller's JSM role is %q, want admin", u.Access[atlsim.ProductJSM])
		}
	}
	if _, err := e.tg.Apply(ctx, role(testEmail, model.RoleOwner), &target.IDs{}); err != nil {
		t.Errorf("keeping the caller admin: %v", err)
	}
	if _, err := e.tg.Apply(ctx, role("ada@example.com", model.RoleStakeholder), &target.IDs{}); err != nil {
		t.Fatal(err)
	}
	if n := e.countRoute("POST", invite); n != 2 {
		t.Errorf("%d invites sent, want 2 (caller kept admin, ada)", n)
	}
}
