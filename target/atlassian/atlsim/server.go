package atlsim

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
)

// Options configure a Server. The zero value of every field but APIKey is
// usable.
type Options struct {
	// APIKey is accepted as the API token of Basic auth (with any e-mail)
	// on the site APIs (Teams, JSM Ops, Jira) and as the org API key of
	// Bearer auth on the admin APIs.
	APIKey string
	// OrgID is the organization id in Teams and admin paths; "" takes the
	// seed's, else a generated UUID.
	OrgID string
	// CloudID is the site id in JSM Ops paths and resource ARIs (also the
	// Teams siteId); "" takes the seed's, else a generated UUID.
	CloudID string
	// Seed is the initial org; nil means the empty org.
	Seed *Seed
	// RateLimit configures the per-API token buckets; the zero value turns
	// rate limiting off.
	RateLimit RateLimitOptions
	// Faults configures fault injection; the zero value turns it off.
	Faults FaultOptions
	// Behavior holds the answers to the reference's open questions; the
	// zero value is the documented default.
	Behavior Behavior
	// Logger receives one debug line per request and warnings for injected
	// faults; nil discards.
	Logger *slog.Logger
	// Clock tells the time for rate limits, the Ops propagation delay and
	// timestamps; nil means time.Now.
	Clock func() time.Time
	// IDSeed seeds the generator of ids (team ids, accountIds, request
	// ids), so the same seed and request sequence give the same ids.
	IDSeed uint64
}

// Stats counts the API requests the server received. Admin endpoints
// (/_sim/...) are not counted.
type Stats struct {
	// Total is every API request received, answered or not.
	Total int `json:"total"`
	// Throttled is the number answered 429 by the rate limiter.
	Throttled int `json:"throttled"`
	// ByRoute counts requests per route: method + " " + path pattern, such
	// as "GET /gateway/api/public/teams/v1/org/{orgId}/teams". A
	// trailing-slash variant counts under its route; a request matching no
	// route counts under method + " (unmatched)".
	ByRoute map[string]int `json:"byRoute"`
}

// Server is the emulator: an http.Handler over an in-memory org. It is
// safe for concurrent use.
type Server struct {
	log     *slog.Logger
	clock   func() time.Time
	beh     Behavior
	key     string
	orgID   string
	cloudID string
	dirID   string
	acct    *account
	limiter *limiter
	// h injects faults and counts requests.
	h *simkit.Harness
}

// New builds a server over the org opts.Seed describes.
func New(opts Options) (*Server, error) {
	beh := opts.Behavior.withDefaults()
	if err := simkit.CheckOptions("atlsim", opts.APIKey, opts.RateLimit.validate, opts.Faults.Validate, beh.validate); err != nil {
		return nil, err
	}
	clock := simkit.ClockOr(opts.Clock)
	ids := newIDGen(opts.IDSeed)
	s := &Server{
		log:     simkit.LoggerOr(opts.Logger),
		clock:   clock,
		beh:     beh,
		key:     opts.APIKey,
		acct:    newAccount(ids, clock),
		limiter: newLimiter(opts.RateLimit, clock),
		h:       simkit.NewHarness(simkit.LoggerOr(opts.Logger), newFaulter(opts.Faults)),
	}
	s.orgID, s.cloudID = opts.OrgID, opts.CloudID
	if opts.Seed != nil {
		if s.orgID == "" {
			s.orgID = opts.Seed.OrgID
		}
		if s.cloudID == "" {
			s.cloudID = opts.Seed.CloudID
		}
	}
	if s.orgID == "" {
		s.orgID = ids.Next()
	}
	if s.cloudID == "" {
		s.cloudID = ids.Next()
	}
	s.dirID = ids.Next()
	for _, v := range []struct{ name, id string }{{"org id", s.orgID}, {"cloud id", s.cloudID}} {
		if !validPathID(v.id) {
			return nil, fmt.Errorf("atlsim: %s %q must be a non-empty path segment without '/', '?' or '#'", v.name, v.id)
		}
	}
	if opts.Seed != nil {
		if err := buildOrg(opts.Seed, s.acct); err != nil {
			return nil, fmt.Errorf("atlsim: seed: %w", err)
		}
	}
	return s, nil
}

