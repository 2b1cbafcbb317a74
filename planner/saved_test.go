package planner

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/model"
)

// samplePlan exercises every action type, a skip, a violation and blocks.
func samplePlan(t testing.TB) *Plan {
	o := permissive()
	o.Ownership.Mode = OwnershipAdopt
	o.Scope.ProtectedUsers = []string{"root@example.com"}
	o.Policies.Teams = PolicySync
	o.Safeguards.MaxDeletes = MaxDeletes{Count: 1, Percent: 100}
	desired := model.Desired{
		Revision: model.Revision{Commit: "0123456789abcdef0123456789abcdef01234567", Author: "Ann <ann@example.com>",
			Date: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Subject: "Add Nina, retire legacy"},
		Users: []model.User{
			{Username: "nina@example.com", FullName: model.Ptr("Nina N"), Role: model.Ptr("admin"), TimeZone: model.Ptr("US/Pacific"),
				Tags: &[]string{"sre"}, Details: &map[string][]string{"costCenter": {"42"}}, Origin: "users/sre.yaml:3"},
			{Username: "owen@example.com", Role: model.Ptr("Owner"), Origin: "users/sre.yaml:10"},
			{Username: "ann@example.com", Role: model.Ptr("User"), TimeZone: model.Ptr("America/Los_Angeles"), Origin: "users/sre.yaml:14"},
			{Username: "root@example.com", FullName: model.Ptr("Root"), Origin: "users/admins.yaml:1"},
		},
		Teams: []model.Team{
			{Name: "sre", Description: model.Ptr("Site reliability"), Origin: "teams/sre.yaml:1", Members: &[]model.Member{
				{Username: "ann@example.com", Role: "admin", Origin: "teams/sre.yaml:4"},
				{Username: "nina@example.com", Role: "user", Origin: "teams/sre.yaml:5"}}},
			{Name: "platform", Origin: "teams/platform.yaml:1", Members: &[]model.Member{{Username: "nina@example.com", Role: "admin"}}},
		},
	}
	current := model.Current{
		Users: []model.User{
			cur("u-ann", "ann@example.com", role("Owner"), tz("US/Pacific")),
			cur("u-owen", "owen@example.com"),
			cur("u-root", "root@example.com", role("Owner")),
			cur("u-old", "old@example.com", marked),
			cur("u-gone", "gone@example.com"),
		},
		Teams: []model.Team{
			curTeam("t-sre", "sre", "SRE", curMem("u-ann", "ann@example.com", "user"), curMem("u-old", "old@example.com", "user")),
			curTeam("t-legacy", "legacy", "", curMem("u-gone", "gone@example.com", "user")),
		},
	}
	p, err := Compute(desired, current, o)
	if err != nil {
		t.Fatal(err)
	}
	p.Audit(model.AuditFacts{Users: map[string]model.References{
		"u-old":  {Schedules: []model.Ref{{ID: "s1", Name: "SRE_schedule"}}, Teams: []model.Ref{{ID: "t-sre", Name: "sre"}}},
		"u-gone": {Teams: []model.Ref{{ID: "t-legacy", Name: "legacy"}}},
	}, Teams: map[string]model.TeamReferences{"t-legacy": {}}})
	return p
}

func marshal(t testing.TB, p *Plan) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePlan(&buf, p); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSavedPlanRoundTrip(t *testing.T) {
	p := samplePlan(t)
	p.CreatedAt = time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC)
	data := marshal(t, p)
	got, err := ReadPlan(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ReadPlan: %v", err)
	}
	if d := ComparePlans(p, got); len(d) > 0 {
		t.Errorf("round trip differs: %v", d)
	}
	if again := marshal(t, got); !bytes.Equal(again, data) {
		t.Errorf("round trip is not byte-identical:\n%s\n---\n%s", data, again)
	}
	if got.Summary != p.Summary || !got.CreatedAt.Equal(p.CreatedAt) || got.Revision.Commit != p.Revision.Commit {
		t.Errorf("summary/created/revision lost: %+v", got)
	}
	// An empty plan writes empty lists, not nulls.
	if e := marshal(t, &Plan{FormatVersion: FormatVersion}); !bytes.Contains(e, []byte(`"actions": []`)) {
		t.Errorf("empty plan: %s", e)
	}
}

