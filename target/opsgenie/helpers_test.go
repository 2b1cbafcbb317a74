package opsgenie

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogsync/ogsync/model"
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
	logs   *syncBuffer
	url    string
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// setup starts an httptest server around a fresh mux and returns a client
// for it with a fake clock, no jitter, 3 retries and no rate limit. opts
// may adjust the options before the client is built.
func setup(t *testing.T, opts ...func(*Options)) *testEnv {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	clock := newFakeClock()
	logs := &syncBuffer{}
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

// fakeAccount is a small in-memory OpsGenie account served on a mux: users
// with offset paging, teams with members. Hooks inject faults.
type fakeAccount struct {
	t  *testing.T
	mu sync.Mutex

	users  map[string]*wireUser // by id
	teams  map[string]*wireTeam // by id
	nextID int
	calls  map[string]int // "METHOD /pattern"

	// expandMembers makes GET /v2/teams honour expand=member.
	expandMembers bool
	// before runs before a request is handled; returning true means it
	// answered (a fault) and the request is not applied.
	before func(w http.ResponseWriter, r *http.Request, n int) bool
	// after runs after a write was applied, before the answer; returning
	// true means it answered (or dropped the connection).
	after func(w http.ResponseWriter, r *http.Request, n int) bool
	// betweenPages runs after a list-users page was served.
	betweenPages func(offset int)
	// reAdd, when set, is what adding a member again does: "update-role",
	// "keep-role" or "conflict". Unset, a re-add appends a duplicate, so
	// tests can count double adds.
	reAdd string
}

func newFakeAccount(t *testing.T, mux *http.ServeMux) *fakeAccount {
	a := &fakeAccount{t: t, users: map[string]*wireUser{}, teams: map[string]*wireTeam{}, calls: map[string]int{}, expandMembers: true}
	handle := func(pattern string, h func(w http.ResponseWriter, r *http.Request)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "GenieKey "+testKey {
				writeError(w, http.StatusUnauthorized, "Could not authenticate")
				return
			}
			a.mu.Lock()
			a.calls[pattern]++
			n := a.calls[pattern]
			a.mu.Unlock()
			if a.before != nil && a.before(w, r, n) {
				return
			}
			h(w, r)
		})
	}
	handle("GET /v2/users", a.listUsers)
	handle("POST /v2/users", a.createUser)
	handle("GET /v2/users/{id}", a.getUser)
	handle("PATCH /v2/users/{id}", a.patchUser)
	handle("DELETE /v2/users/{id}", a.deleteUser)
	handle("GET /v2/teams", a.listTeams)
	handle("POST /v2/teams", a.createTeam)
	handle("GET /v2/teams/{id}", a.getTeam)
	handle("DELETE /v2/teams/{id}", a.deleteTeam)
	handle("POST /v2/teams/{id}/members", a.addMember)
	return a
}

func (a *fakeAccount) count(pattern string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[pattern]
}

func (a *fakeAccount) addUsers(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for range n {
		a.nextID++
		id := fmt.Sprintf("u-%05d", a.nextID)
		a.users[id] = &wireUser{ID: id, Username: fmt.Sprintf("user%05d@example.com", a.nextID), FullName: "User " + id, Role: wireRole{ID: "User", Name: "User"}, TimeZone: "UTC", Locale: "en_US"}
	}
}

func (a *fakeAccount) sortedUsers() []*wireUser {
	us := make([]*wireUser, 0, len(a.users))
	for _, u := range a.users {
		us = append(us, u)
	}
	slices.SortFunc(us, func(x, y *wireUser) int { return cmp.Compare(x.Username, y.Username) })
	return us
}

func (a *fakeAccount) userByIdent(ident string) *wireUser {
	if u, ok := a.users[ident]; ok {
		return u
	}
	for _, u := range a.users {
		if u.Username == strings.ToLower(ident) {
			return u
		}
	}
	return nil
}

func (a *fakeAccount) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(cmp.Or(q.Get("limit"), "20"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	a.mu.Lock()
	us := a.sortedUsers()
	total := len(us)
	page := []*wireUser{}
	if offset < total {
		page = us[offset:min(offset+limit, total)]
	}
	body := map[string]any{"totalCount": total, "data": page, "took": 0.01, "requestId": "r"}
	data, _ := json.Marshal(body)
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
	if a.betweenPages != nil {
		a.betweenPages(offset)
	}
}

func (a *fakeAccount) createUser(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Username string   `json:"username"`
		FullName string   `json:"fullName"`
		Role     wireRole `json:"role"`
	}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a.mu.Lock()
	if a.userByIdent(b.Username) != nil {
		a.mu.Unlock()
		writeError(w, http.StatusConflict, "User already exists")
		return
	}
	a.nextID++
	id := fmt.Sprintf("u-%05d", a.nextID)
	a.users[id] = &wireUser{ID: id, Username: strings.ToLower(b.Username), FullName: b.FullName, Role: wireRole{ID: b.Role.Name, Name: b.Role.Name}}
	n := a.calls["POST /v2/users"]
	a.mu.Unlock()
	if a.after != nil && a.after(w, r, n) {
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"result": "Created", "data": map[string]string{"id": id, "name": b.Username}})
}

