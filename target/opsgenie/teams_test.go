package opsgenie

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// seedTeams is an account of three users and three teams: sre (two
// members), empty and db (one member).
func seedTeams() *ogsim.Seed {
	s := seedUsers(3) // u-00001..u-00003
	s.Teams = []ogsim.SeedTeam{
		{ID: "t-sre", Name: "sre", Description: "team sre", Members: []ogsim.SeedMember{
			{Username: "user00002@example.com", Role: "user"}, {Username: "user00001@example.com", Role: "admin"}}},
		{ID: "t-empty", Name: "empty", Description: "team empty"},
		{ID: "t-db", Name: "db", Description: "team db", Members: []ogsim.SeedMember{{Username: "user00003@example.com"}}},
	}
	return s
}

func wantTeams() []model.Team {
	return []model.Team{
		{ID: "t-db", Name: "db", Description: model.Ptr("team db"), Members: &[]model.Member{{Username: "user00003@example.com", UserID: "u-00003", Role: "user"}}},
		{ID: "t-empty", Name: "empty", Description: model.Ptr("team empty"), Members: &[]model.Member{}},
		{ID: "t-sre", Name: "sre", Description: model.Ptr("team sre"), Members: &[]model.Member{
			{Username: "user00001@example.com", UserID: "u-00001", Role: "admin"},
			{Username: "user00002@example.com", UserID: "u-00002", Role: "user"},
		}},
	}
}

func TestListTeams(t *testing.T) {
	tests := []struct {
		name    string
		expand  bool
		listed  int
		perTeam int
	}{
		{"members expanded in one call", true, 1, 0},
		{"no members key: one GET per team", false, 1, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t)
			acct := newSimAccount(t, env, ogsim.Options{Seed: seedTeams(), Behavior: ogsim.Behavior{IgnoreExpandMember: !tc.expand}})
			teams, err := env.client.ListTeams(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := mustJSON(t, teams), mustJSON(t, wantTeams()); string(got) != string(want) {
				t.Errorf("teams = %s\nwant %s", got, want)
			}
			if got := acct.count("GET /v2/teams"); got != tc.listed {
				t.Errorf("list calls = %d, want %d", got, tc.listed)
			}
			if got := acct.count("GET /v2/teams/{id}"); got != tc.perTeam {
				t.Errorf("per-team calls = %d, want %d", got, tc.perTeam)
			}
		})
	}
}

func TestListTeamsNoTeams(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{})
	teams, err := env.client.ListTeams(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(teams) != 0 || acct.count("GET /v2/teams") != 1 {
		t.Errorf("teams = %v after %d calls", teams, acct.count("GET /v2/teams"))
	}
}

func TestListTeamsFallbackError(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{Seed: seedTeams(), Behavior: ogsim.Behavior{IgnoreExpandMember: true}})
	acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Pattern == "GET /v2/teams/{id}" && r.PathValue("id") == "t-empty" {
			writeError(w, http.StatusForbidden, "Api key is not authorized")
			return true
		}
		return false
	}
	_, err := env.client.ListTeams(t.Context())
	if !IsForbidden(err) {
		t.Fatalf("err = %v, want 403", err)
	}
}

