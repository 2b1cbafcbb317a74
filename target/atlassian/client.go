// Package atlassian is the Atlassian target: it keeps Atlassian Teams, JSM
// Operations and the organization's directory equal to the desired state,
// the successor of the OpsGenie target once an account has migrated. The
// wire facts it relies on, and the choices it makes where they are unsure,
// are in README.md.
package atlassian

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/ogsync/ogsync/target"
)

// api names one of the four Atlassian APIs; each has its own base URL,
// credential and rate-limit domain.
type api int

const (
	apiTeams api = iota // Atlassian Teams public API (Basic)
	apiOps              // JSM Operations (Basic)
	apiJira             // Jira platform REST v3 (Basic)
	apiAdmin            // organization admin and user management (Bearer org API key)
)

func (a api) String() string {
	return [...]string{"teams", "ops", "jira", "admin"}[a]
}

// Rate is a client-side request budget: PerSecond requests a second on
// average with bursts of Burst. The zero value is unlimited.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Rates are the budgets per API (each API is its own rate-limit domain).
type Rates struct {
	Teams, Ops, Jira, Admin Rate
}

// Options configure a Target.
type Options struct {
	// BaseURL, when set, replaces every base URL (the emulator serves all
	// four APIs on one address): the API paths are appended to it.
	BaseURL string
	// Site is the Jira site host, "example" or "example.atlassian.net".
	// Required unless BaseURL is set.
	Site string
	// OrgID and CloudID identify the organization and the site. Required.
	OrgID, CloudID string
	// Email and APIToken are the Basic credential of the Teams, JSM
	// Operations and Jira APIs: a licensed account with JSM admin rights.
	Email, APIToken string
	// OrgAPIKey is the Bearer credential of the organization admin API.
	OrgAPIKey string
	// UserAgent is sent with every request; default "ogsync".
	UserAgent string
	// Timeout bounds one attempt; default 30 s.
	Timeout time.Duration
	// MaxRetries bounds the retries of one request; default 4; negative: none.
	MaxRetries int
	// Rates are the client-side budgets per API; zero: unlimited.
	Rates Rates
	// Concurrency bounds the requests in flight; default 4.
	Concurrency int
	// ReadOnly refuses, before sending, every request that writes: a dry run.
	ReadOnly bool
	// AllMembers makes Read read the members of every team, not only of the
	// declared teams whose members are declared (a comparison of two
	// accounts needs them all; a sync does not).
	AllMembers bool
	// MarkerKey and MarkerValue are the ownership marker (planner's
	// Ownership): the users ogsync creates carry {MarkerKey: MarkerValue}
	// in the Jira user property UserProperty. Defaults "managed-by", "ogsync".
	MarkerKey, MarkerValue string
	// EnableOpsAttempts bounds the enable-ops calls while a new team is not
	// yet visible to JSM Operations, and the polls of the request; default 10.
	EnableOpsAttempts int
	// Logger receives debug and warning lines; nil discards them.
	Logger *slog.Logger
	// HTTPClient sends the requests; nil: http.DefaultClient's transport.
	// Timeout applies either way.
	HTTPClient *http.Client
	// Now, Sleep and Jitter replace the clock, the wait and the random
	// part of a backoff in tests; nil: the real ones.
	Now    func() time.Time
	Sleep  func(context.Context, time.Duration) error
	Jitter func(time.Duration) time.Duration
}

// Target is the Atlassian target. It is safe for concurrent use.
type Target struct {
	opts    Options
	bases   [4]string
	basic   string
	bearer  string
	hc      *http.Client
	log     *slog.Logger
	limits  [4]*rate.Limiter
	sem     chan struct{}
	secrets []string

	total, throttled atomic.Int64

	mu       sync.Mutex
	marked   map[string]bool   // team id -> its description carried the marker at the last read
	emails   map[string]string // accountId -> e-mail, from the last read
	accounts map[string]string // e-mail -> accountId, from the last read
	caller   string            // the accountId of Options.Email, once known
}

var (
	_ target.Target = (*Target)(nil)
	// Target does not implement target.OwnerCounter: an OpsGenie Owner
	// becomes a site admin or a JSM admin (reference §5), and neither the
	// directory nor JSM tells a site admin apart from a JSM admin, so there
	// is no Owner count to read. min_owners is checked on the plan only.
)

