package opsgenie

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// TestListUsersSeesTheSlideAtABoundary: between two pages, a user before
// the boundary is deleted and one after it created. totalCount and the ids
// stay consistent, yet without the overlap the user who slid across the
// boundary would be read by neither page. The overlap sees it, and the
// second read is whole.
func TestListUsersSeesTheSlideAtABoundary(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{Seed: seedUsers(150)})
	done := false
	acct.betweenPages = func(offset int) {
		if offset != 0 || done {
			return
		}
		done = true
		acct.deleteUser("u-00010")
		acct.createUser("zz-late@example.com")
	}
	users, err := env.client.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, u := range users {
		got[u.Username] = true
	}
	// user00101 stood at position 100, first of the second page; after the
	// delete it stands at 99, which the first page had already read.
	if !got["user00101@example.com"] || !got["zz-late@example.com"] || got["user00010@example.com"] || len(users) != 150 {
		t.Errorf("read %d users; user00101 %v, zz-late %v, user00010 %v", len(users), got["user00101@example.com"], got["zz-late@example.com"], got["user00010@example.com"])
	}
	if n := acct.count("GET /v2/users"); n != 4 {
		t.Errorf("list calls = %d, want 4: a read that saw the shift, and a whole one", n)
	}
}

// TestMalformedAnswersFailClosed: an entry ogsync cannot plan from fails
// the read with a message naming the page and the field.
func TestMalformedAnswersFailClosed(t *testing.T) {
	users := func(data string) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = fmt.Fprintf(w, `{"totalCount":2,"data":%s}`, data)
		}
	}
	teams := func(data string) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) { _, _ = fmt.Fprintf(w, `{"data":%s}`, data) }
	}
	tests := []struct {
		name, route string
		h           func(w http.ResponseWriter, r *http.Request)
		want        string
	}{
		{"user without username", "GET /v2/users", users(`[{"id":"u1","username":"a@x.io"},{"id":"u2","username":" "}]`), "page at offset 0, data[1]: user u2 has no username"},
		{"user without id", "GET /v2/users", users(`[{"id":"u1","username":"a@x.io"},{"username":"b@x.io"}]`), "page at offset 0, data[1]: the user has no id"},
		{"null user", "GET /v2/users", users(`[{"id":"u1","username":"a@x.io"},null]`), "page at offset 0, data[1]: the entry is null"},
		{"username twice", "GET /v2/users", users(`[{"id":"u1","username":"a@x.io"},{"id":"u2","username":"A@x.io"}]`), `username "a@x.io" is also the username of user u1`},
		{"no totalCount", "GET /v2/users", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"data":[]}`)) }, "page at offset 0: no totalCount"},
		{"null team", "GET /v2/teams", teams(`[{"id":"t1","name":"a","members":[]},null]`), "data[1]: the entry is null"},
		{"team without id", "GET /v2/teams", teams(`[{"name":"a","members":[]}]`), "data[0]: the team has no id"},
		{"team without name", "GET /v2/teams", teams(`[{"id":"t1","name":"","members":[]}]`), "data[0]: team t1 has no name"},
		{"team id twice", "GET /v2/teams", teams(`[{"id":"t1","name":"a","members":[]},{"id":"t1","name":"b","members":[]}]`), "data[1]: team id t1 comes twice"},
		{"team name twice", "GET /v2/teams", teams(`[{"id":"t1","name":"Ops","members":[]},{"id":"t2","name":"ops","members":[]}]`), `team name "ops" is also the name of team t1`},
		{"member without user", "GET /v2/teams", teams(`[{"id":"t1","name":"a","members":[{"user":{},"role":"user"}]}]`), `data[0].members[0]: a member of team "a" has neither user id nor username`},
		{"member twice", "GET /v2/teams", teams(`[{"id":"t1","name":"a","members":[{"user":{"id":"u1"}},{"user":{"id":"u1"}}]}]`), `user u1 is a member of team "a" twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t)
			env.mux.HandleFunc(tc.route, tc.h)
			var err error
			if strings.HasSuffix(tc.route, "users") {
				_, err = env.client.ListUsers(t.Context())
			} else {
				_, err = env.client.ListTeams(t.Context())
			}
			var me *MalformedError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a *MalformedError saying %q", err, tc.want)
			}
			if n := env.client.RequestStats().Total; n != 1 {
				t.Errorf("%d requests, want 1: a malformed answer is not read again", n)
			}
		})
	}
}

// TestCreateUnknownOutcomeLooksUpWithoutRetries: with max_retries 0 a
// create whose outcome is unknown is still looked up, and found.
func TestCreateUnknownOutcomeLooksUpWithoutRetries(t *testing.T) {
	env := setup(t, func(o *Options) { o.MaxRetries = 0 })
	acct := newSimAccount(t, env, ogsim.Options{})
	acct.after = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Pattern == "POST /v2/users" {
			writeError(w, http.StatusBadGateway, "lost")
			return true
		}
		return false
	}
	res, err := env.client.CreateUser(t.Context(), model.User{Username: "new@example.com"})
	if err != nil || !res.Confirmed || res.ID == "" {
		t.Fatalf("res %+v, err %v; want the create confirmed by a lookup", res, err)
	}
	if acct.count("POST /v2/users") != 1 || acct.count("GET /v2/users/{id}") != 1 {
		t.Errorf("creates %d, lookups %d; want 1 and 1", acct.count("POST /v2/users"), acct.count("GET /v2/users/{id}"))
	}
}