func TestTeamWriteBodies(t *testing.T) {
	tests := []struct {
		name   string
		call   func(c *Client) error
		method string
		path   string
		query  string
		body   string
	}{
		{
			"create with members by id and by username",
			func(c *Client) error {
				_, err := c.CreateTeam(t.Context(), model.Team{Name: "sre", Description: model.Ptr("SRE"), Members: &[]model.Member{
					{Username: "a@x.com", UserID: "u1", Role: "admin"}, {Username: "B@X.com"},
				}})
				return err
			},
			"POST", "/v2/teams", "",
			`{"name":"sre","description":"SRE","members":[{"user":{"id":"u1"},"role":"admin"},{"user":{"username":"b@x.com"},"role":"user"}]}`,
		},
		{
			"create without managed members",
			func(c *Client) error { _, err := c.CreateTeam(t.Context(), model.Team{Name: "ops"}); return err },
			"POST", "/v2/teams", "", `{"name":"ops"}`,
		},
		{
			"patch description only",
			func(c *Client) error { return c.UpdateTeam(t.Context(), "t1", TeamPatch{Description: model.Ptr("")}) },
			"PATCH", "/v2/teams/t1", "", `{"description":""}`,
		},
		{
			"patch rename and description, never members",
			func(c *Client) error {
				return c.UpdateTeam(t.Context(), "t1", TeamPatch{Name: model.Ptr("new"), Description: model.Ptr("d")})
			},
			"PATCH", "/v2/teams/t1", "", `{"name":"new","description":"d"}`,
		},
		{
			"add member",
			func(c *Client) error {
				_, err := c.AddMember(t.Context(), "t1", model.Member{Username: "a@x.com", Role: "admin"})
				return err
			},
			"POST", "/v2/teams/t1/members", "teamIdentifierType=id", `{"user":{"username":"a@x.com"},"role":"admin"}`,
		},
		{
			"remove member",
			func(c *Client) error { return c.RemoveMember(t.Context(), "t1", "u1") },
			"DELETE", "/v2/teams/t1/members/u1", "teamIdentifierType=id", ``,
		},
		{
			"delete team",
			func(c *Client) error { return c.DeleteTeam(t.Context(), "t1") },
			"DELETE", "/v2/teams/t1", "identifierType=id", ``,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t)
			calls := 0
			env.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				calls++
				if r.Method != tc.method || r.URL.Path != tc.path || r.URL.RawQuery != tc.query {
					t.Errorf("request = %s %s?%s, want %s %s?%s", r.Method, r.URL.Path, r.URL.RawQuery, tc.method, tc.path, tc.query)
				}
				var b json.RawMessage
				_ = json.NewDecoder(r.Body).Decode(&b)
				if string(b) != tc.body {
					t.Errorf("body = %s, want %s", b, tc.body)
				}
				status := http.StatusOK
				if r.Method == http.MethodPost && r.URL.Path == "/v2/teams" {
					status = http.StatusCreated
				}
				writeJSON(w, status, map[string]any{"result": "ok", "data": map[string]string{"id": "t9", "name": "x"}})
			})
			if err := tc.call(env.client); err != nil {
				t.Fatal(err)
			}
			if calls != 1 {
				t.Errorf("%d requests, want 1", calls)
			}
		})
	}
}

func TestTeamPatchEmptySendsNothing(t *testing.T) {
	env := setup(t)
	if err := env.client.UpdateTeam(t.Context(), "t1", TeamPatch{}); err != nil {
		t.Fatal(err)
	}
	if env.client.RequestStats().Total != 0 {
		t.Error("an empty patch sent a request")
	}
}

func TestGetTeamByName(t *testing.T) {
	env := setup(t)
	newSimAccount(t, env, ogsim.Options{Seed: seedTeams()})
	tm, err := env.client.GetTeam(t.Context(), "sre", ByName)
	if err != nil {
		t.Fatal(err)
	}
	if tm.ID != "t-sre" || len(*tm.Members) != 2 {
		t.Errorf("team = %+v", tm)
	}
	if _, err := env.client.GetTeam(t.Context(), "nope", ByName); !IsNotFound(err) {
		t.Errorf("err = %v, want 404", err)
	}
	if _, err := env.client.GetTeam(t.Context(), "sre", "label"); err == nil {
		t.Error("a bad identifier type was accepted")
	}
}

func TestPatchOf(t *testing.T) {
	u := model.User{ID: "u1", Username: "a@x.com", FullName: model.Ptr("A"), Tags: &[]string{}, Origin: "f:1"}
	p := UserPatchOf(u)
	if p.FullName != u.FullName || p.Tags != u.Tags || p.Role != nil || p.TimeZone != nil || p.Locale != nil || p.Details != nil {
		t.Errorf("UserPatchOf = %+v", p)
	}
	if UserPatchOf(model.User{Username: "a@x.com"}).Empty() != true {
		t.Error("a user with no managed field gives a non-empty patch")
	}
}

// TestListTeamsFallbackTeamGone: the team list lags behind a delete and
// carries no members; the deleted team's read answers 404, and the team is
// left out rather than failing the read.
func TestListTeamsFallbackTeamGone(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{Seed: seedTeams(), Behavior: ogsim.Behavior{IgnoreExpandMember: true, ListLag: time.Minute}})
	acct.api(http.MethodDelete, "/v2/teams/t-empty?identifierType=id", "")
	teams, err := env.client.ListTeams(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(teams, func(tm model.Team) bool { return tm.ID == "t-empty" }) || len(teams) != len(seedTeams().Teams)-1 {
		t.Errorf("teams %+v: want every seeded team but t-empty", teams)
	}
	if n := acct.count("GET /v2/teams/{id}"); n != len(seedTeams().Teams) {
		t.Errorf("%d team reads, want %d: the lagging list still had t-empty", n, len(seedTeams().Teams))
	}
}