func validPathID(id string) bool {
	return id != "" && !strings.ContainsAny(id, "/?# ")
}

// OrgID returns the organization id the server answers to.
func (s *Server) OrgID() string { return s.orgID }

// CloudID returns the site (cloud) id the server answers to.
func (s *Server) CloudID() string { return s.cloudID }

// DirectoryID returns the id of the org's one directory; admin paths
// accept it or "-".
func (s *Server) DirectoryID() string { return s.dirID }

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	st := s.h.Counter.Stats()
	return Stats{Total: st.Total, Throttled: st.Throttled, ByRoute: st.ByRoute}
}

// ResetStats zeroes the request counters.
func (s *Server) ResetStats() { s.h.Counter.Reset() }

// api is one of the emulated APIs; it decides authentication, the rate
// limit bucket, the 429 headers and the error envelope.
type api int

const (
	apiTeams api = iota
	apiOps
	apiJira
	apiAdmin
	apiEdge // /_edge/tenant_info: no auth, no limit
	apiCount
)

// The path prefixes of the APIs (reference §1.1, on one host).
const (
	teamsPrefix = "/gateway/api/public/teams/v1/org/{orgId}"
	opsPrefix   = "/jsm/ops/api/{cloudId}"
	adminV2     = "/admin/v2/orgs/{orgId}"
)

// apiOfPath tells which API an unmatched path belongs to, for its error
// envelope.
func apiOfPath(p string) api {
	switch {
	case strings.HasPrefix(p, "/gateway/"):
		return apiTeams
	case strings.HasPrefix(p, "/jsm/"):
		return apiOps
	case strings.HasPrefix(p, "/admin/"), strings.HasPrefix(p, "/users/"):
		return apiAdmin
	case strings.HasPrefix(p, "/_edge/"):
		return apiEdge
	}
	return apiJira
}

// call is one API request being handled.
type call struct {
	r      *http.Request
	params map[string]string // path wildcards, unescaped
	query  url.Values
	caller *user // the Basic-auth account on site APIs; nil on admin APIs
	// callerJSM tells whether the caller held JSM access when it
	// authenticated (read under the lock).
	callerJSM bool
}

// reply is a handler's answer: a status, a JSON body (nil: none) and extra
// headers.
type reply struct {
	status int
	body   any
	header [][2]string
}

type handler func(s *Server, c *call) reply

type route struct {
	r   simkit.Route
	api api
	h   handler
}

func (rt *route) name() string { return rt.r.Name() }

