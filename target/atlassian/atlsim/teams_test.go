package atlsim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestCreateTeamAutoAddsCaller(t *testing.T) {
	srv := newTestServer(t, Options{})
	r := do(t, srv, "POST", teamsBase+"/teams/", `{"displayName":"SRE","description":"","teamType":"MEMBER_INVITE","siteId":"cloud-1","teamId":"","userPermissions":null}`)
	want(t, r, 201)
	m := r.obj(t)
	id, _ := m["teamId"].(string)
	if id == "" || m["displayName"] != "SRE" || m["organizationId"] != testOrg || m["state"] != "ACTIVE" || m["creatorId"] != "acc-bot" {
		t.Errorf("create answer %s", r.body)
	}
	if got := ids(m["members"], "accountId"); !slices.Equal(got, []string{"acc-bot"}) {
		t.Errorf("members %v, want the caller only", got)
	}
	if dig(m, "userPermissions", "ADD_MEMBERS") != true || dig(m, "externalReference") != nil {
		t.Errorf("permissions or external reference wrong: %s", r.body)
	}
	if _, ok := m["externalReference"]; !ok {
		t.Error("externalReference must be present (null)")
	}
	if got := stateTeam(t, srv, id).Members; !slices.Equal(got, []string{"acc-bot"}) {
		t.Errorf("state members %v", got)
	}
	// A caller the directory does not know becomes an account.
	r = doAuth(t, srv, "POST", teamsBase+"/teams", `{"displayName":"X","description":"d","teamType":"OPEN"}`, basicAuth("new.bot@example.com", testKey))
	want(t, r, 201)
	u := stateUser(t, srv, "new.bot@example.com")
	if got := ids(r.obj(t)["members"], "accountId"); !slices.Equal(got, []string{u.AccountID}) {
		t.Errorf("members %v, want the new caller %s", got, u.AccountID)
	}
	if j := srv.Journal(); !slices.ContainsFunc(j, func(m Mutation) bool { return m.Source == SourceAuth && m.User == "new.bot@example.com" }) {
		t.Errorf("journal lacks the first-seen caller: %+v", j)
	}
}

func TestCreateTeamValidation(t *testing.T) {
	long := strings.Repeat("x", 251)
	tests := []struct {
		name, body string
		beh        Behavior
		code       int
	}{
		{"no display name", `{"description":"","teamType":"OPEN"}`, Behavior{}, 400},
		{"empty display name", `{"displayName":"","description":"","teamType":"OPEN"}`, Behavior{}, 400},
		{"display name too long", `{"displayName":"` + long + `","description":"","teamType":"OPEN"}`, Behavior{}, 400},
		{"display name 250", `{"displayName":"` + long[:250] + `","description":"","teamType":"OPEN"}`, Behavior{}, 201},
		{"no description", `{"displayName":"a","teamType":"OPEN"}`, Behavior{}, 400},
		{"description too long", `{"displayName":"a","description":"` + strings.Repeat("d", 361) + `","teamType":"OPEN"}`, Behavior{}, 400},
		{"no team type", `{"displayName":"a","description":""}`, Behavior{}, 400},
		{"external type", `{"displayName":"a","description":"","teamType":"EXTERNAL"}`, Behavior{}, 400},
		{"unknown type", `{"displayName":"a","description":"","teamType":"SECRET"}`, Behavior{}, 400},
		{"other site", `{"displayName":"a","description":"","teamType":"OPEN","siteId":"cloud-2"}`, Behavior{}, 400},
		{"not an object", `[1]`, Behavior{}, 400},
		{"malformed", `{"displayName":`, Behavior{}, 400},
		{"site-scoped without siteId", `{"displayName":"a","description":"","teamType":"OPEN"}`, Behavior{SiteScopedTeams: true}, 400},
		{"site-scoped with siteId", `{"displayName":"a","description":"","teamType":"OPEN","siteId":"cloud-1"}`, Behavior{SiteScopedTeams: true}, 201},
		{"org admin managed", `{"displayName":"a","description":"","teamType":"ORG_ADMIN_MANAGED"}`, Behavior{}, 201},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Behavior: tc.beh})
			r := do(t, srv, "POST", teamsBase+"/teams", tc.body)
			want(t, r, tc.code)
			if tc.code == 400 && r.obj(t)["code"] != codeInvalid {
				t.Errorf("400 body %s, want code %s", r.body, codeInvalid)
			}
		})
	}
}

