package atlsim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testKey   = "test-token-7f3a9c"
	testOrg   = "org-1"
	testCloud = "cloud-1"
	botEmail  = "bot@example.com"
	teamsBase = "/gateway/api/public/teams/v1/org/" + testOrg
	opsBase   = "/jsm/ops/api/" + testCloud
	dirBase   = "/admin/v2/orgs/" + testOrg + "/directories/-"
)

// testSeed is a small org: the bot (the API caller), JSM users of every
// status, an unmanaged and a managed account, an ops team with a schedule
// and an escalation, a plain team, a deleted and an external team.
const testSeed = `
users:
  - {accountId: acc-bot, email: bot@example.com, displayName: Sync Bot, access: {jira-servicedesk: admin}}
  - {accountId: acc-alice, email: alice@example.com, displayName: Alice Archer, timeZone: Europe/Berlin, locale: de_DE, access: {jira-servicedesk: user}}
  - {accountId: acc-bob, email: bob@example.com, displayName: Bob Baker, access: {jira-servicedesk: admin, jira-software: user}}
  - {accountId: acc-carol, email: carol@example.com, displayName: Carol Cook}
  - {accountId: acc-dave, email: dave@example.com, displayName: Dave Dunn, status: suspended, access: {jira-servicedesk: user}}
  - {accountId: acc-erin, email: erin@corp.example.com, displayName: Erin Eve, managed: true, access: {jira-servicedesk: user}, properties: {ogsync: {managed: true}}}
teams:
  - teamId: team-platform
    displayName: Platform
    description: Platform team
    members: [alice@example.com, bob@example.com]
    operations: true
    admins: [bob@example.com]
    roles: [{id: role-1, name: Scheduler, rights: [edit-schedules]}]
  - {teamId: team-web, displayName: Web, description: Web team, teamType: OPEN, members: [carol@example.com]}
  - {teamId: team-gone, displayName: Gone, deleted: true}
  - {teamId: team-ext, displayName: Ext, teamType: EXTERNAL, members: [alice@example.com]}
escalations:
  - id: esc-1
    name: Platform critical
    team: Platform
    rules:
      - {delay: 0, recipient: {schedule: Platform oncall}}
      - {condition: if-not-closed, notifyType: next, delay: 10, recipient: {user: bob@example.com}}
schedules:
  - id: sched-1
    name: Platform oncall
    team: Platform
    timezone: Europe/Berlin
    rotations:
      - {id: rot-1, name: weekly, type: weekly, startDate: "2026-01-05T09:00:00Z", participants: [{user: alice@example.com}, {team: Web}, {noone: true}]}
    overrides:
      - {alias: ov-1, user: bob@example.com, startDate: "2026-02-01T00:00:00Z", endDate: "2026-02-02T00:00:00Z", rotations: [weekly]}
`

var testEpoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is a settable clock for rate limits and propagation delays.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestServer builds a server over testSeed (unless opts.Seed is set)
// with the test key and ids.
func newTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Seed == nil {
		seed, err := ParseSeed("test-seed.yaml", []byte(testSeed))
		if err != nil {
			t.Fatal(err)
		}
		opts.Seed = seed
	}
	opts.APIKey, opts.OrgID, opts.CloudID = testKey, testOrg, testCloud
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func basicAuth(email, token string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+token))
}

// siteAuth is the bot's Basic credential; adminAuth the org key.
var (
	siteAuth  = basicAuth(botEmail, testKey)
	adminAuth = "Bearer " + testKey
)

type resp struct {
	code   int
	header http.Header
	body   []byte
}

// obj decodes the body as a JSON object.
func (r resp) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

// arr decodes the body as a JSON array.
func (r resp) arr(t *testing.T) []any {
	t.Helper()
	var a []any
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatalf("body %q is not a JSON array: %v", r.body, err)
	}
	return a
}

// doAuth sends one request through the handler with the given
// Authorization ("" sends none).
func doAuth(t *testing.T, srv http.Handler, method, path, body, auth string) resp {
	t.Helper()
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return resp{code: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// do sends a request with the credential its API needs.
func do(t *testing.T, srv http.Handler, method, path, body string) resp {
	t.Helper()
	auth := siteAuth
	if strings.HasPrefix(path, "/admin/") || strings.HasPrefix(path, "/users/") {
		auth = adminAuth
	}
	return doAuth(t, srv, method, path, body, auth)
}

// want fails unless r has the status.
func want(t *testing.T, r resp, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("status %d, want %d; body %s", r.code, code, r.body)
	}
}

// str digs a string out of decoded JSON by keys and indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[p]
		case int:
			a, _ := v.([]any)
			if p >= len(a) {
				return nil
			}
			v = a[p]
		}
	}
	return v
}

// ids collects field from every object of a JSON array.
func ids(v any, field string) []string {
	var out []string
	a, _ := v.([]any)
	for _, it := range a {
		s, _ := dig(it, field).(string)
		out = append(out, s)
	}
	return out
}

func stateTeam(t *testing.T, srv *Server, id string) StateTeam {
	t.Helper()
	for _, st := range srv.State().Teams {
		if st.TeamID == id {
			return st
		}
	}
	t.Fatalf("no team %s in the state", id)
	return StateTeam{}
}

func stateUser(t *testing.T, srv *Server, email string) StateUser {
	t.Helper()
	for _, u := range srv.State().Users {
		if u.Email == email {
			return u
		}
	}
	t.Fatalf("no user %s in the state", email)
	return StateUser{}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
