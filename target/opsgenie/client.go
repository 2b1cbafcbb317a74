// Package opsgenie is ogsync's OpsGenie client: it reads an account (users with
// offset paging, teams with their members, custom roles, the on-call
// references of a user) and writes users, teams and memberships, through
// the OpsGenie v2 REST API.
//
// Every request passes a client-side token-bucket limiter, one per OpsGenie
// rate-limit domain (Search for list users, Configuration for everything
// else) and shared by concurrent callers. Its rate adapts: it grows
// additively while the domain is busy and no 429 comes, up to a ceiling; a
// 429 holds the domain until the server's window has rolled and halves its
// rate. Reads, PATCH and DELETE are retried on 5xx (but 501), dropped
// connections and timeouts; a create whose outcome is unknown is never
// re-sent blindly: the object is looked up first. Failures are *APIError or
// *TransportError values that never carry the API key.
package opsgenie

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultBaseURL     = "https://api.opsgenie.com"
	DefaultUserAgent   = "ogsync"
	DefaultTimeout     = 30 * time.Second
	DefaultConcurrency = 4
	// DefaultPagingAttempts bounds the re-reads of a user list that shifted.
	DefaultPagingAttempts = 3
)

// Size bounds of response bodies.
const (
	maxBody  = 64 << 20 // a success body
	maxDrain = 64 << 10 // what is read of a body nobody needs, to reuse the connection
)

// Options configure a Client. BaseURL and APIKey matter; the rest has defaults.
type Options struct {
	// BaseURL is the API base URL: https://api.opsgenie.com (the default),
	// https://api.eu.opsgenie.com, or http on a loopback address (tests, the
	// emulator).
	BaseURL string
	// APIKey is the GenieKey. It is sent only in the Authorization header
	// and never appears in errors or logs.
	APIKey string
	// UserAgent is sent as User-Agent, e.g. "ogsync/v1.2.3".
	UserAgent string
	// Timeout bounds one HTTP attempt, body included (default 30 s).
	Timeout time.Duration
	// MaxRetries bounds the retries of one request; 0 means no retry.
	MaxRetries int
	// Rate is the ceiling of the Configuration domain, and of the Search
	// domain unless SearchRate is set. A zero Rate means no ceiling.
	Rate Rate
	// SearchRate is the ceiling of the Search domain (list users).
	SearchRate *Rate
	// Start is the rate each domain starts at, by domain name
	// (DomainConfiguration, DomainSearch): a default or a rate learned by an
	// earlier run. It is kept within [RateFloor, ceiling]; a domain missing
	// from it starts at its ceiling.
	Start map[string]float64
	// OnRate, if set, is called with a domain's name and rate (requests per
	// second, 0 for unlimited) once per domain by New and after every change.
	OnRate func(domain string, perSecond float64)
	// Concurrency bounds the requests in flight when one call fans out
	// (per-team reads, the on-call audit); default 4.
	Concurrency int
	// PagingAttempts bounds the reads of a user list that shifts under
	// concurrent changes (default 3).
	PagingAttempts int
	// Logger receives debug lines per request and warnings per retry.
	Logger *slog.Logger
	// HTTPClient sends the requests; redirects are never followed.
	HTTPClient *http.Client
	// ReadOnly refuses every request but GET before it is sent: a dry run's
	// client, so that no write can reach the account whatever calls it.
	ReadOnly bool
	// DisableInvitations creates users with invitationDisabled, so that
	// OpsGenie sends them no invitation e-mail (users.send_invitations: false).
	DisableInvitations bool
	// Observer, if set, is called after every HTTP attempt with the route
	// pattern, the status (0 when no answer came) and the duration.
	Observer func(method, route string, status int, d time.Duration)

	// Now, Sleep and Jitter replace the clock, the context-aware sleep and
	// the backoff jitter (tests). Jitter maps a backoff to the wait used.
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Jitter func(d time.Duration) time.Duration
}

// Client talks to one OpsGenie account. It is safe for concurrent use.
type Client struct {
	base           string
	key            string
	auth           string
	userAgent      string
	timeout        time.Duration
	maxRetries     int
	concurrency    int
	pagingAttempts int
	hc             *http.Client
	log            *slog.Logger
	observe        func(method, route string, status int, d time.Duration)
	readOnly       bool
	noInvitations  bool
	now            func() time.Time
	sleep          func(context.Context, time.Duration) error
	jitter         func(time.Duration) time.Duration
	config         *domainLimiter
	search         *domainLimiter
	stats          statsRecorder

	teamMu    sync.Mutex
	teamLocks map[string]*sync.Mutex // team id → serialises its membership writes
}

