package atlsim

import (
	"fmt"
	"strings"
	"testing"
)

// TestRosterReadCost reads a whole roster the cheapest way the emulated
// APIs allow (directory pages of 100, team pages of 300, member pages of
// 50, one ops team list) and checks the request count is
// ⌈N/100⌉ + ⌈T_org/300⌉ + Σ max(1, ⌈m_t/50⌉) + 1, the formula of the
// reference's §7 with the emulator's page caps.
func TestRosterReadCost(t *testing.T) {
	const n = 250
	sizes := []int{0, 50, 51, 120, 1}
	var sb strings.Builder
	sb.WriteString("users:\n  - {email: bot@example.com, access: {jira-servicedesk: admin}}\n")
	for i := range n - 1 {
		fmt.Fprintf(&sb, "  - {email: u%03d@example.com}\n", i)
	}
	sb.WriteString("teams:\n")
	for i, m := range sizes {
		fmt.Fprintf(&sb, "  - displayName: T%d\n    operations: true\n    members: [", i)
		for j := range m {
			if j > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "u%03d@example.com", j)
		}
		sb.WriteString("]\n")
	}
	seed, err := ParseSeed("cost.yaml", []byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, Options{Seed: seed})

	users, cursor := 0, ""
	for range 100 {
		m := do(t, srv, "GET", dirBase+"/users?limit=100&cursor="+cursor, "").obj(t)
		users += len(m["data"].([]any))
		next, _ := dig(m, "links", "next").(string)
		if cursor = next; cursor == "" {
			break
		}
	}
	var teamIDs []string
	for range 100 {
		m := do(t, srv, "GET", teamsBase+"/teams?size=300&siteId="+testCloud+"&cursor="+cursor, "").obj(t)
		teamIDs = append(teamIDs, ids(m["entities"], "teamId")...)
		next, _ := m["cursor"].(string)
		if cursor = next; cursor == "" {
			break
		}
	}
	members := 0
	for _, id := range teamIDs {
		after := "null"
		for range 100 {
			m := do(t, srv, "POST", teamsBase+"/teams/"+id+"/members", `{"first":50,"after":`+after+`}`).obj(t)
			members += len(m["results"].([]any))
			if dig(m, "pageInfo", "hasNextPage") != true {
				break
			}
			after = `"` + dig(m, "pageInfo", "endCursor").(string) + `"`
		}
	}
	want(t, do(t, srv, "GET", opsBase+"/v1/teams", ""), 200)

	if users != n || len(teamIDs) != len(sizes) || members != 222 {
		t.Fatalf("read %d users, %d teams, %d members", users, len(teamIDs), members)
	}
	memberCalls := 0
	for _, m := range sizes {
		memberCalls += max(1, (m+49)/50)
	}
	wantCalls := (n+99)/100 + 1 + memberCalls + 1
	if got := srv.Stats().Total; got != wantCalls || wantCalls != 13 {
		t.Errorf("a roster read took %d requests, want %d", got, wantCalls)
	}
}
