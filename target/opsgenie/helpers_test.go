package opsgenie

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogsync/ogsync/internal/testlog"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// testKey is the API key of every test client; no output may carry it.
const testKey = "0b4f6c1e-aaaa-4bbb-8ccc-5ecret5ecret"

// fakeClock is a clock that sleeping advances, so waits are instant and
// exact. It starts at the real time, so that context deadlines compare.
type fakeClock struct {
	mu    sync.Mutex
	start time.Time
	t     time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	now := time.Now()
	return &fakeClock{start: now, t: now}
}

// Elapsed is how far the clock has advanced.
func (f *fakeClock) Elapsed() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t.Sub(f.start)
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
	f.slept = append(f.slept, d)
	return nil
}

func (f *fakeClock) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.slept)
}

func (f *fakeClock) Total() time.Duration {
	var t time.Duration
	for _, d := range f.Slept() {
		t += d
	}
	return t
}

// testEnv is a test server with its client.
type testEnv struct {
	client *Client
	mux    *http.ServeMux
	clock  *fakeClock
	logs   *testlog.Buffer
	url    string
}

// setup starts an httptest server around a fresh mux and returns a client
// for it with a fake clock, no jitter, 3 retries and no rate limit. opts
// may adjust the options before the client is built.
func setup(t testing.TB, opts ...func(*Options)) *testEnv {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	clock := newFakeClock()
	logs := &testlog.Buffer{}
	o := Options{
		BaseURL:    srv.URL,
		APIKey:     testKey,
		UserAgent:  "ogsync/test",
		Timeout:    5 * time.Second,
		MaxRetries: 3,
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		HTTPClient: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
		Now:        clock.Now,
		Sleep:      clock.Sleep,
		Jitter:     func(d time.Duration) time.Duration { return d },
	}
	for _, f := range opts {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if strings.Contains(logs.String(), testKey) {
			t.Errorf("the logs carry the API key:\n%s", logs.String())
		}
	})
	return &testEnv{client: c, mux: mux, clock: clock, logs: logs, url: srv.URL}
}

// writeJSON answers status with v as JSON, the way OpsGenie does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("X-Request-Id", "req-1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers an OpsGenie error body.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "took": 0.001, "requestId": "req-err"})
}

// dropConnection closes the connection without an answer.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("the response writer cannot be hijacked")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

// simAccount is an ogsim account served on a test's mux. It counts the
// client's requests by route (the patterns of simRoutes) and lets a test
// answer a request itself instead of the emulator (before), answer a write
// the emulator has applied in its place (after), or change the account
// between the pages of a user list (betweenPages). The account itself, its
// paging, conflicts and member semantics, are the emulator's.
type simAccount struct {
	t   testing.TB
	sim *ogsim.Server

	mu    sync.Mutex
	calls map[string]int // by route pattern
	// before runs before a request reaches the emulator; n counts the
	// requests of its route, this one included. Returning true means it
	// answered (a fault) and the request is not applied.
	before func(w http.ResponseWriter, r *http.Request, n int) bool
	// after runs once the emulator applied a write (any method but GET),
	// before its answer is sent; returning true means it answered in its
	// place (or dropped the connection).
	after func(w http.ResponseWriter, r *http.Request, n int) bool
	// betweenPages runs after a page of GET /v2/users was read, before the
	// client gets it.
	betweenPages func(offset int)
	// users counts the users seeded and created, to name the next one.
	users int
}

// simRoutes are the routes simAccount counts, as "METHOD /pattern".
var simRoutes = []string{
	"GET /v2/users", "POST /v2/users", "GET /v2/users/{id}", "PATCH /v2/users/{id}", "DELETE /v2/users/{id}",
	"GET /v2/teams", "POST /v2/teams", "GET /v2/teams/{id}", "PATCH /v2/teams/{id}", "DELETE /v2/teams/{id}",
	"POST /v2/teams/{id}/members", "DELETE /v2/teams/{id}/members/{member}", "/",
}

