package atlsim

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits of the Jira and admin user endpoints (reference §4).
const (
	jiraMaxResults     = 1000
	jiraDefaultResults = 50
	jiraSearchWindow   = 1000 // only the first 1000 matches are considered
	maxInviteEmails    = 25
	maxPropertyKey     = 255
)

func (s *Server) jiraErr(status int, msg string) reply { return s.apiErr(apiJira, status, "", msg) }

func (s *Server) adminErr(status int, code, msg string) reply {
	return s.apiErr(apiAdmin, status, code, msg)
}

// productNames are the application role names of Jira's applicationRoles.
var productNames = map[string]string{
	ProductJSM:               "Jira Service Management",
	"jira-software":          "Jira Software",
	"jira-core":              "Jira Work Management",
	"jira-product-discovery": "Jira Product Discovery",
}

type sizeItems struct {
	Size  int        `json:"size"`
	Items []nameItem `json:"items"`
}

type nameItem struct {
	Key  string `json:"key,omitempty"`
	Name string `json:"name"`
}

type jiraUser struct {
	Self             string     `json:"self"`
	AccountID        string     `json:"accountId"`
	AccountType      string     `json:"accountType"`
	EmailAddress     string     `json:"emailAddress,omitempty"`
	DisplayName      string     `json:"displayName"`
	Active           bool       `json:"active"`
	TimeZone         string     `json:"timeZone"`
	Locale           string     `json:"locale"`
	Groups           *sizeItems `json:"groups,omitempty"`
	ApplicationRoles *sizeItems `json:"applicationRoles,omitempty"`
}

// jiraView renders an account as a Jira User; expand may name groups and
// applicationRoles.
func (s *Server) jiraView(c *call, u *user, expand string) jiraUser {
	v := jiraUser{Self: baseURL(c.r) + "/rest/api/3/user?accountId=" + url.QueryEscape(u.accountID), AccountID: u.accountID,
		AccountType: "atlassian", DisplayName: u.displayName, Active: u.status == StatusActive,
		TimeZone: u.timeZone, Locale: u.locale}
	if !s.beh.JiraHideEmail {
		v.EmailAddress = u.email
	}
	ex := strings.Split(expand, ",")
	if slices.Contains(ex, "groups") {
		v.Groups = &sizeItems{Items: []nameItem{}}
	}
	if slices.Contains(ex, "applicationRoles") {
		roles := &sizeItems{Items: []nameItem{}}
		for _, p := range s.shownAccess(u) {
			roles.Items = append(roles.Items, nameItem{p, productNames[p]})
		}
		roles.Size = len(roles.Items)
		v.ApplicationRoles = roles
	}
	return v
}

// shownAccess lists the products of u's access that reads show: those
// granted at least Behavior.AccessLag ago (seeded access at once), sorted.
// Callers hold the lock.
func (s *Server) shownAccess(u *user) []string {
	var out []string
	now := s.clock()
	for _, p := range slices.Sorted(maps.Keys(u.access)) {
		if since := u.accessSince[p]; since.IsZero() || !now.Before(since.Add(s.beh.AccessLag)) {
			out = append(out, p)
		}
	}
	return out
}

// liveUsers are the directory's accounts in the order they were added.
// Callers hold the lock.
func (a *account) liveUsers() []*user {
	var out []*user
	for _, u := range a.users {
		if !a.gone(u) {
			out = append(out, u)
		}
	}
	return out
}

// matchesPrefix is Jira's search rule: q (lower case) is a prefix of the
// e-mail, of the display name or of one of its words.
func matchesPrefix(u *user, q string) bool {
	if strings.HasPrefix(strings.ToLower(u.email), q) || strings.HasPrefix(strings.ToLower(u.displayName), q) {
		return true
	}
	for _, w := range strings.Fields(strings.ToLower(u.displayName)) {
		if strings.HasPrefix(w, q) {
			return true
		}
	}
	return false
}

// jiraPage reads the page parameters of a Jira listing: startAt (default
// 0) and maxResults (default jiraDefaultResults, capped at
// jiraMaxResults).
func jiraPage(c *call) (startAt, maxResults int, err error) {
	if startAt, err = intParam(c.query, "startAt", 0, 0, 1<<30); err != nil {
		return 0, 0, err
	}
	if maxResults, err = intParam(c.query, "maxResults", jiraDefaultResults, 0, 1<<30); err != nil {
		return 0, 0, err
	}
	return startAt, min(maxResults, jiraMaxResults), nil
}