func TestTeamLifecycle(t *testing.T) {
	srv := newTestServer(t, Options{})
	p := teamsBase + "/teams/team-web"
	r := do(t, srv, "GET", p+"?siteId=cloud-1", "")
	want(t, r, 200)
	if m := r.obj(t); m["displayName"] != "Web" || m["teamType"] != "OPEN" || m["members"] != nil || dig(m, "userPermissions", "UPDATE_TEAM") != true {
		t.Errorf("get %s", r.body)
	}
	want(t, do(t, srv, "PATCH", p, `{"teamType":"MEMBER_INVITE"}`), 400)
	want(t, do(t, srv, "PATCH", p, `{"displayName":""}`), 400)
	r = do(t, srv, "PATCH", p, `{"displayName":"Web Front","teamType":"OPEN"}`)
	want(t, r, 200)
	if m := r.obj(t); m["displayName"] != "Web Front" || m["description"] != "Web team" {
		t.Errorf("patch %s", r.body)
	}
	want(t, do(t, srv, "PATCH", p, `{"description":"Front end"}`), 200)
	if st := stateTeam(t, srv, "team-web"); st.DisplayName != "Web Front" || st.Description != "Front end" {
		t.Errorf("state %+v", st)
	}
	want(t, do(t, srv, "POST", p+"/restore", ""), 409)
	want(t, do(t, srv, "DELETE", p, ""), 204)
	for _, c := range []struct{ method, path, body string }{
		{"GET", p, ""}, {"PATCH", p, `{"description":"x"}`}, {"DELETE", p, ""},
		{"POST", p + "/members", `{}`}, {"POST", p + "/members/add", `{"members":[{"accountId":"acc-bob"}]}`},
		{"POST", p + "/members/remove", `{"members":[{"accountId":"acc-carol"}]}`},
	} {
		r := do(t, srv, c.method, c.path, c.body)
		want(t, r, 410)
		if r.obj(t)["code"] == nil {
			t.Errorf("%s %s: 410 without code: %s", c.method, c.path, r.body)
		}
	}
	r = do(t, srv, "GET", teamsBase+"/teams?size=300", "")
	if slices.Contains(ids(r.obj(t)["entities"], "teamId"), "team-web") {
		t.Error("a deleted team is listed")
	}
	want(t, do(t, srv, "POST", p+"/restore", ""), 200)
	want(t, do(t, srv, "GET", p, ""), 200)
	if st := stateTeam(t, srv, "team-web"); st.Deleted || !slices.Equal(st.Members, []string{"acc-carol"}) {
		t.Errorf("restored team %+v", st)
	}
	want(t, do(t, srv, "GET", teamsBase+"/teams/no-such-team", ""), 404)
	want(t, do(t, srv, "DELETE", teamsBase+"/teams/no-such-team", ""), 404)
	want(t, do(t, srv, "POST", teamsBase+"/teams/no-such-team/restore", ""), 404)
	want(t, do(t, srv, "GET", teamsBase+"/teams/team-gone", ""), 410)
	want(t, do(t, srv, "GET", teamsBase+"/teams/team-web?siteId=other", ""), 400)

	srv200 := newTestServer(t, Options{Behavior: Behavior{TeamDeleteStatus: 200}})
	want(t, do(t, srv200, "DELETE", p, ""), 200)
}

func TestTeamDeleteTakesOpsResources(t *testing.T) {
	srv := newTestServer(t, Options{})
	want(t, do(t, srv, "DELETE", teamsBase+"/teams/team-platform", ""), 204)
	st := srv.State()
	if len(st.Schedules) != 0 || len(st.Escalations) != 0 {
		t.Errorf("schedules %v and escalations %v survive their team", st.Schedules, st.Escalations)
	}
	want(t, do(t, srv, "GET", opsBase+"/v1/teams/team-platform/escalations", ""), 404)
}

