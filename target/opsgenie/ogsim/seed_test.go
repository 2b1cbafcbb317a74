package ogsim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSeedErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"syntax", "users:\n  - username: [\n", "s.yaml:2: did not find expected node content"},
		{"unknown key", "users:\n  - username: a@example.com\n    fullName: A\n    role: User\n    shoe: 42\n", "s.yaml:5: field shoe not found"},
		{"unknown top-level key", "people: []\n", "s.yaml:1: field people not found"},
		{"wrong type", "users:\n  - username: a@example.com\n    fullName: A\n    role: User\n    tags: notalist\n", "s.yaml:5: "},
		{"duplicate key", "users: []\nusers: []\n", "s.yaml:2: "},
		{"bad email", "users:\n  - username: nobody\n    fullName: A\n    role: User\n", "s.yaml:2: users[0].username: username [nobody] must be a valid e-mail address"},
		{"unknown role", "users:\n  - username: a@example.com\n    fullName: A\n    role: Wizard\n", "s.yaml:4: users[0].role: role \"Wizard\""},
		{"missing fullName", "users:\n  - username: a@example.com\n    role: User\n", "s.yaml:2: users[0].fullName: fullName is required"},
		{"bad zone", "users:\n  - {username: a@example.com, fullName: A, role: User, timeZone: Moon/Base}\n", "s.yaml:2: users[0].timeZone"},
		{"bad locale", "users:\n  - {username: a@example.com, fullName: A, role: User, locale: xx}\n", "users[0].locale"},
		{"duplicate user", "users:\n  - {username: a@example.com, fullName: A, role: User}\n  - {username: A@example.com, fullName: B, role: User}\n", "s.yaml:3: users[1].username: username \"a@example.com\" is declared twice"},
		{"duplicate id", "users:\n  - {id: x, username: a@example.com, fullName: A, role: User}\n  - {id: x, username: b@example.com, fullName: B, role: User}\n", "s.yaml:3: users[1].id"},
		{"unknown member", "teams:\n  - name: t\n    members:\n      - username: ghost@example.com\n", "s.yaml:4: teams[0].members[0]: no user exists with username [ghost@example.com]"},
		{"bad member role", "users:\n  - {username: a@example.com, fullName: A, role: User}\nteams:\n  - name: t\n    members: [{username: a@example.com, role: boss}]\n", "teams[0].members[0]: role [boss]"},
		{"bad team name", "teams:\n  - name: a/b\n", "s.yaml:2: teams[0].name"},
		{"duplicate team", "teams:\n  - name: t\n  - name: T\n", "s.yaml:3: teams[1].name"},
		{"unknown owner team", "schedules:\n  - name: s\n    ownerTeam: nope\n", "s.yaml:3: schedules[0].ownerTeam: no team \"nope\""},
		{"bad rotation type", "schedules:\n  - name: s\n    rotations:\n      - name: r\n        type: yearly\n        startDate: 2024-01-01T00:00:00Z\n        participants: [{none: true}]\n", "s.yaml:5: schedules[0].rotations[0].type"},
		{"missing start", "schedules:\n  - name: s\n    rotations:\n      - {name: r, type: daily, participants: [{none: true}]}\n", "schedules[0].rotations[0].startDate: startDate is required"},
		{"end before start", "schedules:\n  - name: s\n    rotations:\n      - {name: r, type: daily, startDate: 2024-01-02T00:00:00Z, endDate: 2024-01-01T00:00:00Z, participants: [{none: true}]}\n", "endDate must be after startDate"},
		{"unknown participant", "schedules:\n  - name: s\n    rotations:\n      - name: r\n        type: daily\n        startDate: 2024-01-01T00:00:00Z\n        participants:\n          - user: ghost@example.com\n", "s.yaml:8: schedules[0].rotations[0].participants[0]: no user \"ghost@example.com\""},
		{"schedule as participant", "schedules:\n  - name: s\n    rotations:\n      - {name: r, type: daily, startDate: 2024-01-01T00:00:00Z, participants: [{schedule: s}]}\n", "a schedule can not be used here"},
		{"two kinds at once", "users:\n  - {username: a@example.com, fullName: A, role: User}\nteams: [{name: t}]\nescalations:\n  - name: e\n    rules: [{recipient: {user: a@example.com, team: t}}]\n", "escalations[0].rules[0].recipient: name exactly one of"},
		{"escalation without rules", "escalations:\n  - name: e\n", "s.yaml:2: escalations[0].rules: at least one rule is required"},
		{"bad notify type", "teams: [{name: t}]\nescalations:\n  - name: e\n    rules: [{notifyType: loudly, recipient: {team: t}}]\n", "escalations[0].rules[0].notifyType"},
		{"none as recipient", "escalations:\n  - name: e\n    rules: [{recipient: {none: true}}]\n", "a none can not be used here"},
		{"key without rights", "keys:\n  - key: abc\n", "s.yaml:2: keys[0].rights"},
		{"unknown right", "keys:\n  - key: abc\n    rights: [read, fly]\n", "s.yaml:3: keys[0].rights[1]: unknown right \"fly\""},
		{"built-in role as custom", "customRoles:\n  - name: admin\n", "customRoles[0].name: \"admin\" is a built-in role"},
		{"bad extended role", "customRoles:\n  - {name: R, extendedRole: owner}\n", "customRoles[0].extendedRole"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSeed("s.yaml", []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant one containing %q", err, tc.want)
			}
		})
	}
}

