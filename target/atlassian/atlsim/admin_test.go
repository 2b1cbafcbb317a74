package atlsim

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

func TestSimEndpoints(t *testing.T) {
	srv := newTestServer(t, Options{IDSeed: 7})
	id := createTeam(t, srv, "SRE")
	do(t, srv, "POST", teamsBase+"/teams/"+id+"/members/add", memberBody("acc-alice"))
	do(t, srv, "GET", teamsBase+"/teams", "")
	adminGet := func(method, path string) (int, []byte) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec.Code, rec.Body.Bytes()
	}
	code, body := adminGet("GET", "/_sim/stats")
	var st Stats
	if err := json.Unmarshal(body, &st); err != nil || code != 200 {
		t.Fatalf("stats %d %s", code, body)
	}
	if st.Total != 3 || st.ByRoute["POST "+teamsPrefix+"/teams"] != 1 || st.ByRoute["POST "+teamsPrefix+"/teams/{teamId}/members/add"] != 1 ||
		st.ByRoute["GET "+teamsPrefix+"/teams"] != 1 {
		t.Errorf("stats %+v", st)
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	for _, k := range []string{"total", "throttled", "byRoute"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("stats JSON lacks %q: %s", k, body)
		}
	}
	code, body = adminGet("GET", "/_sim/journal")
	var j []Mutation
	if err := json.Unmarshal(body, &j); err != nil || code != 200 {
		t.Fatalf("journal %d %s", code, body)
	}
	var ops []string
	for _, m := range j {
		ops = append(ops, m.Op+" "+m.User)
	}
	if !slices.Equal(ops, []string{"create-team ", "add-member bot@example.com", "add-member alice@example.com"}) {
		t.Errorf("journal %v", ops)
	}
	if j[0].Seq != 1 || j[2].Seq != 3 || j[2].TeamID != id || j[2].AccountID != "acc-alice" {
		t.Errorf("journal %+v", j)
	}
	code, body = adminGet("GET", "/_sim/state")
	var state State
	if err := json.Unmarshal(body, &state); err != nil || code != 200 {
		t.Fatalf("state %d %s", code, body)
	}
	var names []string
	for _, tm := range state.Teams {
		names = append(names, tm.DisplayName)
	}
	if !slices.IsSorted(names) || len(state.Users) != 6 || state.OrgID != testOrg {
		t.Errorf("state teams %v, %d users", names, len(state.Users))
	}
	if code, _ := adminGet("POST", "/_sim/reset-stats"); code != 200 || srv.Stats().Total != 0 {
		t.Errorf("reset-stats %d, total %d", code, srv.Stats().Total)
	}
	if code, _ := adminGet("POST", "/_sim/reset-journal"); code != 200 || len(srv.Journal()) != 0 {
		t.Errorf("reset-journal %d", code)
	}
	do(t, srv, "DELETE", teamsBase+"/teams/"+id, "")
	if j := srv.Journal(); len(j) != 1 || j[0].Seq != 4 || j[0].Op != OpDeleteTeam {
		t.Errorf("journal after reset %+v", j)
	}
	if code, _ := adminGet("GET", "/_sim/reset-stats"); code != 405 {
		t.Errorf("GET reset-stats: %d", code)
	}
	if code, _ := adminGet("GET", "/_sim/nothing"); code != 404 {
		t.Errorf("unknown admin path: %d", code)
	}
	if srv.Stats().Total != 1 {
		t.Errorf("admin requests were counted: %+v", srv.Stats())
	}
}

// TestIDsAreSeeded: the same IDSeed and requests give the same ids.
func TestIDsAreSeeded(t *testing.T) {
	run := func(seed uint64) string {
		srv := newTestServer(t, Options{IDSeed: seed, Behavior: Behavior{OpsInvisibleCalls: -1}})
		id := createTeam(t, srv, "SRE")
		return id + " " + enable(t, srv, id, "").obj(t)["requestId"].(string)
	}
	if a, b := run(1), run(1); a != b {
		t.Errorf("same seed, different ids: %s vs %s", a, b)
	}
	if a, b := run(1), run(2); a == b {
		t.Errorf("different seeds, same ids: %s", a)
	}
}

// TestConcurrentMembers adds and removes members from many goroutines;
// run with -race.
func TestConcurrentMembers(t *testing.T) {
	srv := newTestServer(t, Options{Seed: bigSeed(t, 4, 40)})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			team := fmt.Sprintf("t%02d", g%4)
			for i := range 10 {
				id := fmt.Sprintf("m%03d", (g*10+i)%40)
				path := teamsBase + "/teams/" + team + "/members/remove"
				if i%2 == 1 {
					path = teamsBase + "/teams/" + team + "/members/add"
				}
				rec := httptest.NewRecorder()
				req := httptest.NewRequest("POST", path, stringsReader(memberBody(id)))
				req.Header.Set("Authorization", siteAuth)
				srv.ServeHTTP(rec, req)
				if rec.Code != 200 {
					t.Errorf("%s: %d", path, rec.Code)
				}
				rec = httptest.NewRecorder()
				req = httptest.NewRequest("POST", teamsBase+"/teams/"+team+"/members", nil)
				req.Header.Set("Authorization", siteAuth)
				srv.ServeHTTP(rec, req)
			}
		}()
	}
	wg.Wait()
	if st := srv.Stats(); st.Total != 160 {
		t.Errorf("total %d, want 160", st.Total)
	}
	for _, tm := range srv.State().Teams {
		if len(slices.Compact(slices.Sorted(slices.Values(tm.Members)))) != len(tm.Members) {
			t.Errorf("team %s has a member twice", tm.DisplayName)
		}
	}
}
