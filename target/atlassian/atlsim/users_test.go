package atlsim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestJiraUserSearch(t *testing.T) {
	tests := []struct {
		name  string
		beh   Behavior
		query string
		code  int
		want  []string // accountIds
	}{
		{"exact e-mail", Behavior{}, "query=alice%40example.com", 200, []string{"acc-alice"}},
		{"e-mail prefix", Behavior{}, "query=ali", 200, []string{"acc-alice"}},
		{"case-insensitive", Behavior{}, "query=ALICE", 200, []string{"acc-alice"}},
		{"display name word", Behavior{}, "query=baker", 200, []string{"acc-bob"}},
		{"no infix match", Behavior{}, "query=lice", 200, nil},
		{"several", Behavior{}, "query=c", 200, []string{"acc-carol"}},
		{"suspended found too", Behavior{}, "query=dave", 200, []string{"acc-dave"}},
		{"maxResults", Behavior{}, "query=e&maxResults=1", 200, []string{"acc-erin"}},
		{"startAt", Behavior{}, "query=b&startAt=1", 200, []string{"acc-bob"}},
		{"by accountId", Behavior{}, "accountId=acc-bob", 200, []string{"acc-bob"}},
		{"hidden e-mail still matches", Behavior{JiraHideEmail: true}, "query=alice%40", 200, []string{"acc-alice"}},
		{"no query", Behavior{}, "", 400, nil},
		{"bad maxResults", Behavior{}, "query=a&maxResults=x", 400, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Behavior: tc.beh})
			r := do(t, srv, "GET", "/rest/api/3/user/search?"+tc.query, "")
			want(t, r, tc.code)
			if tc.code != 200 {
				if dig(r.obj(t), "errorMessages", 0) == nil {
					t.Errorf("Jira error body %s", r.body)
				}
				return
			}
			a := r.arr(t)
			if got := ids(a, "accountId"); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			for _, u := range a {
				_, hasEmail := u.(map[string]any)["emailAddress"]
				if hasEmail == tc.beh.JiraHideEmail || dig(u, "accountType") != "atlassian" || dig(u, "self") == nil {
					t.Errorf("user %v", u)
				}
			}
		})
	}
}

func TestJiraUserEndpoints(t *testing.T) {
	srv := newTestServer(t, Options{})
	r := do(t, srv, "GET", "/rest/api/3/user?accountId=acc-bob&expand=groups,applicationRoles", "")
	want(t, r, 200)
	m := r.obj(t)
	if m["displayName"] != "Bob Baker" || m["active"] != true || dig(m, "applicationRoles", "size") != 2.0 ||
		dig(m, "applicationRoles", "items", 0, "key") != "jira-servicedesk" || dig(m, "groups", "size") != 0.0 {
		t.Errorf("user %s", r.body)
	}
	r = do(t, srv, "GET", "/rest/api/3/user?accountId=acc-dave", "")
	if m := r.obj(t); m["active"] != false || m["applicationRoles"] != nil {
		t.Errorf("suspended user %s", r.body)
	}
	want(t, do(t, srv, "GET", "/rest/api/3/user?accountId=nobody", ""), 404)
	want(t, do(t, srv, "GET", "/rest/api/3/user", ""), 400)

	r = do(t, srv, "GET", "/rest/api/3/users/search?maxResults=2&startAt=1", "")
	if got := ids(r.arr(t), "accountId"); !slices.Equal(got, []string{"acc-alice", "acc-bob"}) {
		t.Errorf("users/search %v", got)
	}

	// Create: new with JSM, existing with access (201), existing without
	// access and no products (400).
	r = do(t, srv, "POST", "/rest/api/3/user", `{"emailAddress":"new@example.com","products":["jira-servicedesk"]}`)
	want(t, r, 201)
	if u := stateUser(t, srv, "new@example.com"); u.Access[ProductJSM] != "user" || u.Status != StatusActive || u.TimeZone != "UTC" || u.Locale != "en_US" {
		t.Errorf("created %+v", u)
	}
	want(t, do(t, srv, "POST", "/rest/api/3/user", `{"emailAddress":"alice@example.com"}`), 201)
	want(t, do(t, srv, "POST", "/rest/api/3/user", `{"emailAddress":"bob@example.com","products":["jira-servicedesk"]}`), 201)
	if u := stateUser(t, srv, "bob@example.com"); u.Access[ProductJSM] != "admin" {
		t.Errorf("a Jira create must not lower an existing role: %+v", u)
	}
	want(t, do(t, srv, "POST", "/rest/api/3/user", `{"emailAddress":"carol@example.com"}`), 400)
	want(t, do(t, srv, "POST", "/rest/api/3/user", `{"emailAddress":"carol@example.com","products":["jira-servicedesk"]}`), 201)
	if u := stateUser(t, srv, "carol@example.com"); u.Access[ProductJSM] != "user" {
		t.Errorf("carol %+v", u)
	}
	want(t, do(t, srv, "POST", "/rest/api/3/user", `{"emailAddress":"x@example.com","products":["confluence"]}`), 400)
	want(t, do(t, srv, "POST", "/rest/api/3/user", `{"emailAddress":"not-an-email"}`), 400)
	r = do(t, srv, "POST", "/rest/api/3/user", `{"emailAddress":"bare@example.com","products":[]}`)
	want(t, r, 201)
	if u := stateUser(t, srv, "bare@example.com"); len(u.Access) != 0 {
		t.Errorf("products [] must grant nothing: %+v", u)
	}

	// Delete from the site: access gone, account kept.
	want(t, do(t, srv, "DELETE", "/rest/api/3/user?accountId=acc-bob", ""), 204)
	if u := stateUser(t, srv, "bob@example.com"); len(u.Access) != 0 || u.Removed {
		t.Errorf("bob after site removal %+v", u)
	}
	want(t, do(t, srv, "DELETE", "/rest/api/3/user?accountId=nobody", ""), 404)
}

