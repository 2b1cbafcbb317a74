package ogsim

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestCreateUser(t *testing.T) {
	long := strings.Repeat("a", 89) + "@example.com" // 101 characters
	tests := []struct {
		name string
		body string
		code int
		want string
	}{
		{"valid", `{"username":"new@example.com","fullName":"New","role":{"name":"User"}}`, 201, `"result":"Created","data":{"id":`},
		{"username lower-cased", `{"username":"Mixed.Case@Example.COM","fullName":"M","role":{"name":"User"}}`, 201, `"name":"mixed.case@example.com"`},
		{"unknown keys ignored", `{"username":"n2@example.com","fullName":"N","role":{"name":"User"},"Identifier":"x","IdentifierType":0}`, 201, ""},
		{"role by id", `{"username":"n3@example.com","fullName":"N","role":{"id":"Admin"}}`, 201, ""},
		{"invitationDisabled as string", `{"username":"n4@example.com","fullName":"N","role":{"name":"User"},"invitationDisabled":"true"}`, 201, ""},
		{"invitationDisabled as bool", `{"username":"n5@example.com","fullName":"N","role":{"name":"User"},"invitationDisabled":true}`, 201, ""},
		{"missing username", `{"fullName":"N","role":{"name":"User"}}`, 422, `"errors":{"username":"username is required"}`},
		{"username not an email", `{"username":"nobody","fullName":"N","role":{"name":"User"}}`, 422, `must be a valid e-mail address`},
		{"username without dotted domain", `{"username":"a@localhost","fullName":"N","role":{"name":"User"}}`, 422, `"username"`},
		{"username too long", `{"username":"` + long + `","fullName":"N","role":{"name":"User"}}`, 422, `at most 100 characters`},
		{"username wrong type", `{"username":5,"fullName":"N","role":{"name":"User"}}`, 422, `"username":"must be a string"`},
		{"missing fullName", `{"username":"x@example.com","role":{"name":"User"}}`, 422, `"fullName":"fullName is required"`},
		{"fullName too long", `{"username":"x@example.com","fullName":"` + strings.Repeat("f", 513) + `","role":{"name":"User"}}`, 422, `at most 512 characters`},
		{"missing role", `{"username":"x@example.com","fullName":"N"}`, 422, `"role":"role is required"`},
		{"role as string", `{"username":"x@example.com","fullName":"N","role":"User"}`, 422, `"role":"must be an object`},
		{"unknown role", `{"username":"x@example.com","fullName":"N","role":{"name":"Wizard"}}`, 422, `role [Wizard] is not a built-in role`},
		{"bad time zone", `{"username":"x@example.com","fullName":"N","role":{"name":"User"},"timeZone":"Mars/Olympus"}`, 422, `"timeZone":"time zone [Mars/Olympus]`},
		{"Local is no zone", `{"username":"x@example.com","fullName":"N","role":{"name":"User"},"timeZone":"Local"}`, 422, `"timeZone"`},
		{"bad locale", `{"username":"x@example.com","fullName":"N","role":{"name":"User"},"locale":"xx_YY"}`, 422, `"locale":"locale [xx_YY]`},
		{"locale of a listed language, not listed", `{"username":"x@example.com","fullName":"N","role":{"name":"User"},"locale":"en_DE"}`, 422, `"locale":"locale [en_DE]`},
		{"Hebrew is iw_IL, not he_IL", `{"username":"x@example.com","fullName":"N","role":{"name":"User"},"locale":"he_IL"}`, 422, `"locale":"locale [he_IL]`},
		{"locale in the wrong case", `{"username":"x@example.com","fullName":"N","role":{"name":"User"},"locale":"en_us"}`, 422, `"locale":"locale [en_us]`},
		{"listed locale", `{"username":"l1@example.com","fullName":"N","role":{"name":"User"},"locale":"zh_SG"}`, 201, `"name":"l1@example.com"`},
		{"locale the known table does not reach", `{"username":"l2@example.com","fullName":"N","role":{"name":"User"},"locale":"sv_SE"}`, 201, `"name":"l2@example.com"`},
		{"several errors at once", `{"username":"bad","role":{"name":"Nope"}}`, 422, `"fullName":"fullName is required"`},
		{"duplicate username", `{"username":"user@example.com","fullName":"N","role":{"name":"User"}}`, 409, `User with username [user@example.com] already exists.`},
		{"duplicate in other case", `{"username":"USER@example.com","fullName":"N","role":{"name":"User"}}`, 409, ""},
		{"malformed JSON", `{"username":`, 400, `Malformed JSON`},
		{"empty body", ``, 400, `Request body is missing`},
		{"not an object", `[1,2]`, 422, `must be a JSON object`},
		{"null body", `null`, 422, `must be a JSON object`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{})
			r := do(t, srv, "POST", "/v2/users", tc.body)
			expect(t, r, tc.code, tc.want)
			if tc.code == 422 && !strings.Contains(r.raw, validationMessage) && strings.Contains(tc.want, "errors") {
				t.Errorf("422 without the validation message: %s", r.raw)
			}
			if tc.code != 201 && len(srv.State().Users) != 5 {
				t.Errorf("a refused create changed the account: %d users", len(srv.State().Users))
			}
		})
	}
}

