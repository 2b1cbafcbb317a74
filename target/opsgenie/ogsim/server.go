package ogsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
)

// Options configure a Server. The zero value of every field but APIKey is
// usable.
type Options struct {
	// APIKey is a key with every right (read, create/update, delete,
	// configuration access).
	APIKey string
	// Seed is the initial account; nil means the empty account: no users,
	// teams, schedules, escalations, custom roles or extra keys.
	Seed *Seed
	// RateLimit configures the per-domain token buckets; the zero value
	// turns rate limiting off.
	RateLimit RateLimitOptions
	// Faults configures fault injection; the zero value turns it off.
	Faults FaultOptions
	// Logger receives one debug line per request and warnings for injected
	// faults; nil discards.
	Logger *slog.Logger
	// Clock tells the time for the rate limiter and for createdAt stamps;
	// nil means time.Now. Tests inject a fake clock here.
	Clock func() time.Time
	// IDSeed seeds the generator of entity ids (UUID-shaped), so that the
	// same seed and the same request sequence give the same ids.
	IDSeed uint64
	// Behavior holds the emulator's answers to questions the wire
	// reference leaves open; the zero value is the documented default.
	Behavior Behavior
	// Actor, when not nil, is another client changing the account while
	// the API is used.
	Actor *ActorOptions
}

// Behavior holds the configurable choices for behaviour the wire reference
// leaves open. The zero value of each field is the default documented in
// the package README.
type Behavior struct {
	// DefaultTimeZone is given to users created without a time zone;
	// "" means "America/New_York".
	DefaultTimeZone string
	// DefaultLocale is given to users created without a locale; "" means
	// "en_US".
	DefaultLocale string
	// DefaultListLimit is the page size of GET /v2/users without limit;
	// 0 means 20.
	DefaultListLimit int
	// MaxListLimit is the largest page size of GET /v2/users; 0 means 100.
	MaxListLimit int
	// RejectOverMaxLimit answers 422 to a limit above MaxListLimit instead
	// of silently capping it.
	RejectOverMaxLimit bool
	// ForbidOwnerRole refuses (422) to create users as Owner or to promote
	// users to Owner through the API.
	ForbidOwnerRole bool
	// UnknownScheduleNotFound answers 404 for an unknown schedule instead
	// of the 403/40301 the real API was recorded answering.
	UnknownScheduleNotFound bool
	// EmptyMembersAsArray renders "members":[] for a team without members
	// instead of leaving the key out.
	EmptyMembersAsArray bool
	// AccountName is the sub-domain of the teams' web links
	// (https://NAME.app.opsgenie.com/...); "" means "ogsim".
	AccountName string

	// IgnoreExpandMember makes GET /v2/teams ignore expand=member: list
	// items carry no "members" and the answer no "expandable" key, as the
	// one captured real list response.
	IgnoreExpandMember bool
	// MemberReAdd is what adding an existing member does: one of the
	// MemberReAdd* constants; "" means MemberReAddUpdateRole.
	MemberReAdd string
	// TeamPatchMembers is what a "members" key in a team PATCH does: one
	// of the TeamPatchMembers* constants; "" means TeamPatchMembersReplace.
	TeamPatchMembers string
	// TeamDelete is what deleting a team that owns schedules or
	// escalations does: one of the TeamDelete* constants; "" means
	// TeamDeleteCascade.
	TeamDelete string
	// ListLag makes list reads (GET /v2/users and GET /v2/teams) answer
	// from the account as it was ListLag ago; single-object reads and
	// writes stay current. 0 turns it off.
	ListLag time.Duration
}

func (b Behavior) withDefaults() Behavior {
	if b.DefaultTimeZone == "" {
		b.DefaultTimeZone = "America/New_York"
	}
	if b.DefaultLocale == "" {
		b.DefaultLocale = "en_US"
	}
	if b.DefaultListLimit == 0 {
		b.DefaultListLimit = 20
	}
	if b.MaxListLimit == 0 {
		b.MaxListLimit = 100
	}
	if b.AccountName == "" {
		b.AccountName = "ogsim"
	}
	if b.MemberReAdd == "" {
		b.MemberReAdd = MemberReAddUpdateRole
	}
	if b.TeamPatchMembers == "" {
		b.TeamPatchMembers = TeamPatchMembersReplace
	}
	if b.TeamDelete == "" {
		b.TeamDelete = TeamDeleteCascade
	}
	return b
}