func TestJiraUserProperties(t *testing.T) {
	srv := newTestServer(t, Options{})
	p := "/rest/api/3/user/properties"
	r := do(t, srv, "GET", p+"?accountId=acc-erin", "")
	if got := ids(r.obj(t)["keys"], "key"); !slices.Equal(got, []string{"ogsync"}) {
		t.Errorf("keys %v", got)
	}
	r = do(t, srv, "GET", p+"/ogsync?accountId=acc-erin", "")
	want(t, r, 200)
	if dig(r.obj(t), "value", "managed") != true {
		t.Errorf("seeded property %s", r.body)
	}
	want(t, do(t, srv, "PUT", p+"/owner?accountId=acc-bob", `{"by":"ogsync"}`), 201)
	want(t, do(t, srv, "PUT", p+"/owner?accountId=acc-bob", `"ogsync"`), 200)
	r = do(t, srv, "GET", p+"/owner?accountId=acc-bob", "")
	if r.obj(t)["value"] != "ogsync" {
		t.Errorf("property %s", r.body)
	}
	want(t, do(t, srv, "PUT", p+"/owner?accountId=acc-bob", `{bad`), 400)
	want(t, do(t, srv, "PUT", p+"/owner?accountId=nobody", `1`), 404)
	want(t, do(t, srv, "PUT", p+"/"+strings.Repeat("k", 256)+"?accountId=acc-bob", `1`), 400)
	want(t, do(t, srv, "DELETE", p+"/owner?accountId=acc-bob", ""), 204)
	want(t, do(t, srv, "DELETE", p+"/owner?accountId=acc-bob", ""), 404)
	want(t, do(t, srv, "GET", p+"/owner?accountId=acc-bob", ""), 404)
}

// dirSeed is an org of n accounts u000..; u000 is suspended.
func dirSeed(t *testing.T, n int) *Seed {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("users:\n")
	for i := range n {
		st := "active"
		if i == 0 {
			st = "suspended"
		}
		fmt.Fprintf(&sb, "  - {accountId: u%03d, email: u%03d@example.com, status: %s, access: {jira-servicedesk: user}}\n", i, i, st)
	}
	seed, err := ParseSeed("dir.yaml", []byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

func TestDirectoryPaging(t *testing.T) {
	tests := []struct {
		name  string
		query string
		beh   Behavior
		code  int
		pages []int
	}{
		{"default 100", "", Behavior{}, 200, []int{100, 50}},
		{"limit 60", "limit=60", Behavior{}, 200, []int{60, 60, 30}},
		{"limit above max capped", "limit=500", Behavior{}, 200, []int{100, 50}},
		{"limit above max rejected", "limit=500", Behavior{RejectOverMax: true}, 400, nil},
		{"larger max", "limit=500", Behavior{DirectoryPageMax: 1000}, 200, []int{150}},
		{"limit 0", "limit=0", Behavior{}, 400, nil},
		{"bad cursor", "cursor=zz", Behavior{}, 400, nil},
		{"status filter", "status=suspended", Behavior{}, 200, []int{1}},
		{"account filter", "accountIds=u001,u002&accountIds=u149", Behavior{}, 200, []int{3}},
		{"search term", "searchTerm=U14", Behavior{}, 200, []int{10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Seed: dirSeed(t, 150), Behavior: tc.beh})
			q := tc.query
			var pages []int
			var seen []string
			for range 10 {
				r := do(t, srv, "GET", dirBase+"/users?"+q, "")
				want(t, r, tc.code)
				m := r.obj(t)
				if tc.code != 200 {
					if dig(m, "errors", 0, "status") != "400" {
						t.Errorf("admin error body %s", r.body)
					}
					return
				}
				got := ids(m["data"], "accountId")
				seen = append(seen, got...)
				pages = append(pages, len(got))
				next, _ := dig(m, "links", "next").(string)
				if next == "" {
					break
				}
				q = tc.query + "&cursor=" + next
			}
			if !slices.Equal(pages, tc.pages) {
				t.Errorf("pages %v, want %v", pages, tc.pages)
			}
			if len(slices.Compact(slices.Clone(seen))) != len(seen) {
				t.Error("an account is listed twice")
			}
		})
	}
}