func TestCreateUserStoresFields(t *testing.T) {
	srv := newTestServer(t, Options{})
	r := do(t, srv, "POST", "/v2/users/", `{"username":"Full@Example.com","fullName":"Full Name","role":{"name":"responder"},
		"timezone":"Asia/Tokyo","locale":"ja_JP","skypeUsername":"sk","tags":["a","b","a"],"details":{"k":["v1","v2"]},
		"userAddress":{"country":"JP","city":"Tokyo"}}`)
	expect(t, r, 201, "")
	g := do(t, srv, "GET", "/v2/users/"+r.str("data.id"), "")
	expect(t, g, 200, `"expandable":["contact"]`)
	for path, want := range map[string]string{
		"data.username": "full@example.com", "data.fullName": "Full Name", "data.role.name": "Responder",
		"data.timeZone": "Asia/Tokyo", "data.locale": "ja_JP", "data.skypeUsername": "sk",
		"data.userAddress.country": "JP", "data.userAddress.city": "Tokyo", "data.userAddress.zipCode": "",
		"data.createdAt": "2025-03-04T05:06:07.89Z", "data.tags.1": "b", "data.details.k.1": "v2",
	} {
		if got := g.str(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if len(g.list("data.tags")) != 2 {
		t.Errorf("tags = %v, want duplicates dropped", g.get("data.tags"))
	}
	if g.get("data.verified") != false || g.get("data.blocked") != false {
		t.Errorf("a new user is unverified and not blocked: %s", g.raw)
	}
}

func TestCreateUserDefaultsAndOwnerPolicy(t *testing.T) {
	srv := newTestServer(t, Options{Behavior: Behavior{DefaultTimeZone: "Europe/Paris", DefaultLocale: "fr_FR", ForbidOwnerRole: true}})
	r := do(t, srv, "POST", "/v2/users", `{"username":"d@example.com","fullName":"D","role":{"name":"user"}}`)
	expect(t, r, 201, "")
	g := do(t, srv, "GET", "/v2/users/d@example.com", "")
	if g.str("data.timeZone") != "Europe/Paris" || g.str("data.locale") != "fr_FR" || g.str("data.role.name") != "User" {
		t.Errorf("defaults not applied: %s", g.raw)
	}
	if g.get("data.tags") != nil || g.get("data.details") != nil || g.get("data.skypeUsername") != nil {
		t.Errorf("empty optional fields must be left out: %s", g.raw)
	}
	expect(t, do(t, srv, "POST", "/v2/users", `{"username":"o@example.com","fullName":"O","role":{"name":"Owner"}}`), 422, "Owner role can not be granted")
}

func TestGetUser(t *testing.T) {
	srv := newTestServer(t, Options{})
	id := do(t, srv, "GET", "/v2/users/user@example.com", "").str("data.id")
	tests := []struct {
		name, path string
		code       int
		username   string
	}{
		{"by id", "/v2/users/" + id, 200, "user@example.com"},
		{"by username", "/v2/users/user@example.com", 200, "user@example.com"},
		{"username case-insensitive", "/v2/users/User@Example.com", 200, "user@example.com"},
		{"trailing slash", "/v2/users/user@example.com/", 200, "user@example.com"},
		{"literal plus", "/v2/users/a+b@example.com", 200, "a+b@example.com"},
		{"encoded plus", "/v2/users/a%2Bb@example.com", 200, "a+b@example.com"},
		{"encoded at", "/v2/users/user%40example.com", 200, "user@example.com"},
		{"unknown", "/v2/users/nobody@example.com", 404, ""},
		{"unknown id", "/v2/users/" + unknownKey, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, srv, "GET", tc.path, "")
			expect(t, r, tc.code, "")
			if r.str("data.username") != tc.username {
				t.Errorf("username = %q, want %q", r.str("data.username"), tc.username)
			}
			if tc.code == 404 && !strings.Contains(r.str("message"), "No user exists with identifier") {
				t.Errorf("message = %q", r.str("message"))
			}
		})
	}
	t.Run("expand contact", func(t *testing.T) {
		r := do(t, srv, "GET", "/v2/users/user@example.com?expand=contact", "")
		if r.str("data.userContacts.0.contactMethod") != "email" || r.str("data.userContacts.0.to") != "user@example.com" {
			t.Errorf("userContacts = %v", r.get("data.userContacts"))
		}
		if do(t, srv, "GET", "/v2/users/user@example.com", "").get("data.userContacts") != nil {
			t.Error("userContacts without expand")
		}
	})
	t.Run("custom role id", func(t *testing.T) {
		r := do(t, srv, "GET", "/v2/users/oncall@example.com", "")
		if r.str("data.role.name") != "Responder" || !isUUID(r.str("data.role.id")) {
			t.Errorf("role = %v, want the custom role's id and name", r.get("data.role"))
		}
		if r.get("data.blocked") != true {
			t.Errorf("blocked = %v", r.get("data.blocked"))
		}
	})
}

