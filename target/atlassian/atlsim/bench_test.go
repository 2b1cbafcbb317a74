package atlsim

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkMembersAddRemove measures a batch of 50 additions then 50
// removals on one team.
func BenchmarkMembersAddRemove(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("users:\n  - {email: bot@example.com, access: {jira-servicedesk: admin}}\n")
	for i := range 50 {
		fmt.Fprintf(&sb, "  - {accountId: m%02d, email: m%02d@example.com}\n", i, i)
	}
	sb.WriteString("teams: [{teamId: t1, displayName: T1}]\n")
	seed, err := ParseSeed("bench.yaml", []byte(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(Options{APIKey: testKey, OrgID: testOrg, CloudID: testCloud, Seed: seed})
	if err != nil {
		b.Fatal(err)
	}
	idList := make([]string, 50)
	for i := range idList {
		idList[i] = fmt.Sprintf("m%02d", i)
	}
	body := memberBody(idList...)
	send := func(path string) {
		req := httptest.NewRequest("POST", teamsBase+"/teams/t1"+path, strings.NewReader(body))
		req.Header.Set("Authorization", siteAuth)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%s: %d", path, rec.Code)
		}
	}
	for b.Loop() {
		send("/members/add")
		send("/members/remove")
	}
}

// BenchmarkListTeams measures one page of 300 teams out of 1000.
func BenchmarkListTeams(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("users: [{email: bot@example.com}]\nteams:\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "  - {displayName: T%04d}\n", i)
	}
	seed, err := ParseSeed("bench.yaml", []byte(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(Options{APIKey: testKey, OrgID: testOrg, CloudID: testCloud, Seed: seed})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		req := httptest.NewRequest("GET", teamsBase+"/teams?size=300", nil)
		req.Header.Set("Authorization", siteAuth)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
