package ogsim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// members returns "username:role" of a team in the state.
func members(srv *Server, team string) []string {
	for _, t := range srv.State().Teams {
		if t.Name == team {
			out := []string{}
			for _, m := range t.Members {
				out = append(out, m.Username+":"+m.Role)
			}
			return out
		}
	}
	return nil
}

func TestCreateTeam(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		code    int
		want    string
		members []string
	}{
		{"minimal", `{"name":"web"}`, 201, `"result":"Created","data":{"id":`, []string{}},
		{"members by username and id", `{"name":"web","description":"d","members":[{"user":{"username":"Admin@example.com"},"role":"admin"},{"user":{"id":"$ID"}}]}`, 201, "",
			[]string{"admin@example.com:admin", "user@example.com:user"}},
		{"both id and username agree", `{"name":"web","members":[{"user":{"id":"$ID","username":"user@example.com"},"role":"User"}]}`, 201, "", []string{"user@example.com:user"}},
		{"SDK extra keys ignored", `{"name":"web","TeamIdentifierType":0}`, 201, "", []string{}},
		{"missing name", `{"description":"x"}`, 422, `"name":"name is required"`, nil},
		{"name with bad characters", `{"name":"we/b"}`, 422, `"name":"name may contain only`, nil},
		{"name too long", `{"name":"` + strings.Repeat("n", 101) + `"}`, 422, `at most 100 characters`, nil},
		{"description too long", `{"name":"web","description":"` + strings.Repeat("d", 10001) + `"}`, 422, `"description"`, nil},
		{"duplicate name", `{"name":"sre"}`, 409, `There is already one Team with same name`, nil},
		{"duplicate name other case", `{"name":"SRE"}`, 409, ``, nil},
		{"unknown member", `{"name":"web","members":[{"user":{"username":"ghost@example.com"}}]}`, 422, `"members[0]":"no user exists with username [ghost@example.com]"`, nil},
		{"member without user", `{"name":"web","members":[{"role":"admin"}]}`, 422, `id or username should be provided`, nil},
		{"bad member role", `{"name":"web","members":[{"user":{"username":"user@example.com"},"role":"boss"}]}`, 422, `must be admin or user`, nil},
		{"member twice", `{"name":"web","members":[{"user":{"username":"user@example.com"}},{"user":{"id":"$ID"}}]}`, 422, `listed twice`, nil},
		{"id and username disagree", `{"name":"web","members":[{"user":{"id":"$ID","username":"admin@example.com"}}]}`, 422, `name different users`, nil},
		{"members not a list", `{"name":"web","members":{}}`, 422, `"members"`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{})
			id := do(t, srv, "GET", "/v2/users/user@example.com", "").str("data.id")
			r := do(t, srv, "POST", "/v2/teams", strings.ReplaceAll(tc.body, "$ID", id))
			expect(t, r, tc.code, tc.want)
			if tc.code != 201 {
				if len(srv.State().Teams) != 2 {
					t.Errorf("a refused create changed the teams")
				}
				return
			}
			if got := members(srv, "web"); fmt.Sprint(got) != fmt.Sprint(tc.members) {
				t.Errorf("members = %v, want %v", got, tc.members)
			}
			if r.str("data.name") != "web" || !isUUID(r.str("data.id")) {
				t.Errorf("data = %v", r.get("data"))
			}
			// The default resources come with the team.
			sc := do(t, srv, "GET", "/v2/schedules/web_schedule?identifierType=name", "")
			expect(t, sc, 200, `"ownerTeam":{"id":"`+r.str("data.id")+`","name":"web"}`)
			esc := do(t, srv, "GET", "/v2/escalations/web_escalation?identifierType=name", "")
			expect(t, esc, 200, "")
			rules := esc.list("data.rules")
			if len(rules) != 3 || esc.str("data.rules.0.recipient.name") != "web_schedule" ||
				esc.str("data.rules.1.notifyType") != "next" || esc.get("data.rules.1.delay.timeAmount") != 5.0 ||
				esc.str("data.rules.2.recipient.type") != "team" || esc.str("data.rules.2.notifyType") != "all" {
				t.Errorf("default escalation rules = %v", esc.get("data.rules"))
			}
		})
	}
}