// New checks the options and returns a Client.
func New(o Options) (*Client, error) {
	base := o.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if err := o.Validate().Err(); err != nil {
		return nil, fmt.Errorf("opsgenie options: %w", err)
	}
	key := strings.TrimSpace(o.APIKey)
	if key == "" {
		return nil, errors.New("opsgenie: no API key")
	}
	if strings.ContainsAny(key, "\r\n\t ") || strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, errors.New("opsgenie: the API key contains spaces or control characters")
	}
	c := &Client{
		base:           strings.TrimSuffix(base, "/"),
		key:            key,
		auth:           "GenieKey " + key,
		userAgent:      cmpOr(o.UserAgent, DefaultUserAgent),
		timeout:        cmpOr(o.Timeout, DefaultTimeout),
		maxRetries:     o.MaxRetries,
		concurrency:    cmpOr(o.Concurrency, DefaultConcurrency),
		pagingAttempts: cmpOr(o.PagingAttempts, DefaultPagingAttempts),
		log:            o.Logger,
		observe:        o.Observer,
		readOnly:       o.ReadOnly,
		noInvitations:  o.DisableInvitations,
		now:            o.Now,
		sleep:          o.Sleep,
		jitter:         o.Jitter,
		teamLocks:      make(map[string]*sync.Mutex),
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if c.jitter == nil {
		c.jitter = equalJitter
	}
	hc := http.Client{}
	if o.HTTPClient != nil {
		hc = *o.HTTPClient
	}
	// A redirect could carry the key elsewhere (and OpsGenie sends none).
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.hc = &hc
	search := o.Rate
	if o.SearchRate != nil {
		search = *o.SearchRate
	}
	c.config = newDomainLimiter(DomainConfiguration, o.Rate, o.Start[DomainConfiguration], c.log, c.now, c.sleep)
	c.search = newDomainLimiter(DomainSearch, search, o.Start[DomainSearch], c.log, c.now, c.sleep)
	for _, l := range []*domainLimiter{c.config, c.search} {
		l.onChange = o.OnRate
		if o.OnRate != nil {
			o.OnRate(l.name, l.current().PerSecond)
		}
	}
	return c, nil
}

// Rates returns the rate in force of each domain, by name (0: unlimited):
// what the limiter has learned, to be given back as Options.Start.
func (c *Client) Rates() map[string]float64 {
	return map[string]float64{
		DomainConfiguration: c.config.current().PerSecond,
		DomainSearch:        c.search.current().PerSecond,
	}
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// request is one API call.
type request struct {
	method string
	// route is the path pattern ("/v2/users/{id}") used in errors, logs and stats.
	route string
	// path is the escaped path.
	path  string
	query url.Values
	body  any
	// search puts the call in the Search rate-limit domain.
	search bool
	// create marks a POST that must not be re-sent when its outcome is
	// unknown: send returns an error wrapping ErrUnknownOutcome instead.
	create bool
}

// escapedPath joins path segments, escaping each one. "+" and "@" stay
// literal, as OpsGenie expects in usernames.
func escapedPath(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// outcome classifies one attempt.
type outcome int

const (
	outcomeDone      outcome = iota // answered: success or a final error
	outcomeThrottled                // 429: refused, nothing applied
	outcomeUnknown                  // 5xx, dropped connection, timeout: may have been applied
)

// send performs r: it waits for the domain's limiter, sends, and retries
// throttled requests and, unless r.create, requests with an unknown outcome.
// A successful body is decoded into out (when out is not nil).
func (c *Client) send(ctx context.Context, r request, out any) error {
	err := c.sendRaw(ctx, r, out)
	return redact(err, c.key)
}

func (c *Client) sendRaw(ctx context.Context, r request, out any) error {
	if c.readOnly && r.method != http.MethodGet {
		return fmt.Errorf("opsgenie: %s %s: %w", r.method, r.route, ErrReadOnly)
	}
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("opsgenie: %s %s: encoding the body: %w", r.method, r.route, err)
		}
	}
	lim := c.config
	if r.search {
		lim = c.search
	}
	unknownSeen := false
	// slept is the backoff slept before this attempt, beside the limiter's
	// wait; prev is the error that made it a retry.
	var slept time.Duration
	var prev error
	for retry := 0; ; retry++ {
		waited, err := lim.wait(ctx)
		if err != nil {
			return fmt.Errorf("opsgenie: %s %s: waiting for the rate limiter: %w", r.method, r.route, err)
		}
		if prev != nil {
			// Logged once the wait is over, with what was really waited:
			// the backoff plus the limiter's hold and spacing.
			c.log.WarnContext(ctx, "retrying opsgenie request", "method", r.method, "route", r.route,
				"retry", retry, "max_retries", c.maxRetries, "waited", (slept + waited).Round(time.Millisecond).String(),
				"err", prev, "limit", lim.current().String())
		}
		oc, h, err := c.attempt(ctx, r, body, out)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("opsgenie: %s %s: %w", r.method, r.route, context.Cause(ctx))
		}
		if unknownSeen && r.method == http.MethodDelete && IsNotFound(err) {
			// The earlier attempt did delete it.
			c.log.DebugContext(ctx, "opsgenie delete settled: gone after an unknown outcome", "method", r.method, "route", r.route)
			return nil
		}
		if oc == outcomeDone {
			return err
		}
		if oc == outcomeUnknown && r.create {
			return fmt.Errorf("%w: %w", ErrUnknownOutcome, err)
		}
		if retry >= c.maxRetries {
			if oc == outcomeUnknown {
				return fmt.Errorf("%w (gave up after %d retries)", err, retry)
			}
			return err
		}
		prev = redact(err, c.key)
		c.stats.retried()
		slept = 0
		if oc == outcomeThrottled {
			// The domain limiter holds every caller (this one included)
			// until the server's window has rolled.
			lim.throttled(throttleWait(retry, h, c.now(), c.jitter))
			continue
		}
		unknownSeen = true
		wait := backoff(retry, c.jitter)
		if err := c.sleep(ctx, wait); err != nil {
			return fmt.Errorf("opsgenie: %s %s: waiting to retry: %w", r.method, r.route, err)
		}
		slept = wait
	}
}