func TestUpdateUser(t *testing.T) {
	tests := []struct {
		name  string
		ident string
		body  string
		code  int
		want  string
		check map[string]string // path in GET answer -> value
	}{
		{"partial keeps other fields", "user@example.com", `{"fullName":"Uma Renamed"}`, 200, `"result":"Updated"`,
			map[string]string{"data.fullName": "Uma Renamed", "data.locale": "de_DE", "data.role.name": "User"}},
		{"SDK body with Identifier", "user@example.com", `{"Identifier":"user@example.com","role":{"name":"admin"},"timeZone":"UTC"}`, 200, "",
			map[string]string{"data.role.name": "Admin", "data.timeZone": "UTC", "data.fullName": "Uma User"}},
		{"lower-case timezone key", "user@example.com", `{"timezone":"Asia/Kolkata"}`, 200, "", map[string]string{"data.timeZone": "Asia/Kolkata"}},
		{"same username allowed", "user@example.com", `{"username":"USER@example.com","fullName":"X"}`, 200, "", map[string]string{"data.fullName": "X"}},
		{"empty fullName means unchanged", "user@example.com", `{"fullName":""}`, 200, "", map[string]string{"data.fullName": "Uma User"}},
		{"tags replaced", "admin@example.com", `{"tags":["x"]}`, 200, "", map[string]string{"data.tags.0": "x"}},
		{"username immutable", "user@example.com", `{"username":"other@example.com"}`, 422, `"username":"username can not be changed"`, nil},
		{"empty role name", "user@example.com", `{"role":{"name":""}}`, 422, `"role"`, nil},
		{"unknown role", "user@example.com", `{"role":{"name":"Wizard"}}`, 422, `"role"`, nil},
		{"bad time zone", "user@example.com", `{"timeZone":"Nowhere"}`, 422, `"timeZone"`, nil},
		{"bad locale", "user@example.com", `{"locale":"en-US"}`, 422, `"locale"`, nil},
		{"demote last owner", "owner@example.com", `{"role":{"name":"Admin"}}`, 422, "last Owner", nil},
		{"owner stays owner", "owner@example.com", `{"role":{"name":"owner"},"fullName":"O"}`, 200, "", map[string]string{"data.role.name": "Owner"}},
		{"unknown user", "nobody@example.com", `{"fullName":"X"}`, 404, "No user exists", nil},
		{"malformed body", "user@example.com", `{`, 400, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{})
			before := do(t, srv, "GET", "/v2/users/"+tc.ident, "").raw
			r := do(t, srv, "PATCH", "/v2/users/"+tc.ident, tc.body)
			expect(t, r, tc.code, tc.want)
			g := do(t, srv, "GET", "/v2/users/"+tc.ident, "")
			for path, want := range tc.check {
				if got := g.str(path); got != want {
					t.Errorf("%s = %q, want %q", path, got, want)
				}
			}
			if tc.code >= 400 && tc.code != 404 {
				if strip(g.raw) != strip(before) {
					t.Errorf("refused update changed the user:\n%s\n%s", before, g.raw)
				}
			}
		})
	}
}