// seedTeams makes n extra teams T01..Tn, each with members m member
// accounts.
func bigSeed(t *testing.T, teams, members int) *Seed {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("users:\n  - {email: bot@example.com, access: {jira-servicedesk: admin}}\n")
	for i := range members {
		fmt.Fprintf(&sb, "  - {accountId: m%03d, email: m%03d@example.com}\n", i, i)
	}
	sb.WriteString("teams:\n")
	for i := range teams {
		fmt.Fprintf(&sb, "  - teamId: t%02d\n    displayName: T%02d\n    members: [", i, i)
		for j := range members {
			if j > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "m%03d@example.com", j)
		}
		sb.WriteString("]\n")
	}
	seed, err := ParseSeed("big.yaml", []byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

func TestListTeamsPaging(t *testing.T) {
	tests := []struct {
		name  string
		query string
		beh   Behavior
		code  int
		pages []int
	}{
		{"default size 50", "", Behavior{}, 200, []int{7}},
		{"size 3", "size=3", Behavior{}, 200, []int{3, 3, 1}},
		{"size 7 exact", "size=7", Behavior{}, 200, []int{7}},
		{"size above 300 capped", "size=301", Behavior{}, 200, []int{7}},
		{"size above 300 rejected", "size=301", Behavior{RejectOverMax: true}, 400, nil},
		{"size 0", "size=0", Behavior{}, 400, nil},
		{"size not a number", "size=x", Behavior{}, 400, nil},
		{"bad cursor", "cursor=%21%21", Behavior{}, 400, nil},
		{"with site", "size=5&siteId=cloud-1", Behavior{}, 200, []int{5, 2}},
		{"site-scoped without site", "size=5", Behavior{SiteScopedTeams: true}, 200, []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Seed: bigSeed(t, 7, 0), Behavior: tc.beh})
			q := tc.query
			var pages []int
			var seen []string
			for range 10 {
				r := do(t, srv, "GET", teamsBase+"/teams?"+q, "")
				want(t, r, tc.code)
				if tc.code != 200 {
					return
				}
				m := r.obj(t)
				seen = append(seen, ids(m["entities"], "teamId")...)
				pages = append(pages, len(ids(m["entities"], "teamId")))
				cur, _ := m["cursor"].(string)
				if _, ok := m["cursor"]; !ok {
					t.Fatal("cursor key missing")
				}
				if cur == "" {
					break
				}
				q = tc.query + "&cursor=" + cur
			}
			if !slices.Equal(pages, tc.pages) {
				t.Errorf("pages %v, want %v", pages, tc.pages)
			}
			if tc.pages[0] > 0 && !slices.Equal(seen, []string{"t00", "t01", "t02", "t03", "t04", "t05", "t06"}) {
				t.Errorf("teams %v", seen)
			}
		})
	}
}