// A plan saved in format_version 1, whose users and teams in before/after
// had camelCase keys, reads as the same plan.
func TestReadPlanVersion1(t *testing.T) {
	p := samplePlan(t)
	v2 := string(marshal(t, p))
	v1 := strings.Replace(v2, `"format_version": 2`, `"format_version": 1`, 1)
	// The action's own user_id was snake_case in v1 too; a member's, which
	// follows its username, was userId.
	v1 = regexp.MustCompile(`("username": "[^"]*",\s*)"user_id"`).ReplaceAllString(v1, `${1}"userId"`)
	v1 = strings.ReplaceAll(v1, `"full_name"`, `"fullName"`)
	v1 = strings.ReplaceAll(v1, `"time_zone"`, `"timeZone"`)
	for old := range v1Keys {
		if !strings.Contains(v1, `"`+old+`"`) {
			t.Fatalf("the v1 sample has no %q", old)
		}
	}
	got, err := ReadPlan(strings.NewReader(v1))
	if err != nil {
		t.Fatalf("ReadPlan(v1): %v", err)
	}
	if d := ComparePlans(p, got); len(d) > 0 {
		t.Errorf("v1 plan differs: %v", d)
	}
	if again := string(marshal(t, got)); again != v2 {
		t.Errorf("v1 plan written back is not the v2 plan:\n%s\n---\n%s", v2, again)
	}
}

