package ogsim

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ogsync/ogsync/model"
)

// Field limits of the user API.
const (
	maxUsernameLen = 100
	maxFullNameLen = 512
)

// userJSON is a user as the API renders it in get and list answers.
type userJSON struct {
	Blocked       bool                `json:"blocked"`
	Verified      bool                `json:"verified"`
	ID            string              `json:"id"`
	Username      string              `json:"username"`
	FullName      string              `json:"fullName"`
	Role          roleRefJSON         `json:"role"`
	SkypeUsername string              `json:"skypeUsername,omitempty"`
	TimeZone      string              `json:"timeZone"`
	Locale        string              `json:"locale"`
	Tags          []string            `json:"tags,omitempty"`
	Details       map[string][]string `json:"details,omitempty"`
	UserAddress   address             `json:"userAddress"`
	CreatedAt     string              `json:"createdAt"`
}

type roleRefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// formatTime renders an instant the way OpsGenie does: UTC, at most three
// fractional digits, trailing zeros removed.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.999Z") }

// renderUser returns the user's JSON object, cached on the immutable record.
func renderUser(u *user) []byte {
	if b := u.json.Load(); b != nil {
		return *b
	}
	b := jsonValue(userJSON{
		Blocked: u.blocked, Verified: u.verified, ID: u.id, Username: u.username,
		FullName: u.fullName, Role: roleRefJSON{u.roleID, u.roleName}, SkypeUsername: u.skype,
		TimeZone: u.timeZone, Locale: u.locale, Tags: u.tags, Details: u.details,
		UserAddress: u.address, CreatedAt: formatTime(u.createdAt),
	})
	u.json.Store(&b)
	return b
}

// userInput is a create or update body; nil fields were absent.
type userInput struct {
	username *string
	fullName *string
	role     *string // a role name (resolved from name or id)
	timeZone *string
	locale   *string
	skype    *string
	address  *address
	tags     *[]string
	details  *map[string][]string
}