// The choices of Behavior.MemberReAdd.
const (
	// MemberReAddUpdateRole sets the role of a member added again (200
	// "Added").
	MemberReAddUpdateRole = "update-role"
	// MemberReAddConflict answers 409 to adding an existing member and
	// changes nothing.
	MemberReAddConflict = "conflict"
	// MemberReAddKeepRole answers 200 "Added" and leaves the role as it was.
	MemberReAddKeepRole = "keep-role"
)

// The choices of Behavior.TeamPatchMembers.
const (
	// TeamPatchMembersReplace makes a "members" key replace the member set
	// ([] empties it).
	TeamPatchMembersReplace = "replace"
	// TeamPatchMembersIgnore makes a team PATCH ignore its "members" key.
	TeamPatchMembersIgnore = "ignore"
)

// The choices of Behavior.TeamDelete.
const (
	// TeamDeleteCascade deletes the schedules and escalations a team owns
	// with the team.
	TeamDeleteCascade = "cascade"
	// TeamDeleteRefuse answers 428 to deleting a team that owns a schedule
	// or an escalation, naming them, and deletes nothing.
	TeamDeleteRefuse = "refuse"
)

// validate checks the choices of a Behavior with defaults applied.
func (b Behavior) validate() error {
	if !slices.Contains([]string{MemberReAddUpdateRole, MemberReAddConflict, MemberReAddKeepRole}, b.MemberReAdd) {
		return fmt.Errorf("member re-add %q must be %s, %s or %s", b.MemberReAdd, MemberReAddUpdateRole, MemberReAddConflict, MemberReAddKeepRole)
	}
	if !slices.Contains([]string{TeamPatchMembersReplace, TeamPatchMembersIgnore}, b.TeamPatchMembers) {
		return fmt.Errorf("team patch members %q must be %s or %s", b.TeamPatchMembers, TeamPatchMembersReplace, TeamPatchMembersIgnore)
	}
	if !slices.Contains([]string{TeamDeleteCascade, TeamDeleteRefuse}, b.TeamDelete) {
		return fmt.Errorf("team delete %q must be %s or %s", b.TeamDelete, TeamDeleteCascade, TeamDeleteRefuse)
	}
	if b.ListLag < 0 {
		return fmt.Errorf("list lag %v must not be negative", b.ListLag)
	}
	return nil
}

// Right is one access right of an API key.
type Right uint8

// The rights an API key can hold. Every endpoint the emulator serves is a
// configuration endpoint, so each needs RightConfiguration plus the right
// of its operation: GET needs RightRead, POST/PATCH/PUT RightCreateUpdate,
// DELETE RightDelete.
const (
	RightRead Right = 1 << iota
	RightCreateUpdate
	RightDelete
	RightConfiguration

	allRights = RightRead | RightCreateUpdate | RightDelete | RightConfiguration
)

// rightNames are the spellings of the rights in a seed file.
var rightNames = map[string]Right{
	"read":          RightRead,
	"create-update": RightCreateUpdate,
	"delete":        RightDelete,
	"configuration": RightConfiguration,
}

// Stats counts the API requests the server received. Admin endpoints are
// not counted.
type Stats struct {
	// Total is every API request received, answered or not.
	Total int `json:"total"`
	// Throttled is the number answered 429 by the rate limiter.
	Throttled int `json:"throttled"`
	// ByRoute counts requests per route: method + " " + path pattern, such
	// as "GET /v2/users" or "DELETE /v2/teams/{identifier}/members/{memberIdentifier}".
	// A trailing-slash variant counts under its route; a request matching no
	// route counts under method + " (unmatched)".
	ByRoute map[string]int `json:"byRoute"`
	// Heartbeats counts the heartbeat pings received, by heartbeat name.
	Heartbeats map[string]int `json:"heartbeats,omitempty"`
}

// Server is the emulator: an http.Handler over an in-memory account. It is
// safe for concurrent use.
type Server struct {
	log     *slog.Logger
	clock   func() time.Time
	beh     Behavior
	keys    map[string]Right
	acct    *account
	limiter *limiter
	lag     *lagger // nil when Behavior.ListLag is 0
	actor   *actor  // nil when Options.Actor is nil
	// h injects faults and counts requests; once calm (Calm), the actor is
	// off too.
	h *simkit.Harness
}