func TestReadPlanRefuses(t *testing.T) {
	good := string(marshal(t, samplePlan(t)))
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("sample plan has no %q", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "not a JSON plan"},
		{"not an object", "[1]", "not a JSON plan"},
		{"no version", `{"actions":[]}`, "no format_version"},
		{"future version", `{"format_version":3}`, "format_version 3 is not supported (want 2 or 1)"},
		{"v1 with a v2 key", `{"format_version":1,"actions":[{"after":{"user":{"full_name":"x","fullName":"x"}}}]}`, `unknown field "fullName"`},
		{"unknown field", replace(`"audited"`, `"approved": true, "audited"`), `unknown field "approved"`},
		{"unknown nested field", replace(`"reason"`, `"note": "x", "reason"`), `unknown field "note"`},
		{"trailing data", good + "{}", "data after the plan object"},
		{"unknown type", replace(`"type": "create-user"`, `"type": "rename-user"`), `unknown type "rename-user"`},
		{"wrong id", replace(`"id": "create-user:nina@example.com"`, `"id": "create-user:eve@example.com"`), `should be "create-user:nina@example.com"`},
		{"wrong step", replace(`"step": 1`, `"step": 4`), "does not fit type create-user"},
		{"bad dependency", replace(`"depends_on": [
        "create-user:nina@example.com"`, `"depends_on": [
        "delete-user:old@example.com"`), "which is not an earlier action"},
		{"summary mismatch", replace(`"create_user": 1`, `"create_user": 2`), "summary does not match"},
		{"null action", replace(`"actions": [`, `"actions": [null,`), "actions[0] is null"},
		{"missing after", replace(`"after": {
        "user": {
          "username": "nina@example.com"`, `"before": {
        "user": {
          "username": "nina@example.com"`), "before/after do not fit the type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPlan(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestReadPlanSizeBound(t *testing.T) {
	data := marshal(t, samplePlan(t))
	if _, err := readPlan(bytes.NewReader(data), int64(len(data))); err != nil {
		t.Errorf("a plan of exactly the limit: %v", err)
	}
	if _, err := readPlan(bytes.NewReader(data), int64(len(data)-1)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v", err)
	}
}

func TestComparePlans(t *testing.T) {
	saved := samplePlan(t)
	edit := func(f func(p *Plan)) *Plan {
		var p Plan
		if err := json.Unmarshal(marshal(t, saved), &p); err != nil {
			t.Fatal(err)
		}
		f(&p)
		return &p
	}
	tests := []struct {
		name  string
		fresh *Plan
		want  []string
	}{
		{"same", edit(func(*Plan) {}), nil},
		{"reason, origin, revision and time are not compared", edit(func(p *Plan) {
			p.Actions[0].Reason, p.Actions[0].Origin = "other", "elsewhere.yaml:9"
			p.Revision.Commit, p.CreatedAt = "ffff", time.Now()
		}), nil},
		{"after changed", edit(func(p *Plan) { p.Action("create-user:nina@example.com").After.User.FullName = model.Ptr("Nina X") }),
			[]string{"create-user:nina@example.com: after changed"}},
		{"before changed", edit(func(p *Plan) { p.Action("update-team:sre").Before.Team.Description = model.Ptr("edited in the UI") }),
			[]string{"update-team:sre: before changed"}},
		{"unblocked since review", edit(func(p *Plan) { p.Action("delete-user:gone@example.com").Blocked = nil }),
			[]string{"delete-user:gone@example.com: blocked changed"}},
		{"action gone and new", edit(func(p *Plan) {
			p.Actions = slices.DeleteFunc(p.Actions, func(a *Action) bool { return a.ID == "create-team:platform" })
			p.Actions = append(p.Actions, &Action{ID: "create-team:web", Type: CreateTeam})
		}), []string{"create-team:platform: no longer in the fresh plan", "create-team:web: new in the fresh plan"}},
		{"violations", edit(func(p *Plan) { p.Violations = nil }),
			[]string{"safeguard violations changed: reviewed [max_deletes.members: would remove 2 team memberships (66.7% of 3); limit is 1 and 100%; 1 of them are removed with 1 deleted team; max_deletes.users: would delete 2 users (40.0% of 5); limit is 1 and 100%], now []"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ComparePlans(saved, tt.fresh)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ComparePlans = %q\nwant %q", got, tt.want)
			}
			if SamePlan(saved, tt.fresh) != (len(tt.want) == 0) {
				t.Errorf("SamePlan disagrees with ComparePlans")
			}
		})
	}
}

func FuzzReadPlan(f *testing.F) {
	f.Add(marshal(f, samplePlan(f)))
	f.Add(marshal(f, &Plan{FormatVersion: FormatVersion}))
	f.Add([]byte(`{"format_version":1,"actions":[{"id":"create-team:x","type":"create-team","step":2,"team":"x","after":{"team":{"name":"x"}},"reason":""}],"summary":{"create_team":1,"total":1}}`))
	f.Add([]byte(`{"format_version":1,"actions":null,"violations":[{"phase":"plan","rule":"r","message":"m"}]}`))
	f.Add([]byte(`{"format_version":3}`))
	f.Add([]byte(`{"format_version":1,"actions":[{"id":"delete-team:x","type":"delete-team","step":9,"team":"x","before":{"team":{"name":"x","members":[{"username":"a","userId":"u","role":"user"}]}},"reason":""}],"summary":{"delete_team":1,"total":1}}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadPlan(bytes.NewReader(data))
		if err != nil {
			return
		}
		// What ReadPlan accepts writes back, reads again and compares equal;
		// and the executor's helpers work on it.
		out := marshal(t, p)
		q, err := ReadPlan(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-reading an accepted plan: %v\n%s", err, out)
		}
		if d := ComparePlans(p, q); len(d) > 0 {
			t.Fatalf("round trip differs: %v", d)
		}
		_ = p.Runnable()
		_ = p.Steps()
		_, _ = p.AuditCandidates()
	})
}