var routes = []route{
	{r: simkit.NewRoute("GET", "/_edge/tenant_info"), api: apiEdge, h: (*Server).tenantInfo},

	{r: simkit.NewRoute("GET", teamsPrefix+"/teams"), api: apiTeams, h: (*Server).listTeams},
	{r: simkit.NewRoute("POST", teamsPrefix+"/teams"), api: apiTeams, h: (*Server).createTeam},
	{r: simkit.NewRoute("POST", teamsPrefix+"/teams/archive"), api: apiTeams, h: (*Server).archiveTeams},
	{r: simkit.NewRoute("POST", teamsPrefix+"/teams/unarchive"), api: apiTeams, h: (*Server).unarchiveTeams},
	{r: simkit.NewRoute("GET", teamsPrefix+"/teams/{teamId}"), api: apiTeams, h: (*Server).getTeam},
	{r: simkit.NewRoute("PATCH", teamsPrefix+"/teams/{teamId}"), api: apiTeams, h: (*Server).patchTeam},
	{r: simkit.NewRoute("DELETE", teamsPrefix+"/teams/{teamId}"), api: apiTeams, h: (*Server).deleteTeam},
	{r: simkit.NewRoute("POST", teamsPrefix+"/teams/{teamId}/restore"), api: apiTeams, h: (*Server).restoreTeam},
	{r: simkit.NewRoute("POST", teamsPrefix+"/teams/{teamId}/members"), api: apiTeams, h: (*Server).listMembers},
	{r: simkit.NewRoute("POST", teamsPrefix+"/teams/{teamId}/members/add"), api: apiTeams, h: (*Server).addMembers},
	{r: simkit.NewRoute("POST", teamsPrefix+"/teams/{teamId}/members/remove"), api: apiTeams, h: (*Server).removeMembers},

	{r: simkit.NewRoute("GET", opsPrefix+"/v1/teams"), api: apiOps, h: (*Server).opsTeams},
	{r: simkit.NewRoute("POST", opsPrefix+"/v1/teams/{teamId}/enable-ops"), api: apiOps, h: (*Server).enableOps},
	{r: simkit.NewRoute("GET", opsPrefix+"/v1/teams/{teamId}/requests/{requestId}"), api: apiOps, h: (*Server).opsRequestStatus},
	{r: simkit.NewRoute("GET", opsPrefix+"/v1/teams/{teamId}/roles"), api: apiOps, h: (*Server).teamRoles},
	{r: simkit.NewRoute("GET", opsPrefix+"/v1/teams/{teamId}/escalations"), api: apiOps, h: (*Server).listEscalations},
	{r: simkit.NewRoute("GET", opsPrefix+"/v1/teams/{teamId}/escalations/{id}"), api: apiOps, h: (*Server).getEscalation},
	{r: simkit.NewRoute("DELETE", opsPrefix+"/v1/teams/{teamId}/escalations/{id}"), api: apiOps, h: (*Server).deleteEscalation},
	{r: simkit.NewRoute("GET", opsPrefix+"/v1/schedules"), api: apiOps, h: (*Server).listSchedules},
	{r: simkit.NewRoute("GET", opsPrefix+"/v1/schedules/{id}"), api: apiOps, h: (*Server).getSchedule},
	{r: simkit.NewRoute("DELETE", opsPrefix+"/v1/schedules/{id}"), api: apiOps, h: (*Server).deleteSchedule},
	{r: simkit.NewRoute("GET", opsPrefix+"/v1/schedules/{id}/rotations"), api: apiOps, h: (*Server).listRotations},
	{r: simkit.NewRoute("GET", opsPrefix+"/v1/schedules/{id}/rotations/{rotationId}"), api: apiOps, h: (*Server).getRotation},
	{r: simkit.NewRoute("GET", opsPrefix+"/v1/schedules/{id}/overrides"), api: apiOps, h: (*Server).listOverrides},
	{r: simkit.NewRoute("GET", opsPrefix+"/v1/forwarding-rules"), api: apiOps, h: (*Server).listForwarding},

	{r: simkit.NewRoute("GET", "/rest/api/3/user/search"), api: apiJira, h: (*Server).jiraUserSearch},
	{r: simkit.NewRoute("GET", "/rest/api/3/users/search"), api: apiJira, h: (*Server).jiraUsersList},
	{r: simkit.NewRoute("GET", "/rest/api/3/user"), api: apiJira, h: (*Server).jiraGetUser},
	{r: simkit.NewRoute("POST", "/rest/api/3/user"), api: apiJira, h: (*Server).jiraCreateUser},
	{r: simkit.NewRoute("DELETE", "/rest/api/3/user"), api: apiJira, h: (*Server).jiraDeleteUser},
	{r: simkit.NewRoute("GET", "/rest/api/3/user/properties"), api: apiJira, h: (*Server).jiraPropertyKeys},
	{r: simkit.NewRoute("GET", "/rest/api/3/user/properties/{propertyKey}"), api: apiJira, h: (*Server).jiraGetProperty},
	{r: simkit.NewRoute("PUT", "/rest/api/3/user/properties/{propertyKey}"), api: apiJira, h: (*Server).jiraPutProperty},
	{r: simkit.NewRoute("DELETE", "/rest/api/3/user/properties/{propertyKey}"), api: apiJira, h: (*Server).jiraDeleteProperty},

	{r: simkit.NewRoute("GET", "/admin/v1/orgs"), api: apiAdmin, h: (*Server).listOrgs},
	{r: simkit.NewRoute("GET", adminV2+"/directories/{directoryId}/users"), api: apiAdmin, h: (*Server).dirUsers},
	{r: simkit.NewRoute("DELETE", adminV2+"/directories/{directoryId}/users/{accountId}"), api: apiAdmin, h: (*Server).dirRemoveUser},
	{r: simkit.NewRoute("POST", adminV2+"/directories/{directoryId}/users/{accountId}/suspend"), api: apiAdmin, h: (*Server).dirSuspend},
	{r: simkit.NewRoute("POST", adminV2+"/directories/{directoryId}/users/{accountId}/restore"), api: apiAdmin, h: (*Server).dirRestore},
	{r: simkit.NewRoute("POST", adminV2+"/users/invite"), api: apiAdmin, h: (*Server).invite},
	{r: simkit.NewRoute("POST", adminV2+"/users/search"), api: apiAdmin, h: (*Server).orgUserSearch},
	{r: simkit.NewRoute("GET", "/users/{accountId}/manage"), api: apiAdmin, h: (*Server).managePrivileges},
	{r: simkit.NewRoute("PATCH", "/users/{accountId}/manage/profile"), api: apiAdmin, h: (*Server).manageProfile},
	{r: simkit.NewRoute("POST", "/users/{accountId}/manage/lifecycle/disable"), api: apiAdmin, h: (*Server).manageDisable},
	{r: simkit.NewRoute("POST", "/users/{accountId}/manage/lifecycle/enable"), api: apiAdmin, h: (*Server).manageEnable},
	{r: simkit.NewRoute("POST", "/users/{accountId}/manage/lifecycle/delete"), api: apiAdmin, h: (*Server).manageDelete},
	{r: simkit.NewRoute("POST", "/users/{accountId}/manage/lifecycle/cancel-delete"), api: apiAdmin, h: (*Server).manageCancelDelete},
}