// strip removes took and requestId from a raw body.
func strip(raw string) string {
	i := strings.Index(raw, `,"took":`)
	if i < 0 {
		return raw
	}
	return raw[:i]
}

func TestDemoteOwnerWithTwoOwners(t *testing.T) {
	srv := newTestServer(t, Options{})
	expect(t, do(t, srv, "PATCH", "/v2/users/admin@example.com", `{"role":{"name":"Owner"}}`), 200, "")
	expect(t, do(t, srv, "PATCH", "/v2/users/owner@example.com", `{"role":{"name":"User"}}`), 200, "")
	expect(t, do(t, srv, "DELETE", "/v2/users/admin@example.com", ""), 422, "at least 2 owners")
}

func TestDeleteUser(t *testing.T) {
	tests := []struct {
		name, ident string
		code        int
		want        string
	}{
		{"plain user", "admin@example.com", 200, `"result":"Deleted"`},
		{"team member leaves teams", "user@example.com", 200, ""},
		{"referenced by schedule and escalation", "oncall@example.com", 428, "schedules: [sre_oncall] and escalations: [sre_critical]"},
		{"last owner", "owner@example.com", 422, "Owner users can be deleted only if there are at least 2 owners"},
		{"unknown", "nobody@example.com", 404, ""},
		{"by literal plus", "a+b@example.com", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{})
			r := do(t, srv, "DELETE", "/v2/users/"+tc.ident, "")
			expect(t, r, tc.code, tc.want)
			after := do(t, srv, "GET", "/v2/users/"+tc.ident, "")
			if deleted := after.code == 404; deleted != (tc.code == 200 || tc.code == 404) {
				t.Errorf("after DELETE status %d, GET status %d", r.code, after.code)
			}
			for _, team := range srv.State().Teams {
				for _, m := range team.Members {
					if tc.code == 200 && m.Username == tc.ident {
						t.Errorf("deleted user still in team %s", team.Name)
					}
				}
			}
		})
	}
}