func TestDirectoryUserShape(t *testing.T) {
	srv := newTestServer(t, Options{})
	r := do(t, srv, "GET", dirBase+"/users?accountIds=acc-dave,acc-erin&expand=productAccess", "")
	want(t, r, 200)
	m := r.obj(t)
	if dig(m, "data", 0, "email") != "dave@example.com" || dig(m, "data", 0, "status") != "suspended" ||
		dig(m, "data", 0, "membershipStatus") != "suspended" || dig(m, "data", 1, "claimStatus") != "managed" ||
		dig(m, "data", 0, "productAccess", 0, "resourceId") != "ari:cloud:jira-servicedesk::site/"+testCloud ||
		dig(m, "data", 0, "productAccess", 0, "role") != "atlassian/user" {
		t.Errorf("directory users %s", r.body)
	}
	r = do(t, srv, "GET", dirBase+"/users?accountIds=acc-dave", "")
	if dig(r.obj(t), "data", 0, "productAccess") != nil {
		t.Errorf("productAccess without expand: %s", r.body)
	}
	want(t, do(t, srv, "GET", "/admin/v2/orgs/"+testOrg+"/directories/"+srv.DirectoryID()+"/users", ""), 200)
	want(t, do(t, srv, "GET", "/admin/v2/orgs/"+testOrg+"/directories/other/users", ""), 404)
	want(t, do(t, srv, "GET", "/admin/v2/orgs/other-org/directories/-/users", ""), 404)
	r = do(t, srv, "POST", "/admin/v2/orgs/"+testOrg+"/users/search", `{"emails":["ALICE@example.com","bob@example.com"],"expand":["productAccess"]}`)
	want(t, r, 200)
	if got := ids(r.obj(t)["data"], "accountId"); !slices.Equal(got, []string{"acc-alice", "acc-bob"}) {
		t.Errorf("search %v", got)
	}
	r = do(t, srv, "GET", "/admin/v1/orgs", "")
	if dig(r.obj(t), "data", 0, "id") != testOrg {
		t.Errorf("orgs %s", r.body)
	}
	r = doAuth(t, srv, "GET", "/_edge/tenant_info", "", "")
	want(t, r, 200)
	if r.obj(t)["cloudId"] != testCloud {
		t.Errorf("tenant_info %s", r.body)
	}
}