func parseUserInput(m map[string]json.RawMessage, errs map[string]string) userInput {
	var in userInput
	var s string
	if field(m, "username", &s, errs, "a string") {
		in.username = &s
	}
	var fn string
	if field(m, "fullName", &fn, errs, "a string") {
		in.fullName = &fn
	}
	var role struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if field(m, "role", &role, errs, `an object {"name": role name}`) {
		name := cmpOr(strings.TrimSpace(role.Name), strings.TrimSpace(role.ID))
		in.role = &name
	}
	// The SDK and the OAS say timeZone, the docs' table says timezone:
	// both are accepted, timeZone wins when both are sent.
	var tz string
	if field(m, "timeZone", &tz, errs, "a string") {
		in.timeZone = &tz
	} else if field(m, "timezone", &tz, errs, "a string") {
		in.timeZone = &tz
	}
	var loc string
	if field(m, "locale", &loc, errs, "a string") {
		in.locale = &loc
	}
	var sk string
	if field(m, "skypeUsername", &sk, errs, "a string") {
		in.skype = &sk
	}
	var addr address
	if field(m, "userAddress", &addr, errs, "an object of strings") {
		in.address = &addr
	}
	var tags []string
	if field(m, "tags", &tags, errs, "a list of strings") {
		in.tags = &tags
	}
	var details map[string][]string
	if field(m, "details", &details, errs, "an object of string lists") {
		in.details = &details
	}
	// invitationDisabled is typed as a string by the SDK and as a boolean
	// by the OAS; either is accepted, and it has no effect here.
	if present(m, "invitationDisabled") {
		var b bool
		var bs string
		if json.Unmarshal(m["invitationDisabled"], &b) != nil && json.Unmarshal(m["invitationDisabled"], &bs) != nil {
			errs["invitationDisabled"] = "must be a boolean"
		}
	}
	return in
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// validEmail reports whether s is a bare e-mail address with a dotted domain.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

// checkUserFields validates the optional fields shared by create and
// update and applies them to u.
func (s *Server) applyUserFields(in userInput, u *user, errs map[string]string) {
	if in.fullName != nil && *in.fullName != "" {
		switch n := utf8.RuneCountInString(*in.fullName); {
		case strings.TrimSpace(*in.fullName) == "":
			errs["fullName"] = "fullName can not be blank"
		case n > maxFullNameLen:
			errs["fullName"] = fmt.Sprintf("fullName can be at most %d characters", maxFullNameLen)
		default:
			u.fullName = *in.fullName
		}
	}
	if in.role != nil {
		id, name, ok := s.acct.lookupRole(*in.role)
		switch {
		case *in.role == "":
			errs["role"] = "role name can not be empty"
		case !ok:
			errs["role"] = fmt.Sprintf("role [%s] is not a built-in role (Owner, Admin, User, Observer, Stakeholder) or a custom role of the account", *in.role)
		case name == model.RoleOwner && s.beh.ForbidOwnerRole && u.roleName != model.RoleOwner:
			errs["role"] = "the Owner role can not be granted through the API"
		default:
			u.roleID, u.roleName = id, name
		}
	}
	if in.timeZone != nil && *in.timeZone != "" {
		if validTimeZone(*in.timeZone) {
			u.timeZone = *in.timeZone
		} else {
			errs["timeZone"] = fmt.Sprintf("time zone [%s] is not a supported time zone id", *in.timeZone)
		}
	}
	if in.locale != nil && *in.locale != "" {
		if validLocale(*in.locale) {
			u.locale = *in.locale
		} else {
			errs["locale"] = fmt.Sprintf("locale [%s] is not a supported locale id", *in.locale)
		}
	}
	if in.skype != nil {
		u.skype = *in.skype
	}
	if in.address != nil {
		u.address = *in.address
	}
	if in.tags != nil {
		u.tags = normTags(*in.tags)
	}
	if in.details != nil {
		u.details = normDetails(*in.details)
	}
}

// normTags drops empty and duplicate tags, keeping first-seen order.
func normTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func normDetails(d map[string][]string) map[string][]string {
	if len(d) == 0 {
		return nil
	}
	out := make(map[string][]string, len(d))
	for k, v := range d {
		out[k] = slices.Clone(v)
	}
	return out
}

// checkUsername validates a new username and returns its stored form.
func checkUsername(raw string, errs map[string]string) string {
	name := model.NormalizeUsername(raw)
	switch {
	case name == "":
		errs["username"] = "username is required"
	case utf8.RuneCountInString(name) > maxUsernameLen:
		errs["username"] = fmt.Sprintf("username can be at most %d characters", maxUsernameLen)
	case !validEmail(name):
		errs["username"] = fmt.Sprintf("username [%s] must be a valid e-mail address", raw)
	}
	return name
}

// createUser: POST /v2/users.
func (s *Server) createUser(c *call) reply {
	m, bad := readObject(c.r)
	if bad != nil {
		return *bad
	}
	errs := map[string]string{}
	in := parseUserInput(m, errs)
	u := &user{timeZone: s.beh.DefaultTimeZone, locale: s.beh.DefaultLocale}
	u.invitationDisabled = parseInvitationDisabled(m, errs)
	if in.username != nil {
		u.username = checkUsername(*in.username, errs)
	} else if _, bad := errs["username"]; !bad {
		errs["username"] = "username is required"
	}
	if in.fullName == nil || strings.TrimSpace(*in.fullName) == "" {
		if _, bad := errs["fullName"]; !bad {
			errs["fullName"] = "fullName is required"
		}
	}
	if in.role == nil {
		if _, bad := errs["role"]; !bad {
			errs["role"] = "role is required"
		}
	}

	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	s.applyUserFields(in, u, errs)
	if len(errs) > 0 {
		return invalid(errs)
	}
	if s.acct.usersByName[u.username] != nil {
		return errReply(http.StatusConflict, fmt.Sprintf("User with username [%s] already exists.", u.username))
	}
	u.id = s.acct.ids.Next()
	u.contactID = s.acct.ids.Next()
	u.createdAt = s.acct.now()
	s.acct.insertUser(u)
	s.acct.record(Mutation{Source: SourceAPI, Op: OpCreateUser, User: u.username, Role: u.roleName})
	return resultReply(http.StatusCreated, "Created", u.id, u.username)
}

func userNotFound(ident string) reply {
	return errReply(http.StatusNotFound, fmt.Sprintf("No user exists with identifier [%s].", ident))
}

// getUser: GET /v2/users/{identifier}[?expand=contact].
func (s *Server) getUser(c *call) reply {
	s.acct.mu.RLock()
	u := s.acct.lookupUser(c.params[0])
	s.acct.mu.RUnlock()
	if u == nil {
		return userNotFound(c.params[0])
	}
	obj := renderUser(u)
	if slices.Contains(strings.Split(c.query.Get("expand"), ","), "contact") {
		contacts := []struct {
			To             string `json:"to"`
			ID             string `json:"id"`
			ContactMethod  string `json:"contactMethod"`
			DisabledReason string `json:"disabledReason"`
			Enabled        bool   `json:"enabled"`
		}{{To: u.username, ID: u.contactID, ContactMethod: "email", Enabled: true}}
		obj = append(append(slices.Clone(obj[:len(obj)-1]), `,"userContacts":`...), jsonValue(contacts)...)
		obj = append(obj, '}')
	}
	b := append([]byte(`"data":`), obj...)
	b = appendMember(b, "expandable", []string{"contact"})
	return reply{status: http.StatusOK, body: b}
}

// updateUser: PATCH /v2/users/{identifier}; absent fields stay unchanged.
func (s *Server) updateUser(c *call) reply {
	m, bad := readObject(c.r)
	if bad != nil {
		return *bad
	}
	errs := map[string]string{}
	in := parseUserInput(m, errs)

	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	old := s.acct.lookupUser(c.params[0])
	if old == nil {
		return userNotFound(c.params[0])
	}
	if in.username != nil && *in.username != "" && model.NormalizeUsername(*in.username) != old.username {
		errs["username"] = "username can not be changed"
	}
	u := old.clone()
	s.applyUserFields(in, u, errs)
	if old.roleName == model.RoleOwner && u.roleName != model.RoleOwner && s.acct.owners <= 1 {
		errs["role"] = "the last Owner of the account can not be given another role"
	}
	if len(errs) > 0 {
		return invalid(errs)
	}
	if changed := changedFields(old, u); len(changed) > 0 {
		s.acct.replaceUser(old, u)
		s.acct.record(Mutation{Source: SourceAPI, Op: OpUpdateUser, User: u.username, Role: u.roleName, Detail: strings.Join(changed, ", ")})
	}
	// No data here: the SDK's user UpdateResult holds only "result" and
	// would lose it to the data unwrapping if data were sent.
	return resultReply(http.StatusOK, "Updated", "", "")
}

// deleteUser: DELETE /v2/users/{identifier}. A user still referenced by a
// schedule rotation or an escalation rule is refused with 428; team
// memberships go with the user.
func (s *Server) deleteUser(c *call) reply {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	u := s.acct.lookupUser(c.params[0])
	if u == nil {
		return userNotFound(c.params[0])
	}
	if u.roleName == model.RoleOwner && s.acct.owners <= 1 {
		return errReply(http.StatusUnprocessableEntity, "Owner users can be deleted only if there are at least 2 owners for the account.")
	}
	scheds, escs := s.acct.userRefs(u.id)
	if len(scheds)+len(escs) > 0 {
		var parts []string
		if len(scheds) > 0 {
			parts = append(parts, "schedules: ["+joinNames(scheds, func(x *schedule) string { return x.name })+"]")
		}
		if len(escs) > 0 {
			parts = append(parts, "escalations: ["+joinNames(escs, func(x *escalation) string { return x.name })+"]")
		}
		return errReply(http.StatusPreconditionRequired, fmt.Sprintf(
			"User [%s] is in use. Please remove it from %s before deleting it.", u.username, strings.Join(parts, " and ")))
	}
	s.acct.record(Mutation{Source: SourceAPI, Op: OpDeleteUser, User: u.username, Role: u.roleName})
	for _, t := range s.acct.teamOrder {
		if i := t.memberIndex(u.id); i >= 0 {
			s.acct.recordMember(SourceAPI, OpRemoveMember, t, u.id, t.members[i].role, "with the user")
		}
	}
	s.acct.removeUser(u)
	return reply{status: http.StatusOK, body: appendMember(nil, "result", "Deleted")}
}

// changedFields names the fields an update changed, the role as "role was
// X".
func changedFields(old, u *user) []string {
	var out []string
	add := func(changed bool, name string) {
		if changed {
			out = append(out, name)
		}
	}
	add(old.fullName != u.fullName, "fullName")
	add(old.roleName != u.roleName, "role was "+old.roleName)
	add(old.timeZone != u.timeZone, "timeZone")
	add(old.locale != u.locale, "locale")
	add(old.skype != u.skype, "skypeUsername")
	add(old.address != u.address, "userAddress")
	add(!slices.Equal(old.tags, u.tags), "tags")
	add(!maps.EqualFunc(old.details, u.details, slices.Equal), "details")
	return out
}

func joinNames[T any](xs []T, name func(T) string) string {
	names := make([]string, len(xs))
	for i, x := range xs {
		names[i] = name(x)
	}
	return strings.Join(names, ", ")
}

// userSortFields are the accepted sort values; insertedAt (the OAS name)
// is an alias of createdAt.
var userSortFields = []string{"blocked", "createdAt", "fullName", "fullName.raw", "insertedAt", "role", "username", "verified"}

type listParams struct {
	limit, offset int
	sort          string
	desc          bool
	query         string
	filter        userFilter
}

func (s *Server) parseListParams(q url.Values) (listParams, map[string]string) {
	errs := map[string]string{}
	p := listParams{limit: s.beh.DefaultListLimit, sort: "username"}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 1:
			errs["limit"] = "limit must be a positive integer"
		case n > s.beh.MaxListLimit && s.beh.RejectOverMaxLimit:
			errs["limit"] = fmt.Sprintf("limit can be at most %d", s.beh.MaxListLimit)
		default:
			p.limit = min(n, s.beh.MaxListLimit)
		}
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs["offset"] = "offset must be a non-negative integer"
		}
		p.offset = n
	}
	if v := q.Get("sort"); v != "" {
		if !slices.Contains(userSortFields, v) {
			errs["sort"] = "sort must be one of " + strings.Join(userSortFields, ", ")
		}
		p.sort = v
	}
	switch strings.ToLower(q.Get("order")) {
	case "", "asc":
	case "desc":
		p.desc = true
	default:
		errs["order"] = "order must be asc or desc"
	}
	if v := q.Get("query"); strings.TrimSpace(v) != "" {
		f, err := parseUserQuery(v)
		if err != nil {
			errs["query"] = err.Error()
		}
		p.query, p.filter = v, f
	}
	return p, errs
}

