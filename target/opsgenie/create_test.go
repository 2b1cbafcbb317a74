package opsgenie

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// TestCreateUserNeverDuplicates: the account applies the create and then
// fails in the ways whose outcome a client cannot know.
func TestCreateUserNeverDuplicates(t *testing.T) {
	tests := []struct {
		name string
		// fail answers the first create after applying it (applied) or
		// before it (not applied).
		applied bool
		fail    func(t *testing.T, w http.ResponseWriter)
		posts   int
	}{
		{"applied, then connection dropped", true, func(t *testing.T, w http.ResponseWriter) { dropConnection(t, w) }, 1},
		{"applied, then 503", true, func(t *testing.T, w http.ResponseWriter) { writeError(w, 503, "unavailable") }, 1},
		{"applied, then 500", true, func(t *testing.T, w http.ResponseWriter) { writeError(w, 500, "internal") }, 1},
		{"not applied, 502", false, func(t *testing.T, w http.ResponseWriter) { writeError(w, 502, "bad gateway") }, 2},
		{"not applied, connection dropped", false, func(t *testing.T, w http.ResponseWriter) { dropConnection(t, w) }, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t)
			acct := newSimAccount(t, env, ogsim.Options{})
			if tc.applied {
				acct.after = func(w http.ResponseWriter, r *http.Request, n int) bool {
					if r.Pattern == "POST /v2/users" && n == 1 {
						tc.fail(t, w)
						return true
					}
					return false
				}
			} else {
				acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
					if r.Pattern == "POST /v2/users" && n == 1 {
						tc.fail(t, w)
						return true
					}
					return false
				}
			}
			res, err := env.client.CreateUser(t.Context(), model.User{Username: "new@example.com", FullName: model.Ptr("New")})
			if err != nil {
				t.Fatal(err)
			}
			want := Created{ID: acct.userID("new@example.com"), Name: "new@example.com", Confirmed: tc.applied}
			if res != want || want.ID == "" {
				t.Errorf("result = %+v, want %+v", res, want)
			}
			if got := acct.journaled(ogsim.OpCreateUser, "new@example.com"); got != 1 {
				t.Errorf("new@example.com created %d times, want 1", got)
			}
			if got := acct.count("POST /v2/users"); got != tc.posts {
				t.Errorf("creates sent = %d, want %d", got, tc.posts)
			}
			if got := acct.count("GET /v2/users/{id}"); got != 1 {
				t.Errorf("lookups = %d, want 1", got)
			}
		})
	}
}

func TestCreateUserTimeoutAfterApply(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{})
	acct.after = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Pattern == "POST /v2/users" && n == 1 {
			<-r.Context().Done() // hold the answer past the client's timeout
			return true
		}
		return false
	}
	env.client.timeout = 100 * time.Millisecond
	res, err := env.client.CreateUser(t.Context(), model.User{Username: "slow@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Confirmed || res.ID == "" {
		t.Errorf("result = %+v, want a confirmed create", res)
	}
	if acct.journaled(ogsim.OpCreateUser, "slow@example.com") != 1 || acct.count("POST /v2/users") != 1 {
		t.Errorf("users created = %d, creates sent = %d; want 1 and 1", acct.journaled(ogsim.OpCreateUser, "slow@example.com"), acct.count("POST /v2/users"))
	}
}

func TestCreateUserConflict(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{Seed: seedUsers(1)})
	res, err := env.client.CreateUser(t.Context(), model.User{Username: "USER00001@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if res != (Created{ID: "u-00001", Name: "user00001@example.com", Existed: true}) {
		t.Errorf("result = %+v, want the existing user", res)
	}
	if n := acct.journaled(ogsim.OpCreateUser, "user00001@example.com"); n != 0 {
		t.Errorf("user00001@example.com created %d times, want 0", n)
	}
}

// TestCreateUserConflictElsewhere: a 409 for a username taken outside the
// account (usernames are global) cannot be reconciled and stays an error.
func TestCreateUserConflictElsewhere(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{})
	acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Pattern == "POST /v2/users" {
			writeError(w, http.StatusConflict, "Username is taken")
			return true
		}
		return false
	}
	_, err := env.client.CreateUser(t.Context(), model.User{Username: "taken@example.com"})
	if !IsConflict(err) {
		t.Fatalf("err = %v, want the 409", err)
	}
}

func TestCreateUserUnknownOutcomeExhausted(t *testing.T) {
	env := setup(t, func(o *Options) { o.MaxRetries = 2 })
	acct := newSimAccount(t, env, ogsim.Options{})
	acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Pattern == "POST /v2/users" {
			writeError(w, http.StatusServiceUnavailable, "down")
			return true
		}
		return false
	}
	_, err := env.client.CreateUser(t.Context(), model.User{Username: "x@example.com"})
	if !errors.Is(err, ErrUnknownOutcome) || statusOf(err) != 503 {
		t.Fatalf("err = %v, want an unknown outcome after a 503", err)
	}
	if acct.count("POST /v2/users") != 3 || acct.count("GET /v2/users/{id}") != 3 {
		t.Errorf("creates = %d, lookups = %d; want 3 creates, each followed by a lookup", acct.count("POST /v2/users"), acct.count("GET /v2/users/{id}"))
	}
}