// match finds the route of a request (see simkit.Match); params are the
// path wildcards by name.
func match(method, escapedPath string) (rt *route, params map[string]string, name string, pathKnown bool) {
	i, ps, name, pathKnown := simkit.Match(routes, func(rt *route) *simkit.Route { return &rt.r }, method, escapedPath)
	if i < 0 {
		return nil, nil, name, pathKnown
	}
	params = map[string]string{}
	for _, p := range ps {
		params[p.Name] = p.Value
	}
	return &routes[i], params, name, true
}

// ServeHTTP serves the emulated APIs and the /_sim admin endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveAdmin(w, r) {
		return
	}
	rt, params, routeName, pathKnown := match(r.Method, r.URL.EscapedPath())
	a := apiOfPath(r.URL.Path)
	if rt != nil {
		a = rt.api
	}
	s.h.Counter.Count(routeName)

	s.h.Serve(r, simkit.Exchange{
		Inject: func(f fault) bool { return s.injectFault(w, f, a, routeName) },
		Late:   func() { s.serveLate(w, r, rt, params, pathKnown, routeName) },
		Handle: func() func() {
			rep := s.handle(r, rt, params, pathKnown)
			return func() {
				s.write(w, rep)
				s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "route", routeName, "status", rep.status)
			}
		},
	})
}

// Calm turns fault injection off for good (late writes already waiting
// still complete), so that a demo can settle after a rough start.
func (s *Server) Calm() { s.h.Calm() }

// Close abandons the late writes still waiting (they are never applied) and
// waits for their handlers to return. Call it before closing the HTTP
// server that serves the Server.
func (s *Server) Close() { s.h.Late.Close() }