func TestMembersPaging(t *testing.T) {
	tests := []struct {
		name  string
		first string
		beh   Behavior
		code  int
		pages []int
	}{
		{"default 50", "", Behavior{}, 200, []int{50, 50, 20}},
		{"first 40", `"first":40,`, Behavior{}, 200, []int{40, 40, 40}},
		{"first above max capped", `"first":100,`, Behavior{}, 200, []int{50, 50, 20}},
		{"first above max rejected", `"first":100,`, Behavior{RejectOverMax: true}, 400, nil},
		{"larger max", `"first":100,`, Behavior{MembersPageMax: 200}, 200, []int{100, 20}},
		{"first 0", `"first":0,`, Behavior{}, 400, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Seed: bigSeed(t, 1, 120), Behavior: tc.beh})
			after := "null"
			var pages []int
			var seen []string
			for range 10 {
				r := do(t, srv, "POST", teamsBase+"/teams/t00/members", "{"+tc.first+`"after":`+after+"}")
				want(t, r, tc.code)
				if tc.code != 200 {
					return
				}
				m := r.obj(t)
				got := ids(m["results"], "accountId")
				seen = append(seen, got...)
				pages = append(pages, len(got))
				if dig(m, "pageInfo", "hasNextPage") != true {
					break
				}
				after = `"` + dig(m, "pageInfo", "endCursor").(string) + `"`
			}
			if !slices.Equal(pages, tc.pages) {
				t.Errorf("pages %v, want %v", pages, tc.pages)
			}
			if len(seen) != 120 || seen[0] != "m000" || seen[119] != "m119" {
				t.Errorf("members %d, first %q", len(seen), seen[0])
			}
		})
	}
	srv := newTestServer(t, Options{})
	r := do(t, srv, "POST", teamsBase+"/teams/team-web/members", "")
	want(t, r, 200)
	if got := ids(r.obj(t)["results"], "accountId"); !slices.Equal(got, []string{"acc-carol"}) {
		t.Errorf("an empty body must list the first page: %v", got)
	}
	want(t, do(t, srv, "POST", teamsBase+"/teams/team-web/members", `{"after":"bogus"}`), 400)
	// An empty team: no results, no end cursor.
	want(t, do(t, srv, "POST", teamsBase+"/teams/team-web/members/remove", `{"members":[{"accountId":"acc-carol"}]}`), 200)
	r = do(t, srv, "POST", teamsBase+"/teams/team-web/members", `{}`)
	if m := r.obj(t); len(ids(m["results"], "accountId")) != 0 || dig(m, "pageInfo", "endCursor") != nil || dig(m, "pageInfo", "hasNextPage") != false {
		t.Errorf("empty team page %s", r.body)
	}
}

func memberBody(idList ...string) string {
	parts := make([]string, len(idList))
	for i, id := range idList {
		parts[i] = `{"accountId":"` + id + `"}`
	}
	return `{"members":[` + strings.Join(parts, ",") + `]}`
}

func TestMembersAddRemoveBatches(t *testing.T) {
	fifty := make([]string, 50)
	for i := range fifty {
		fifty[i] = fmt.Sprintf("m%03d", i)
	}
	tests := []struct {
		name     string
		beh      Behavior
		path     string
		body     string
		code     int
		added    []string
		errCodes map[string]string
		members  []string // the team's members after, when code is 200
	}{
		{name: "mixed add", path: "/members/add", body: memberBody("acc-bob", "nobody", "acc-carol", "acc-dave"), code: 200,
			added:    []string{"acc-bob"},
			errCodes: map[string]string{"nobody": CodeUserNotFound, "acc-carol": CodeAlreadyMember, "acc-dave": CodeUserInactive},
			members:  []string{"acc-carol", "acc-bob"}},
		{name: "re-add ignored", beh: Behavior{AddExistingMember: AddExistingIgnore}, path: "/members/add", body: memberBody("acc-carol"), code: 200,
			added: []string{"acc-carol"}, errCodes: map[string]string{}, members: []string{"acc-carol"}},
		{name: "mixed remove", path: "/members/remove", body: memberBody("acc-carol", "acc-bob"), code: 200,
			errCodes: map[string]string{"acc-bob": CodeNotAMember}, members: []string{}},
		{name: "51 members", path: "/members/add", body: memberBody(append(slices.Clone(fifty), "m050")...), code: 400},
		{name: "50 members", path: "/members/add", body: memberBody(fifty...), code: 200, added: fifty, errCodes: map[string]string{}},
		{name: "51 removals", path: "/members/remove", body: memberBody(append(slices.Clone(fifty), "m050")...), code: 400},
		{name: "empty", path: "/members/add", body: `{"members":[]}`, code: 400},
		{name: "no members key", path: "/members/add", body: `{}`, code: 400},
		{name: "duplicates", path: "/members/add", body: memberBody("acc-bob", "acc-bob"), code: 400},
		{name: "empty id", path: "/members/remove", body: memberBody(""), code: 400},
		{name: "no body", path: "/members/add", body: "", code: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seed := bigSeed(t, 0, 51)
			base, _ := ParseSeed("t", []byte(testSeed))
			seed.Users = append(base.Users[1:], seed.Users...)
			seed.Teams = base.Teams
			seed.Schedules, seed.Escalations = base.Schedules, base.Escalations
			srv := newTestServer(t, Options{Seed: seed, Behavior: tc.beh})
			r := do(t, srv, "POST", teamsBase+"/teams/team-web"+tc.path, tc.body)
			want(t, r, tc.code)
			m := r.obj(t)
			if tc.code != 200 {
				if m["code"] != codeInvalid {
					t.Errorf("400 body %s", r.body)
				}
				return
			}
			if tc.path == "/members/add" {
				if got := ids(m["members"], "accountId"); !slices.Equal(got, tc.added) && len(got)+len(tc.added) > 0 {
					t.Errorf("added %v, want %v", got, tc.added)
				}
			} else if _, ok := m["members"]; ok {
				t.Errorf("remove answers members: %s", r.body)
			}
			errs, ok := m["errors"].([]any)
			if !ok {
				t.Fatalf("errors must be an array: %s", r.body)
			}
			got := map[string]string{}
			for _, e := range errs {
				got[dig(e, "accountId").(string)] = dig(e, "code").(string)
				if msg, _ := dig(e, "message").(string); msg == "" {
					t.Errorf("error without message: %v", e)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.errCodes) {
				t.Errorf("errors %v, want %v", got, tc.errCodes)
			}
			if tc.members != nil {
				if st := stateTeam(t, srv, "team-web").Members; !slices.Equal(st, tc.members) {
					t.Errorf("members %v, want %v", st, tc.members)
				}
			}
		})
	}
}

