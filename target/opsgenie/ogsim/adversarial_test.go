package ogsim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// ops renders journal entries as "source op team user role detail" lines.
func ops(ms []Mutation) []string {
	out := []string{}
	for _, m := range ms {
		f := slices.DeleteFunc([]string{m.Source, m.Op, m.Team, m.User, m.Role, m.Detail}, func(s string) bool { return s == "" })
		out = append(out, strings.Join(f, " "))
	}
	return out
}

func TestBehaviorValidation(t *testing.T) {
	tests := []struct {
		name string
		beh  Behavior
		want string
	}{
		{"member re-add", Behavior{MemberReAdd: "replace"}, `member re-add "replace" must be update-role, conflict or keep-role`},
		{"team patch members", Behavior{TeamPatchMembers: "merge"}, `team patch members "merge" must be replace or ignore`},
		{"team delete", Behavior{TeamDelete: "orphan"}, `team delete "orphan" must be cascade or refuse`},
		{"list lag", Behavior{ListLag: -time.Second}, "list lag -1s must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Options{APIKey: testKey, Behavior: tc.beh})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
	for _, beh := range []Behavior{
		{MemberReAdd: MemberReAddUpdateRole, TeamPatchMembers: TeamPatchMembersReplace, TeamDelete: TeamDeleteCascade},
		{MemberReAdd: MemberReAddConflict, TeamPatchMembers: TeamPatchMembersIgnore, TeamDelete: TeamDeleteRefuse},
		{MemberReAdd: MemberReAddKeepRole, ListLag: time.Second, IgnoreExpandMember: true},
	} {
		if _, err := New(Options{APIKey: testKey, Behavior: beh}); err != nil {
			t.Errorf("New(%+v): %v", beh, err)
		}
	}
}

func TestIgnoreExpandMember(t *testing.T) {
	tests := []struct {
		name        string
		ignore      bool
		query       string
		wantMembers bool
	}{
		{"honoured", false, "?expand=member", true},
		{"not asked", false, "", false},
		{"ignored", true, "?expand=member", false},
		{"ignored, not asked", true, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Behavior: Behavior{IgnoreExpandMember: tc.ignore}})
			r := do(t, srv, "GET", "/v2/teams"+tc.query, "")
			expect(t, r, 200, "")
			for i, item := range r.list("data") {
				_, has := item.(map[string]any)["members"]
				if has != tc.wantMembers {
					t.Errorf("item %d has members = %v, want %v: %v", i, has, tc.wantMembers, item)
				}
			}
			if _, has := r.body["expandable"]; has == tc.ignore {
				t.Errorf("expandable present = %v with IgnoreExpandMember %v", has, tc.ignore)
			}
			if tc.wantMembers && r.str("data.1.members.0.user.username") != "owner@example.com" {
				t.Errorf("sre members = %v", r.get("data.1.members"))
			}
			// A single team's GET always has its members.
			expect(t, do(t, srv, "GET", "/v2/teams/sre?identifierType=name", ""), 200, `"members":[`)
		})
	}
}

func TestMemberReAdd(t *testing.T) {
	tests := []struct {
		mode    string
		code    int
		want    string
		members []string
		journal []string
	}{
		{"", 200, `"result":"Added"`, []string{"owner@example.com:admin", "user@example.com:admin"},
			[]string{"api set-member-role sre user@example.com admin was user"}},
		{MemberReAddUpdateRole, 200, `"result":"Added"`, []string{"owner@example.com:admin", "user@example.com:admin"},
			[]string{"api set-member-role sre user@example.com admin was user"}},
		{MemberReAddConflict, 409, `"message":"User [user@example.com] is already a member of team [sre]."`,
			[]string{"owner@example.com:admin", "user@example.com:user"}, []string{}},
		{MemberReAddKeepRole, 200, `"result":"Added"`, []string{"owner@example.com:admin", "user@example.com:user"}, []string{}},
	}
	for _, tc := range tests {
		t.Run("mode "+tc.mode, func(t *testing.T) {
			srv := newTestServer(t, Options{Behavior: Behavior{MemberReAdd: tc.mode}})
			r := do(t, srv, "POST", "/v2/teams/sre/members?teamIdentifierType=name", `{"user":{"username":"user@example.com"},"role":"admin"}`)
			expect(t, r, tc.code, tc.want)
			if got := members(srv, "sre"); !slices.Equal(got, tc.members) {
				t.Errorf("members = %v, want %v", got, tc.members)
			}
			if got := ops(srv.Journal()); !slices.Equal(got, tc.journal) {
				t.Errorf("journal = %q, want %q", got, tc.journal)
			}
			// A new member is added in every mode.
			expect(t, do(t, srv, "POST", "/v2/teams/sre/members?teamIdentifierType=name", `{"user":{"username":"admin@example.com"}}`), 200, "")
			if got := members(srv, "sre"); len(got) != 3 || got[2] != "admin@example.com:user" {
				t.Errorf("after a new add: %v", got)
			}
		})
	}
}