// New builds a server over the account opts.Seed describes.
func New(opts Options) (*Server, error) {
	beh := opts.Behavior.withDefaults()
	if err := simkit.CheckOptions("ogsim", opts.APIKey, opts.RateLimit.validate, opts.Faults.Validate, beh.validate); err != nil {
		return nil, err
	}
	if !validTimeZone(beh.DefaultTimeZone) {
		return nil, fmt.Errorf("ogsim: default time zone %q is not a valid time zone", beh.DefaultTimeZone)
	}
	if !validLocale(beh.DefaultLocale) {
		return nil, fmt.Errorf("ogsim: default locale %q is not a supported locale", beh.DefaultLocale)
	}
	if beh.DefaultListLimit < 1 || beh.MaxListLimit < beh.DefaultListLimit {
		return nil, fmt.Errorf("ogsim: list limits: default %d must be at least 1 and at most the maximum %d", beh.DefaultListLimit, beh.MaxListLimit)
	}
	clock := simkit.ClockOr(opts.Clock)
	s := &Server{
		log:     simkit.LoggerOr(opts.Logger),
		clock:   clock,
		beh:     beh,
		keys:    map[string]Right{opts.APIKey: allRights},
		acct:    newAccount(newIDGen(opts.IDSeed), clock),
		limiter: newLimiter(opts.RateLimit, clock),
		h:       simkit.NewHarness(simkit.LoggerOr(opts.Logger), newFaulter(opts.Faults)),
	}
	var err error
	if opts.Seed != nil {
		if err := s.applySeed(opts.Seed); err != nil {
			return nil, fmt.Errorf("ogsim: seed: %w", err)
		}
	}
	if opts.Actor != nil {
		if s.actor, err = newActor(*opts.Actor, s.acct, beh.DefaultTimeZone); err != nil {
			return nil, fmt.Errorf("ogsim: actor: %w", err)
		}
	}
	if beh.ListLag > 0 {
		s.lag = &lagger{lag: beh.ListLag}
		s.snapshot()
	}
	return s, nil
}

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	st := s.h.Counter.Stats()
	return Stats{Total: st.Total, Throttled: st.Throttled, ByRoute: st.ByRoute, Heartbeats: st.Tallies[tallyHeartbeats]}
}

// ResetStats zeroes the request counters.
func (s *Server) ResetStats() { s.h.Counter.Reset() }

// domain is a rate-limiting domain.
type domain int

const (
	domainConfiguration domain = iota
	domainSearch
)

// call is one API request being handled.
type call struct {
	r      *http.Request
	params []string // path wildcards, unescaped, in pattern order
	query  url.Values
}

// reply is a handler's answer: a status and the members of the JSON body
// object without its braces ("took" and "requestId" are added on writing).
type reply struct {
	status int
	body   []byte
	header [][2]string
}

type handler func(s *Server, c *call) reply

type route struct {
	r        simkit.Route
	domain   domain
	resource string // for the 403 message
	h        handler
}

func (rt *route) name() string { return rt.r.Name() }