func TestParseSeedJSONAndEmpty(t *testing.T) {
	js := `{"users":[{"username":"j@example.com","fullName":"J","role":"owner"}],"teams":[{"name":"t","members":[{"username":"j@example.com","role":"admin"}]}]}`
	seed, err := ParseSeed("s.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if len(seed.Users) != 1 || seed.Teams[0].Members[0].Role != "admin" {
		t.Errorf("seed = %+v", seed)
	}
	if _, err := ParseSeed("s.json", []byte(`{"users":[{"username":"j@example.com","fullName":"J","role":"User","x":1}]}`)); err == nil ||
		!strings.Contains(err.Error(), "s.json:1: field x not found") {
		t.Errorf("strict JSON: %v", err)
	}
	empty, err := ParseSeed("empty.yaml", nil)
	if err != nil || len(empty.Users) != 0 {
		t.Errorf("empty seed: %+v %v", empty, err)
	}
	srv := newTestServer(t, Options{Seed: empty})
	if st := srv.State(); len(st.Users)+len(st.Teams)+len(st.Schedules)+len(st.Escalations)+len(st.CustomRoles) != 0 {
		t.Errorf("empty account is not empty: %+v", st)
	}
}

func TestLoadSeed(t *testing.T) {
	if _, err := LoadSeed(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "reading seed") {
		t.Errorf("missing file: %v", err)
	}
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("users:\n  - username: x\n    fullName: X\n    role: User\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSeed(path); err == nil || !strings.HasPrefix(err.Error(), path+":2: ") {
		t.Errorf("error = %v, want it to start with %s:2:", err, path)
	}
}

// TestExampleSeed loads examples/seed.yaml, which must stay valid and
// realistic.
func TestExampleSeed(t *testing.T) {
	seed, err := LoadSeed("../../../examples/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, Options{Seed: seed})
	st := srv.State()
	roles := map[string]int{}
	for _, u := range st.Users {
		roles[u.Role]++
	}
	if roles["Owner"] < 1 || roles["Admin"] < 1 || roles["User"] < 1 || len(st.CustomRoles) < 1 || len(seed.Keys) < 1 {
		t.Errorf("example lacks variety: roles %v, custom roles %d, keys %d", roles, len(st.CustomRoles), len(seed.Keys))
	}
	if len(st.Teams) < 2 || len(st.Schedules) < 3 || len(st.Escalations) < 3 {
		t.Errorf("example has %d teams, %d schedules, %d escalations", len(st.Teams), len(st.Schedules), len(st.Escalations))
	}
	referenced := 0
	for _, u := range st.Users {
		r := do(t, srv, "GET", "/v2/users/"+u.Username+"/schedules", "")
		e := do(t, srv, "GET", "/v2/users/"+u.Username+"/escalations", "")
		if len(r.list("data"))+len(e.list("data")) > 0 {
			referenced++
		}
	}
	if referenced == 0 {
		t.Error("no user of the example is on call")
	}
	ro := seed.Keys[0].Key
	expect(t, send(t, srv, ro, "GET", "/v2/users", ""), 200, "")
	expect(t, send(t, srv, ro, "POST", "/v2/teams", `{"name":"x"}`), 403, `"code":40301`)
}