// jiraUserSearch is GET /rest/api/3/user/search?query=&startAt=&maxResults=:
// a bare array of the accounts query prefixes, within the first 1000.
func (s *Server) jiraUserSearch(c *call) reply {
	q := strings.ToLower(strings.TrimSpace(c.query.Get("query")))
	if q == "" && c.query.Get("accountId") == "" {
		return s.jiraErr(http.StatusBadRequest, "The query parameter 'query' or 'accountId' is required.")
	}
	startAt, maxRes, err := jiraPage(c)
	if err != nil {
		return s.jiraErr(http.StatusBadRequest, err.Error())
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	var hits []*user
	for _, u := range s.acct.liveUsers() {
		if id := c.query.Get("accountId"); id != "" && u.accountID != id {
			continue
		}
		if q == "" || matchesPrefix(u, q) {
			hits = append(hits, u)
		}
	}
	hits = hits[:min(len(hits), jiraSearchWindow)]
	out := []jiraUser{}
	for _, u := range hits[min(startAt, len(hits)):min(startAt+maxRes, len(hits))] {
		out = append(out, s.jiraView(c, u, ""))
	}
	return reply{status: http.StatusOK, body: out}
}

// jiraUsersList is GET /rest/api/3/users/search?startAt=&maxResults=:
// every account, ≤ 1000 a page.
func (s *Server) jiraUsersList(c *call) reply {
	startAt, maxRes, err := jiraPage(c)
	if err != nil {
		return s.jiraErr(http.StatusBadRequest, err.Error())
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	all := s.acct.liveUsers()
	out := []jiraUser{}
	for _, u := range all[min(startAt, len(all)):min(startAt+maxRes, len(all))] {
		out = append(out, s.jiraView(c, u, ""))
	}
	return reply{status: http.StatusOK, body: out}
}

// jiraAccount resolves ?accountId=: 400 without it, 404 when unknown.
// Callers hold the lock.
func (s *Server) jiraAccount(c *call) (*user, *reply) {
	id := c.query.Get("accountId")
	if id == "" {
		rep := s.jiraErr(http.StatusBadRequest, "The query parameter 'accountId' is required.")
		return nil, &rep
	}
	u := s.acct.userByID(id)
	if u == nil {
		rep := s.jiraErr(http.StatusNotFound, "Specified user does not exist or you do not have required permissions")
		return nil, &rep
	}
	return u, nil
}

// withJiraAccount answers with f on the account of the accountId
// parameter, under the lock; see jiraAccount.
func (s *Server) withJiraAccount(c *call, f func(u *user) reply) reply {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	u, rep := s.jiraAccount(c)
	if rep != nil {
		return *rep
	}
	return f(u)
}

// jiraGetUser is GET /rest/api/3/user?accountId=&expand=groups,applicationRoles.
func (s *Server) jiraGetUser(c *call) reply {
	return s.withJiraAccount(c, func(u *user) reply {
		return reply{status: http.StatusOK, body: s.jiraView(c, u, c.query.Get("expand"))}
	})
}

// jiraCreateUser is POST /rest/api/3/user {emailAddress, products}: 201
// for a new account and for an existing one (granting the products given,
// role "user"); 400 for an existing account without access and no
// products.
func (s *Server) jiraCreateUser(c *call) reply {
	var b struct {
		EmailAddress string    `json:"emailAddress"`
		Products     *[]string `json:"products"`
	}
	if err := readBody(c.r, &b, false); err != nil {
		return s.jiraErr(http.StatusBadRequest, err.Error())
	}
	if !validEmail(b.EmailAddress) {
		return s.jiraErr(http.StatusBadRequest, "emailAddress: a valid e-mail address is required")
	}
	var prods []string
	if b.Products != nil {
		prods = *b.Products
	}
	for _, p := range prods {
		if !slices.Contains(products, p) {
			return s.jiraErr(http.StatusBadRequest, "products: unknown product "+p)
		}
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	u := s.acct.userByEmail(b.EmailAddress)
	if u == nil {
		u = s.acct.addUser(b.EmailAddress, defaultDisplayName(b.EmailAddress))
		s.acct.record(Mutation{Source: SourceAPI, Op: OpCreateUser, User: u.email, AccountID: u.accountID, Detail: "jira create"})
	} else if b.Products == nil && len(u.access) == 0 {
		return s.jiraErr(http.StatusBadRequest, "The user already exists and has no product access; name the products to grant.")
	}
	for _, p := range prods {
		if u.access[p] == "" {
			s.grant(u, p, "user")
		}
	}
	return reply{status: http.StatusCreated, body: s.jiraView(c, u, "")}
}

// grant gives u role on product p, journaled when it changes anything.
// Callers hold the lock.
func (s *Server) grant(u *user, p, role string) bool {
	if u.access[p] == role {
		return false
	}
	u.access[p] = role
	u.accessSince[p] = s.clock()
	s.acct.record(Mutation{Source: SourceAPI, Op: OpGrantAccess, User: u.email, AccountID: u.accountID, Detail: p + ": " + role})
	return true
}

// jiraDeleteUser is DELETE /rest/api/3/user?accountId=: the account
// loses its product access on this site and survives; 204.
func (s *Server) jiraDeleteUser(c *call) reply {
	return s.withJiraAccount(c, func(u *user) reply {
		for _, p := range slices.Sorted(maps.Keys(u.access)) {
			s.acct.record(Mutation{Source: SourceAPI, Op: OpRevokeAccess, User: u.email, AccountID: u.accountID, Detail: p + ": " + u.access[p]})
			delete(u.access, p)
			delete(u.accessSince, p)
		}
		return reply{status: http.StatusNoContent}
	})
}

// propertyKey checks {propertyKey}.
func (s *Server) propertyKey(c *call) (string, *reply) {
	k := c.params["propertyKey"]
	if utf8.RuneCountInString(k) > maxPropertyKey {
		rep := s.jiraErr(http.StatusBadRequest, "The property key is too long")
		return "", &rep
	}
	return k, nil
}

// jiraPropertyKeys is GET /rest/api/3/user/properties?accountId=.
func (s *Server) jiraPropertyKeys(c *call) reply {
	return s.withJiraAccount(c, func(u *user) reply {
		type keyJSON struct {
			Self string `json:"self"`
			Key  string `json:"key"`
		}
		keys := []keyJSON{}
		for _, k := range slices.Sorted(maps.Keys(u.properties)) {
			keys = append(keys, keyJSON{baseURL(c.r) + "/rest/api/3/user/properties/" + url.PathEscape(k) + "?accountId=" + url.QueryEscape(u.accountID), k})
		}
		return reply{status: http.StatusOK, body: map[string]any{"keys": keys}}
	})
}

// jiraGetProperty is GET /rest/api/3/user/properties/{key}?accountId=.
func (s *Server) jiraGetProperty(c *call) reply {
	k, rep := s.propertyKey(c)
	if rep != nil {
		return *rep
	}
	return s.withJiraAccount(c, func(u *user) reply {
		v, ok := u.properties[k]
		if !ok {
			return s.jiraErr(http.StatusNotFound, "The property with key '"+k+"' does not exist.")
		}
		return reply{status: http.StatusOK, body: map[string]any{"key": k, "value": v}}
	})
}

// jiraPutProperty is PUT /rest/api/3/user/properties/{key}?accountId=:
// any JSON value; 201 when created, 200 when replaced.
func (s *Server) jiraPutProperty(c *call) reply {
	k, rep := s.propertyKey(c)
	if rep != nil {
		return *rep
	}
	data, err := io.ReadAll(io.LimitReader(c.r.Body, maxBody+1))
	if err != nil || len(data) > maxBody || !json.Valid(data) {
		return s.jiraErr(http.StatusBadRequest, "The property value must be valid JSON of at most 1 MiB")
	}
	v := json.RawMessage(bytes.TrimSpace(data))
	return s.withJiraAccount(c, func(u *user) reply {
		_, existed := u.properties[k]
		u.properties[k] = v
		s.acct.record(Mutation{Source: SourceAPI, Op: OpSetProperty, User: u.email, AccountID: u.accountID, Detail: k})
		if existed {
			return reply{status: http.StatusOK}
		}
		return reply{status: http.StatusCreated}
	})
}

// jiraDeleteProperty is DELETE /rest/api/3/user/properties/{key}?accountId=: 204.
func (s *Server) jiraDeleteProperty(c *call) reply {
	k, rep := s.propertyKey(c)
	if rep != nil {
		return *rep
	}
	return s.withJiraAccount(c, func(u *user) reply {
		if _, ok := u.properties[k]; !ok {
			return s.jiraErr(http.StatusNotFound, "The property with key '"+k+"' does not exist.")
		}
		delete(u.properties, k)
		s.acct.record(Mutation{Source: SourceAPI, Op: OpDeleteProperty, User: u.email, AccountID: u.accountID, Detail: k})
		return reply{status: http.StatusNoContent}
	})
}

// validEmail is a loose check: something@something.
func validEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(e, " \t\r\n,")
}

// baseURL is the scheme and host the request reached, for absolute links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
