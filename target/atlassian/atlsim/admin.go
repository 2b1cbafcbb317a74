package atlsim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// listOrgs is GET /admin/v1/orgs: the one org the key sees.
func (s *Server) listOrgs(*call) reply {
	type org struct {
		ID         string            `json:"id"`
		Type       string            `json:"type"`
		Attributes map[string]string `json:"attributes"`
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"data":  []org{{ID: s.orgID, Type: "orgs", Attributes: map[string]string{"name": "atlsim"}}},
		"links": map[string]any{},
	}}
}

type productAccess struct {
	Product    string `json:"product"`
	ResourceID string `json:"resourceId"`
	Role       string `json:"role"`
}

type dirUser struct {
	AccountID        string           `json:"accountId"`
	AccountType      string           `json:"accountType"`
	Status           string           `json:"status"`
	AccountStatus    string           `json:"accountStatus"`
	MembershipStatus string           `json:"membershipStatus"`
	AddedToOrg       time.Time        `json:"addedToOrg"`
	Name             string           `json:"name"`
	Nickname         string           `json:"nickname"`
	Email            string           `json:"email"`
	EmailVerified    bool             `json:"emailVerified"`
	ClaimStatus      string           `json:"claimStatus"`
	PlatformRoles    []string         `json:"platformRoles"`
	ProductAccess    *[]productAccess `json:"productAccess,omitempty"` // nil unless expanded
}

// resourceARI is the resource id of product p on this site.
func (s *Server) resourceARI(p string) string { return "ari:cloud:" + p + "::site/" + s.cloudID }

func (s *Server) dirView(u *user, withAccess bool) dirUser {
	v := dirUser{AccountID: u.accountID, AccountType: "atlassian", Status: u.status, AccountStatus: "active",
		MembershipStatus: "active", AddedToOrg: u.addedAt.UTC(), Name: u.displayName, Nickname: u.displayName,
		Email: u.email, EmailVerified: true, ClaimStatus: "unmanaged", PlatformRoles: []string{}}
	switch u.status {
	case StatusSuspended:
		v.MembershipStatus = "suspended"
	case StatusDeactivated:
		v.AccountStatus = "inactive"
	}
	if u.pendingDelete {
		v.AccountStatus = "closed"
	}
	if u.managed {
		v.ClaimStatus = "managed"
	}
	if withAccess {
		pa := []productAccess{}
		for _, p := range s.shownAccess(u) {
			pa = append(pa, productAccess{p, s.resourceARI(p), "atlassian/" + u.access[p]})
		}
		v.ProductAccess = &pa
	}
	return v
}

// userFilter selects directory accounts for a listing or a search.
type userFilter struct {
	accountIDs []string
	emails     []string
	status     string
	searchTerm string
}

func (f userFilter) keep(u *user) bool {
	switch {
	case len(f.accountIDs) > 0 && !slices.Contains(f.accountIDs, u.accountID):
		return false
	case len(f.emails) > 0 && !slices.ContainsFunc(f.emails, func(e string) bool { return strings.EqualFold(e, u.email) }):
		return false
	case f.status != "" && f.status != u.status:
		return false
	case f.searchTerm != "":
		t := strings.ToLower(f.searchTerm)
		return strings.Contains(strings.ToLower(u.email), t) || strings.Contains(strings.ToLower(u.displayName), t)
	}
	return true
}