var routes = []route{
	{r: simkit.NewRoute("GET", "/v2/users"), domain: domainSearch, resource: "user", h: (*Server).listUsers},
	{r: simkit.NewRoute("POST", "/v2/users"), resource: "user", h: (*Server).createUser},
	{r: simkit.NewRoute("GET", "/v2/users/{identifier}"), resource: "user", h: (*Server).getUser},
	{r: simkit.NewRoute("PATCH", "/v2/users/{identifier}"), resource: "user", h: (*Server).updateUser},
	{r: simkit.NewRoute("DELETE", "/v2/users/{identifier}"), resource: "user", h: (*Server).deleteUser},
	{r: simkit.NewRoute("GET", "/v2/users/{identifier}/teams"), resource: "user", h: (*Server).userTeams},
	{r: simkit.NewRoute("GET", "/v2/users/{identifier}/schedules"), resource: "user", h: (*Server).userSchedules},
	{r: simkit.NewRoute("GET", "/v2/users/{identifier}/escalations"), resource: "user", h: (*Server).userEscalations},
	{r: simkit.NewRoute("GET", "/v2/teams"), resource: "team", h: (*Server).listTeams},
	{r: simkit.NewRoute("POST", "/v2/teams"), resource: "team", h: (*Server).createTeam},
	{r: simkit.NewRoute("GET", "/v2/teams/{identifier}"), resource: "team", h: (*Server).getTeam},
	{r: simkit.NewRoute("PATCH", "/v2/teams/{identifier}"), resource: "team", h: (*Server).updateTeam},
	{r: simkit.NewRoute("DELETE", "/v2/teams/{identifier}"), resource: "team", h: (*Server).deleteTeam},
	{r: simkit.NewRoute("POST", "/v2/teams/{identifier}/members"), resource: "team", h: (*Server).addMember},
	{r: simkit.NewRoute("DELETE", "/v2/teams/{identifier}/members/{memberIdentifier}"), resource: "team", h: (*Server).removeMember},
	{r: simkit.NewRoute("GET", "/v2/schedules"), resource: "schedule", h: (*Server).listSchedules},
	{r: simkit.NewRoute("POST", "/v2/schedules"), resource: "schedule", h: (*Server).createSchedule},
	{r: simkit.NewRoute("GET", "/v2/schedules/{identifier}"), resource: "schedule", h: (*Server).getSchedule},
	{r: simkit.NewRoute("PATCH", "/v2/schedules/{identifier}"), resource: "schedule", h: (*Server).updateSchedule},
	{r: simkit.NewRoute("DELETE", "/v2/schedules/{identifier}"), resource: "schedule", h: (*Server).deleteSchedule},
	{r: simkit.NewRoute("GET", "/v2/schedules/{identifier}/rotations"), resource: "schedule", h: (*Server).listRotations},
	{r: simkit.NewRoute("POST", "/v2/schedules/{identifier}/rotations"), resource: "schedule", h: (*Server).createRotation},
	{r: simkit.NewRoute("GET", "/v2/schedules/{identifier}/rotations/{rotationId}"), resource: "schedule", h: (*Server).getRotation},
	{r: simkit.NewRoute("PATCH", "/v2/schedules/{identifier}/rotations/{rotationId}"), resource: "schedule", h: (*Server).updateRotation},
	{r: simkit.NewRoute("DELETE", "/v2/schedules/{identifier}/rotations/{rotationId}"), resource: "schedule", h: (*Server).deleteRotation},
	{r: simkit.NewRoute("GET", "/v2/escalations"), resource: "escalation", h: (*Server).listEscalations},
	{r: simkit.NewRoute("POST", "/v2/escalations"), resource: "escalation", h: (*Server).createEscalation},
	{r: simkit.NewRoute("GET", "/v2/escalations/{identifier}"), resource: "escalation", h: (*Server).getEscalation},
	{r: simkit.NewRoute("PATCH", "/v2/escalations/{identifier}"), resource: "escalation", h: (*Server).updateEscalation},
	{r: simkit.NewRoute("DELETE", "/v2/escalations/{identifier}"), resource: "escalation", h: (*Server).deleteEscalation},
	{r: simkit.NewRoute("GET", "/v2/roles"), resource: "role", h: (*Server).listRoles},
	{r: simkit.NewRoute("GET", "/v2/roles/{identifier}"), resource: "role", h: (*Server).getRole},
	{r: simkit.NewRoute("GET", "/v2/heartbeats/{name}/ping"), resource: "heartbeat", h: (*Server).pingHeartbeat},
	{r: simkit.NewRoute("POST", "/v2/heartbeats/{name}/ping"), resource: "heartbeat", h: (*Server).pingHeartbeat},
}

// match finds the route of a request (see simkit.Match); params are the
// path wildcards in pattern order.
func match(method, escapedPath string) (rt *route, params []string, name string, pathKnown bool) {
	i, ps, name, pathKnown := simkit.Match(routes, func(rt *route) *simkit.Route { return &rt.r }, method, escapedPath)
	if i >= 0 {
		rt = &routes[i]
	}
	for _, p := range ps {
		params = append(params, p.Value)
	}
	return rt, params, name, pathKnown
}

// ServeHTTP serves the OpsGenie v2 API and the /_sim admin endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveAdmin(w, r) {
		return
	}
	rt, params, routeName, pathKnown := match(r.Method, r.URL.EscapedPath())
	s.h.Counter.Count(routeName)
	start := time.Now()
	reqID := simkit.NewRequestID()
	if s.actor != nil && !s.h.Calmed() && s.actor.act(s.acct) {
		s.snapshot()
	}

	s.h.Serve(r, simkit.Exchange{
		Inject: func(f fault) bool { return s.injectFault(w, f, routeName, start, reqID) },
		Late:   func() { s.serveLate(w, r, rt, params, pathKnown, routeName, start, reqID) },
		Handle: func() func() {
			rep, state := s.handle(r, rt, params, pathKnown)
			s.afterRequest(r.Method)
			return func() {
				s.write(w, rep, start, reqID, state)
				s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "route", routeName,
					"status", rep.status, "requestId", reqID)
			}
		},
	})
}

