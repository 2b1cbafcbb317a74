package atlsim

import (
	"fmt"
	"slices"
	"time"
)

// Behavior holds the configurable choices for behaviour the wire reference
// (shared/reference/atlassian-wire.md) leaves open, one field per open
// question whose answer changes what a client must do. The zero value of
// each field is the variant believed real, except the time lags
// (OpsInvisibleFor, AccessLag, RemovalLag), which are off by default; the
// package README says why.
type Behavior struct {
	// MembersPageMax is the largest "first" of POST .../teams/{id}/members
	// (Q1); 0 means 50, the page size the official provider uses.
	MembersPageMax int
	// DirectoryPageMax is the largest "limit" of the admin v2 directory
	// users list (Q5); 0 means 100.
	DirectoryPageMax int
	// RejectOverMax answers 400 to a page size above its maximum (members
	// "first", directory "limit", teams "size" above 300, ops "size"
	// above the endpoint's cap) instead of capping it silently.
	RejectOverMax bool

	// NoRetryAfterTeamsOps leaves Retry-After out of the 429s of the
	// Teams and JSM Ops APIs, whose limits and headers are unpublished
	// (Q2), so a client must back off on its own.
	NoRetryAfterTeamsOps bool

	// OpsInvisibleCalls is how many enable-ops calls on a team created
	// through the API are answered "not found" before Ops sees the team
	// (eventual consistency, §3.2); 0 means 1, a negative value means none.
	OpsInvisibleCalls int
	// OpsInvisibleFor additionally hides a team created through the API
	// from enable-ops for this long after its creation (by Options.Clock).
	OpsInvisibleFor time.Duration
	// OpsInvisibleStatus is the status of those answers: 404 (the default,
	// observed in TP #38) or 422 (TP retries on both).
	OpsInvisibleStatus int
	// EnablePendingPolls is how many polls of an enable-ops request answer
	// IN_PROGRESS before the final status; 0 means 1, negative means none.
	EnablePendingPolls int
	// EnableFails makes every enable-ops request end FAILED, leaving
	// operations off.
	EnableFails bool
	// EnableAgain is what enable-ops does on a team whose operations are
	// already enabled (Q9): one of the EnableAgain* constants; "" means
	// EnableAgainConflict.
	EnableAgain string
	// OpsTeamsListAll makes GET /v1/teams list every team of the org, not
	// only the ops-enabled ones (Q9).
	OpsTeamsListAll bool
	// NoDefaultOpsResources stops enable-ops from creating the team's
	// default schedule "<name>_schedule" and escalation
	// "<name>_escalation" (§3.2).
	NoDefaultOpsResources bool

	// TeamDeleteStatus is the status of a successful team DELETE (Q14):
	// 204 or 200; 0 means 204.
	TeamDeleteStatus int
	// AddExistingMember is what adding a member who is already one does
	// (Q13): one of the AddExisting* constants; "" means AddExistingError.
	AddExistingMember string
	// SiteScopedTeams models an org that requires site-scoped teams
	// (§2.2 siteId): a team create without siteId is refused (400), and
	// lists and gets without siteId leave site-scoped teams out. Every
	// team created with a siteId, and every seeded team, is site-scoped.
	SiteScopedTeams bool

	// OpsDeleteScopeMismatch answers 401 "scope does not match" to every
	// JSM Ops DELETE, as a scoped token without the delete scope does
	// (Q4, observed by MCP); by default the token may delete.
	OpsDeleteScopeMismatch bool
	// ForwardingNotInPlan answers 402 to GET /v1/forwarding-rules, as a
	// plan without the feature does (§3.7).
	ForwardingNotInPlan bool

	// AccessLag hides product access granted through the API (invite,
	// Jira create) from reads (directory productAccess, Jira
	// applicationRoles) for this long (§4.2: role assignments are
	// eventually consistent, about 30 s [3p]); 0 shows it at once.
	AccessLag time.Duration
	// RemovalLag delays a directory removal: the account stays listed for
	// this long after the 202 (§4.3: removal is queued or asynchronous);
	// 0 removes it at once.
	RemovalLag time.Duration

	// OpsErrors is the JSM Ops error envelope (§3.8): OpsErrorsLegacy
	// (the default) or OpsErrorsList.
	OpsErrors string
	// JiraHideEmail renders emailAddress as absent in Jira user answers,
	// as the profile-visibility setting can (§4.1); the search still
	// matches e-mail prefixes.
	JiraHideEmail bool
}