// New checks opts and returns a Target. It sends nothing.
func New(opts Options) (*Target, error) {
	if ps := opts.problems(); len(ps) > 0 {
		return nil, fmt.Errorf("atlassian: invalid options: %w", ps.Err())
	}
	opts.setDefaults()
	t := &Target{opts: opts, bases: opts.bases(), hc: opts.HTTPClient, log: opts.Logger, sem: make(chan struct{}, opts.Concurrency),
		basic:   "Basic " + base64.StdEncoding.EncodeToString([]byte(opts.Email+":"+opts.APIToken)),
		bearer:  "Bearer " + opts.OrgAPIKey,
		secrets: []string{opts.APIToken, opts.OrgAPIKey},
		marked:  map[string]bool{}, emails: map[string]string{}, accounts: map[string]string{}}
	if t.hc == nil {
		t.hc = &http.Client{}
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	for i, r := range opts.Rates.perAPI() {
		if r.PerSecond > 0 {
			t.limits[i] = rate.NewLimiter(rate.Limit(r.PerSecond), max(r.Burst, 1))
		}
	}
	return t, nil
}

// perAPI lists the rates in the order of the API indexes (apiTeams, …).
func (r Rates) perAPI() []Rate { return []Rate{r.Teams, r.Ops, r.Jira, r.Admin} }

// bases returns the base URL of each API (indexed by apiTeams, …): all
// below BaseURL when it is set, else the site's and api.atlassian.com's.
func (o *Options) bases() [4]string {
	var bases [4]string
	if o.BaseURL != "" {
		b := strings.TrimRight(o.BaseURL, "/")
		bases = [4]string{b, b, b, b}
	} else {
		site := o.Site
		if !strings.Contains(site, ".") {
			site += ".atlassian.net"
		}
		bases = [4]string{"https://" + site, "https://api.atlassian.com", "https://" + site, "https://api.atlassian.com"}
	}
	bases[apiTeams] += "/gateway/api/public/teams/v1/org/" + o.OrgID
	bases[apiOps] += "/jsm/ops/api/" + o.CloudID
	bases[apiJira] += "/rest/api/3"
	return bases
}

// setDefaults fills the options left zero (see Options).
func (o *Options) setDefaults() {
	if o.UserAgent == "" {
		o.UserAgent = "ogsync"
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 4
	} else if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.Concurrency == 0 {
		o.Concurrency = 4
	}
	if o.EnableOpsAttempts == 0 {
		o.EnableOpsAttempts = 10
	}
	if o.MarkerKey == "" {
		o.MarkerKey = "managed-by"
	}
	if o.MarkerValue == "" {
		o.MarkerValue = "ogsync"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.Jitter == nil {
		o.Jitter = func(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) }
	}
}

// Stats counts the requests sent so far.
func (t *Target) Stats() target.Stats {
	return target.Stats{Total: int(t.total.Load()), Throttled: int(t.throttled.Load())}
}

// call is one request: its API, method, path below the API's base, the
// route pattern named in errors and logs (no ids, no query), the query
// and the JSON body.
type call struct {
	api    api
	method string
	path   string
	route  string
	query  url.Values
	body   any
	// read marks a POST that only reads (the members read), allowed under ReadOnly.
	read bool
	// unsafe marks a write whose repetition could do it twice (a create):
	// after an unknown outcome it is not re-sent, and ErrUnknownOutcome is
	// returned so that the caller looks the object up first.
	unsafe bool
}

// ErrUnknownOutcome is returned (wrapped) when a create got no answer, or
// a 5xx: it may or may not have taken effect.
var ErrUnknownOutcome = errors.New("the outcome of the write is unknown")

// ErrReadOnly is returned (wrapped) for a write refused because the target is read-only.
var ErrReadOnly = errors.New("read-only: the write was not sent")

// maxBody bounds an answer read into memory.
const maxBody = 16 << 20

// do sends c with retries and returns the 2xx answer's status and body, or
// an *APIError (non-2xx), or a transport error.
func (t *Target) do(ctx context.Context, c call) (int, []byte, error) {
	if t.opts.ReadOnly && c.method != http.MethodGet && !c.read {
		return 0, nil, fmt.Errorf("atlassian: %s %s: %w", c.method, c.route, ErrReadOnly)
	}
	var payload []byte
	if c.body != nil {
		var err error
		if payload, err = json.Marshal(c.body); err != nil {
			return 0, nil, fmt.Errorf("atlassian: %s %s: encoding the body: %w", c.method, c.route, err)
		}
	}
	u := t.bases[c.api] + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	for attempt := 0; ; attempt++ {
		status, body, hdr, err := t.attempt(ctx, c, u, payload)
		if err == nil && status >= 200 && status < 300 {
			return status, body, nil
		}
		if ctx.Err() != nil {
			return 0, nil, fmt.Errorf("atlassian: %s %s: %w", c.method, c.route, ctx.Err())
		}
		var apiErr *APIError
		if err == nil {
			apiErr = t.apiError(c, status, body, hdr)
		}
		retry, wait := false, t.backoff(attempt)
		switch {
		case err != nil || status >= 500 && status != http.StatusNotImplemented:
			if c.unsafe {
				cause := error(apiErr)
				if err != nil {
					cause = t.transportError(c, err)
				}
				return 0, nil, fmt.Errorf("%w: %w", ErrUnknownOutcome, cause)
			}
			retry = true
			if d, ok := retryAfter(hdr, t.opts.Now()); ok {
				wait = d
			}
		case status == http.StatusTooManyRequests:
			// A 429 is refused before the endpoint runs: safe to re-send.
			t.throttled.Add(1)
			retry = true
			if d, ok := retryAfter(hdr, t.opts.Now()); ok {
				wait = d
			}
		}
		if !retry || attempt >= t.opts.MaxRetries {
			if err != nil {
				return 0, nil, t.transportError(c, err)
			}
			return status, nil, apiErr
		}
		t.log.DebugContext(ctx, "retrying", "api", c.api.String(), "method", c.method, "route", c.route, "status", status, "wait", wait)
		if err := t.opts.Sleep(ctx, wait); err != nil {
			return 0, nil, fmt.Errorf("atlassian: %s %s: %w", c.method, c.route, err)
		}
	}
}

// attempt sends c once, within the API's budget and the concurrency bound.
func (t *Target) attempt(ctx context.Context, c call, u string, payload []byte) (int, []byte, http.Header, error) {
	if l := t.limits[c.api]; l != nil {
		r := l.ReserveN(t.opts.Now(), 1)
		if d := r.DelayFrom(t.opts.Now()); d > 0 {
			if err := t.opts.Sleep(ctx, d); err != nil {
				r.Cancel()
				return 0, nil, nil, err
			}
		}
	}
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, nil, nil, ctx.Err()
	}
	defer func() { <-t.sem }()
	ctx, cancel := context.WithTimeout(ctx, t.opts.Timeout)
	defer cancel()
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if c.api == apiAdmin {
		req.Header.Set("Authorization", t.bearer)
	} else {
		req.Header.Set("Authorization", t.basic)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", t.opts.UserAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	t.total.Add(1)
	resp, err := t.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, body, resp.Header, nil
}

// backoff is the wait before retry n+1: 500 ms doubling, capped at 30 s, jittered.
func (t *Target) backoff(n int) time.Duration {
	d := 500 * time.Millisecond << min(n, 6)
	return t.opts.Jitter(min(d, 30*time.Second))
}

// retryAfter reads Retry-After (seconds or an HTTP date), else
// X-RateLimit-Reset (ISO 8601), capped at 5 minutes.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return min(time.Duration(s)*time.Second, 5*time.Minute), true
		}
		if at, err := http.ParseTime(v); err == nil {
			return min(max(at.Sub(now), 0), 5*time.Minute), true
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04Z"} {
			if at, err := time.Parse(layout, v); err == nil {
				return min(max(at.Sub(now), 0), 5*time.Minute), true
			}
		}
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// getJSON sends a GET and decodes the answer into v.
func (t *Target) getJSON(ctx context.Context, c call, v any) error {
	c.method = http.MethodGet
	return t.sendJSON(ctx, c, v)
}

// sendJSON sends c and decodes a 2xx answer into v (nil: ignore it).
func (t *Target) sendJSON(ctx context.Context, c call, v any) error {
	_, body, err := t.do(ctx, c)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &MalformedError{Method: c.method, Route: c.route, Where: "body", Problem: "not the expected JSON: " + t.redact(err.Error())}
	}
	return nil
}