func TestListUsers(t *testing.T) {
	srv := newTestServer(t, Options{Seed: manyUsers(45)})
	tests := []struct {
		name      string
		query     string
		code      int
		total     int
		first     string // username of the first item
		count     int
		next      string // "" = no next link; else its offset
		prev      string
		wantError string
	}{
		{"default page", "", 200, 45, "user000@example.com", 20, "20", "", ""},
		{"limit and offset", "limit=10&offset=40", 200, 45, "user040@example.com", 5, "", "30", ""},
		{"middle page", "limit=10&offset=10", 200, 45, "user010@example.com", 10, "20", "0", ""},
		{"offset past the end", "offset=100", 200, 45, "", 0, "", "80", ""},
		{"descending", "order=desc&limit=2", 200, 45, "user044@example.com", 2, "2", "", ""},
		{"order upper case", "order=DESC&limit=1", 200, 45, "user044@example.com", 1, "1", "", ""},
		{"sort by fullName desc", "sort=fullName&order=desc&limit=1", 200, 45, "user000@example.com", 1, "1", "", ""},
		{"sort by createdAt", "sort=createdAt&limit=1", 200, 45, "user044@example.com", 1, "1", "", ""},
		{"insertedAt alias", "sort=insertedAt&limit=1", 200, 45, "user044@example.com", 1, "1", "", ""},
		{"sort by role", "sort=role&limit=1", 200, 45, "user000@example.com", 1, "1", "", ""},
		{"limit above maximum is capped", "limit=500", 200, 45, "user000@example.com", 45, "", "", ""},
		{"query role", "query=" + url.QueryEscape("role: Admin"), 200, 15, "user000@example.com", 15, "", "", ""},
		{"query verified", "query=verified:true", 200, 23, "user000@example.com", 20, "20", "", ""},
		{"query blocked", "query=blocked:true", 200, 0, "", 0, "", "", ""},
		{"query username exact", "query=username:user007@example.com", 200, 1, "user007@example.com", 1, "", "", ""},
		{"query username glob", "query=" + url.QueryEscape("username:user04*"), 200, 5, "user040@example.com", 5, "", "", ""},
		{"query fullName quoted", "query=" + url.QueryEscape(`fullName:"Person 12"`), 200, 1, "user033@example.com", 1, "", "", ""},
		{"query free text", "query=user03", 200, 10, "user030@example.com", 10, "", "", ""},
		{"query AND NOT", "query=" + url.QueryEscape("role:Admin AND NOT verified:true"), 200, 7, "user003@example.com", 7, "", "", ""},
		{"query OR", "query=" + url.QueryEscape("username:user001@ OR (username:user002@)"), 200, 2, "user001@example.com", 2, "", "", ""},
		{"query not-equal", "query=" + url.QueryEscape("role!=User"), 200, 15, "user000@example.com", 15, "", "", ""},
		{"query with paging", "query=verified:true&limit=5&offset=20", 200, 23, "user040@example.com", 3, "", "15", ""},
		{"limit zero", "limit=0", 422, 0, "", 0, "", "", `"limit"`},
		{"limit not a number", "limit=ten", 422, 0, "", 0, "", "", `"limit"`},
		{"negative offset", "offset=-1", 422, 0, "", 0, "", "", `"offset"`},
		{"bad sort", "sort=shoeSize", 422, 0, "", 0, "", "", `"sort"`},
		{"bad order", "order=up", 422, 0, "", 0, "", "", `"order"`},
		{"bad query field", "query=shoe:42", 422, 0, "", 0, "", "", `unknown field`},
		{"bad boolean", "query=verified:maybe", 422, 0, "", 0, "", "", `true or false`},
		{"unbalanced query", "query=" + url.QueryEscape("(role:Admin"), 422, 0, "", 0, "", "", `missing )`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, srv, "GET", "/v2/users?"+tc.query, "")
			expect(t, r, tc.code, tc.wantError)
			if tc.code != 200 {
				return
			}
			if got := int(r.get("totalCount").(float64)); got != tc.total {
				t.Errorf("totalCount = %d, want %d", got, tc.total)
			}
			data := r.list("data")
			if len(data) != tc.count {
				t.Errorf("%d items, want %d", len(data), tc.count)
			}
			if got := r.str("data.0.username"); got != tc.first {
				t.Errorf("first = %q, want %q", got, tc.first)
			}
			for key, want := range map[string]string{"next": tc.next, "prev": tc.prev} {
				link := r.str("paging." + key)
				if want == "" {
					if link != "" {
						t.Errorf("paging.%s = %q, want none", key, link)
					}
					continue
				}
				u, err := url.Parse(link)
				if err != nil || u.Scheme != "http" || u.Host != "example.com" || u.Path != "/v2/users" {
					t.Fatalf("paging.%s = %q, want an absolute link to this host", key, link)
				}
				if u.Query().Get("offset") != want {
					t.Errorf("paging.%s offset = %s, want %s", key, u.Query().Get("offset"), want)
				}
				if r.header.Get("X-Paging-"+strings.ToUpper(key[:1])+key[1:]) != link {
					t.Errorf("X-Paging header differs from paging.%s", key)
				}
			}
			if r.str("paging.first") == "" || r.str("paging.last") == "" {
				t.Errorf("paging = %v, want first and last", r.get("paging"))
			}
		})
	}
}

