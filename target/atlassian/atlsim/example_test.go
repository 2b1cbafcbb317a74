package atlsim_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ogsync/ogsync/target/atlassian/atlsim"
)

// Create a team through the Teams API: the caller is its first member.
func ExampleNew() {
	seed, err := atlsim.ParseSeed("seed.yaml", []byte(`
users:
  - {accountId: acc-bot, email: bot@example.com, access: {jira-servicedesk: admin}}
`))
	if err != nil {
		panic(err)
	}
	srv, err := atlsim.New(atlsim.Options{APIKey: "token", OrgID: "org-1", CloudID: "cloud-1", Seed: seed})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close()

	req, _ := http.NewRequest("POST", ts.URL+"/gateway/api/public/teams/v1/org/org-1/teams",
		strings.NewReader(`{"displayName":"SRE","description":"","teamType":"MEMBER_INVITE","siteId":"cloud-1"}`))
	req.SetBasicAuth("bot@example.com", "token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode)
	for _, t := range srv.State().Teams {
		fmt.Println(t.DisplayName, t.Members)
	}
	fmt.Println(srv.Stats().ByRoute["POST /gateway/api/public/teams/v1/org/{orgId}/teams"])
	// Output:
	// 201
	// SRE [acc-bot]
	// 1
}
