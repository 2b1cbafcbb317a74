package opsgenie

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

func TestListUsersPaging(t *testing.T) {
	tests := []struct {
		users int
		calls int
	}{
		// 1 + ceil((U-100)/99) for U > 100: pages overlap by one user.
		{0, 1}, {1, 1}, {99, 1}, {100, 1}, {101, 2}, {199, 2}, {200, 3}, {1234, 13}, {2000, 21},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d users", tc.users), func(t *testing.T) {
			env := setup(t)
			acct := newSimAccount(t, env, ogsim.Options{Seed: seedUsers(tc.users)})
			users, err := env.client.ListUsers(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(users) != tc.users {
				t.Errorf("got %d users, want %d", len(users), tc.users)
			}
			if got := acct.count("GET /v2/users"); got != tc.calls {
				t.Errorf("list calls = %d, want %d", got, tc.calls)
			}
			if got := env.client.RequestStats().ByRoute["GET /v2/users"]; got != tc.calls {
				t.Errorf("Stats().ByRoute = %d, want %d", got, tc.calls)
			}
			if !slices.IsSorted(usernames(users)) {
				t.Error("users are not sorted by username")
			}
			seen := map[string]bool{}
			for _, u := range users {
				if seen[u.ID] {
					t.Fatalf("user %s twice", u.ID)
				}
				seen[u.ID] = true
			}
		})
	}
}