func TestPagingLinks(t *testing.T) {
	srv := newTestServer(t, Options{Seed: manyUsers(8)})
	r := do(t, srv, "GET", "http://127.0.0.1:4242/v2/users/?limit=2&offset=3&sort=fullName&order=desc&query=verified:true", "")
	want := paging{
		First: "http://127.0.0.1:4242/v2/users?limit=2&offset=0&order=DESC&query=verified%3Atrue&sort=fullName",
		Prev:  "http://127.0.0.1:4242/v2/users?limit=2&offset=1&order=DESC&query=verified%3Atrue&sort=fullName",
		Last:  "http://127.0.0.1:4242/v2/users?limit=2&offset=2&order=DESC&query=verified%3Atrue&sort=fullName",
	}
	for key, w := range map[string]string{"first": want.First, "prev": want.Prev, "last": want.Last, "next": ""} {
		if got := r.str("paging." + key); got != w {
			t.Errorf("paging.%s = %q, want %q", key, got, w)
		}
	}
	// Following next links verbatim visits every user exactly once.
	seen := map[string]bool{}
	link := "http://127.0.0.1:4242/v2/users?limit=3"
	for range 10 {
		page := do(t, srv, "GET", link, "")
		for _, u := range page.list("data") {
			seen[u.(map[string]any)["username"].(string)] = true
		}
		if link = page.str("paging.next"); link == "" {
			break
		}
	}
	if len(seen) != 8 {
		t.Errorf("following next links saw %d users, want 8", len(seen))
	}
}

func TestListUsersRouteCountsTrailingSlash(t *testing.T) {
	srv := newTestServer(t, Options{})
	do(t, srv, "GET", "/v2/users", "")
	do(t, srv, "GET", "/v2/users/", "")
	do(t, srv, "GET", "/v2/users/user@example.com/teams/", "")
	st := srv.Stats()
	if st.ByRoute["GET /v2/users"] != 2 || st.ByRoute["GET /v2/users/{identifier}/teams"] != 1 || st.Total != 3 {
		t.Errorf("stats = %+v", st)
	}
}

func TestUserRelations(t *testing.T) {
	srv := newTestServer(t, Options{})
	tests := []struct {
		name, path string
		code       int
		names      []string // id/name (or username) of the items
	}{
		{"owner teams", "/v2/users/owner@example.com/teams", 200, []string{"sre"}},
		{"user without teams", "/v2/users/admin@example.com/teams", 200, nil},
		{"on-call schedules", "/v2/users/oncall@example.com/schedules", 200, []string{"sre_oncall"}},
		{"schedules only direct", "/v2/users/owner@example.com/schedules", 200, nil},
		{"on-call escalations", "/v2/users/oncall@example.com/escalations", 200, []string{"sre_critical"}},
		{"escalations only direct", "/v2/users/user@example.com/escalations", 200, nil},
		{"unknown user teams", "/v2/users/nobody@example.com/teams", 404, nil},
		{"unknown user schedules", "/v2/users/nobody@example.com/schedules", 404, nil},
		{"unknown user escalations", "/v2/users/nobody@example.com/escalations", 404, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, srv, "GET", tc.path, "")
			expect(t, r, tc.code, "")
			if tc.code != 200 {
				return
			}
			if r.get("data") == nil {
				t.Fatalf("data missing: %s", r.raw)
			}
			var got []string
			for _, it := range r.list("data") {
				got = append(got, it.(map[string]any)["name"].(string))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.names) {
				t.Errorf("names = %v, want %v", got, tc.names)
			}
		})
	}
	r := do(t, srv, "GET", "/v2/users/oncall@example.com/schedules", "")
	if r.get("data.0.enabled") != true || !isUUID(r.str("data.0.id")) {
		t.Errorf("schedule meta = %v", r.get("data.0"))
	}
	e := do(t, srv, "GET", "/v2/users/oncall@example.com/escalations", "")
	if e.str("data.0.rules.0.recipient.username") != "oncall@example.com" || e.str("data.0.ownerTeam.name") != "sre" {
		t.Errorf("escalation = %v", e.get("data.0"))
	}
}

// manyUsers builds a seed of n users user000@example.com...: every third
// an Admin, even indexes verified, full names counting down.
func manyUsers(n int) *Seed {
	seed := &Seed{}
	for i := range n {
		role := "User"
		if i%3 == 0 {
			role = "Admin"
		}
		seed.Users = append(seed.Users, SeedUser{
			Username: fmt.Sprintf("user%03d@example.com", i),
			FullName: fmt.Sprintf("Person %02d", n-i),
			Role:     role, Verified: i%2 == 0,
			CreatedAt: testEpoch.Add(-timeHours(i)),
		})
	}
	return seed
}
