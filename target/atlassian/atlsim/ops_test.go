package atlsim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// createTeam makes a team through the API and returns its id.
func createTeam(t *testing.T, srv *Server, name string) string {
	t.Helper()
	r := do(t, srv, "POST", teamsBase+"/teams", `{"displayName":"`+name+`","description":"","teamType":"MEMBER_INVITE"}`)
	want(t, r, 201)
	return r.obj(t)["teamId"].(string)
}

func enable(t *testing.T, srv *Server, id, body string) resp {
	t.Helper()
	return do(t, srv, "POST", opsBase+"/v1/teams/"+id+"/enable-ops", body)
}

func TestEnableOpsEventualConsistency(t *testing.T) {
	srv := newTestServer(t, Options{})
	id := createTeam(t, srv, "SRE")
	// First call: the new team is not yet visible to Ops (observed body).
	r := enable(t, srv, id, `{"adminAccountIds":["acc-bot"]}`)
	want(t, r, 404)
	if m := r.obj(t); m["message"] != "Team not found with identifier: "+id || m["requestId"] == nil || m["took"] == nil {
		t.Errorf("404 body %s", r.body)
	}
	if stateTeam(t, srv, id).Operations {
		t.Fatal("operations enabled by a refused call")
	}
	r = enable(t, srv, id, `{"platformTeamId":"`+id+`","adminAccountIds":["acc-bot"],"inviteUsernames":[]}`)
	want(t, r, 200)
	req, _ := r.obj(t)["requestId"].(string)
	if req == "" {
		t.Fatalf("no requestId: %s", r.body)
	}
	poll := func() string {
		r := do(t, srv, "GET", opsBase+"/v1/teams/"+id+"/requests/"+req, "")
		want(t, r, 200)
		return dig(r.obj(t), "status", "value").(string)
	}
	if got := []string{poll(), poll(), poll()}; !slices.Equal(got, []string{"IN_PROGRESS", "SUCCESSFUL", "SUCCESSFUL"}) {
		t.Errorf("polls %v", got)
	}
	want(t, do(t, srv, "GET", opsBase+"/v1/teams/"+id+"/requests/nope", ""), 404)
	want(t, do(t, srv, "GET", opsBase+"/v1/teams/team-web/requests/"+req, ""), 404)
	st := stateTeam(t, srv, id)
	if !st.Operations || !slices.Equal(st.OpsAdmins, []string{"acc-bot"}) {
		t.Errorf("team after enable %+v", st)
	}
	r = do(t, srv, "GET", opsBase+"/v1/teams", "")
	want(t, r, 200)
	if got := ids(r.obj(t)["platformTeams"], "teamName"); !slices.Equal(got, []string{"Platform", "SRE"}) {
		t.Errorf("ops teams %v", got)
	}
	// Default resources of enable-ops.
	r = do(t, srv, "GET", opsBase+"/v1/schedules?query=SRE_schedule", "")
	if got := ids(r.obj(t)["values"], "name"); !slices.Equal(got, []string{"SRE_schedule"}) {
		t.Errorf("default schedule %v", got)
	}
	r = do(t, srv, "GET", opsBase+"/v1/teams/"+id+"/escalations", "")
	if got := ids(r.obj(t)["values"], "name"); !slices.Equal(got, []string{"SRE_escalation"}) {
		t.Errorf("default escalation %v", got)
	}
	// Enabling again.
	want(t, enable(t, srv, id, `{}`), 409)
	want(t, enable(t, srv, "team-platform", ""), 409)
}

func TestEnableOpsVariants(t *testing.T) {
	tests := []struct {
		name  string
		beh   Behavior
		codes []int // successive enable-ops answers on a team created just before
		final string
		ops   bool
	}{
		{"default", Behavior{}, []int{404, 200, 409}, "SUCCESSFUL", true},
		{"visible at once", Behavior{OpsInvisibleCalls: -1}, []int{200, 409}, "SUCCESSFUL", true},
		{"three invisible calls", Behavior{OpsInvisibleCalls: 3}, []int{404, 404, 404, 200}, "SUCCESSFUL", true},
		{"422 while invisible", Behavior{OpsInvisibleStatus: 422}, []int{422, 200}, "SUCCESSFUL", true},
		{"enable again ok", Behavior{EnableAgain: EnableAgainOK}, []int{404, 200, 200}, "SUCCESSFUL", true},
		{"enable again 422", Behavior{EnableAgain: EnableAgainUnprocessable}, []int{404, 200, 422}, "SUCCESSFUL", true},
		{"fails", Behavior{EnableFails: true, EnablePendingPolls: -1}, []int{404, 200, 200}, "FAILED", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Behavior: tc.beh})
			id := createTeam(t, srv, "SRE")
			var last string
			for i, code := range tc.codes {
				r := enable(t, srv, id, "")
				if r.code != code {
					t.Fatalf("call %d: %d, want %d (%s)", i, r.code, code, r.body)
				}
				if code == 200 {
					last = r.obj(t)["requestId"].(string)
				}
			}
			var status string
			for range 5 {
				r := do(t, srv, "GET", opsBase+"/v1/teams/"+id+"/requests/"+last, "")
				if status = dig(r.obj(t), "status", "value").(string); status != "IN_PROGRESS" {
					break
				}
			}
			if status != tc.final {
				t.Errorf("final status %s, want %s", status, tc.final)
			}
			if got := stateTeam(t, srv, id).Operations; got != tc.ops {
				t.Errorf("operations %v, want %v", got, tc.ops)
			}
		})
	}
}