// newSimAccount serves an ogsim account made with so (its APIKey is
// testKey; its Clock, unless set, env's fake clock, so rate limits refill
// exactly as fast as the client waits) on env's mux.
func newSimAccount(t testing.TB, env *testEnv, so ogsim.Options) *simAccount {
	t.Helper()
	so.APIKey = testKey
	if so.Clock == nil {
		so.Clock = env.clock.Now
	}
	sim, err := ogsim.New(so)
	if err != nil {
		t.Fatalf("ogsim.New: %v", err)
	}
	t.Cleanup(sim.Close) // before the server closes: abandons late writes
	a := &simAccount{t: t, sim: sim, calls: map[string]int{}}
	if so.Seed != nil {
		a.users = len(so.Seed.Users)
	}
	for _, p := range simRoutes {
		env.mux.HandleFunc(p, a.serve)
	}
	return a
}

// seedUsers is a seed of n users: ids u-00001…, usernames user00001@example.com….
func seedUsers(n int) *ogsim.Seed {
	s := &ogsim.Seed{}
	for i := 1; i <= n; i++ {
		s.Users = append(s.Users, seedUser(i))
	}
	return s
}

// teamSeed is seedUsers(n) and an empty team "sre" with id t-sre.
func teamSeed(n int) *ogsim.Seed {
	s := seedUsers(n)
	s.Teams = []ogsim.SeedTeam{{ID: "t-sre", Name: "sre", Description: "team sre"}}
	return s
}

func seedUser(i int) ogsim.SeedUser {
	return ogsim.SeedUser{ID: fmt.Sprintf("u-%05d", i), Username: fmt.Sprintf("user%05d@example.com", i),
		FullName: fmt.Sprintf("User u-%05d", i), Role: "User", TimeZone: "UTC", Locale: "en_US"}
}

func (a *simAccount) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.calls[r.Pattern]++
	n := a.calls[r.Pattern]
	before, after, between := a.before, a.after, a.betweenPages
	a.mu.Unlock()
	if before != nil && before(w, r, n) {
		return
	}
	// The emulator answers into a recorder, so that after can replace its
	// answer; a clone, because the emulator's own mux sets Pattern. An
	// injected drop cannot hijack a recorder: the emulator then aborts the
	// handler (http.ErrAbortHandler), which drops this connection all the same.
	rec := httptest.NewRecorder()
	a.sim.ServeHTTP(rec, r.Clone(r.Context()))
	if between != nil && r.Pattern == "GET /v2/users" {
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		between(offset)
	}
	if after != nil && r.Method != http.MethodGet && after(w, r, n) {
		return
	}
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// count returns how many requests of the route the client sent.
func (a *simAccount) count(pattern string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[pattern]
}

// api sends a request to the emulator directly, as another client of the
// account would: not counted, no hook. It fails the test unless answered 2xx.
func (a *simAccount) api(method, path, body string) {
	a.t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "GenieKey "+testKey)
	rec := httptest.NewRecorder()
	a.sim.ServeHTTP(rec, r)
	if rec.Code/100 != 2 {
		a.t.Errorf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
}

// createUsers creates n more users through the API, named on from the last.
func (a *simAccount) createUsers(n int) {
	for range n {
		a.mu.Lock()
		a.users++
		i := a.users
		a.mu.Unlock()
		a.createUser(fmt.Sprintf("user%05d@example.com", i))
	}
}

// createUser creates a user through the API.
func (a *simAccount) createUser(username string) {
	a.api(http.MethodPost, "/v2/users", fmt.Sprintf(`{"username":%q,"fullName":"Late","role":{"name":"User"}}`, username))
}

// deleteUser deletes a user through the API.
func (a *simAccount) deleteUser(id string) { a.api(http.MethodDelete, "/v2/users/"+id, "") }

// state is the emulated account now.
func (a *simAccount) state() ogsim.State { return a.sim.State() }

// userID returns the id of the user with this username, "" when none.
func (a *simAccount) userID(username string) string {
	for _, u := range a.state().Users {
		if u.Username == username {
			return u.ID
		}
	}
	return ""
}

// memberRole returns the role of a member of a team, "" when not a member.
func (a *simAccount) memberRole(teamID, userID string) string {
	for _, t := range a.state().Teams {
		for _, m := range t.Members {
			if t.ID == teamID && m.UserID == userID {
				return m.Role
			}
		}
	}
	return ""
}

// journaled counts the changes of the account of kind op (ogsim.Op…) that
// concern user (a username), whoever made them.
func (a *simAccount) journaled(op, user string) int {
	n := 0
	for _, m := range a.sim.Journal() {
		if m.Op == op && m.User == user {
			n++
		}
	}
	return n
}

// usernames returns the usernames of users, in order.
func usernames(users []model.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Username
	}
	return out
}