func (a *fakeAccount) getUser(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	u := a.userByIdent(r.PathValue("id"))
	var cp wireUser
	if u != nil {
		cp = *u
	}
	a.mu.Unlock()
	if u == nil {
		writeError(w, http.StatusNotFound, "No user exists with username "+r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": cp})
}

func (a *fakeAccount) patchUser(w http.ResponseWriter, r *http.Request) {
	var b map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a.mu.Lock()
	u := a.userByIdent(r.PathValue("id"))
	if u != nil {
		if v, ok := b["fullName"]; ok {
			_ = json.Unmarshal(v, &u.FullName)
		}
		if v, ok := b["tags"]; ok {
			_ = json.Unmarshal(v, &u.Tags)
		}
	}
	a.mu.Unlock()
	if u == nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	if a.after != nil && a.after(w, r, 0) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": "Updated"})
}

func (a *fakeAccount) deleteUser(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	u := a.userByIdent(r.PathValue("id"))
	if u != nil {
		delete(a.users, u.ID)
	}
	a.mu.Unlock()
	if u == nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	if a.after != nil && a.after(w, r, 0) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": "Deleted"})
}

func (a *fakeAccount) addTeam(name string, members ...wireMember) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.nextID++
	id := fmt.Sprintf("t-%05d", a.nextID)
	ms := slices.Clone(members)
	a.teams[id] = &wireTeam{ID: id, Name: name, Description: "team " + name, Members: &ms}
	return id
}

func (a *fakeAccount) teamView(t *wireTeam, withMembers bool) map[string]any {
	v := map[string]any{"id": t.ID, "name": t.Name, "description": t.Description}
	if withMembers && t.Members != nil && len(*t.Members) > 0 {
		v["members"] = *t.Members
	}
	return v
}

func (a *fakeAccount) listTeams(w http.ResponseWriter, r *http.Request) {
	expand := a.expandMembers && r.URL.Query().Get("expand") == "member"
	a.mu.Lock()
	var out []map[string]any
	for _, t := range a.teams {
		out = append(out, a.teamView(t, expand))
	}
	a.mu.Unlock()
	slices.SortFunc(out, func(x, y map[string]any) int { return cmp.Compare(x["name"].(string), y["name"].(string)) })
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (a *fakeAccount) teamByIdent(r *http.Request) *wireTeam {
	ident := r.PathValue("id")
	if r.URL.Query().Get("identifierType") == "name" {
		for _, t := range a.teams {
			if t.Name == ident {
				return t
			}
		}
		return nil
	}
	return a.teams[ident]
}

func (a *fakeAccount) getTeam(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	t := a.teamByIdent(r)
	var v map[string]any
	if t != nil {
		v = a.teamView(t, true)
	}
	a.mu.Unlock()
	if t == nil {
		writeError(w, http.StatusNotFound, "team not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": v})
}

func (a *fakeAccount) createTeam(w http.ResponseWriter, r *http.Request) {
	var b wireTeam
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a.mu.Lock()
	for _, t := range a.teams {
		if t.Name == b.Name {
			a.mu.Unlock()
			writeError(w, http.StatusConflict, "There is already one Team with same name")
			return
		}
	}
	a.mu.Unlock()
	var ms []wireMember
	if b.Members != nil {
		ms = *b.Members
	}
	id := a.addTeam(b.Name, ms...)
	if a.after != nil && a.after(w, r, a.count("POST /v2/teams")) {
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"result": "Created", "data": map[string]string{"id": id, "name": b.Name}})
}

func (a *fakeAccount) deleteTeam(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	t := a.teamByIdent(r)
	if t != nil {
		delete(a.teams, t.ID)
	}
	a.mu.Unlock()
	if t == nil {
		writeError(w, http.StatusNotFound, "team not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": "Deleted"})
}

func (a *fakeAccount) addMember(w http.ResponseWriter, r *http.Request) {
	var b wireMember
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a.mu.Lock()
	t := a.teams[r.PathValue("id")]
	var u *wireUser
	if b.User.ID != "" {
		u = a.users[b.User.ID]
	} else {
		u = a.userByIdent(b.User.Username)
	}
	if t == nil || u == nil {
		a.mu.Unlock()
		writeError(w, http.StatusNotFound, "team or user not found")
		return
	}
	if i := slices.IndexFunc(t.members(), func(m wireMember) bool { return m.User.ID == u.ID }); i >= 0 && a.reAdd != "" {
		switch a.reAdd {
		case "conflict":
			a.mu.Unlock()
			writeError(w, http.StatusConflict, "User is already a member of the team")
			return
		case "update-role":
			(*t.Members)[i].Role = b.Role
		}
	} else {
		*t.Members = append(*t.Members, wireMember{User: wireMemberUser{ID: u.ID, Username: u.Username}, Role: b.Role})
	}
	n := a.calls["POST /v2/teams/{id}/members"]
	a.mu.Unlock()
	if a.after != nil && a.after(w, r, n) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": "Added"})
}

// members returns the team's members (none when the key is absent).
func (t *wireTeam) members() []wireMember {
	if t.Members == nil {
		return nil
	}
	return *t.Members
}

// memberRole returns the role of a member of a team, "" when not a member.
func (a *fakeAccount) memberRole(teamID, userID string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range a.teams[teamID].members() {
		if m.User.ID == userID {
			return m.Role
		}
	}
	return ""
}

func (a *fakeAccount) memberCount(teamID, userID string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, m := range *a.teams[teamID].Members {
		if m.User.ID == userID {
			n++
		}
	}
	return n
}

func (a *fakeAccount) usersNamed(username string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, u := range a.users {
		if u.Username == username {
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
