package atlsim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestTeamCreateFlow drives the team-create flow of the reference (§7): create,
// remove the auto-added caller, add members in batches of at most 50
// checking errors[], enable operations retrying while the team is not yet
// visible, poll the request; and checks the request count.
func TestTeamCreateFlow(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("users:\n  - {email: bot@example.com, access: {jira-servicedesk: admin}}\n")
	var desired []string
	for i := range 120 {
		fmt.Fprintf(&sb, "  - {accountId: d%03d, email: d%03d@example.com, access: {jira-servicedesk: user}}\n", i, i)
		desired = append(desired, fmt.Sprintf("d%03d", i))
	}
	seed, err := ParseSeed("flow.yaml", []byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, Options{Seed: seed, Behavior: Behavior{OpsInvisibleCalls: 2, EnablePendingPolls: 2}})

	id := createTeam(t, srv, "Payments")
	r := do(t, srv, "POST", teamsBase+"/teams/"+id+"/members/remove", memberBody(stateUser(t, srv, botEmail).AccountID))
	if errs := r.obj(t)["errors"].([]any); len(errs) != 0 {
		t.Fatalf("removing the caller: %s", r.body)
	}
	for batch := range slices.Chunk(desired, 50) {
		r := do(t, srv, "POST", teamsBase+"/teams/"+id+"/members/add", memberBody(batch...))
		if errs := r.obj(t)["errors"].([]any); len(errs) != 0 {
			t.Fatalf("add: %s", r.body)
		}
	}
	var req string
	for attempt := range 10 {
		r := enable(t, srv, id, `{"adminAccountIds":["d000"]}`)
		if r.code == 404 {
			continue
		}
		want(t, r, 200)
		req = r.obj(t)["requestId"].(string)
		if attempt != 2 {
			t.Errorf("enabled at attempt %d, want 2", attempt)
		}
		break
	}
	for range 10 {
		r := do(t, srv, "GET", opsBase+"/v1/teams/"+id+"/requests/"+req, "")
		if dig(r.obj(t), "status", "value") == "SUCCESSFUL" {
			break
		}
	}
	st := stateTeam(t, srv, id)
	if !slices.Equal(st.Members, desired) || !st.Operations || !slices.Equal(st.OpsAdmins, []string{"d000"}) {
		t.Errorf("team %+v", st)
	}
	// 1 create + 1 remove + 3 adds + 3 enables + 3 polls.
	if got := srv.Stats().Total; got != 11 {
		t.Errorf("the flow took %d requests, want 11", got)
	}
}