func TestEnableOpsDelayByClock(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	srv := newTestServer(t, Options{Clock: clock.now, Behavior: Behavior{OpsInvisibleCalls: -1, OpsInvisibleFor: 30 * time.Second}})
	id := createTeam(t, srv, "SRE")
	want(t, enable(t, srv, id, ""), 404)
	clock.advance(29 * time.Second)
	want(t, enable(t, srv, id, ""), 404)
	clock.advance(time.Second)
	want(t, enable(t, srv, id, ""), 200)
}

func TestEnableOpsErrors(t *testing.T) {
	srv := newTestServer(t, Options{Behavior: Behavior{OpsInvisibleCalls: -1}})
	want(t, enable(t, srv, "no-team", ""), 404)
	want(t, enable(t, srv, "team-gone", ""), 404)
	want(t, enable(t, srv, "team-web", `{"adminAccountIds":["acc-bob"]}`), 422) // not a member
	want(t, enable(t, srv, "team-web", `{"platformTeamId":"team-platform"}`), 422)
	want(t, enable(t, srv, "team-web", `{"adminAccountIds":`), 400)
	want(t, enable(t, srv, "team-web", `{"adminAccountIds":["acc-carol"]}`), 200)
	nd := newTestServer(t, Options{Behavior: Behavior{OpsInvisibleCalls: -1, NoDefaultOpsResources: true}})
	want(t, enable(t, nd, "team-web", ""), 200)
	if st := nd.State(); len(st.Schedules) != 1 || len(st.Escalations) != 1 {
		t.Errorf("default resources made despite NoDefaultOpsResources: %+v %+v", st.Schedules, st.Escalations)
	}
}

func TestOpsTeamsList(t *testing.T) {
	for _, tc := range []struct {
		beh  Behavior
		want []string
	}{
		{Behavior{}, []string{"team-platform"}},
		{Behavior{OpsTeamsListAll: true}, []string{"team-platform", "team-web", "team-ext"}},
	} {
		srv := newTestServer(t, Options{Behavior: tc.beh})
		r := do(t, srv, "GET", opsBase+"/v1/teams", "")
		want(t, r, 200)
		if got := ids(r.obj(t)["platformTeams"], "teamId"); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.beh, got, tc.want)
		}
	}
}