func TestInvite(t *testing.T) {
	jsm := `"permissionRules":[{"resource":"ari:cloud:jira-servicedesk::site/cloud-1","role":"atlassian/user"}]`
	tests := []struct {
		name    string
		body    string
		code    int
		results map[string]string
	}{
		{"new and existing", `{"emails":["new@example.com","carol@example.com","alice@example.com"],` + jsm + `}`, 200,
			map[string]string{"new@example.com": "INVITED", "carol@example.com": "UPDATED", "alice@example.com": "UNCHANGED"}},
		{"admin role", `{"emails":["alice@example.com"],"permissionRules":[{"resource":"ari:cloud:jira-servicedesk::site/cloud-1","role":"atlassian/admin"}]}`, 200,
			map[string]string{"alice@example.com": "UPDATED"}},
		{"no rules", `{"emails":["plain@example.com"]}`, 200, map[string]string{"plain@example.com": "INVITED"}},
		{"other site", `{"emails":["a@example.com"],"permissionRules":[{"resource":"ari:cloud:jira-servicedesk::site/x","role":"atlassian/user"}]}`, 400, nil},
		{"unknown role", `{"emails":["a@example.com"],"permissionRules":[{"resource":"ari:cloud:jira-servicedesk::site/cloud-1","role":"atlassian/owner"}]}`, 400, nil},
		{"no emails", `{"emails":[]}`, 400, nil},
		{"bad email", `{"emails":["nope"]}`, 400, nil},
		{"26 emails", `{"emails":[` + strings.Repeat(`"a@example.com",`, 25) + `"b@example.com"]}`, 400, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{})
			r := do(t, srv, "POST", "/admin/v2/orgs/"+testOrg+"/users/invite", tc.body)
			want(t, r, tc.code)
			if tc.code != 200 {
				return
			}
			got := map[string]string{}
			for _, d := range r.obj(t)["data"].([]any) {
				got[dig(d, "email").(string)] = dig(d, "result").(string)
				if dig(d, "accountId") == "" {
					t.Errorf("no accountId: %v", d)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.results) {
				t.Errorf("results %v, want %v", got, tc.results)
			}
		})
	}
	srv := newTestServer(t, Options{})
	do(t, srv, "POST", "/admin/v2/orgs/"+testOrg+"/users/invite", `{"emails":["new@example.com"],`+jsm+`}`)
	u := stateUser(t, srv, "new@example.com")
	if u.Access[ProductJSM] != "user" || u.Status != StatusActive {
		t.Errorf("invited %+v", u)
	}
	// The invited account can join a team at once.
	r := do(t, srv, "POST", teamsBase+"/teams/team-web/members/add", memberBody(u.AccountID))
	if len(r.obj(t)["errors"].([]any)) != 0 {
		t.Errorf("add invited: %s", r.body)
	}
}

func TestSuspendRestoreRemove(t *testing.T) {
	srv := newTestServer(t, Options{})
	u := dirBase + "/users/acc-alice"
	want(t, do(t, srv, "POST", u+"/suspend", ""), 200)
	want(t, do(t, srv, "POST", u+"/suspend", ""), 200) // idempotent
	if st := stateUser(t, srv, "alice@example.com"); st.Status != StatusSuspended {
		t.Errorf("status %s", st.Status)
	}
	// A suspended account cannot authenticate nor be added.
	want(t, doAuth(t, srv, "GET", teamsBase+"/teams", "", basicAuth("alice@example.com", testKey)), 401)
	r := do(t, srv, "POST", teamsBase+"/teams/team-web/members/add", memberBody("acc-alice"))
	if dig(r.obj(t), "errors", 0, "code") != CodeUserInactive {
		t.Errorf("add suspended %s", r.body)
	}
	want(t, do(t, srv, "POST", u+"/restore", ""), 200)
	if st := stateUser(t, srv, "alice@example.com"); st.Status != StatusActive {
		t.Errorf("status %s", st.Status)
	}
	want(t, do(t, srv, "POST", dirBase+"/users/nobody/suspend", ""), 404)
	want(t, do(t, srv, "DELETE", u, ""), 202)
	want(t, do(t, srv, "DELETE", u, ""), 404)
	want(t, do(t, srv, "GET", "/rest/api/3/user?accountId=acc-alice", ""), 404)
	r = do(t, srv, "GET", dirBase+"/users?accountIds=acc-alice", "")
	if len(r.obj(t)["data"].([]any)) != 0 {
		t.Errorf("removed account still listed: %s", r.body)
	}
	if st := stateTeam(t, srv, "team-platform").Members; !slices.Contains(st, "acc-alice") {
		t.Errorf("memberships must survive a directory removal: %v", st)
	}
}