func TestCreateTeamDefaultNameTaken(t *testing.T) {
	srv := newTestServer(t, Options{})
	// "sre_oncall" exists; a team called "sre_oncall"-minus-suffix does not
	// collide, but a team whose default schedule name is taken does.
	seed := &Seed{Schedules: []SeedSchedule{{Name: "web_schedule"}}}
	srv2 := newTestServer(t, Options{Seed: seed})
	expect(t, do(t, srv2, "POST", "/v2/teams", `{"name":"web"}`), 409, "There is already one Schedule with same name [web_schedule]")
	expect(t, do(t, srv, "POST", "/v2/teams", `{"name":"web"}`), 201, "")
}

func TestGetTeam(t *testing.T) {
	srv := newTestServer(t, Options{})
	id := do(t, srv, "GET", "/v2/teams/sre?identifierType=name", "").str("data.id")
	tests := []struct {
		name, path string
		code       int
		want       string
	}{
		{"by id default", "/v2/teams/" + id, 200, `"name":"sre"`},
		{"by explicit id", "/v2/teams/" + id + "?identifierType=id", 200, `"description":"Site reliability"`},
		{"by name", "/v2/teams/sre?identifierType=name", 200, `"members":[{"user":{"id":"`},
		{"by name other case", "/v2/teams/SRE?identifierType=name", 200, `"name":"sre"`},
		{"name used as id", "/v2/teams/sre", 404, `No team exists with id [sre].`},
		{"unknown name", "/v2/teams/nope?identifierType=name", 404, `No team exists with name [nope].`},
		{"bad identifierType", "/v2/teams/sre?identifierType=email", 422, `identifierType`},
		{"links", "/v2/teams/" + id, 200, `"links":{"web":"https://ogsim.app.opsgenie.com/teams/dashboard/` + id + `/main","api":"http://example.com/v2/teams/` + id + `"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, do(t, srv, "GET", tc.path, ""), tc.code, tc.want)
		})
	}
	t.Run("members are ordered and carry roles", func(t *testing.T) {
		r := do(t, srv, "GET", "/v2/teams/sre?identifierType=name", "")
		if r.str("data.members.0.user.username") != "owner@example.com" || r.str("data.members.0.role") != "admin" ||
			r.str("data.members.1.role") != "user" {
			t.Errorf("members = %v", r.get("data.members"))
		}
	})
	t.Run("no members key for an empty team", func(t *testing.T) {
		if r := do(t, srv, "GET", "/v2/teams/ops?identifierType=name", ""); strings.Contains(r.raw, `"members"`) {
			t.Errorf("empty team has members: %s", r.raw)
		}
		srv2 := newTestServer(t, Options{Behavior: Behavior{EmptyMembersAsArray: true}})
		expect(t, do(t, srv2, "GET", "/v2/teams/ops?identifierType=name", ""), 200, `"members":[]`)
	})
}

func TestListTeams(t *testing.T) {
	srv := newTestServer(t, Options{})
	r := do(t, srv, "GET", "/v2/teams", "")
	expect(t, r, 200, `"expandable":["member"]`)
	if names := []string{r.str("data.0.name"), r.str("data.1.name")}; fmt.Sprint(names) != "[ops sre]" {
		t.Errorf("teams = %v, want sorted by name", names)
	}
	if strings.Contains(r.raw, `"members"`) {
		t.Errorf("list without expand has members: %s", r.raw)
	}
	e := do(t, srv, "GET", "/v2/teams?expand=member", "")
	if e.get("data.0.members") == nil || len(e.list("data.0.members")) != 0 || len(e.list("data.1.members")) != 2 {
		t.Errorf("expand=member: %s", e.raw)
	}
	if e.str("data.1.members.1.user.username") != "user@example.com" {
		t.Errorf("member = %v", e.get("data.1.members.1"))
	}
}

func TestUpdateTeam(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		code    int
		want    string
		team    string // name after the update
		members []string
	}{
		{"members replace the set", `{"members":[{"user":{"username":"admin@example.com"},"role":"admin"}]}`, 200, `"result":"Updated","data":{"id":"$TEAM","name":"sre"}`,
			"sre", []string{"admin@example.com:admin"}},
		{"absent members unchanged", `{"description":"new"}`, 200, "", "sre", []string{"owner@example.com:admin", "user@example.com:user"}},
		{"null members unchanged", `{"members":null}`, 200, "", "sre", []string{"owner@example.com:admin", "user@example.com:user"}},
		{"empty list empties", `{"members":[]}`, 200, "", "sre", []string{}},
		{"role change", `{"members":[{"user":{"username":"owner@example.com"}},{"user":{"username":"user@example.com"},"role":"admin"}]}`, 200, "",
			"sre", []string{"owner@example.com:user", "user@example.com:admin"}},
		{"rename", `{"id":"$TEAM","name":"sre-2"}`, 200, `"name":"sre-2"`, "sre-2", []string{"owner@example.com:admin", "user@example.com:user"}},
		{"rename to taken name", `{"name":"OPS"}`, 409, "There is already one Team with same name", "sre", []string{"owner@example.com:admin", "user@example.com:user"}},
		{"rename to bad name", `{"name":"a/b"}`, 422, `"name"`, "sre", []string{"owner@example.com:admin", "user@example.com:user"}},
		{"unknown member refused whole", `{"members":[{"user":{"username":"admin@example.com"}},{"user":{"username":"ghost@example.com"}}]}`, 422, `"members[1]"`,
			"sre", []string{"owner@example.com:admin", "user@example.com:user"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{})
			id := do(t, srv, "GET", "/v2/teams/sre?identifierType=name", "").str("data.id")
			r := do(t, srv, "PATCH", "/v2/teams/"+id, strings.ReplaceAll(tc.body, "$TEAM", id))
			expect(t, r, tc.code, strings.ReplaceAll(tc.want, "$TEAM", id))
			if got := members(srv, tc.team); fmt.Sprint(got) != fmt.Sprint(tc.members) {
				t.Errorf("members of %s = %v, want %v", tc.team, got, tc.members)
			}
		})
	}
	t.Run("by name is not found", func(t *testing.T) {
		srv := newTestServer(t, Options{})
		expect(t, do(t, srv, "PATCH", "/v2/teams/sre", `{"description":"x"}`), 404, "No team exists with id [sre]")
	})
}

func TestDeleteTeam(t *testing.T) {
	tests := []struct {
		name, path string
		code       int
		want       string
		gone       string
	}{
		{"by name", "/v2/teams/ops?identifierType=name", 200, `"result":"Deleted"`, "ops"},
		{"by id", "/v2/teams/$OPS", 200, "", "ops"},
		{"unknown", "/v2/teams/nope?identifierType=name", 404, "No team exists with name [nope].", ""},
		{"referenced from another team's schedule", "/v2/teams/$OPS?identifierType=id", 428, "schedule sre_oncall", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seed, err := ParseSeed("t.yaml", []byte(testSeed))
			if err != nil {
				t.Fatal(err)
			}
			if tc.code == 200 { // take ops out of sre_oncall so that it can go
				seed.Schedules[0].Rotations[0].Participants = seed.Schedules[0].Rotations[0].Participants[:1]
			}
			srv := newTestServer(t, Options{Seed: seed})
			ops := do(t, srv, "GET", "/v2/teams/ops?identifierType=name", "").str("data.id")
			r := do(t, srv, "DELETE", strings.ReplaceAll(tc.path, "$OPS", ops), "")
			expect(t, r, tc.code, tc.want)
			st := srv.State()
			if tc.gone == "" {
				if len(st.Teams) != 2 {
					t.Errorf("teams = %d, want 2", len(st.Teams))
				}
				return
			}
			for _, tm := range st.Teams {
				if tm.Name == tc.gone {
					t.Errorf("team %s still there", tc.gone)
				}
			}
			for _, sc := range st.Schedules {
				if sc.Name == tc.gone+"_schedule" {
					t.Errorf("default schedule of %s still there", tc.gone)
				}
			}
			for _, e := range st.Escalations {
				if e.Name == tc.gone+"_escalation" {
					t.Errorf("default escalation of %s still there", tc.gone)
				}
			}
		})
	}
	t.Run("owned schedule and escalation go along", func(t *testing.T) {
		srv := newTestServer(t, Options{})
		expect(t, do(t, srv, "DELETE", "/v2/teams/sre?identifierType=name", ""), 200, "")
		st := srv.State()
		for _, sc := range st.Schedules {
			if sc.OwnerTeam == "sre" || sc.Name == "sre_oncall" {
				t.Errorf("schedule %s survived its team", sc.Name)
			}
		}
		// With sre_critical gone, the on-call user can be deleted.
		expect(t, do(t, srv, "DELETE", "/v2/users/oncall@example.com", ""), 200, "")
	})
}

func TestAddMember(t *testing.T) {
	tests := []struct {
		name, path, body string
		code             int
		want             string
		members          []string
	}{
		{"by team id, default role", "/v2/teams/$SRE/members", `{"user":{"username":"admin@example.com"}}`, 200, `"result":"Added","data":{"id":"$SRE","name":"sre"}`,
			[]string{"owner@example.com:admin", "user@example.com:user", "admin@example.com:user"}},
		{"by team name with role", "/v2/teams/sre/members?teamIdentifierType=name", `{"user":{"id":"$ADMIN"},"role":"admin","TeamIdentifierType":0,"TeamIdentifierValue":"sre"}`, 200, "",
			[]string{"owner@example.com:admin", "user@example.com:user", "admin@example.com:admin"}},
		{"again changes the role", "/v2/teams/$SRE/members?teamIdentifierType=id", `{"user":{"username":"user@example.com"},"role":"admin"}`, 200, "",
			[]string{"owner@example.com:admin", "user@example.com:admin"}},
		{"unknown team", "/v2/teams/nope/members?teamIdentifierType=name", `{"user":{"username":"admin@example.com"}}`, 404, "No team exists with name [nope].", nil},
		{"unknown user", "/v2/teams/$SRE/members", `{"user":{"username":"ghost@example.com"}}`, 422, `"user":"no user exists with username [ghost@example.com]"`, nil},
		{"missing user", "/v2/teams/$SRE/members", `{"role":"admin"}`, 422, `"user":"user is required"`, nil},
		{"empty user", "/v2/teams/$SRE/members", `{"user":{}}`, 422, `id or username should be provided`, nil},
		{"bad role", "/v2/teams/$SRE/members", `{"user":{"username":"admin@example.com"},"role":"owner"}`, 422, `"role"`, nil},
		{"bad teamIdentifierType", "/v2/teams/sre/members?teamIdentifierType=nick", `{"user":{"username":"admin@example.com"}}`, 422, "teamIdentifierType", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{})
			sre := do(t, srv, "GET", "/v2/teams/sre?identifierType=name", "").str("data.id")
			admin := do(t, srv, "GET", "/v2/users/admin@example.com", "").str("data.id")
			sub := strings.NewReplacer("$SRE", sre, "$ADMIN", admin)
			r := do(t, srv, "POST", sub.Replace(tc.path), sub.Replace(tc.body))
			expect(t, r, tc.code, sub.Replace(tc.want))
			want := tc.members
			if want == nil {
				want = []string{"owner@example.com:admin", "user@example.com:user"}
			}
			if got := members(srv, "sre"); !slices.Equal(got, want) {
				t.Errorf("members = %v, want %v", got, want)
			}
		})
	}
}

func TestRemoveMember(t *testing.T) {
	tests := []struct {
		name, path string
		code       int
		want       string
		members    []string
	}{
		{"by username", "/v2/teams/$SRE/members/user@example.com", 200, `"result":"Removed","data":{"id":"$SRE","name":"sre"}`, []string{"owner@example.com:admin"}},
		{"by user id and team name", "/v2/teams/sre/members/$USER?teamIdentifierType=name", 200, "", []string{"owner@example.com:admin"}},
		{"encoded username", "/v2/teams/$SRE/members/user%40example.com?teamIdentifierType=id", 200, "", []string{"owner@example.com:admin"}},
		{"not a member", "/v2/teams/$SRE/members/admin@example.com", 404, "is not a member of team [sre]", nil},
		{"unknown user", "/v2/teams/$SRE/members/ghost@example.com", 404, "No user exists", nil},
		{"unknown team", "/v2/teams/nope/members/user@example.com?teamIdentifierType=name", 404, "No team exists", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{})
			sre := do(t, srv, "GET", "/v2/teams/sre?identifierType=name", "").str("data.id")
			uid := do(t, srv, "GET", "/v2/users/user@example.com", "").str("data.id")
			sub := strings.NewReplacer("$SRE", sre, "$USER", uid)
			expect(t, do(t, srv, "DELETE", sub.Replace(tc.path), ""), tc.code, sub.Replace(tc.want))
			want := tc.members
			if want == nil {
				want = []string{"owner@example.com:admin", "user@example.com:user"}
			}
			if got := members(srv, "sre"); !slices.Equal(got, want) {
				t.Errorf("members = %v, want %v", got, want)
			}
		})
	}
}
