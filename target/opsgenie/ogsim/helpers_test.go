package ogsim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Keys of the test account.
const (
	testKey     = "11111111-2222-4333-8444-555555555555"
	readOnlyKey = "22222222-2222-4333-8444-555555555555"
	noConfigKey = "33333333-2222-4333-8444-555555555555"
	writerKey   = "44444444-2222-4333-8444-555555555555"
	unknownKey  = "99999999-2222-4333-8444-555555555555"
)

// testSeed is a small account: two owners would make owner tests vacuous,
// so there is exactly one.
const testSeed = `
keys:
  - {name: read-only, key: 22222222-2222-4333-8444-555555555555, rights: [read, configuration]}
  - {name: no-config, key: 33333333-2222-4333-8444-555555555555, rights: [read, create-update, delete]}
  - {name: writer, key: 44444444-2222-4333-8444-555555555555, rights: [read, create-update, configuration]}
customRoles:
  - {name: Responder, extendedRole: user, grantedRights: [alert-delete]}
users:
  - {username: owner@example.com, fullName: Olga Owner, role: Owner, timeZone: Europe/Berlin, verified: true}
  - {username: admin@example.com, fullName: Adam Admin, role: admin, verified: true, tags: [sre]}
  - {username: user@example.com, fullName: Uma User, role: User, locale: de_DE}
  - {username: oncall@example.com, fullName: Otto Oncall, role: Responder, blocked: true}
  - {username: a+b@example.com, fullName: Plus Person, role: Stakeholder}
teams:
  - name: sre
    description: Site reliability
    members:
      - {username: owner@example.com, role: admin}
      - {username: user@example.com}
  - {name: ops}
schedules:
  - name: sre_oncall
    ownerTeam: sre
    timezone: Europe/Berlin
    rotations:
      - name: weekly
        type: weekly
        startDate: 2024-01-01T09:00:00Z
        participants: [{user: oncall@example.com}, {team: ops}]
escalations:
  - name: sre_critical
    ownerTeam: sre
    rules:
      - {delay: 0, recipient: {user: oncall@example.com}}
      - {notifyType: next, delay: 5, recipient: {schedule: sre_oncall}}
`

var testEpoch = time.Date(2025, 3, 4, 5, 6, 7, 890_000_000, time.UTC)

// fakeClock is a settable clock for the rate limiter and createdAt stamps.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.APIKey == "" {
		opts.APIKey = testKey
	}
	if opts.Seed == nil {
		seed, err := ParseSeed("test.yaml", []byte(testSeed))
		if err != nil {
			t.Fatalf("parsing the test seed: %v", err)
		}
		opts.Seed = seed
	}
	if opts.Clock == nil {
		opts.Clock = (&fakeClock{t: testEpoch}).now
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return srv
}

// result is a decoded answer.
type result struct {
	code   int
	header http.Header
	raw    string
	body   map[string]any
}

// str digs a string out of the body by a dotted path ("data.role.name";
// numbers index lists).
func (r result) get(path string) any {
	var cur any = r.body
	for _, p := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			i := 0
			for _, ch := range p {
				i = i*10 + int(ch-'0')
			}
			if i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

func (r result) str(path string) string {
	s, _ := r.get(path).(string)
	return s
}

func (r result) list(path string) []any {
	l, _ := r.get(path).([]any)
	return l
}

// send performs one request with a key ("" sends no Authorization header).
func send(t testing.TB, h http.Handler, key, method, target, body string) result {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if key != "" {
		r.Header.Set("Authorization", "GenieKey "+key)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	res := result{code: w.Code, header: w.Header(), raw: w.Body.String()}
	if err := json.Unmarshal(w.Body.Bytes(), &res.body); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, target, err, w.Body)
	}
	return res
}

// do sends with the all-rights key.
func do(t testing.TB, h http.Handler, method, target, body string) result {
	t.Helper()
	return send(t, h, testKey, method, target, body)
}

// expect checks the status and, when want is not empty, that the raw body
// contains it.
func expect(t *testing.T, r result, code int, want string) {
	t.Helper()
	if r.code != code {
		t.Errorf("status = %d, want %d; body %s", r.code, code, r.raw)
	}
	if want != "" && !strings.Contains(r.raw, want) {
		t.Errorf("body %s does not contain %s", r.raw, want)
	}
}

func timeHours(n int) time.Duration { return time.Duration(n) * time.Hour }

// contextWithCancel returns r with a cancellable context.
func contextWithCancel(r *http.Request) (*http.Request, context.CancelFunc) {
	ctx, cancel := context.WithCancel(r.Context())
	return r.WithContext(ctx), cancel
}