// afterRequest records a list snapshot after a write when ListLag is on.
func (s *Server) afterRequest(method string) {
	if s.lag != nil && method != http.MethodGet && method != http.MethodHead {
		s.snapshot()
	}
}

// Close abandons the late writes still waiting (they are never applied) and
// waits for their handlers to return. The Server keeps answering other
// requests; call Close before closing the HTTP server that serves it, so
// that the HTTP server need not wait LateDelay for them.
func (s *Server) Close() { s.h.Late.Close() }

// handle authenticates, rate-limits and dispatches one API request. It
// returns the reply and the X-RateLimit-State to send.
func (s *Server) handle(r *http.Request, rt *route, params []string, pathKnown bool) (reply, string) {
	rights, rep, ok := s.authenticate(r)
	if !ok {
		return rep, "OK"
	}
	if rt == nil {
		if pathKnown {
			return errReply(http.StatusMethodNotAllowed, fmt.Sprintf("Request method '%s' not supported", r.Method)), "OK"
		}
		return errReply(http.StatusNotFound, "No handler found for url "+r.URL.Path), "OK"
	}
	if need := neededRights(r.Method); rights&need != need {
		return reply{status: http.StatusForbidden, body: errBody(
			"Api key is not authorized to access the "+rt.resource, nil, 40301)}, "OK"
	}
	dom := s.limiter.configuration
	if rt.domain == domainSearch {
		dom = s.limiter.search
	}
	if th, throttled := dom.Take(); throttled {
		s.h.Counter.CountThrottled()
		s.log.Debug("throttled", "route", rt.name(), "periodSec", th.PeriodSec)
		return reply{status: http.StatusTooManyRequests, body: errBody("TooManyRequests", nil, 0),
			header: [][2]string{{"X-RateLimit-Reason", "ACCOUNT"}, {"X-RateLimit-Period-In-Sec", strconv.Itoa(th.PeriodSec)}}}, "THROTTLED"
	}
	c := &call{r: r, params: params, query: r.URL.Query()}
	return rt.h(s, c), "OK"
}

func neededRights(method string) Right {
	switch method {
	case http.MethodGet, http.MethodHead:
		return RightConfiguration | RightRead
	case http.MethodDelete:
		return RightConfiguration | RightDelete
	default:
		return RightConfiguration | RightCreateUpdate
	}
}