func TestManagedAccounts(t *testing.T) {
	srv := newTestServer(t, Options{})
	m := "/users/acc-erin/manage"
	want(t, do(t, srv, "GET", m, ""), 200)
	want(t, do(t, srv, "GET", "/users/acc-alice/manage", ""), 403)
	want(t, do(t, srv, "POST", "/users/acc-alice/manage/lifecycle/disable", ""), 403)
	want(t, do(t, srv, "PATCH", "/users/acc-alice/manage/profile", `{"name":"A"}`), 403)
	want(t, do(t, srv, "POST", "/users/nobody/manage/lifecycle/disable", ""), 404)
	r := do(t, srv, "PATCH", m+"/profile", `{"name":"Erin E.","zoneinfo":"Asia/Tokyo","locale":"ja_JP"}`)
	want(t, r, 200)
	if u := stateUser(t, srv, "erin@corp.example.com"); u.DisplayName != "Erin E." || u.TimeZone != "Asia/Tokyo" || u.Locale != "ja_JP" {
		t.Errorf("profile %+v", u)
	}
	want(t, do(t, srv, "PATCH", m+"/profile", `{"zoneinfo":"Mars/Olympus"}`), 400)
	want(t, do(t, srv, "PATCH", m+"/profile", `{"name":" "}`), 400)
	want(t, do(t, srv, "POST", m+"/lifecycle/disable", ""), 204)
	if u := stateUser(t, srv, "erin@corp.example.com"); u.Status != StatusDeactivated {
		t.Errorf("disabled %+v", u)
	}
	want(t, do(t, srv, "POST", dirBase+"/users/acc-erin/suspend", ""), 409) // deactivated, not active
	want(t, do(t, srv, "POST", m+"/lifecycle/enable", ""), 204)
	want(t, do(t, srv, "POST", m+"/lifecycle/delete", ""), 204)
	r = do(t, srv, "GET", dirBase+"/users?accountIds=acc-erin", "")
	if dig(r.obj(t), "data", 0, "accountStatus") != "closed" {
		t.Errorf("pending delete %s", r.body)
	}
	want(t, do(t, srv, "POST", m+"/lifecycle/cancel-delete", ""), 204)
	if u := stateUser(t, srv, "erin@corp.example.com"); u.Status != StatusActive || u.PendingDelete {
		t.Errorf("after cancel %+v", u)
	}
}

func TestAccessAndRemovalLag(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	srv := newTestServer(t, Options{Clock: clock.now, Behavior: Behavior{AccessLag: 30 * time.Second, RemovalLag: time.Minute}})
	jsm := `"permissionRules":[{"resource":"ari:cloud:jira-servicedesk::site/cloud-1","role":"atlassian/user"}]`
	r := do(t, srv, "POST", "/admin/v2/orgs/"+testOrg+"/users/invite", `{"emails":["new@example.com"],`+jsm+`}`)
	want(t, r, 200)
	id := dig(r.obj(t), "data", 0, "accountId").(string)
	access := func() (dir, jira int) {
		r := do(t, srv, "GET", dirBase+"/users?expand=productAccess&accountIds="+id, "")
		dir = len(dig(r.obj(t), "data", 0, "productAccess").([]any))
		r = do(t, srv, "GET", "/rest/api/3/user?expand=applicationRoles&accountId="+id, "")
		jira = int(dig(r.obj(t), "applicationRoles", "size").(float64))
		return dir, jira
	}
	if d, j := access(); d != 0 || j != 0 {
		t.Errorf("access shown before the lag: %d %d", d, j)
	}
	if u := stateUser(t, srv, "new@example.com"); u.Access[ProductJSM] != "user" {
		t.Errorf("the state must show the truth: %+v", u)
	}
	clock.advance(30 * time.Second)
	if d, j := access(); d != 1 || j != 1 {
		t.Errorf("access hidden after the lag: %d %d", d, j)
	}
	// Seeded access shows at once.
	r = do(t, srv, "GET", "/rest/api/3/user?expand=applicationRoles&accountId=acc-alice", "")
	if dig(r.obj(t), "applicationRoles", "size") != 1.0 {
		t.Errorf("seeded access hidden: %s", r.body)
	}

	want(t, do(t, srv, "DELETE", dirBase+"/users/acc-carol", ""), 202)
	if u := stateUser(t, srv, "carol@example.com"); !u.RemovalQueued || u.Removed {
		t.Errorf("queued removal %+v", u)
	}
	want(t, do(t, srv, "GET", "/rest/api/3/user?accountId=acc-carol", ""), 200)
	want(t, do(t, srv, "DELETE", dirBase+"/users/acc-carol", ""), 202) // still queued
	clock.advance(time.Minute)
	want(t, do(t, srv, "GET", "/rest/api/3/user?accountId=acc-carol", ""), 404)
	want(t, do(t, srv, "DELETE", dirBase+"/users/acc-carol", ""), 404)
	if u := stateUser(t, srv, "carol@example.com"); u.RemovalQueued || !u.Removed {
		t.Errorf("done removal %+v", u)
	}
	if n := len(slices.DeleteFunc(srv.Journal(), func(m Mutation) bool { return m.Op != OpRemoveUser })); n != 1 {
		t.Errorf("%d remove-user mutations, want 1", n)
	}
}