func TestTeamPatchMembers(t *testing.T) {
	tests := []struct {
		name    string
		mode    string
		body    string
		members []string
		journal []string
	}{
		{"replace", "", `{"members":[{"user":{"username":"user@example.com"},"role":"admin"},{"user":{"username":"admin@example.com"}}]}`,
			[]string{"user@example.com:admin", "admin@example.com:user"},
			[]string{"api remove-member sre owner@example.com admin", "api set-member-role sre user@example.com admin was user", "api add-member sre admin@example.com user"}},
		{"replace with []", TeamPatchMembersReplace, `{"members":[]}`, []string{},
			[]string{"api remove-member sre owner@example.com admin", "api remove-member sre user@example.com user"}},
		{"replace with the same set", TeamPatchMembersReplace, `{"members":[{"user":{"username":"owner@example.com"},"role":"admin"},{"user":{"username":"user@example.com"}}]}`,
			[]string{"owner@example.com:admin", "user@example.com:user"}, []string{}},
		{"absent members", TeamPatchMembersReplace, `{"description":"new"}`, []string{"owner@example.com:admin", "user@example.com:user"},
			[]string{"api update-team sre description"}},
		{"ignore", TeamPatchMembersIgnore, `{"members":[]}`, []string{"owner@example.com:admin", "user@example.com:user"}, []string{}},
		{"ignore, unknown member not even read", TeamPatchMembersIgnore, `{"members":[{"user":{"username":"ghost@example.com"}}]}`,
			[]string{"owner@example.com:admin", "user@example.com:user"}, []string{}},
		{"ignore, rename applies", TeamPatchMembersIgnore, `{"name":"sre2","members":[{"user":{"username":"admin@example.com"}}]}`,
			nil, []string{"api rename-team sre2 was sre"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Behavior: Behavior{TeamPatchMembers: tc.mode}})
			id := do(t, srv, "GET", "/v2/teams/sre?identifierType=name", "").str("data.id")
			expect(t, do(t, srv, "PATCH", "/v2/teams/"+id, tc.body), 200, `"result":"Updated"`)
			name := "sre"
			if tc.members == nil {
				name, tc.members = "sre2", []string{"owner@example.com:admin", "user@example.com:user"}
			}
			if got := members(srv, name); !slices.Equal(got, tc.members) {
				t.Errorf("members = %v, want %v", got, tc.members)
			}
			if got := ops(srv.Journal()); !slices.Equal(got, tc.journal) {
				t.Errorf("journal = %q, want %q", got, tc.journal)
			}
		})
	}
}

func TestTeamDelete(t *testing.T) {
	tests := []struct {
		name, mode, team string
		code             int
		want             string
		teams, scheds    int
	}{
		{"cascade", "", "sre", 200, `"result":"Deleted"`, 1, 1},
		{"cascade explicit", TeamDeleteCascade, "sre", 200, "", 1, 1},
		{"refuse", TeamDeleteRefuse, "sre", 428,
			`"message":"Team [sre] owns schedules [sre_oncall, sre_schedule] and escalations [sre_critical, sre_escalation]. Please delete them before deleting the team."`, 2, 3},
		{"in use, cascade", TeamDeleteCascade, "ops", 428, `Team [ops] or a schedule or escalation it owns is in use`, 2, 3},
		{"in use, refuse", TeamDeleteRefuse, "ops", 428, `Team [ops] owns schedules [ops_schedule]`, 2, 3},
		{"refuse, owns nothing", TeamDeleteRefuse, "bare", 200, "", 2, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Behavior: Behavior{TeamDelete: tc.mode}})
			if tc.team == "bare" {
				srv = newTestServer(t, Options{Behavior: Behavior{TeamDelete: tc.mode}, Seed: bareSeed(t)})
			}
			expect(t, do(t, srv, "DELETE", "/v2/teams/"+tc.team+"?identifierType=name", ""), tc.code, tc.want)
			st := srv.State()
			if len(st.Teams) != tc.teams || len(st.Schedules) != tc.scheds {
				t.Errorf("teams %d schedules %d, want %d and %d", len(st.Teams), len(st.Schedules), tc.teams, tc.scheds)
			}
			j := ops(srv.Journal())
			if tc.code != 200 && len(j) != 0 {
				t.Errorf("a refused delete journaled %q", j)
			}
			if tc.team == "sre" && tc.code == 200 {
				want := []string{
					"api delete-team sre schedules [sre_oncall, sre_schedule] and escalations [sre_critical, sre_escalation]",
					"api remove-member sre owner@example.com admin with the team",
					"api remove-member sre user@example.com user with the team",
				}
				if !slices.Equal(j, want) {
					t.Errorf("journal = %q, want %q", j, want)
				}
			}
		})
	}
}