// authenticate checks the Authorization header. A configured key passes
// whatever its shape; an unknown UUID-shaped key gets 401, any other
// value 422; a missing header or another scheme gets 401.
func (s *Server) authenticate(r *http.Request) (Right, reply, bool) {
	h := r.Header.Get("Authorization")
	scheme, key, found := strings.Cut(strings.TrimSpace(h), " ")
	if !found || !strings.EqualFold(scheme, "GenieKey") {
		return 0, errReply(http.StatusUnauthorized, "Could not authenticate"), false
	}
	key = strings.TrimSpace(key)
	if rights, ok := s.keys[key]; ok {
		return rights, reply{}, true
	}
	if !isUUID(key) {
		return 0, errReply(http.StatusUnprocessableEntity, "Key format is not valid!"), false
	}
	return 0, errReply(http.StatusUnauthorized, "Could not authenticate"), false
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// write sends a reply with the headers every OpsGenie response carries.
// took (seconds, 3 decimals, at least 0.001) is the same in the body and
// in X-Response-Time; requestId equals X-Request-Id.
func (s *Server) write(w http.ResponseWriter, rep reply, start time.Time, reqID, rateState string) {
	took := math.Round(time.Since(start).Seconds()*1000) / 1000
	took = max(took, 0.001)
	tookStr := strconv.FormatFloat(took, 'f', -1, 64)
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("X-Request-Id", reqID)
	h.Set("X-Response-Time", tookStr)
	h.Set("X-RateLimit-State", rateState)
	for _, kv := range rep.header {
		h.Set(kv[0], kv[1])
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	buf.WriteByte('{')
	if len(rep.body) > 0 {
		buf.Write(rep.body)
		buf.WriteByte(',')
	}
	buf.WriteString(`"took":`)
	buf.WriteString(tookStr)
	buf.WriteString(`,"requestId":"`)
	buf.WriteString(reqID)
	buf.WriteString(`"}`)
	w.WriteHeader(rep.status)
	_, _ = w.Write(buf.Bytes())
	if buf.Cap() <= 1<<20 {
		bufPool.Put(buf)
	}
}

// jsonValue marshals v without HTML escaping; see simkit.JSONValue.
func jsonValue(v any) []byte { return simkit.JSONValue(v) }

// member appends `"key":value` to b.
func appendMember(b []byte, key string, v any) []byte {
	if len(b) > 0 {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, `":`...)
	return append(b, jsonValue(v)...)
}

func dataReply(status int, data any) reply {
	return reply{status: status, body: appendMember(nil, "data", data)}
}

// resultReply is a write's answer: {"result":..., "data":{"id","name"}}.
func resultReply(status int, result, id, name string) reply {
	b := appendMember(nil, "result", result)
	if id != "" {
		b = appendMember(b, "data", struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}{id, name})
	}
	return reply{status: status, body: b}
}

func errBody(msg string, fieldErrs map[string]string, code int) []byte {
	b := appendMember(nil, "message", msg)
	if len(fieldErrs) > 0 {
		b = appendMember(b, "errors", fieldErrs)
	}
	if code != 0 {
		b = appendMember(b, "code", code)
	}
	return b
}

func errReply(status int, msg string) reply {
	return reply{status: status, body: errBody(msg, nil, 0)}
}

// validationMessage is the message of every 422 with field errors.
const validationMessage = "Request body is not processable. Please check the errors."

func invalid(fieldErrs map[string]string) reply {
	return reply{status: http.StatusUnprocessableEntity, body: errBody(validationMessage, fieldErrs, 0)}
}

func invalidField(field, msg string) reply { return invalid(map[string]string{field: msg}) }

// maxBody bounds request bodies.
const maxBody = simkit.MaxBody

// readObject reads a JSON object body into its raw members. Keys are
// matched exactly (unknown keys are the caller's to ignore). A missing or
// unreadable body is 400, valid JSON that is not an object is 422.
func readObject(r *http.Request) (map[string]json.RawMessage, *reply) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		rep := errReply(http.StatusBadRequest, "Could not read the request body")
		return nil, &rep
	}
	if len(data) > maxBody {
		rep := errReply(http.StatusRequestEntityTooLarge, "Request body is too large")
		return nil, &rep
	}
	if len(bytes.TrimSpace(data)) == 0 {
		rep := errReply(http.StatusBadRequest, "Request body is missing")
		return nil, &rep
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			rep := errReply(http.StatusUnprocessableEntity, "Request body must be a JSON object")
			return nil, &rep
		}
		rep := errReply(http.StatusBadRequest, "Malformed JSON in request body: "+err.Error())
		return nil, &rep
	}
	if m == nil {
		rep := errReply(http.StatusUnprocessableEntity, "Request body must be a JSON object")
		return nil, &rep
	}
	return m, nil
}

// present reports whether key is in the body with a non-null value.
func present(m map[string]json.RawMessage, key string) bool {
	v, ok := m[key]
	return ok && string(v) != "null"
}

// field decodes m[key] into dst when present and not null. It records a
// type error in errs and returns whether a value was decoded.
func field[T any](m map[string]json.RawMessage, key string, dst *T, errs map[string]string, what string) bool {
	if !present(m, key) {
		return false
	}
	if err := json.Unmarshal(m[key], dst); err != nil {
		errs[key] = "must be " + what
		return false
	}
	return true
}

// identifierType reads an identifier type parameter: "id" (the default)
// or "name".
func identifierType(q url.Values, param string) (byName bool, rep *reply) {
	switch v := q.Get(param); strings.ToLower(v) {
	case "", "id":
		return false, nil
	case "name":
		return true, nil
	default:
		r := reply{status: http.StatusUnprocessableEntity, body: errBody(
			fmt.Sprintf("Invalid %s [%s]; it must be id or name", param, v), nil, 0)}
		return false, &r
	}
}

// baseURL is the scheme and host the request reached, for absolute links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

var _ http.Handler = (*Server)(nil)