func TestListUsersQuery(t *testing.T) {
	env := setup(t)
	env.mux.HandleFunc("GET /v2/users", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		for k, want := range map[string]string{"limit": "100", "offset": "0", "sort": "username", "order": "asc"} {
			if got := q.Get(k); got != want {
				t.Errorf("query %s = %q, want %q", k, got, want)
			}
		}
		for k, want := range map[string]string{"Authorization": "GenieKey " + testKey, "Accept": "application/json", "User-Agent": "ogsync/test"} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("header %s = %q, want %q", k, got, want)
			}
		}
		_, _ = w.Write([]byte(`{"totalCount":1,"data":[{"id":"u1","username":"Alice@Example.com","fullName":"Alice","role":{"id":"admin","name":"admin"},
			"timeZone":"Europe/Berlin","locale":"en_US","tags":["b","a"],"details":{"k":["v2","v1"]},"verified":true,
			"userAddress":{"country":""},"createdAt":"2020-01-07T19:34:00.281Z"}],"paging":{"first":"x"},"took":0.1,"requestId":"r"}`))
	})
	users, err := env.client.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := model.User{
		ID: "u1", Username: "alice@example.com", FullName: model.Ptr("Alice"), Role: model.Ptr("Admin"),
		TimeZone: model.Ptr("Europe/Berlin"), Locale: model.Ptr("en_US"), Tags: &[]string{"a", "b"},
		Details: &map[string][]string{"k": {"v2", "v1"}}, Verified: true,
	}
	if got, _ := json.Marshal(users); string(got) != string(mustJSON(t, []model.User{want})) {
		t.Errorf("users = %s\nwant %s", got, mustJSON(t, []model.User{want}))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestListUsersShift changes the account between pages and checks that the
// client notices and reads the list again.
func TestListUsersShift(t *testing.T) {
	tests := []struct {
		name   string
		change func(a *simAccount) // once, after the first page of the first read
	}{
		{"user created before the boundary", func(a *simAccount) {
			a.createUser("aaa@example.com")
		}},
		{"user deleted before the boundary", func(a *simAccount) {
			a.deleteUser("u-00010")
		}},
		{"create before and delete after the boundary keep the count", func(a *simAccount) {
			a.createUser("aaa@example.com")
			a.deleteUser("u-00200")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t)
			acct := newSimAccount(t, env, ogsim.Options{Seed: seedUsers(250)})
			changed := false
			acct.betweenPages = func(offset int) {
				if offset == 0 && !changed {
					changed = true
					tc.change(acct)
				}
			}
			users, err := env.client.ListUsers(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			want := len(acct.state().Users)
			if len(users) != want {
				t.Errorf("got %d users, want %d", len(users), want)
			}
			// The pages after the first are read at once; the shift is seen
			// when they are chained, and the list is read again in full:
			// 3 pages each time.
			if got := acct.count("GET /v2/users"); got != 6 {
				t.Errorf("list calls = %d, want 6: two full reads of 3 pages", got)
			}
			if !strings.Contains(env.logs.String(), "reading it again") {
				t.Error("no warning logged about the re-read")
			}
		})
	}
}

func TestListUsersKeepsShifting(t *testing.T) {
	env := setup(t)
	acct := newSimAccount(t, env, ogsim.Options{Seed: seedUsers(150)})
	acct.betweenPages = func(offset int) {
		if offset == 0 {
			acct.createUsers(1)
		}
	}
	_, err := env.client.ListUsers(t.Context())
	if !errors.Is(err, ErrInconsistentPaging) {
		t.Fatalf("err = %v, want ErrInconsistentPaging", err)
	}
	if got := acct.count("GET /v2/users"); got != 2*DefaultPagingAttempts {
		t.Errorf("list calls = %d, want %d (two pages per read)", got, 2*DefaultPagingAttempts)
	}
}

func TestListUsersDuplicateID(t *testing.T) {
	env := setup(t)
	calls := 0
	env.mux.HandleFunc("GET /v2/users", func(w http.ResponseWriter, r *http.Request) {
		calls++
		// A buggy page set: u1 again on the second page, after the
		// overlapping u2.
		if r.URL.Query().Get("offset") == "0" {
			_, _ = w.Write([]byte(`{"totalCount":3,"data":[{"id":"u1","username":"a@x.com"},{"id":"u2","username":"b@x.com"}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"totalCount":3,"data":[{"id":"u2","username":"b@x.com"},{"id":"u1","username":"a@x.com"}]}`))
	})
	_, err := env.client.ListUsers(t.Context())
	if !errors.Is(err, ErrInconsistentPaging) || !strings.Contains(err.Error(), "came twice") {
		t.Fatalf("err = %v, want ErrInconsistentPaging naming the duplicate", err)
	}
}

func TestListUsersEmptyPageBeforeEnd(t *testing.T) {
	env := setup(t)
	env.mux.HandleFunc("GET /v2/users", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("offset") == "0" {
			_, _ = w.Write([]byte(`{"totalCount":5,"data":[{"id":"u1","username":"a@x.com"}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"totalCount":5,"data":[]}`))
	})
	_, err := env.client.ListUsers(t.Context())
	if !errors.Is(err, ErrInconsistentPaging) {
		t.Fatalf("err = %v, want ErrInconsistentPaging", err)
	}
}

func TestListUsersNoTotalCount(t *testing.T) {
	env := setup(t)
	env.mux.HandleFunc("GET /v2/users", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"data":[]}`))
	})
	if _, err := env.client.ListUsers(t.Context()); err == nil || !strings.Contains(err.Error(), "no totalCount") {
		t.Fatalf("err = %v, want a missing totalCount error", err)
	}
}

func TestUpdateUserBody(t *testing.T) {
	tests := []struct {
		name  string
		patch UserPatch
		body  string // "" means no request at all
	}{
		{"empty patch sends nothing", UserPatch{}, ""},
		{"full name only", UserPatch{FullName: model.Ptr("Bob")}, `{"fullName":"Bob"}`},
		{"role by name", UserPatch{Role: model.Ptr("Admin")}, `{"role":{"name":"Admin"}}`},
		{"clear tags and details", UserPatch{Tags: &[]string{}, Details: &map[string][]string{}}, `{"tags":[],"details":{}}`},
		{"nil slice behind the pointer still clears", UserPatch{Tags: new([]string)}, `{"tags":[]}`},
		{"everything", UserPatch{FullName: model.Ptr("B"), Role: model.Ptr("User"), TimeZone: model.Ptr("UTC"), Locale: model.Ptr("en_GB"), Tags: &[]string{"x"}, Details: &map[string][]string{"k": {"v"}}},
			`{"fullName":"B","role":{"name":"User"},"timeZone":"UTC","locale":"en_GB","tags":["x"],"details":{"k":["v"]}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t)
			var got string
			env.mux.HandleFunc("PATCH /v2/users/{id}", func(w http.ResponseWriter, r *http.Request) {
				if r.PathValue("id") != "u1" {
					t.Errorf("id = %q", r.PathValue("id"))
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
				var b json.RawMessage
				_ = json.NewDecoder(r.Body).Decode(&b)
				got = string(b)
				writeJSON(w, http.StatusOK, map[string]string{"result": "Updated"})
			})
			if err := env.client.UpdateUser(t.Context(), "u1", tc.patch); err != nil {
				t.Fatal(err)
			}
			if got != tc.body {
				t.Errorf("body = %s, want %s", got, tc.body)
			}
		})
	}
}