// listUsers: GET /v2/users with limit, offset, sort, order and query.
// Pages come straight from a sorted index: no sorting per request. With
// Behavior.ListLag the page comes from the account as it was then.
func (s *Server) listUsers(c *call) reply {
	p, errs := s.parseListParams(c.query)
	if len(errs) > 0 {
		return reply{status: http.StatusUnprocessableEntity, body: errBody("Invalid query parameters.", errs, 0)}
	}
	field := p.sort
	if field == "insertedAt" {
		field = "createdAt"
	}

	var view []*user
	snap := s.lagged()
	if snap != nil {
		view = snap.users
		if field != "username" {
			view = slices.Clone(view)
			slices.SortStableFunc(view, userOrder(field))
		}
	} else {
		s.acct.mu.RLock()
		view = s.acct.sortedUsers(field)
	}
	n := len(view)
	at := func(i int) *user {
		if p.desc {
			return view[n-1-i]
		}
		return view[i]
	}
	page := make([]*user, 0, min(p.limit, max(n-p.offset, 0)))
	total := 0
	if p.filter == nil {
		total = n
		for i := p.offset; i < n && i < p.offset+p.limit; i++ {
			page = append(page, at(i))
		}
	} else {
		for i := range n {
			if u := at(i); p.filter(u) {
				if total >= p.offset && total < p.offset+p.limit {
					page = append(page, u)
				}
				total++
			}
		}
	}
	if snap == nil {
		s.acct.mu.RUnlock()
	}

	size := 64
	for _, u := range page {
		size += len(renderUser(u)) + 1
	}
	b := make([]byte, 0, size+512)
	b = append(b, `"totalCount":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"data":[`...)
	for i, u := range page {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, renderUser(u)...)
	}
	b = append(b, ']')
	links := pagingLinks(baseURL(c.r), p, total)
	b = appendMember(b, "paging", links)
	rep := reply{status: http.StatusOK, body: b}
	for _, l := range []struct{ h, v string }{{"X-Paging-First", links.First}, {"X-Paging-Prev", links.Prev}, {"X-Paging-Next", links.Next}, {"X-Paging-Last", links.Last}} {
		if l.v != "" {
			rep.header = append(rep.header, [2]string{l.h, l.v})
		}
	}
	return rep
}