func TestOpsAudit(t *testing.T) {
	srv := newTestServer(t, Options{})
	r := do(t, srv, "GET", opsBase+"/v1/schedules?expand=rotation", "")
	want(t, r, 200)
	m := r.obj(t)
	if dig(m, "values", 0, "rotations", 0, "participants", 0, "id") != "acc-alice" ||
		dig(m, "values", 0, "rotations", 0, "participants", 1, "id") != "team-web" ||
		dig(m, "values", 0, "rotations", 0, "participants", 2, "type") != "noone" ||
		dig(m, "values", 0, "teamId") != "team-platform" || dig(m, "links", "next") != nil {
		t.Errorf("schedules %s", r.body)
	}
	r = do(t, srv, "GET", opsBase+"/v1/schedules", "")
	if dig(r.obj(t), "values", 0, "rotations") != nil {
		t.Errorf("rotations without expand: %s", r.body)
	}
	r = do(t, srv, "GET", opsBase+"/v1/schedules/sched-1", "")
	want(t, r, 200)
	if dig(r.obj(t), "rotations", 0, "id") != "rot-1" {
		t.Errorf("schedule %s", r.body)
	}
	r = do(t, srv, "GET", opsBase+"/v1/schedules/sched-1/rotations", "")
	if dig(r.obj(t), "values", 0, "participants", 0, "type") != "user" {
		t.Errorf("rotations %s", r.body)
	}
	want(t, do(t, srv, "GET", opsBase+"/v1/schedules/sched-1/rotations/rot-1", ""), 200)
	want(t, do(t, srv, "GET", opsBase+"/v1/schedules/sched-1/rotations/rot-9", ""), 404)
	r = do(t, srv, "GET", opsBase+"/v1/schedules/sched-1/overrides", "")
	if m := r.obj(t); dig(m, "values", 0, "responder", "id") != "acc-bob" || dig(m, "values", 0, "alias") != "ov-1" ||
		dig(m, "values", 0, "rotationIds", 0) != "rot-1" {
		t.Errorf("overrides %s", r.body)
	}
	r = do(t, srv, "GET", opsBase+"/v1/teams/team-platform/escalations", "")
	if m := r.obj(t); dig(m, "values", 0, "rules", 1, "recipient", "id") != "acc-bob" ||
		dig(m, "values", 0, "rules", 0, "recipient", "type") != "schedule" || dig(m, "values", 0, "rules", 1, "condition") != "if-not-closed" {
		t.Errorf("escalations %s", r.body)
	}
	want(t, do(t, srv, "GET", opsBase+"/v1/teams/team-platform/escalations/esc-1", ""), 200)
	want(t, do(t, srv, "GET", opsBase+"/v1/teams/team-platform/escalations/esc-9", ""), 404)
	want(t, do(t, srv, "GET", opsBase+"/v1/teams/team-web/escalations", ""), 404) // not ops-enabled
	r = do(t, srv, "GET", opsBase+"/v1/teams/team-platform/roles", "")
	want(t, r, 200)
	if a := r.arr(t); len(a) != 1 || dig(a, 0, "name") != "Scheduler" {
		t.Errorf("roles %s", r.body)
	}
	want(t, do(t, srv, "GET", opsBase+"/v1/teams/team-web/roles", ""), 404)
	for _, q := range []struct {
		query string
		n     int
	}{{"platform oncall", 1}, {"PLATFORM*", 1}, {"platform", 0}, {"x*", 0}} {
		r := do(t, srv, "GET", opsBase+"/v1/schedules?query="+strings.ReplaceAll(q.query, " ", "%20"), "")
		if got := len(ids(r.obj(t)["values"], "id")); got != q.n {
			t.Errorf("query %q: %d schedules, want %d", q.query, got, q.n)
		}
	}
	want(t, do(t, srv, "DELETE", opsBase+"/v1/teams/team-platform/escalations/esc-1", ""), 204)
	want(t, do(t, srv, "DELETE", opsBase+"/v1/schedules/sched-1", ""), 204)
	want(t, do(t, srv, "GET", opsBase+"/v1/schedules/sched-1", ""), 404)
	want(t, do(t, srv, "DELETE", opsBase+"/v1/schedules/sched-1", ""), 404)
}

// opsSeed is an ops team with n schedules and n escalations.
func opsSeed(t *testing.T, n int) *Seed {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("users: [{email: bot@example.com, access: {jira-servicedesk: admin}}]\n")
	sb.WriteString("teams: [{teamId: t1, displayName: T1, operations: true}]\nschedules:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  - {name: s%03d, team: T1}\n", i)
	}
	sb.WriteString("escalations:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  - {name: e%03d, team: T1}\n", i)
	}
	seed, err := ParseSeed("ops.yaml", []byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

func TestOpsPaging(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		query string
		beh   Behavior
		code  int
		pages []int
	}{
		{"schedules default 25", "/v1/schedules", "", Behavior{}, 200, []int{25, 25, 25, 25, 20}},
		{"schedules size 50", "/v1/schedules", "size=50&expand=rotation", Behavior{}, 200, []int{50, 50, 20}},
		{"schedules size 60 capped", "/v1/schedules", "size=60", Behavior{}, 200, []int{50, 50, 20}},
		{"schedules size 60 rejected", "/v1/schedules", "size=60", Behavior{RejectOverMax: true}, 400, nil},
		{"schedules size 0", "/v1/schedules", "size=0", Behavior{}, 400, nil},
		{"schedules bad offset", "/v1/schedules", "offset=-1", Behavior{}, 400, nil},
		{"escalations default 20", "/v1/teams/t1/escalations", "", Behavior{}, 200, []int{20, 20, 20, 20, 20, 20}},
		{"escalations size 100", "/v1/teams/t1/escalations", "size=100", Behavior{}, 200, []int{100, 20}},
		{"escalations size 101 rejected", "/v1/teams/t1/escalations", "size=101", Behavior{RejectOverMax: true}, 400, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Seed: opsSeed(t, 120), Behavior: tc.beh})
			p := tc.path + "?" + tc.query
			var pages []int
			total := 0
			for range 10 {
				r := do(t, srv, "GET", opsBase+p, "")
				want(t, r, tc.code)
				if tc.code != 200 {
					return
				}
				m := r.obj(t)
				n := len(ids(m["values"], "id"))
				pages = append(pages, n)
				total += n
				next, _ := dig(m, "links", "next").(string)
				if next == "" {
					break
				}
				if !strings.HasPrefix(next, tc.path+"?") {
					t.Fatalf("links.next %q is not relative to the ops base", next)
				}
				if strings.Contains(tc.query, "expand") && !strings.Contains(next, "expand=rotation") {
					t.Errorf("links.next %q drops expand", next)
				}
				p = next
			}
			if !slices.Equal(pages, tc.pages) || total != 120 {
				t.Errorf("pages %v, want %v", pages, tc.pages)
			}
		})
	}
}