func TestCreateUserBody(t *testing.T) {
	env := setup(t)
	var got string
	env.mux.HandleFunc("POST /v2/users", func(w http.ResponseWriter, r *http.Request) {
		var b json.RawMessage
		_ = json.NewDecoder(r.Body).Decode(&b)
		got = string(b)
		writeJSON(w, http.StatusCreated, map[string]any{"result": "Created", "data": map[string]string{"id": "u9", "name": "new@example.com"}})
	})
	res, err := env.client.CreateUser(t.Context(), model.User{Username: " New@Example.com ", Tags: &[]string{"sre"}})
	if err != nil {
		t.Fatal(err)
	}
	if res != (Created{ID: "u9", Name: "new@example.com"}) {
		t.Errorf("result = %+v", res)
	}
	want := `{"username":"new@example.com","fullName":"new@example.com","role":{"name":"User"},"tags":["sre"]}`
	if got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestUserPathKeepsPlus(t *testing.T) {
	env := setup(t)
	env.mux.HandleFunc("GET /v2/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != "/v2/users/a+b@example.com" {
			t.Errorf("path = %q", r.URL.EscapedPath())
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": "u1", "username": "a+b@example.com", "role": map[string]string{"name": "User"}}})
	})
	u, err := env.client.GetUser(t.Context(), "a+b@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "a+b@example.com" || *u.Role != "User" || u.Tags == nil || u.Details == nil {
		t.Errorf("user = %+v", u)
	}
}