// attempt sends r once. It returns how the attempt ended, the response
// headers (for a 429), and the error.
func (c *Client) attempt(ctx context.Context, r request, body []byte, out any) (outcome, http.Header, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, u, rd)
	if err != nil {
		return outcomeDone, nil, fmt.Errorf("opsgenie: %s %s: building the request: %w", r.method, r.route, stripURL(err))
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}

	start := c.now()
	resp, err := c.hc.Do(req)
	if err != nil {
		d := c.now().Sub(start)
		c.record(r, 0, d)
		return outcomeUnknown, nil, &TransportError{Method: r.method, Route: r.route, Timeout: timedOut(ctx, actx, err), Err: stripURL(err)}
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
		_ = resp.Body.Close()
	}()

	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		var derr error
		if out != nil {
			derr = json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(out)
		}
		d := c.now().Sub(start)
		c.record(r, resp.StatusCode, d)
		if derr != nil {
			if actx.Err() != nil || errors.Is(derr, io.ErrUnexpectedEOF) || isNetErr(derr) {
				// The answer was cut off: the request was applied, but we
				// cannot tell its result.
				return outcomeUnknown, nil, &TransportError{Method: r.method, Route: r.route, Timeout: timedOut(ctx, actx, derr), Err: fmt.Errorf("reading the answer: %w", stripURL(derr))}
			}
			return outcomeDone, nil, fmt.Errorf("opsgenie: %s %s: decoding the answer: %w", r.method, r.route, derr)
		}
		return outcomeDone, nil, nil
	default:
		apiErr := newAPIError(r.method, r.route, resp)
		d := c.now().Sub(start)
		c.record(r, resp.StatusCode, d)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			return outcomeThrottled, resp.Header, apiErr
		case retryableStatus(resp.StatusCode):
			return outcomeUnknown, nil, apiErr
		}
		return outcomeDone, nil, apiErr
	}
}

// record counts an attempt and tells the observer.
func (c *Client) record(r request, status int, d time.Duration) {
	c.stats.add(r.method, r.route, status)
	if c.observe != nil {
		c.observe(r.method, r.route, status, d)
	}
	c.log.Debug("opsgenie request", "method", r.method, "route", r.route, "status", status, "duration", d)
}

// timedOut reports whether an attempt failed on its own timeout (not on
// the caller's context).
func timedOut(parent, attempt context.Context, err error) bool {
	if parent.Err() == nil && attempt.Err() != nil {
		return true
	}
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

func isNetErr(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te)
}

// stripURL removes the URL from a *url.Error: it names users by username
// and is noise next to the route; the cause is kept.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