// userPage answers a directory page: {data, links: {self, prev, next}}
// with opaque cursors; prev is always null.
func (s *Server) userPage(f userFilter, cursor string, limit int, withAccess bool) reply {
	if limit < 1 {
		return s.adminErr(http.StatusBadRequest, "INVALID_LIMIT", "limit must be positive")
	}
	if limit > s.beh.DirectoryPageMax {
		if s.beh.RejectOverMax {
			return s.adminErr(http.StatusBadRequest, "INVALID_LIMIT", fmt.Sprintf("limit must be at most %d", s.beh.DirectoryPageMax))
		}
		limit = s.beh.DirectoryPageMax
	}
	after, ok := decodeCursor(cursor)
	if !ok {
		return s.adminErr(http.StatusBadRequest, "INVALID_CURSOR", "cursor is not valid")
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	var hits []*user
	for _, u := range s.acct.liveUsers() {
		if f.keep(u) {
			hits = append(hits, u)
		}
	}
	page, next := pageAfter(hits, func(u *user) int { return u.seq }, after, limit)
	data := []dirUser{}
	for _, u := range page {
		data = append(data, s.dirView(u, withAccess))
	}
	links := map[string]any{"self": nilIfEmpty(cursor), "prev": nil, "next": nilIfEmpty(next)}
	return reply{status: http.StatusOK, body: map[string]any{"data": data, "links": links}}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// splitList reads a parameter given repeated and/or comma-separated.
func splitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// dirUsers is GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users:
// cursor, limit (default and max Behavior.DirectoryPageMax), accountIds,
// status, searchTerm, expand=productAccess.
func (s *Server) dirUsers(c *call) reply {
	limit, err := intParam(c.query, "limit", s.beh.DirectoryPageMax, -1<<30, 1<<30)
	if err != nil {
		return s.adminErr(http.StatusBadRequest, "INVALID_LIMIT", err.Error())
	}
	f := userFilter{accountIDs: splitList(c.query["accountIds"]), status: c.query.Get("status"), searchTerm: c.query.Get("searchTerm")}
	withAccess := slices.Contains(splitList(c.query["expand"]), "productAccess")
	return s.userPage(f, c.query.Get("cursor"), limit, withAccess)
}

// orgUserSearch is POST /admin/v2/orgs/{orgId}/users/search {emails,
// accountIds, cursor, limit, expand}.
func (s *Server) orgUserSearch(c *call) reply {
	var b struct {
		Emails     []string `json:"emails"`
		AccountIDs []string `json:"accountIds"`
		Cursor     string   `json:"cursor"`
		Limit      *int     `json:"limit"`
		Expand     []string `json:"expand"`
	}
	if err := readBody(c.r, &b, true); err != nil {
		return s.adminErr(http.StatusBadRequest, "INVALID_BODY", err.Error())
	}
	limit := s.beh.DirectoryPageMax
	if b.Limit != nil {
		limit = *b.Limit
	}
	return s.userPage(userFilter{accountIDs: b.AccountIDs, emails: b.Emails}, b.Cursor, limit, slices.Contains(b.Expand, "productAccess"))
}

// dirAccount resolves {accountId} in the directory. Callers hold the lock.
func (s *Server) dirAccount(c *call) (*user, *reply) {
	u := s.acct.userByID(c.params["accountId"])
	if u == nil {
		rep := s.adminErr(http.StatusNotFound, "USER_NOT_FOUND", "No user with accountId "+c.params["accountId"]+" in the directory")
		return nil, &rep
	}
	return u, nil
}

// dirRemoveUser is DELETE .../directories/{directoryId}/users/{accountId}:
// 202; the account leaves the directory (and every API's view) after
// Behavior.RemovalLag (at once by default), a repeated call while it is
// queued answers 202 again; its team memberships stay.
func (s *Server) dirRemoveUser(c *call) reply {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	u, rep := s.dirAccount(c)
	if rep != nil {
		return *rep
	}
	if !u.removeAt.IsZero() {
		return reply{status: http.StatusAccepted} // already queued
	}
	u.removeAt = s.clock().Add(s.beh.RemovalLag)
	m := Mutation{Source: SourceAPI, Op: OpRemoveUser, User: u.email, AccountID: u.accountID}
	if s.beh.RemovalLag > 0 {
		m.Detail = "effective after " + s.beh.RemovalLag.String()
	}
	s.acct.record(m)
	return reply{status: http.StatusAccepted}
}

// dirSuspend is POST .../users/{accountId}/suspend: 200, idempotent.
func (s *Server) dirSuspend(c *call) reply {
	return s.setStatus(c, StatusActive, StatusSuspended, OpSuspendUser, false)
}

// dirRestore is POST .../users/{accountId}/restore: 200, idempotent.
func (s *Server) dirRestore(c *call) reply {
	return s.setStatus(c, StatusSuspended, StatusActive, OpRestoreUser, false)
}

// setStatus moves an account from one status to another (already there:
// no change). managedOnly refuses (403) accounts the org does not manage.
// The admin v2 calls answer 200 {message}, the user management calls 204.
func (s *Server) setStatus(c *call, from, to, op string, managedOnly bool) reply {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	u, rep := s.dirAccount(c)
	if rep != nil {
		return *rep
	}
	if managedOnly && !u.managed {
		return s.adminErr(http.StatusForbidden, "ACCOUNT_NOT_MANAGED", "The account is not managed by this organization")
	}
	switch u.status {
	case to:
	case from:
		u.status = to
		s.acct.record(Mutation{Source: SourceAPI, Op: op, User: u.email, AccountID: u.accountID})
	default:
		return s.adminErr(http.StatusConflict, "INVALID_STATE", "The account is "+u.status+", not "+from)
	}
	if managedOnly {
		return reply{status: http.StatusNoContent}
	}
	return reply{status: http.StatusOK, body: map[string]string{"message": "The account is " + to}}
}

type permissionRule struct {
	Resource string `json:"resource"`
	Role     string `json:"role"`
}

// invite is POST /admin/v2/orgs/{orgId}/users/invite: 1–25 e-mails and
// permission rules on this site's products. New e-mails get an active
// account; every account gets the roles. 200 {data: [{email, accountId,
// result}]} with result INVITED, UPDATED or UNCHANGED.
func (s *Server) invite(c *call) reply {
	var b struct {
		Emails           []string         `json:"emails"`
		PermissionRules  []permissionRule `json:"permissionRules"`
		AdditionalGroups []string         `json:"additionalGroups"`
		SendNotification *bool            `json:"sendNotification"`
		NotificationText string           `json:"notificationText"`
	}
	if err := readBody(c.r, &b, false); err != nil {
		return s.adminErr(http.StatusBadRequest, "INVALID_BODY", err.Error())
	}
	if len(b.Emails) < 1 || len(b.Emails) > maxInviteEmails {
		return s.adminErr(http.StatusBadRequest, "INVALID_EMAILS", fmt.Sprintf("emails must hold between 1 and %d addresses", maxInviteEmails))
	}
	for _, e := range b.Emails {
		if !validEmail(e) {
			return s.adminErr(http.StatusBadRequest, "INVALID_EMAILS", "not an e-mail address: "+e)
		}
	}
	type grantTo struct{ product, role string }
	var grants []grantTo
	for _, pr := range b.PermissionRules {
		p, ok := strings.CutPrefix(pr.Resource, "ari:cloud:")
		p, site, ok2 := strings.Cut(p, "::site/")
		if !ok || !ok2 || site != s.cloudID || !slices.Contains(products, p) {
			return s.adminErr(http.StatusBadRequest, "INVALID_RESOURCE", "unknown resource "+pr.Resource)
		}
		role, _ := strings.CutPrefix(pr.Role, "atlassian/")
		if !slices.Contains(productRoles, role) {
			return s.adminErr(http.StatusBadRequest, "INVALID_ROLE", "unknown role "+pr.Role)
		}
		grants = append(grants, grantTo{p, role})
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	type result struct {
		Email     string `json:"email"`
		AccountID string `json:"accountId"`
		Result    string `json:"result"`
	}
	out := []result{}
	for _, e := range b.Emails {
		res := "UNCHANGED"
		u := s.acct.userByEmail(e)
		if u == nil {
			u = s.acct.addUser(e, defaultDisplayName(e))
			s.acct.record(Mutation{Source: SourceAPI, Op: OpCreateUser, User: u.email, AccountID: u.accountID, Detail: "invite"})
			res = "INVITED"
		}
		for _, g := range grants {
			if s.grant(u, g.product, g.role) && res == "UNCHANGED" {
				res = "UPDATED"
			}
		}
		out = append(out, result{u.email, u.accountID, res})
	}
	return reply{status: http.StatusOK, body: map[string]any{"data": out}}
}

// managedAccount resolves {accountId} for the user management API: 404
// unknown, 403 not managed by the org. Callers hold the lock.
func (s *Server) managedAccount(c *call) (*user, *reply) {
	u, rep := s.dirAccount(c)
	if rep != nil {
		return nil, rep
	}
	if !u.managed {
		r := s.adminErr(http.StatusForbidden, "ACCOUNT_NOT_MANAGED", "The account is not managed by this organization")
		return nil, &r
	}
	return u, nil
}

// managePrivileges is GET /users/{accountId}/manage: what the org may do
// with the account (all of it for a managed account).
func (s *Server) managePrivileges(c *call) reply {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	if _, rep := s.managedAccount(c); rep != nil {
		return *rep
	}
	allowed := map[string]bool{"allowed": true}
	return reply{status: http.StatusOK, body: map[string]any{
		"profile.write": allowed, "lifecycle.enablement": allowed, "lifecycle.delete": allowed}}
}

// manageProfile is PATCH /users/{accountId}/manage/profile {name,
// nickname, zoneinfo, locale, extended_profile}: managed accounts only.
func (s *Server) manageProfile(c *call) reply {
	var b struct {
		Name            *string        `json:"name"`
		Nickname        *string        `json:"nickname"`
		Zoneinfo        *string        `json:"zoneinfo"`
		Locale          *string        `json:"locale"`
		ExtendedProfile map[string]any `json:"extended_profile"`
	}
	if err := readBody(c.r, &b, false); err != nil {
		return s.adminErr(http.StatusBadRequest, "INVALID_BODY", err.Error())
	}
	if b.Name != nil && strings.TrimSpace(*b.Name) == "" {
		return s.adminErr(http.StatusBadRequest, "INVALID_NAME", "name must not be empty")
	}
	if b.Zoneinfo != nil {
		if _, err := time.LoadLocation(*b.Zoneinfo); err != nil || *b.Zoneinfo == "" {
			return s.adminErr(http.StatusBadRequest, "INVALID_ZONEINFO", "zoneinfo is not a time zone: "+*b.Zoneinfo)
		}
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	u, rep := s.managedAccount(c)
	if rep != nil {
		return *rep
	}
	var changed []string
	set := func(field string, dst *string, v *string) {
		if v != nil && *v != *dst {
			*dst = *v
			changed = append(changed, field)
		}
	}
	set("name", &u.displayName, b.Name)
	set("zoneinfo", &u.timeZone, b.Zoneinfo)
	set("locale", &u.locale, b.Locale)
	if len(changed) > 0 {
		s.acct.record(Mutation{Source: SourceAPI, Op: OpUpdateUser, User: u.email, AccountID: u.accountID, Detail: strings.Join(changed, ", ")})
	}
	return reply{status: http.StatusOK, body: map[string]string{"account_id": u.accountID, "email": u.email,
		"name": u.displayName, "zoneinfo": u.timeZone, "locale": u.locale}}
}

// manageDisable is POST /users/{accountId}/manage/lifecycle/disable: 204.
func (s *Server) manageDisable(c *call) reply {
	return s.setStatus(c, StatusActive, StatusDeactivated, OpDeactivateUser, true)
}

// manageEnable is POST /users/{accountId}/manage/lifecycle/enable: 204.
func (s *Server) manageEnable(c *call) reply {
	return s.setStatus(c, StatusDeactivated, StatusActive, OpActivateUser, true)
}

// manageDelete is POST /users/{accountId}/manage/lifecycle/delete: the
// deletion is scheduled (the account is deactivated and listed with
// accountStatus "closed") until cancel-delete; it never completes. 204.
func (s *Server) manageDelete(c *call) reply {
	return s.setPendingDelete(c, true)
}

// manageCancelDelete is POST /users/{accountId}/manage/lifecycle/cancel-delete: 204.
func (s *Server) manageCancelDelete(c *call) reply {
	return s.setPendingDelete(c, false)
}

func (s *Server) setPendingDelete(c *call, on bool) reply {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	u, rep := s.managedAccount(c)
	if rep != nil {
		return *rep
	}
	if u.pendingDelete == on {
		return reply{status: http.StatusNoContent}
	}
	u.pendingDelete = on
	op := OpCancelDelete
	u.status = StatusActive
	if on {
		op = OpScheduleDelete
		u.status = StatusDeactivated
	}
	s.acct.record(Mutation{Source: SourceAPI, Op: op, User: u.email, AccountID: u.accountID})
	return reply{status: http.StatusNoContent}
}