// bareSeed is the test seed plus a team that owns nothing.
func bareSeed(t *testing.T) *Seed {
	t.Helper()
	seed, err := ParseSeed("t.yaml", []byte(strings.Replace(testSeed, "  - {name: ops}\n", "  - {name: ops}\n  - {name: bare, noDefaultResources: true}\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

func TestListLag(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	srv := newTestServer(t, Options{Clock: clock.now, Behavior: Behavior{ListLag: time.Minute}})
	const newUser = `{"username":"new@example.com","fullName":"New","role":{"name":"User"}}`
	expect(t, do(t, srv, "POST", "/v2/users", newUser), 201, "")
	teamID := do(t, srv, "GET", "/v2/teams/sre?identifierType=name", "").str("data.id")
	expect(t, do(t, srv, "POST", "/v2/teams/"+teamID+"/members", `{"user":{"username":"new@example.com"}}`), 200, "")

	// Single-object reads are current.
	expect(t, do(t, srv, "GET", "/v2/users/new@example.com", ""), 200, "")
	expect(t, do(t, srv, "GET", "/v2/teams/"+teamID, ""), 200, "new@example.com")
	// Writes see the current account: a second create is a conflict.
	expect(t, do(t, srv, "POST", "/v2/users", newUser), 409, "")

	listed := func(target string) bool {
		return strings.Contains(do(t, srv, "GET", target, "").raw, "new@example.com")
	}
	for _, target := range []string{"/v2/users", "/v2/users?sort=fullName", "/v2/users?query=role:User", "/v2/teams?expand=member"} {
		if listed(target) {
			t.Errorf("GET %s lists the new user before the lag passed", target)
		}
	}
	if r := do(t, srv, "GET", "/v2/users", ""); r.get("totalCount") != 5.0 {
		t.Errorf("lagged totalCount = %v, want 5", r.get("totalCount"))
	}
	clock.advance(59 * time.Second)
	if listed("/v2/users") {
		t.Errorf("listed 59 s after the write with a 60 s lag")
	}
	clock.advance(time.Second)
	for _, target := range []string{"/v2/users", "/v2/users?sort=fullName", "/v2/users?query=role:User", "/v2/teams?expand=member"} {
		if !listed(target) {
			t.Errorf("GET %s does not list the new user once the lag passed", target)
		}
	}

	// A delete lags the same way.
	expect(t, do(t, srv, "DELETE", "/v2/teams/"+teamID+"/members/new@example.com", ""), 200, "")
	expect(t, do(t, srv, "DELETE", "/v2/users/new@example.com", ""), 200, "")
	expect(t, do(t, srv, "GET", "/v2/users/new@example.com", ""), 404, "")
	if !listed("/v2/users") || !listed("/v2/teams?expand=member") {
		t.Errorf("a deleted user vanished from the lists before the lag passed")
	}
	clock.advance(time.Minute)
	if listed("/v2/users") || listed("/v2/teams?expand=member") {
		t.Errorf("a deleted user is still listed after the lag")
	}
}

func TestListLagSnapshotsBounded(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	srv := newTestServer(t, Options{Clock: clock.now, Behavior: Behavior{ListLag: 10 * time.Second}})
	for i := range 100 {
		expect(t, do(t, srv, "POST", "/v2/users", fmt.Sprintf(`{"username":"u%d@example.com","fullName":"U","role":{"name":"User"}}`, i)), 201, "")
		clock.advance(time.Second)
	}
	// 10 s of writes one second apart plus the newest one older than the lag.
	if n := srv.snapshotCount(); n > 12 {
		t.Errorf("%d snapshots kept for a 10 s lag", n)
	}
	if r := do(t, srv, "GET", "/v2/users", ""); r.get("totalCount") != 5.0+91 {
		t.Errorf("totalCount = %v, want 96 (users written at t=0..90 s, read at t=100 s)", r.get("totalCount"))
	}
	// Reads and failed writes take no snapshot; off means none at all.
	n := srv.snapshotCount()
	do(t, srv, "GET", "/v2/users", "")
	do(t, srv, "POST", "/v2/users", `{}`)
	if srv.snapshotCount() != n {
		t.Errorf("a read or a refused write took a snapshot")
	}
	if off := newTestServer(t, Options{}); off.lag != nil || off.snapshotCount() != 0 {
		t.Errorf("ListLag 0 keeps snapshots")
	}
}

func TestJournal(t *testing.T) {
	srv := newTestServer(t, Options{})
	expect(t, do(t, srv, "POST", "/v2/users", `{"username":"new@example.com","fullName":"New","role":{"name":"User"}}`), 201, "")
	expect(t, do(t, srv, "PATCH", "/v2/users/new@example.com", `{"role":{"name":"Admin"},"tags":["x"]}`), 200, "")
	expect(t, do(t, srv, "PATCH", "/v2/users/new@example.com", `{"role":{"name":"admin"},"tags":["x"],"fullName":"New"}`), 200, "") // changes nothing
	expect(t, do(t, srv, "POST", "/v2/teams", `{"name":"web","members":[{"user":{"username":"new@example.com"},"role":"admin"}]}`), 201, "")
	expect(t, do(t, srv, "POST", "/v2/teams/web/members?teamIdentifierType=name", `{"user":{"username":"user@example.com"}}`), 200, "")
	expect(t, do(t, srv, "DELETE", "/v2/teams/web/members/user@example.com?teamIdentifierType=name", ""), 200, "")
	expect(t, do(t, srv, "DELETE", "/v2/users/new@example.com", ""), 200, "")
	expect(t, do(t, srv, "DELETE", "/v2/users/ghost@example.com", ""), 404, "") // refused: no entry
	want := []string{
		"api create-user new@example.com User",
		"api update-user new@example.com Admin role was User, tags",
		"api create-team web",
		"api add-member web new@example.com admin with the team",
		"api add-member web user@example.com user",
		"api remove-member web user@example.com user",
		"api delete-user new@example.com Admin",
		"api remove-member web new@example.com admin with the user",
	}
	j := srv.Journal()
	if got := ops(j); !slices.Equal(got, want) {
		t.Fatalf("journal =\n%q\nwant\n%q", got, want)
	}
	for i, m := range j {
		if m.Seq != i+1 {
			t.Errorf("entry %d has seq %d", i, m.Seq)
		}
	}
	if j[2].TeamID == "" || j[2].TeamID != j[3].TeamID {
		t.Errorf("team ids = %q, %q", j[2].TeamID, j[3].TeamID)
	}

	// The admin endpoints: reset-stats keeps the journal, reset-journal
	// empties it and Seq keeps counting.
	code, body := admin(t, srv, "GET", "/_sim/journal")
	if code != 200 || !strings.Contains(body, `"op": "create-user"`) || !strings.Contains(body, `"source": "api"`) {
		t.Errorf("GET /_sim/journal: %d %s", code, body)
	}
	if code, _ := admin(t, srv, "POST", "/_sim/reset-stats"); code != 200 || len(srv.Journal()) != len(want) {
		t.Errorf("reset-stats cleared the journal")
	}
	if code, body := admin(t, srv, "POST", "/_sim/reset-journal"); code != 200 || strings.TrimSpace(body) != "[]" || len(srv.Journal()) != 0 {
		t.Errorf("reset-journal: %d %s, journal %v", code, body, srv.Journal())
	}
	if code, body := admin(t, srv, "GET", "/_sim/journal"); code != 200 || strings.TrimSpace(body) != "[]" {
		t.Errorf("empty journal: %d %s", code, body)
	}
	if code, _ := admin(t, srv, "GET", "/_sim/reset-journal"); code != 405 {
		t.Errorf("GET reset-journal = %d, want 405", code)
	}
	expect(t, do(t, srv, "DELETE", "/v2/teams/web?identifierType=name", ""), 200, "")
	if j := srv.Journal(); len(j) == 0 || j[0].Seq != len(want)+1 || j[0].Op != OpDeleteTeam ||
		j[0].Detail != "schedules [web_schedule] and escalations [web_escalation]" {
		t.Errorf("after reset: %+v", j)
	}
}

func TestFaultOptionsLateValidation(t *testing.T) {
	tests := []struct {
		opts FaultOptions
		want string
	}{
		{FaultOptions{LateRate: 1.5}, "late rate 1.5 must be between 0 and 1"},
		{FaultOptions{LateRate: -0.1}, "late rate -0.1"},
		{FaultOptions{ErrorRate: 0.5, DropRate: 0.3, LateRate: 0.3}, "plus late rate 0.3 must not exceed 1"},
		{FaultOptions{LateRate: 0.1, LateDelay: -time.Second}, "late delay -1s must not be negative"},
	}
	for _, tc := range tests {
		if _, err := New(Options{APIKey: testKey, Faults: tc.opts}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want %q", tc.opts, err, tc.want)
		}
	}
}

// TestLateWriteLandsAfterTheClientGaveUp sends a create with a client
// timeout far below LateDelay: the client fails, the user is not there yet,
// and it appears later all the same.
func TestLateWriteLandsAfterTheClientGaveUp(t *testing.T) {
	srv := newTestServer(t, Options{Faults: FaultOptions{Seed: 1, LateRate: 1, LateDelay: time.Second}})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close() // runs first: nothing waits a whole LateDelay at the end
	client := &http.Client{Timeout: 50 * time.Millisecond}

	// Reads are never late (a generous timeout here: a late read would
	// wait the whole second).
	req, _ := http.NewRequest("GET", ts.URL+"/v2/users/user@example.com", nil)
	req.Header.Set("Authorization", "GenieKey "+testKey)
	resp, err := (&http.Client{Timeout: 900 * time.Millisecond}).Do(req)
	if err != nil {
		t.Fatalf("a read was delayed: %v", err)
	}
	_ = resp.Body.Close()

	req, _ = http.NewRequest("POST", ts.URL+"/v2/users", strings.NewReader(`{"username":"late@example.com","fullName":"Late","role":{"name":"User"}}`))
	req.Header.Set("Authorization", "GenieKey "+testKey)
	if resp, err := client.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatalf("the late create answered %d within the client's timeout", resp.StatusCode)
	}
	exists := func() bool {
		return slices.ContainsFunc(srv.State().Users, func(u StateUser) bool { return u.Username == "late@example.com" })
	}
	if exists() {
		t.Fatalf("the create was applied before LateDelay")
	}
	for i := 0; !exists(); i++ {
		if i == 1000 {
			t.Fatalf("the late create never landed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if j := ops(srv.Journal()); !slices.Equal(j, []string{"api create-user late@example.com User"}) {
		t.Errorf("journal = %q", j)
	}
}

// TestCloseAbandonsLateWrites: Close returns without waiting LateDelay and
// the waiting writes are never applied.
func TestCloseAbandonsLateWrites(t *testing.T) {
	srv := newTestServer(t, Options{Faults: FaultOptions{Seed: 1, LateRate: 1, LateDelay: time.Hour}})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client := &http.Client{Timeout: 50 * time.Millisecond}
	req, _ := http.NewRequest("DELETE", ts.URL+"/v2/users/user@example.com", nil)
	req.Header.Set("Authorization", "GenieKey "+testKey)
	if resp, err := client.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatalf("the late delete answered %d", resp.StatusCode)
	}
	srv.Close()
	srv.Close() // idempotent
	// After Close, late writes are abandoned at once; other requests work.
	if r := do(t, srv, "GET", "/v2/users/user@example.com", ""); r.code != 200 {
		t.Errorf("the late delete was applied: %d", r.code)
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/v2/teams", strings.NewReader(`{"name":"web"}`))
	r.Header.Set("Authorization", "GenieKey "+testKey)
	srv.ServeHTTP(w, r)
	if w.Body.Len() != 0 || len(srv.State().Teams) != 2 || len(srv.Journal()) != 0 {
		t.Errorf("a late write after Close was applied or answered: %q", w.Body)
	}
}

func TestLateFaultsAreSeeded(t *testing.T) {
	draws := func() []bool {
		f := newFaulter(FaultOptions{Seed: 7, ErrorRate: 0.2, LateRate: 0.3})
		out := make([]bool, 200)
		for i := range out {
			out[i] = f.Draw().Late
		}
		return out
	}
	a, b := draws(), draws()
	n := 0
	for _, late := range a {
		if late {
			n++
		}
	}
	if !slices.Equal(a, b) || n < 30 || n > 90 {
		t.Errorf("late draws: equal %v, %d of 200 late (want about 60)", slices.Equal(a, b), n)
	}
}

func TestActorValidation(t *testing.T) {
	tests := []struct {
		opts ActorOptions
		want string
	}{
		{ActorOptions{Every: 0, Ops: []string{ActorCreateTeam}}, "every 0 must be at least 1"},
		{ActorOptions{Every: 1}, "at least one op is required"},
		{ActorOptions{Every: 1, Ops: []string{"delete-everything"}}, `op "delete-everything" must be one of add-member, remove-member, rename-team, create-team, change-member-role`},
		{ActorOptions{Every: 1, Ops: []string{ActorAddMember}}, "op add-member needs at least one user"},
		{ActorOptions{Every: 1, Ops: []string{ActorAddMember}, Users: []string{"ghost@example.com"}}, `user "ghost@example.com" does not exist`},
	}
	for _, tc := range tests {
		opts := tc.opts
		if _, err := New(Options{APIKey: testKey, Seed: mustSeed(t), Actor: &opts}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(actor %+v) = %v, want %q", tc.opts, err, tc.want)
		}
	}
}

func mustSeed(t *testing.T) *Seed {
	t.Helper()
	seed, err := ParseSeed("test.yaml", []byte(testSeed))
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

// actorRun sends n reads with an actor acting every `every` requests and
// returns the journal.
func actorRun(t *testing.T, seed int64, every, n int, opsList ...string) ([]Mutation, *Server) {
	t.Helper()
	srv := newTestServer(t, Options{IDSeed: 3, Actor: &ActorOptions{Seed: seed, Every: every,
		Users: []string{"admin@example.com", "oncall@example.com"}, Ops: opsList}})
	for range n {
		do(t, srv, "GET", "/v2/teams", "")
	}
	return srv.Journal(), srv
}

func TestActor(t *testing.T) {
	j1, srv := actorRun(t, 5, 2, 200, ActorOps...)
	j2, _ := actorRun(t, 5, 2, 200, ActorOps...)
	if !slices.Equal(j1, j2) {
		t.Errorf("the same seed and requests gave different journals")
	}
	j3, _ := actorRun(t, 6, 2, 200, ActorOps...)
	if slices.Equal(j1, j3) {
		t.Errorf("another seed gave the same journal")
	}
	if len(j1) == 0 || len(j1) > 100 {
		t.Fatalf("%d actor changes for 100 turns", len(j1))
	}
	seen := map[string]int{}
	added := map[string]bool{} // teamId/user the actor added and did not remove
	for _, m := range j1 {
		if m.Source != SourceActor {
			t.Errorf("entry %+v is not the actor's", m)
		}
		seen[m.Op]++
		key := m.TeamID + "/" + m.User
		switch m.Op {
		case OpAddMember:
			if m.User != "admin@example.com" && m.User != "oncall@example.com" || m.Role != "user" {
				t.Errorf("added %+v", m)
			}
			added[key] = true
		case OpRemoveMember, OpSetMemberRole:
			if !added[key] {
				t.Errorf("%s of a member the actor did not add: %+v", m.Op, m)
			}
			if m.Op == OpRemoveMember {
				delete(added, key)
			}
		case OpRenameTeam:
			if !strings.Contains(m.Team, "-renamed-") || !strings.HasPrefix(m.Detail, "was ") {
				t.Errorf("rename %+v", m)
			}
		case OpCreateTeam:
			if !strings.HasPrefix(m.Team, "actor-team-") {
				t.Errorf("create %+v", m)
			}
		default:
			t.Errorf("unexpected op %+v", m)
		}
	}
	for _, op := range []string{OpAddMember, OpRemoveMember, OpRenameTeam, OpCreateTeam, OpSetMemberRole} {
		if seen[op] == 0 {
			t.Errorf("the actor never did %s in 100 turns: %v", op, seen)
		}
	}
	// The members the original seed put in teams are never touched.
	for _, team := range srv.State().Teams {
		if strings.HasPrefix(team.Name, "sre") {
			if !slices.ContainsFunc(team.Members, func(m StateMember) bool { return m.Username == "owner@example.com" && m.Role == "admin" }) ||
				!slices.ContainsFunc(team.Members, func(m StateMember) bool { return m.Username == "user@example.com" && m.Role == "user" }) {
				t.Errorf("seeded members changed: %+v", team)
			}
		}
	}
}

func TestActorEvery(t *testing.T) {
	j, _ := actorRun(t, 1, 3, 9, ActorCreateTeam)
	if got := ops(j); !slices.Equal(got, []string{"actor create-team actor-team-1", "actor create-team actor-team-2", "actor create-team actor-team-3"}) {
		t.Errorf("journal = %q", got)
	}
	j, _ = actorRun(t, 1, 3, 2, ActorCreateTeam)
	if len(j) != 0 {
		t.Errorf("the actor acted before its 3rd request: %q", ops(j))
	}
	// Nothing to remove or change: the actor does nothing.
	if j, _ = actorRun(t, 1, 1, 5, ActorRemoveMember, ActorChangeRole); len(j) != 0 {
		t.Errorf("journal = %q", ops(j))
	}
}

// TestActorChangesLagInLists: the actor's changes are current for
// single-object reads and reach list reads only after ListLag.
func TestActorChangesLagInLists(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	srv := newTestServer(t, Options{Clock: clock.now, Behavior: Behavior{ListLag: time.Minute},
		Actor: &ActorOptions{Seed: 1, Every: 1, Ops: []string{ActorCreateTeam}}})
	if r := do(t, srv, "GET", "/v2/teams", ""); strings.Contains(r.raw, "actor-team-") {
		t.Errorf("the actor's team is listed before the lag passed: %s", r.raw)
	}
	expect(t, do(t, srv, "GET", "/v2/teams/actor-team-1?identifierType=name", ""), 200, "")
	clock.advance(time.Minute)
	r := do(t, srv, "GET", "/v2/teams", "") // the actor creates actor-team-3 first: not listed yet
	if !strings.Contains(r.raw, `"actor-team-1"`) || !strings.Contains(r.raw, `"actor-team-2"`) || strings.Contains(r.raw, `"actor-team-3"`) {
		t.Errorf("list after the lag: %s", r.raw)
	}
}

// TestConcurrentAdversarial runs writes, lists and admin reads in parallel
// with the actor, list lag and late writes all on, for the race detector.
func TestConcurrentAdversarial(t *testing.T) {
	srv := newTestServer(t, Options{Seed: manyUsers(50),
		Behavior: Behavior{ListLag: time.Millisecond, MemberReAdd: MemberReAddKeepRole},
		Faults:   FaultOptions{Seed: 3, LateRate: 0.3, LateDelay: time.Millisecond},
		Actor:    &ActorOptions{Seed: 2, Every: 3, Users: []string{"user002@example.com", "user003@example.com"}, Ops: ActorOps}})
	defer srv.Close()
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 40 {
				switch (g + i) % 5 {
				case 0:
					do(t, srv, "GET", "/v2/users?limit=20&sort=fullName", "")
				case 1:
					do(t, srv, "GET", "/v2/teams?expand=member", "")
				case 2:
					w := httptest.NewRecorder() // a late write answers nothing after Close
					r := httptest.NewRequest("POST", "/v2/teams", strings.NewReader(fmt.Sprintf(`{"name":"t%d-%d","members":[{"user":{"username":"user001@example.com"}}]}`, g, i)))
					r.Header.Set("Authorization", "GenieKey "+testKey)
					srv.ServeHTTP(w, r)
				case 3:
					w := httptest.NewRecorder()
					r := httptest.NewRequest("POST", "/v2/teams/t0-2/members?teamIdentifierType=name", strings.NewReader(`{"user":{"username":"user004@example.com"}}`))
					r.Header.Set("Authorization", "GenieKey "+testKey)
					srv.ServeHTTP(w, r)
				default:
					srv.State()
					srv.Journal()
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	j := srv.Journal()
	for i, m := range j {
		if m.Seq != i+1 {
			t.Fatalf("journal entry %d has seq %d", i, m.Seq)
		}
	}
	if len(j) == 0 || !slices.ContainsFunc(j, func(m Mutation) bool { return m.Source == SourceActor }) {
		t.Errorf("journal of %d entries has no actor change", len(j))
	}
}
