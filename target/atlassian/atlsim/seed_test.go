package atlsim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseSeedErrors(t *testing.T) {
	tests := []struct {
		name, seed, want string
	}{
		{"unknown key", "users:\n  - email: a@example.com\n    colour: red\n", "s.yaml:3: field colour not found"},
		{"not yaml", "users: [", "s.yaml:1: "},
		{"bad email", "users:\n  - email: nope\n", "s.yaml:2: users[0].email: a valid e-mail is required"},
		{"duplicate email", "users:\n  - email: a@example.com\n  - email: A@example.com\n", "s.yaml:3: users[1].email: e-mail A@example.com is used twice"},
		{"bad status", "users:\n  - {email: a@example.com, status: gone}\n", "users[0].status: status must be"},
		{"bad product", "users:\n  - email: a@example.com\n    access: {confluence: user}\n", "s.yaml:3: users[0].access.confluence: unknown product"},
		{"bad role", "users:\n  - email: a@example.com\n    access: {jira-servicedesk: owner}\n", "unknown role owner"},
		{"bad zone", "users:\n  - {email: a@example.com, timeZone: Mars/Base}\n", "unknown time zone"},
		{"duplicate id", "users:\n  - {accountId: x, email: a@example.com}\n  - {accountId: x, email: b@example.com}\n", "users[1].accountId: id x is used twice"},
		{"team without name", "teams:\n  - description: d\n", "teams[0].displayName"},
		{"team type", "teams:\n  - {displayName: T, teamType: SECRET}\n", "teamType must be"},
		{"team state", "teams:\n  - {displayName: T, state: GONE}\n", "state must be"},
		{"unknown member", "teams:\n  - displayName: T\n    members: [x@example.com]\n", "s.yaml:3: teams[0].members[0]: no user with e-mail x@example.com"},
		{"twice a member", "users: [{email: a@example.com}]\nteams:\n  - {displayName: T, members: [a@example.com, a@example.com]}\n", "listed twice"},
		{"admins without ops", "users: [{email: a@example.com}]\nteams:\n  - {displayName: T, members: [a@example.com], admins: [a@example.com]}\n", "admins need operations"},
		{"admin not member", "users: [{email: a@example.com}]\nteams:\n  - {displayName: T, operations: true, admins: [a@example.com]}\n", "not a member"},
		{"duplicate team", "teams:\n  - {displayName: T}\n  - {displayName: T}\n", "names must be unique"},
		{"deleted twin allowed", "teams:\n  - {displayName: T, deleted: true}\n  - {displayName: T}\n", ""},
		{"bad right", "teams:\n  - {displayName: T, roles: [{name: R, rights: [fly]}]}\n", "unknown right fly"},
		{"schedule of non-ops team", "teams: [{displayName: T}]\nschedules:\n  - {name: S, team: T}\n", "s.yaml:3: schedules[0].team: team T does not have operations: true"},
		{"schedule of unknown team", "schedules:\n  - {name: S, team: T}\n", "no team named T"},
		{"schedule twice", "teams: [{displayName: T, operations: true}]\nschedules:\n  - {name: S, team: T}\n  - {name: s, team: T}\n", "defined twice"},
		{"rotation type", "teams: [{displayName: T, operations: true}]\nschedules:\n  - name: S\n    team: T\n    rotations: [{name: r, type: monthly, startDate: '2026-01-01T00:00:00Z'}]\n", "type must be daily"},
		{"rotation date", "teams: [{displayName: T, operations: true}]\nschedules:\n  - name: S\n    team: T\n    rotations: [{name: r, type: daily, startDate: tomorrow}]\n", "startDate: an RFC 3339 date"},
		{"participant two kinds", "users: [{email: a@example.com}]\nteams: [{displayName: T, operations: true}]\nschedules:\n  - name: S\n    team: T\n    rotations: [{name: r, type: daily, startDate: '2026-01-01T00:00:00Z', participants: [{user: a@example.com, team: T}]}]\n", "name exactly one of"},
		{"participant schedule", "teams: [{displayName: T, operations: true}]\nschedules:\n  - name: S\n    team: T\n    rotations: [{name: r, type: daily, startDate: '2026-01-01T00:00:00Z', participants: [{schedule: S}]}]\n", "schedule is not allowed here"},
		{"override rotation", "users: [{email: a@example.com}]\nteams: [{displayName: T, operations: true}]\nschedules:\n  - name: S\n    team: T\n    overrides: [{alias: o, user: a@example.com, startDate: '2026-01-01T00:00:00Z', endDate: '2026-01-02T00:00:00Z', rotations: [x]}]\n", "no rotation named x"},
		{"recipient noone", "teams: [{displayName: T, operations: true}]\nescalations:\n  - name: E\n    team: T\n    rules: [{delay: 0, recipient: {noone: true}}]\n", "noone is not allowed here"},
		{"rule condition", "users: [{email: a@example.com}]\nteams: [{displayName: T, operations: true}]\nescalations:\n  - name: E\n    team: T\n    rules: [{condition: maybe, recipient: {user: a@example.com}}]\n", "condition must be"},
		{"escalation twice", "teams: [{displayName: T, operations: true}]\nescalations:\n  - {name: E, team: T}\n  - {name: E, team: T}\n", "defined twice"},
		{"org id", "orgId: a/b\n", "orgId: must not contain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSeed("s.yaml", []byte(tc.seed))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestSeedJSONAndLoad(t *testing.T) {
	seed := &Seed{OrgID: "o", CloudID: "c",
		Users: []SeedUser{{AccountID: "a1", Email: "a@example.com", DisplayName: "A", Access: map[string]string{ProductJSM: "user"}}},
		Teams: []SeedTeam{{TeamID: "t1", DisplayName: "T", Members: []string{"a@example.com"}, Operations: true, Admins: []string{"a@example.com"}}}}
	data, err := json.Marshal(seed)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadSeed(file)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{APIKey: "k", Seed: got})
	if err != nil {
		t.Fatal(err)
	}
	st := srv.State()
	if st.OrgID != "o" || st.CloudID != "c" || len(st.Teams) != 1 || !slices.Equal(st.Teams[0].Members, []string{"a1"}) || !st.Teams[0].Operations {
		t.Errorf("state %+v", st)
	}
	// Options override the seed's ids.
	srv, _ = New(Options{APIKey: "k", Seed: got, OrgID: "o2"})
	if srv.OrgID() != "o2" || srv.CloudID() != "c" {
		t.Errorf("ids %s %s", srv.OrgID(), srv.CloudID())
	}
	if _, err := LoadSeed(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "reading seed") {
		t.Errorf("missing file: %v", err)
	}
}

// TestDemoSeed loads examples/demo/atlassian-seed.yaml and checks it holds
// the demo roster of examples/demo/seed.yaml.
func TestDemoSeed(t *testing.T) {
	seed, err := LoadSeed("../../../examples/demo/atlassian-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{APIKey: "k", Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	st := srv.State()
	if len(st.Users) != 19 || len(st.Teams) != 6 || len(st.Schedules) != 1 || len(st.Escalations) != 1 {
		t.Errorf("demo org: %d users, %d teams, %d schedules, %d escalations", len(st.Users), len(st.Teams), len(st.Schedules), len(st.Escalations))
	}
	byID := map[string]string{}
	for _, u := range st.Users {
		byID[u.AccountID] = u.Email
	}
	for _, tm := range st.Teams {
		if tm.DisplayName == "Payments" {
			var emails []string
			for _, m := range tm.Members {
				emails = append(emails, byID[m])
			}
			if !slices.Contains(emails, "olivia.rossi@example.com") || len(emails) != 5 {
				t.Errorf("Payments members %v", emails)
			}
		}
		if !tm.Operations {
			t.Errorf("team %s is not ops-enabled", tm.DisplayName)
		}
	}
	if p := stateUserIn(st, "it-admin@example.com"); p.Properties != nil || p.Access[ProductJSM] != "admin" {
		t.Errorf("it-admin %+v", p)
	}
	if p := stateUserIn(st, "chloe.martin@example.com"); p.Access[ProductJSM] != "user" || p.Properties["ogsync"] == nil {
		t.Errorf("chloe %+v", p)
	}
}

func stateUserIn(st State, email string) StateUser {
	for _, u := range st.Users {
		if u.Email == email {
			return u
		}
	}
	return StateUser{}
}