func TestCreateUserLookupFails(t *testing.T) {
	env := setup(t, func(o *Options) { o.MaxRetries = 1 })
	acct := newSimAccount(t, env, ogsim.Options{})
	acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		switch r.Pattern {
		case "POST /v2/users":
			dropConnection(t, w)
			return true
		case "GET /v2/users/{id}":
			writeError(w, http.StatusForbidden, "no")
			return true
		}
		return false
	}
	_, err := env.client.CreateUser(t.Context(), model.User{Username: "x@example.com"})
	if !errors.Is(err, ErrUnknownOutcome) || !IsForbidden(err) {
		t.Fatalf("err = %v, want unknown outcome and the lookup's 403", err)
	}
	if acct.count("POST /v2/users") != 1 {
		t.Errorf("creates = %d, want 1: never re-sent without a lookup", acct.count("POST /v2/users"))
	}
}

func TestCreateTeamNeverDuplicates(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{})
	acct.after = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Pattern == "POST /v2/teams" && n == 1 {
			dropConnection(t, w)
			return true
		}
		return false
	}
	res, err := env.client.CreateTeam(t.Context(), model.Team{Name: "sre"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Confirmed || res.ID == "" || res.Name != "sre" {
		t.Errorf("result = %+v", res)
	}
	if acct.count("POST /v2/teams") != 1 || len(acct.state().Teams) != 1 {
		t.Errorf("creates = %d, teams = %d; want 1 and 1", acct.count("POST /v2/teams"), len(acct.state().Teams))
	}

	again, err := env.client.CreateTeam(t.Context(), model.Team{Name: "sre"})
	if err != nil {
		t.Fatal(err)
	}
	if again != (Created{ID: res.ID, Name: "sre", Existed: true}) {
		t.Errorf("second create = %+v, want the existing team", again)
	}
}

func TestAddMemberNeverDuplicates(t *testing.T) {
	tests := []struct {
		name   string
		member model.Member
	}{
		{"by id", model.Member{UserID: "u-00001", Role: "admin"}},
		{"by username", model.Member{Username: "User00001@example.com", Role: "admin"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t)
			acct := newSimAccount(t, env, ogsim.Options{Seed: teamSeed(1)})
			team := "t-sre"
			acct.after = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.Pattern == "POST /v2/teams/{id}/members" && n == 1 {
					writeError(w, http.StatusGatewayTimeout, "timeout")
					return true
				}
				return false
			}
			res, err := env.client.AddMember(t.Context(), team, tc.member)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Confirmed || res.ID != "u-00001" {
				t.Errorf("result = %+v", res)
			}
			if got := acct.journaled(ogsim.OpAddMember, "user00001@example.com"); got != 1 || acct.memberRole(team, "u-00001") != "admin" {
				t.Errorf("member added %d times, role %q; want once, admin", got, acct.memberRole(team, "u-00001"))
			}
			if acct.count("POST /v2/teams/{id}/members") != 1 || acct.count("GET /v2/teams/{id}") != 1 {
				t.Errorf("adds = %d, lookups = %d", acct.count("POST /v2/teams/{id}/members"), acct.count("GET /v2/teams/{id}"))
			}
		})
	}
}

func TestAddMemberNotAppliedIsResent(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{Seed: teamSeed(1)})
	team := "t-sre"
	acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Pattern == "POST /v2/teams/{id}/members" && n == 1 {
			dropConnection(t, w)
			return true
		}
		return false
	}
	res, err := env.client.AddMember(t.Context(), team, model.Member{UserID: "u-00001"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Confirmed || res.Existed {
		t.Errorf("result = %+v, want a plain add", res)
	}
	if n := acct.journaled(ogsim.OpAddMember, "user00001@example.com"); n != 1 || acct.count("POST /v2/teams/{id}/members") != 2 {
		t.Errorf("member added %d times, adds sent = %d; want 1 and 2", n, acct.count("POST /v2/teams/{id}/members"))
	}
}

func TestDeleteSettledBy404(t *testing.T) {
	tests := []struct {
		name    string
		applied bool
		ok      bool
	}{
		{"applied, answer lost, retry answers 404: done", true, true},
		{"never existed: 404 is an error", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t)
			seed := seedUsers(0)
			if tc.applied {
				seed = seedUsers(1)
			}
			acct := newSimAccount(t, env, ogsim.Options{Seed: seed})
			if tc.applied {
				acct.after = func(w http.ResponseWriter, r *http.Request, n int) bool {
					if acct.count("DELETE /v2/users/{id}") == 1 {
						dropConnection(t, w)
						return true
					}
					return false
				}
			}
			err := env.client.DeleteUser(t.Context(), "u-00001")
			if tc.ok && err != nil {
				t.Fatalf("err = %v, want done", err)
			}
			if !tc.ok && !IsNotFound(err) {
				t.Fatalf("err = %v, want 404", err)
			}
			if tc.applied && acct.count("DELETE /v2/users/{id}") != 2 {
				t.Errorf("deletes = %d, want 2", acct.count("DELETE /v2/users/{id}"))
			}
		})
	}
}