// handle authenticates, routes, checks the path ids, rate-limits and
// dispatches one API request.
func (s *Server) handle(r *http.Request, rt *route, params map[string]string, pathKnown bool) reply {
	a := apiOfPath(r.URL.Path)
	if rt != nil {
		a = rt.api
	}
	c := &call{r: r, params: params, query: r.URL.Query()}
	if rep, ok := s.authenticate(a, c); !ok {
		return rep
	}
	if rt == nil {
		if pathKnown {
			return s.apiErr(a, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "Method "+r.Method+" is not supported on this path")
		}
		return s.apiErr(a, http.StatusNotFound, "NOT_FOUND", "No resource at "+r.URL.Path)
	}
	if org, ok := params["orgId"]; ok && org != s.orgID {
		return s.apiErr(rt.api, http.StatusNotFound, "NOT_FOUND", "Organization not found: "+org)
	}
	if cloud, ok := params["cloudId"]; ok && cloud != s.cloudID {
		return s.apiErr(rt.api, http.StatusNotFound, "NOT_FOUND", "Site not found: "+cloud)
	}
	if dir, ok := params["directoryId"]; ok && dir != "-" && dir != s.dirID {
		return s.apiErr(rt.api, http.StatusNotFound, "NOT_FOUND", "Directory not found: "+dir)
	}
	th, throttled := s.limiter.byAPI[rt.api].Take()
	if throttled {
		s.h.Counter.CountThrottled()
		s.log.Debug("throttled", "route", rt.name(), "retryAfter", th.RetryAfter)
		return s.throttled(rt.api, th)
	}
	if s.beh.OpsDeleteScopeMismatch && rt.api == apiOps && rt.r.Method == http.MethodDelete {
		return reply{status: http.StatusUnauthorized, body: map[string]any{"code": 401, "message": "Unauthorized; scope does not match"}}
	}
	rep := rt.h(s, c)
	if th.NearLimit && rt.api == apiJira {
		rep.header = append(rep.header, [2]string{"X-RateLimit-NearLimit", "true"})
	}
	return rep
}

// throttled is the 429 of an API: Retry-After everywhere (unless
// Behavior.NoRetryAfterTeamsOps on Teams and Ops), the X-RateLimit-*
// family on Jira and admin, RateLimit-Reason on Jira (reference §6).
func (s *Server) throttled(a api, th simkit.Throttle) reply {
	rep := s.apiErr(a, http.StatusTooManyRequests, "RATE_LIMITED", "Rate limit exceeded")
	if !(s.beh.NoRetryAfterTeamsOps && (a == apiTeams || a == apiOps)) {
		rep.header = append(rep.header, [2]string{"Retry-After", strconv.Itoa(th.RetryAfter)})
	}
	if a == apiJira || a == apiAdmin {
		reset := s.clock().UTC().Add(time.Duration(th.RetryAfter) * time.Second).Format("2006-01-02T15:04Z")
		rep.header = append(rep.header,
			[2]string{"X-RateLimit-Limit", strconv.Itoa(th.Limit)},
			[2]string{"X-RateLimit-Remaining", "0"},
			[2]string{"X-RateLimit-Reset", reset})
	}
	if a == apiJira {
		rep.header = append(rep.header, [2]string{"RateLimit-Reason", "jira-burst-based"})
	}
	return rep
}

// authenticate checks the credential an API needs: Basic with any e-mail
// and the API key as token on the site APIs (the account of that e-mail
// becomes the caller, created on first use if the directory lacks it),
// Bearer with the API key on the admin APIs, nothing on /_edge.
func (s *Server) authenticate(a api, c *call) (reply, bool) {
	h := strings.TrimSpace(c.r.Header.Get("Authorization"))
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	switch a {
	case apiEdge:
		return reply{}, true
	case apiAdmin:
		if !strings.EqualFold(scheme, "Bearer") || cred != s.key {
			return s.unauthorized(a), false
		}
		return reply{}, true
	}
	if !strings.EqualFold(scheme, "Basic") {
		return s.unauthorized(a), false
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return s.unauthorized(a), false
	}
	email, token, ok := strings.Cut(string(raw), ":")
	if !ok || token != s.key || !strings.Contains(email, "@") {
		return s.unauthorized(a), false
	}
	s.acct.mu.Lock()
	u := s.acct.userByEmail(email)
	if u == nil {
		u = s.acct.addUser(email, defaultDisplayName(email))
		u.access[ProductJSM] = "admin"
		s.acct.record(Mutation{Source: SourceAuth, Op: OpCreateUser, User: u.email, AccountID: u.accountID,
			Detail: "the API caller, first seen"})
	}
	status := u.status
	c.callerJSM = u.access[ProductJSM] != ""
	s.acct.mu.Unlock()
	if status != StatusActive {
		return s.unauthorized(a), false
	}
	c.caller = u
	return reply{}, true
}