// The choices of Behavior.EnableAgain.
const (
	// EnableAgainConflict answers 409 and starts no request.
	EnableAgainConflict = "conflict"
	// EnableAgainOK answers 200 with a new request that succeeds.
	EnableAgainOK = "ok"
	// EnableAgainUnprocessable answers 422 and starts no request.
	EnableAgainUnprocessable = "unprocessable"
)

// The choices of Behavior.AddExistingMember.
const (
	// AddExistingError reports the member in errors[] with code
	// ALREADY_MEMBER.
	AddExistingError = "error"
	// AddExistingIgnore lists the member as added and changes nothing.
	AddExistingIgnore = "ignore"
)

// The choices of Behavior.OpsErrors.
const (
	// OpsErrorsLegacy is the OpsGenie-style {message, took, requestId}
	// (the observed "Team not found" body, TP #38).
	OpsErrorsLegacy = "legacy"
	// OpsErrorsList is {errors: [{title, detail}]}.
	OpsErrorsList = "errors"
)

func (b Behavior) withDefaults() Behavior {
	if b.MembersPageMax == 0 {
		b.MembersPageMax = 50
	}
	if b.DirectoryPageMax == 0 {
		b.DirectoryPageMax = 100
	}
	switch {
	case b.OpsInvisibleCalls == 0:
		b.OpsInvisibleCalls = 1
	case b.OpsInvisibleCalls < 0:
		b.OpsInvisibleCalls = 0
	}
	if b.OpsInvisibleStatus == 0 {
		b.OpsInvisibleStatus = 404
	}
	switch {
	case b.EnablePendingPolls == 0:
		b.EnablePendingPolls = 1
	case b.EnablePendingPolls < 0:
		b.EnablePendingPolls = 0
	}
	if b.EnableAgain == "" {
		b.EnableAgain = EnableAgainConflict
	}
	if b.TeamDeleteStatus == 0 {
		b.TeamDeleteStatus = 204
	}
	if b.AddExistingMember == "" {
		b.AddExistingMember = AddExistingError
	}
	if b.OpsErrors == "" {
		b.OpsErrors = OpsErrorsLegacy
	}
	return b
}

// validate checks a Behavior with defaults applied.
func (b Behavior) validate() error {
	switch {
	case b.MembersPageMax < 1:
		return fmt.Errorf("members page max %d must be positive", b.MembersPageMax)
	case b.DirectoryPageMax < 1:
		return fmt.Errorf("directory page max %d must be positive", b.DirectoryPageMax)
	case b.OpsInvisibleFor < 0:
		return fmt.Errorf("ops invisible-for %v must not be negative", b.OpsInvisibleFor)
	case b.AccessLag < 0 || b.RemovalLag < 0:
		return fmt.Errorf("access lag %v and removal lag %v must not be negative", b.AccessLag, b.RemovalLag)
	case b.OpsInvisibleStatus != 404 && b.OpsInvisibleStatus != 422:
		return fmt.Errorf("ops invisible status %d must be 404 or 422", b.OpsInvisibleStatus)
	case !slices.Contains([]string{EnableAgainConflict, EnableAgainOK, EnableAgainUnprocessable}, b.EnableAgain):
		return fmt.Errorf("enable-again %q must be %s, %s or %s", b.EnableAgain, EnableAgainConflict, EnableAgainOK, EnableAgainUnprocessable)
	case b.TeamDeleteStatus != 200 && b.TeamDeleteStatus != 204:
		return fmt.Errorf("team delete status %d must be 200 or 204", b.TeamDeleteStatus)
	case !slices.Contains([]string{AddExistingError, AddExistingIgnore}, b.AddExistingMember):
		return fmt.Errorf("add-existing-member %q must be %s or %s", b.AddExistingMember, AddExistingError, AddExistingIgnore)
	case !slices.Contains([]string{OpsErrorsLegacy, OpsErrorsList}, b.OpsErrors):
		return fmt.Errorf("ops errors %q must be %s or %s", b.OpsErrors, OpsErrorsLegacy, OpsErrorsList)
	}
	return nil
}