// TestChangeMemberRoleVariants: whatever the API does with a re-add of a
// member (sets the role, keeps it, or answers 409), the role change ends
// right, and no request names another member.
func TestChangeMemberRoleVariants(t *testing.T) {
	for _, variant := range []string{"update-role", "keep-role", "conflict"} {
		t.Run(variant, func(t *testing.T) {
			env := setup(t)
			seed := seedUsers(3)
			seed.Teams = []ogsim.SeedTeam{{ID: "t-sre", Name: "sre", Members: []ogsim.SeedMember{
				{Username: "user00001@example.com", Role: "user"}, {Username: "user00002@example.com", Role: "admin"}}}}
			acct := newSimAccount(t, env, ogsim.Options{Seed: seed, Behavior: ogsim.Behavior{MemberReAdd: variant}})
			id := "t-sre"
			note, err := env.client.ChangeMemberRole(t.Context(), id, model.Member{UserID: "u-00001", Role: "admin"})
			if err != nil {
				t.Fatal(err)
			}
			wantNote := map[string]string{"update-role": NoteReAdded, "keep-role": NoteRemovedAndReAdded, "conflict": NoteRemovedAndReAdded}[variant]
			if note != wantNote {
				t.Errorf("note %q, want %q", note, wantNote)
			}
			if r := acct.memberRole(id, "u-00001"); r != "admin" {
				t.Errorf("role after the change = %q", r)
			}
			if r := acct.memberRole(id, "u-00002"); r != "admin" {
				t.Errorf("the other member's role = %q", r)
			}
			if n := acct.count("PATCH /v2/teams/{id}"); n != 0 {
				t.Errorf("%d team PATCHes", n)
			}
			for _, m := range acct.sim.Journal() {
				if m.User != "user00001@example.com" {
					t.Errorf("%s of %s, who the change is not about", m.Op, m.User)
				}
			}
		})
	}
}

// TestLiveOwnersConfirmsEachOwner: the owner search lags behind the
// account (ListLag): it still lists an Owner demoted and one deleted a
// moment ago. Each is read again, and neither is counted; an Owner made a
// moment ago is not listed yet, so the count errs low.
func TestLiveOwnersConfirmsEachOwner(t *testing.T) {
	env := setup(t)
	seed := seedUsers(4)
	for i := range 3 {
		seed.Users[i].Role = model.RoleOwner
	}
	acct := newSimAccount(t, env, ogsim.Options{Seed: seed, Behavior: ogsim.Behavior{ListLag: time.Minute}})
	acct.api(http.MethodPatch, "/v2/users/u-00002", `{"role":{"name":"User"}}`)
	acct.deleteUser("u-00003")
	acct.api(http.MethodPatch, "/v2/users/u-00004", `{"role":{"name":"Owner"}}`)

	owners, err := env.client.LiveOwners(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(owners, []string{"u-00001"}) {
		t.Errorf("live owners %v, want [u-00001]", owners)
	}
	if n := acct.count("GET /v2/users/{id}"); n != 3 {
		t.Errorf("%d user reads, want 3: the lagging search listed u-00001, u-00002 and u-00003", n)
	}
}

// TestChangeMemberRoleUnknownOutcomes: a write of a role change whose
// answer is lost after the API applied it is settled by a read, never by
// sending it again blindly: the re-add is confirmed by the team read, the
// removal by the 404 of its retry. The role ends right, and only that
// member is written.
func TestChangeMemberRoleUnknownOutcomes(t *testing.T) {
	tests := []struct {
		variant, lost string
		note          string
		posts, dels   int
	}{
		{"update-role", "POST /v2/teams/{id}/members", NoteReAdded, 1, 0},
		{"keep-role", "POST /v2/teams/{id}/members", NoteRemovedAndReAdded, 2, 1},
		{"keep-role", "DELETE /v2/teams/{id}/members/{member}", NoteRemovedAndReAdded, 2, 2},
		{"conflict", "DELETE /v2/teams/{id}/members/{member}", NoteRemovedAndReAdded, 2, 2},
	}
	for _, tc := range tests {
		t.Run(tc.variant+" "+tc.lost, func(t *testing.T) {
			env := setup(t)
			seed := seedUsers(2)
			seed.Teams = []ogsim.SeedTeam{{ID: "t-sre", Name: "sre", Members: []ogsim.SeedMember{
				{Username: "user00001@example.com", Role: "user"}, {Username: "user00002@example.com", Role: "admin"}}}}
			acct := newSimAccount(t, env, ogsim.Options{Seed: seed, Behavior: ogsim.Behavior{MemberReAdd: tc.variant}})
			acct.after = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.Pattern == tc.lost && n == 1 {
					writeError(w, http.StatusGatewayTimeout, "timeout")
					return true
				}
				return false
			}
			note, err := env.client.ChangeMemberRole(t.Context(), "t-sre", model.Member{UserID: "u-00001", Role: "admin"})
			if err != nil {
				t.Fatal(err)
			}
			if note != tc.note {
				t.Errorf("note %q, want %q", note, tc.note)
			}
			if r := acct.memberRole("t-sre", "u-00001"); r != "admin" {
				t.Errorf("role after the change = %q", r)
			}
			if p, d := acct.count("POST /v2/teams/{id}/members"), acct.count("DELETE /v2/teams/{id}/members/{member}"); p != tc.posts || d != tc.dels {
				t.Errorf("adds %d, removals %d; want %d and %d", p, d, tc.posts, tc.dels)
			}
			for _, m := range acct.sim.Journal() {
				if m.User != "user00001@example.com" {
					t.Errorf("%s of %s, who the change is not about", m.Op, m.User)
				}
			}
		})
	}
}