func TestOpsErrorEnvelopesAndAccess(t *testing.T) {
	srv := newTestServer(t, Options{Behavior: Behavior{OpsErrors: OpsErrorsList}})
	r := do(t, srv, "GET", opsBase+"/v1/schedules/none", "")
	want(t, r, 404)
	if dig(r.obj(t), "errors", 0, "title") != "Not Found" || dig(r.obj(t), "errors", 0, "detail") == nil {
		t.Errorf("errors envelope %s", r.body)
	}
	// An account without JSM access may not use the ops API.
	r = doAuth(t, srv, "GET", opsBase+"/v1/teams", "", basicAuth("carol@example.com", testKey))
	want(t, r, 403)
	want(t, doAuth(t, srv, "GET", teamsBase+"/teams", "", basicAuth("carol@example.com", testKey)), 200)
	want(t, do(t, srv, "GET", "/jsm/ops/api/other-cloud/v1/teams", ""), 404)
}

func TestForwardingRules(t *testing.T) {
	seed := testSeed + `
forwardingRules:
  - {id: fw-1, from: alice@example.com, to: bob@example.com, startDate: "2026-03-01T00:00:00Z", endDate: "2026-03-08T00:00:00Z"}
  - {id: fw-2, alias: holiday, from: bob@example.com, to: carol@example.com, startDate: "2026-04-01T00:00:00Z", endDate: "2026-04-08T00:00:00Z"}
`
	parsed, err := ParseSeed("fw.yaml", []byte(seed))
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, Options{Seed: parsed})
	r := do(t, srv, "GET", opsBase+"/v1/forwarding-rules?showAll=true&size=1", "")
	want(t, r, 200)
	m := r.obj(t)
	if dig(m, "values", 0, "fromUserId") != "acc-alice" || dig(m, "values", 0, "toUserId") != "acc-bob" {
		t.Errorf("forwarding %s", r.body)
	}
	next, _ := dig(m, "links", "next").(string)
	if !strings.HasPrefix(next, "/v1/forwarding-rules?") {
		t.Fatalf("links.next %q", next)
	}
	r = do(t, srv, "GET", opsBase+next, "")
	if m := r.obj(t); dig(m, "values", 0, "alias") != "holiday" || dig(m, "links", "next") != nil {
		t.Errorf("second page %s", r.body)
	}
	if st := srv.State(); len(st.ForwardingRules) != 2 || st.ForwardingRules[1].ToUserID != "acc-carol" {
		t.Errorf("state %+v", st.ForwardingRules)
	}
	np := newTestServer(t, Options{Seed: parsed, Behavior: Behavior{ForwardingNotInPlan: true}})
	want(t, do(t, np, "GET", opsBase+"/v1/forwarding-rules", ""), 402)
	if _, err := ParseSeed("fw.yaml", []byte("forwardingRules:\n  - {from: x@example.com, to: y@example.com}\n")); err == nil ||
		!strings.Contains(err.Error(), "fw.yaml:2: forwardingRules[0].from: no user") {
		t.Errorf("bad rule: %v", err)
	}
}

func TestOpsDeleteScopeMismatch(t *testing.T) {
	srv := newTestServer(t, Options{Behavior: Behavior{OpsDeleteScopeMismatch: true}})
	r := do(t, srv, "DELETE", opsBase+"/v1/schedules/sched-1", "")
	want(t, r, 401)
	if m := r.obj(t); m["code"] != 401.0 || !strings.Contains(m["message"].(string), "scope does not match") {
		t.Errorf("401 body %s", r.body)
	}
	want(t, do(t, srv, "DELETE", opsBase+"/v1/teams/team-platform/escalations/esc-1", ""), 401)
	want(t, do(t, srv, "GET", opsBase+"/v1/schedules/sched-1", ""), 200)
	want(t, do(t, srv, "DELETE", teamsBase+"/teams/team-web", ""), 204) // Teams API unaffected
	if st := srv.State(); len(st.Schedules) != 1 {
		t.Errorf("a refused delete deleted: %+v", st.Schedules)
	}
}