func TestAudit(t *testing.T) {
	env := setup(t, func(o *Options) { o.Concurrency = 3 })
	env.mux.HandleFunc("GET /v2/schedules", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("expand") != "rotation" {
			writeError(w, http.StatusBadRequest, "want expand=rotation")
			return
		}
		_, _ = fmt.Fprint(w, `{"data":[
			{"id":"s1","name":"a-sched","ownerTeam":{"id":"t1","name":"sre"},"rotations":[{"id":"r1","name":"r","type":"weekly","participants":[{"type":"user","id":"u1","username":"a@x.io"}]}]},
			{"id":"s2","name":"b-sched","ownerTeam":{"id":"t2","name":"ops"},"rotations":[{"id":"r2","name":"r","type":"weekly","participants":[{"type":"team","id":"t3","name":"web"},{"type":"user","username":"A@x.io"}]}]},
			{"id":"s3","name":"web_schedule","ownerTeam":{"id":"t3","name":"web"},"rotations":[]}],"took":0.1}`)
	})
	env.mux.HandleFunc("GET /v2/escalations", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"data":[
			{"id":"e1","name":"esc","ownerTeam":{"id":"t2","name":"ops"},"rules":[{"condition":"if-not-acked","notifyType":"default","delay":{"timeAmount":0},"recipient":{"type":"user","id":"u2","username":"b@x.io"}}]},
			{"id":"e3","name":"web_escalation","ownerTeam":{"id":"t3","name":"web"},"rules":[{"condition":"if-not-acked","notifyType":"default","delay":{"timeAmount":0},"recipient":{"type":"schedule","id":"s3","name":"web_schedule"}},{"condition":"if-not-acked","notifyType":"all","delay":{"timeAmount":10},"recipient":{"type":"team","id":"t3","name":"web"}}]},
			{"id":"e4","name":"t4_escalation","ownerTeam":{"id":"t4","name":"empty"},"rules":[{"condition":"if-not-acked","notifyType":"default","delay":{"timeAmount":0},"recipient":{"type":"team","id":"t4","name":"empty"}}]}],"took":0.1}`)
	})
	cur := &model.Current{
		Users: []model.User{{ID: "u1", Username: "a@x.io"}, {ID: "u2", Username: "b@x.io"}, {ID: "u3", Username: "c@x.io"}},
		Teams: []model.Team{
			{ID: "t1", Name: "sre", Members: &[]model.Member{{UserID: "u1", Username: "a@x.io"}}},
			{ID: "t3", Name: "web", Members: &[]model.Member{}},
			{ID: "t4", Name: "empty", Members: &[]model.Member{}},
		},
	}
	got, err := env.client.Audit(t.Context(), []string{"u1", "u2", "u3"}, []string{"t1", "t3", "t4"}, cur)
	if err != nil {
		t.Fatal(err)
	}
	want := model.AuditFacts{
		Users: map[string]model.References{
			// u1: by id in s1, by username (any case) in s2.
			"u1": {Schedules: []model.Ref{{ID: "s1", Name: "a-sched"}, {ID: "s2", Name: "b-sched"}}, Teams: []model.Ref{{ID: "t1", Name: "sre"}}},
			"u2": {Escalations: []model.Ref{{ID: "e1", Name: "esc"}}},
			"u3": {},
		},
		Teams: map[string]model.TeamReferences{
			// sre owns a schedule with someone on call.
			"t1": {Schedules: []model.Ref{{ID: "s1", Name: "a-sched"}}},
			// web owns only its empty defaults, but ops' schedule names it.
			"t3": {ReferencedBy: []model.Ref{{ID: "s2", Name: "schedule b-sched"}}},
			// empty owns only an escalation notifying itself.
			"t4": {},
		},
	}
	if string(mustJSON(t, got)) != string(mustJSON(t, want)) {
		t.Errorf("audit = %s\nwant %s", mustJSON(t, got), mustJSON(t, want))
	}
	if !got.Users["u3"].Empty() || got.Users["u1"].Empty() || !got.Teams["t4"].Empty() || got.Teams["t3"].Empty() {
		t.Error("Empty() is wrong")
	}
	if n := env.client.RequestStats().Total; n != 2 {
		t.Errorf("requests = %d, want 2 (the schedule and escalation lists, once)", n)
	}
	// No candidate: no request.
	if _, err := env.client.Audit(t.Context(), nil, nil, cur); err != nil || env.client.RequestStats().Total != 2 {
		t.Errorf("an audit of nothing: err %v, %d requests in all", err, env.client.RequestStats().Total)
	}
}

// TestAuditFallback: a schedule list without rotations cannot tell who is
// on call, so the audit asks the per-user endpoints and reads the candidate
// teams' schedules one by one.
func TestAuditFallback(t *testing.T) {
	env := setup(t)
	env.mux.HandleFunc("GET /v2/schedules", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"data":[{"id":"s1","name":"a-sched","ownerTeam":{"id":"t1","name":"sre"}}],"took":0.1}`)
	})
	env.mux.HandleFunc("GET /v2/schedules/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"data":{"id":"s1","name":"a-sched","ownerTeam":{"id":"t1","name":"sre"},"rotations":[{"id":"r1","name":"r","type":"weekly","participants":[{"type":"user","id":"u1"}]}]},"took":0.1}`)
	})
	env.mux.HandleFunc("GET /v2/escalations", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"data":[],"took":0.1}`)
	})
	env.mux.HandleFunc("GET /v2/users/{id}/schedules", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "u1" {
			writeError(w, http.StatusNotFound, "no such user")
			return
		}
		_, _ = fmt.Fprint(w, `{"data":[{"id":"s1","name":"a-sched"}],"took":0.1}`)
	})
	got, err := env.client.Audit(t.Context(), []string{"u1"}, []string{"t1"}, &model.Current{})
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Users["u1"]; len(r.Schedules) != 1 || r.Schedules[0].ID != "s1" {
		t.Errorf("user facts = %+v", r)
	}
	if r := got.Teams["t1"]; len(r.Schedules) != 1 || r.Schedules[0].ID != "s1" {
		t.Errorf("team facts = %+v", r)
	}
	_, err = env.client.Audit(t.Context(), []string{"gone"}, nil, &model.Current{})
	if !IsNotFound(err) || !strings.Contains(err.Error(), "auditing on-call references") {
		t.Errorf("err = %v, want a wrapped 404", err)
	}
}

func TestUserPages(t *testing.T) {
	for _, tc := range []struct{ users, pages int }{{0, 1}, {1, 1}, {100, 1}, {101, 2}, {199, 2}, {200, 3}, {298, 3}, {299, 4}, {9901, 100}, {10000, 101}} {
		if got := UserPages(tc.users); got != tc.pages {
			t.Errorf("UserPages(%d) = %d, want %d", tc.users, got, tc.pages)
		}
	}
}

// TestListUsersReadsPagesConcurrently: after the first page, the other
// pages are in flight together (up to Concurrency), so latency is not paid
// once per page.
func TestListUsersReadsPagesConcurrently(t *testing.T) {
	env := setup(t, func(o *Options) { o.Concurrency = 4 })
	acct := newSimAccount(t, env, ogsim.Options{Seed: seedUsers(500)})
	var mu sync.Mutex
	inFlight, most := 0, 0
	release := make(chan struct{})
	acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Pattern != "GET /v2/users" || r.URL.Query().Get("offset") == "0" {
			return false
		}
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		if inFlight == 4 {
			close(release) // the four pages after the first are all in flight
		}
		mu.Unlock()
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
		mu.Lock()
		inFlight--
		mu.Unlock()
		return false
	}
	users, err := env.client.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 500 {
		t.Errorf("%d users", len(users))
	}
	if most != 4 {
		t.Errorf("at most %d page reads in flight, want 4", most)
	}
}

// TestAuditFallbackTeamReferences: when the lists carry no rotations and no
// rules, a team to delete is still found named by another team's schedule
// and escalation: each schedule and escalation is read one by one.
func TestAuditFallbackTeamReferences(t *testing.T) {
	env := setup(t)
	env.mux.HandleFunc("GET /v2/schedules", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"data":[{"id":"s2","name":"web-sched","ownerTeam":{"id":"t2","name":"web"}}],"took":0.1}`)
	})
	env.mux.HandleFunc("GET /v2/schedules/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"data":{"id":"s2","name":"web-sched","ownerTeam":{"id":"t2","name":"web"},"rotations":[{"id":"r1","name":"r","type":"weekly","participants":[{"type":"team","id":"t1"}]}]},"took":0.1}`)
	})
	env.mux.HandleFunc("GET /v2/escalations", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"data":[{"id":"e2","name":"web-esc","ownerTeam":{"id":"t2","name":"web"}}],"took":0.1}`)
	})
	env.mux.HandleFunc("GET /v2/escalations/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(w, `{"data":{"id":"e2","name":"web-esc","ownerTeam":{"id":"t2","name":"web"},"rules":[{"condition":"if-not-acked","notifyType":"default","delay":{"timeAmount":0},"recipient":{"type":"team","id":"t1"}}]},"took":0.1}`)
	})
	got, err := env.client.Audit(t.Context(), nil, []string{"t1"}, &model.Current{})
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Ref{{ID: "e2", Name: "escalation web-esc"}, {ID: "s2", Name: "schedule web-sched"}}
	if r := got.Teams["t1"]; !slices.Equal(r.ReferencedBy, want) {
		t.Errorf("team facts = %+v, want referenced by %v", r, want)
	}
}