func TestExternalTeamMembershipForbidden(t *testing.T) {
	srv := newTestServer(t, Options{})
	for _, p := range []string{"/members/add", "/members/remove"} {
		r := do(t, srv, "POST", teamsBase+"/teams/team-ext"+p, memberBody("acc-bob"))
		want(t, r, 403)
	}
	r := do(t, srv, "GET", teamsBase+"/teams/team-ext", "")
	if dig(r.obj(t), "userPermissions", "ADD_MEMBERS") != false {
		t.Errorf("EXTERNAL team must not grant ADD_MEMBERS: %s", r.body)
	}
	want(t, do(t, srv, "POST", teamsBase+"/teams/team-ext/members", `{}`), 200)
}

func TestArchiveTeams(t *testing.T) {
	srv := newTestServer(t, Options{})
	r := do(t, srv, "POST", teamsBase+"/teams/archive", `{"teamIds":["team-web","team-gone","nope"]}`)
	want(t, r, 200)
	m := r.obj(t)
	if got := m["successfulTeamIds"].([]any); len(got) != 1 || got[0] != "team-web" {
		t.Errorf("archive %s", r.body)
	}
	if got := ids(m["errors"], "code"); !slices.Equal(got, []string{"GONE", "NOT_FOUND"}) {
		t.Errorf("archive errors %v", got)
	}
	if st := stateTeam(t, srv, "team-web").State; st != TeamStateArchived {
		t.Errorf("state %s", st)
	}
	// Archived teams stay readable and listed.
	r = do(t, srv, "GET", teamsBase+"/teams/team-web", "")
	if r.obj(t)["state"] != "ARCHIVED" {
		t.Errorf("get archived %s", r.body)
	}
	r = do(t, srv, "POST", teamsBase+"/teams/archive", `{"teamIds":["team-web"]}`)
	if got := ids(r.obj(t)["errors"], "code"); !slices.Equal(got, []string{"ALREADY_ARCHIVED"}) {
		t.Errorf("archive again %v", got)
	}
	r = do(t, srv, "POST", teamsBase+"/teams/unarchive", `{"teamIds":["team-web","team-platform"]}`)
	if got := ids(r.obj(t)["errors"], "code"); !slices.Equal(got, []string{"NOT_ARCHIVED"}) {
		t.Errorf("unarchive %s", r.body)
	}
	want(t, do(t, srv, "POST", teamsBase+"/teams/archive", `{"teamIds":[]}`), 400)
}