type paging struct {
	Prev  string `json:"prev,omitempty"`
	Next  string `json:"next,omitempty"`
	First string `json:"first"`
	Last  string `json:"last"`
}

// pagingLinks builds absolute links from the request's own scheme and host.
// first is offset 0; prev is offset-limit (left out on the first page);
// next is offset+limit (left out when nothing follows); last is
// totalCount-limit, so the last page is full.
func pagingLinks(base string, p listParams, total int) paging {
	link := func(offset int) string {
		v := url.Values{}
		v.Set("limit", strconv.Itoa(p.limit))
		v.Set("offset", strconv.Itoa(offset))
		v.Set("sort", p.sort)
		v.Set("order", "ASC")
		if p.desc {
			v.Set("order", "DESC")
		}
		if p.query != "" {
			v.Set("query", p.query)
		}
		return base + "/v2/users?" + v.Encode()
	}
	out := paging{First: link(0), Last: link(max(total-p.limit, 0))}
	if p.offset > 0 {
		out.Prev = link(max(p.offset-p.limit, 0))
	}
	if p.offset+p.limit < total {
		out.Next = link(p.offset + p.limit)
	}
	return out
}

type metaJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// userTeams: GET /v2/users/{identifier}/teams.
func (s *Server) userTeams(c *call) reply {
	s.acct.mu.RLock()
	defer s.acct.mu.RUnlock()
	u := s.acct.lookupUser(c.params[0])
	if u == nil {
		return userNotFound(c.params[0])
	}
	out := []metaJSON{}
	for _, t := range s.acct.teamOrder {
		if t.memberIndex(u.id) >= 0 {
			out = append(out, metaJSON{t.id, t.name})
		}
	}
	return dataReply(http.StatusOK, out)
}

