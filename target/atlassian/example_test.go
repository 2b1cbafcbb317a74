package atlassian_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/target/atlassian"
	"github.com/ogsync/ogsync/target/atlassian/atlsim"
)

// A Target on the emulator: one base URL for every API.
func ExampleNew() {
	seed, err := atlsim.LoadSeed("../../examples/demo/atlassian-seed.yaml")
	if err != nil {
		panic(err)
	}
	srv, err := atlsim.New(atlsim.Options{APIKey: "example-token-123", Seed: seed})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close()

	tg, err := atlassian.New(atlassian.Options{BaseURL: ts.URL, OrgID: srv.OrgID(), CloudID: srv.CloudID(),
		Email: "ogsync@example.com", APIToken: "example-token-123", OrgAPIKey: "example-token-123"})
	if err != nil {
		panic(err)
	}
	cur, err := tg.Read(context.Background(), &model.Desired{})
	if err != nil {
		panic(err)
	}
	// Nothing is declared: no members are read, and every JSM user's
	// ownership marker is: 1 directory page + 1 team page + 19 markers.
	fmt.Println(len(cur.Users), "users,", len(cur.Teams), "teams,", tg.Stats().Total, "requests")
	// Output: 19 users, 6 teams, 21 requests
}