// unauthorized is the 401 of an API. The message never repeats the
// credential.
func (s *Server) unauthorized(a api) reply {
	switch a {
	case apiOps:
		// SPEC: a 401 is {code: int, message}.
		return reply{status: http.StatusUnauthorized, body: map[string]any{"code": 401, "message": "Unauthorized: authentication failed"},
			header: [][2]string{{"WWW-Authenticate", `Basic realm="atlassian"`}}}
	case apiAdmin:
		return s.apiErr(a, http.StatusUnauthorized, "UNAUTHORIZED", "Invalid or missing API key")
	}
	rep := s.apiErr(a, http.StatusUnauthorized, "UNAUTHORIZED", "Client must be authenticated to access this resource.")
	rep.header = append(rep.header, [2]string{"WWW-Authenticate", `Basic realm="atlassian"`})
	return rep
}

// apiErr is an error in the envelope of its API:
//   - Teams: {code, message} (OverallCodedError);
//   - JSM Ops: {message, took, requestId} (Behavior.OpsErrors "legacy",
//     the default) or {errors: [{title, detail}]} ("errors");
//   - Jira: {errorMessages: [message], errors: {}};
//   - admin: {errors: [{status, code, title, detail}]};
//   - /_edge: {message}.
func (s *Server) apiErr(a api, status int, code, msg string) reply {
	var body any
	switch a {
	case apiTeams:
		body = map[string]string{"code": code, "message": msg}
	case apiOps:
		if s.beh.OpsErrors == OpsErrorsList {
			body = map[string]any{"errors": []map[string]string{{"title": http.StatusText(status), "detail": msg}}}
		} else {
			body = map[string]any{"message": msg, "took": 0.001, "requestId": simkit.NewRequestID()}
		}
	case apiJira:
		body = map[string]any{"errorMessages": []string{msg}, "errors": map[string]string{}}
	case apiAdmin:
		body = map[string]any{"errors": []map[string]string{{"status": strconv.Itoa(status), "code": code,
			"title": http.StatusText(status), "detail": msg}}}
	default:
		body = map[string]string{"message": msg}
	}
	return reply{status: status, body: body}
}

// write sends a reply.
func (s *Server) write(w http.ResponseWriter, rep reply) {
	h := w.Header()
	for _, kv := range rep.header {
		h.Set(kv[0], kv[1])
	}
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	h.Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(rep.status)
	_, _ = w.Write(simkit.JSONValue(rep.body))
}

// maxBody bounds request bodies.
const maxBody = simkit.MaxBody

// readBody decodes a JSON object body into dst, rejecting trailing data.
// A missing body is decoded as {} when optional is set.
func readBody(r *http.Request, dst any, optional bool) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return errors.New("could not read the request body")
	}
	if len(data) > maxBody {
		return errors.New("request body is too large")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if optional {
			return nil
		}
		return errors.New("request body is missing")
	}
	if t := bytes.TrimSpace(data); t[0] != '{' {
		return errors.New("request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("malformed request body: %w", err)
	}
	if dec.More() {
		return errors.New("malformed request body: data after the JSON object")
	}
	return nil
}

// intParam reads an integer query parameter in [lo, hi]; absent gives def.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be an integer between %d and %d", name, lo, hi)
	}
	return n, nil
}

var _ http.Handler = (*Server)(nil)

// ListenAndServe listens on addr (host:port; port 0 picks a free one),
// calls ready with the address bound, and serves until ctx ends; then it
// abandons the late writes still waiting, shuts down gracefully and logs
// the request counts (see simkit.Serve). Its errors start with
// "listening:" or "serving:".
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	return simkit.Serve(ctx, addr, s, s.h, ready)
}