// userSchedules: GET /v2/users/{identifier}/schedules; schedules where the
// user is a direct rotation participant.
func (s *Server) userSchedules(c *call) reply {
	s.acct.mu.RLock()
	defer s.acct.mu.RUnlock()
	u := s.acct.lookupUser(c.params[0])
	if u == nil {
		return userNotFound(c.params[0])
	}
	scheds, _ := s.acct.userRefs(u.id)
	type scheduleMeta struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Enabled bool   `json:"enabled"`
	}
	out := []scheduleMeta{}
	for _, sc := range scheds {
		out = append(out, scheduleMeta{sc.id, sc.name, sc.enabled})
	}
	return dataReply(http.StatusOK, out)
}

// userEscalations: GET /v2/users/{identifier}/escalations; escalations
// with a rule whose recipient is the user.
func (s *Server) userEscalations(c *call) reply {
	s.acct.mu.RLock()
	defer s.acct.mu.RUnlock()
	u := s.acct.lookupUser(c.params[0])
	if u == nil {
		return userNotFound(c.params[0])
	}
	_, escs := s.acct.userRefs(u.id)
	out := make([]escalationJSON, 0, len(escs))
	for _, e := range escs {
		out = append(out, s.acct.renderEscalation(e))
	}
	return dataReply(http.StatusOK, out)
}
