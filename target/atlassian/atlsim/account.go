package atlsim

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
)

// The account statuses of a user.
const (
	// StatusActive is an account that may sign in and use its products.
	StatusActive = "active"
	// StatusSuspended is an account whose access to the org is suspended
	// (POST .../suspend); reversible with .../restore.
	StatusSuspended = "suspended"
	// StatusDeactivated is a managed account disabled through the user
	// management API (.../manage/lifecycle/disable).
	StatusDeactivated = "deactivated"
)

// The team types of the Teams API.
const (
	TeamTypeOpen            = "OPEN"
	TeamTypeMemberInvite    = "MEMBER_INVITE"
	TeamTypeExternal        = "EXTERNAL"
	TeamTypeOrgAdminManaged = "ORG_ADMIN_MANAGED"
)

// The team states of the Teams API.
const (
	TeamStateActive   = "ACTIVE"
	TeamStateArchived = "ARCHIVED"
)

// ProductJSM is the product key of Jira Service Management, as in Jira's
// "products" and in the resource ARI ari:cloud:jira-servicedesk::site/{cloudId}.
const ProductJSM = "jira-servicedesk"

// productRoles are the roles an invite may grant on a product (BLINK's
// list, reference §4.2), without the "atlassian/" prefix.
var productRoles = []string{"user", "admin", "guest", "contributor", "customer", "basic", "stakeholder", "viewer"}

// products are the product keys Jira's POST /rest/api/3/user accepts.
var products = []string{ProductJSM, "jira-software", "jira-core", "jira-product-discovery"}

// user is an Atlassian account of the org directory.
type user struct {
	seq         int
	accountID   string
	email       string
	displayName string
	timeZone    string
	locale      string
	status      string
	managed     bool
	// access maps a product key to the role held on this site's product;
	// accessSince tells when each was granted (zero for seeded access).
	access      map[string]string
	accessSince map[string]time.Time
	properties  map[string]json.RawMessage
	// removeAt is when a directory removal takes effect (zero: never);
	// removed accounts keep their id for the journal and are invisible to
	// every API.
	removeAt time.Time
	// pendingDelete is set by .../manage/lifecycle/delete until
	// .../cancel-delete; the account is deactivated meanwhile.
	pendingDelete bool
	addedAt       time.Time
}

// member is one team membership, in join order.
type member struct {
	seq       int
	accountID string
}

// team is an Atlassian team and its operations side.
type team struct {
	seq         int
	id          string
	name        string
	description string
	teamType    string
	state       string
	creatorID   string
	deleted     bool
	siteScoped  bool // created with a siteId, or seeded
	members     []member
	// createdAt is set on teams created through the API (seeded ones are
	// never invisible to Ops); viaAPI tells them apart.
	createdAt time.Time
	viaAPI    bool
	// ops is set once operations are enabled (or seeded so).
	ops       bool
	opsAdmins []string
	// invisibleCalls counts enable-ops calls answered "not found" while
	// the team was not yet visible to Ops.
	invisibleCalls int
	roles          []teamRole
}

func (t *team) isMember(accountID string) bool {
	return slices.ContainsFunc(t.members, func(m member) bool { return m.accountID == accountID })
}

// teamRole is a per-team custom role of JSM Ops (definitions only).
type teamRole struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Rights []right `json:"rights"`
}

type right struct {
	Right   string `json:"right"`
	Granted bool   `json:"granted"`
}

// opsRequest is the asynchronous request an enable-ops call starts.
type opsRequest struct {
	id      string
	teamID  string
	polls   int // GET polls answered so far
	pending int // polls to answer IN_PROGRESS before the final status
	final   string
}

// ref is a rotation participant, override responder or rule recipient:
// type user (id = accountId), team, escalation, schedule or noone.
type ref struct {
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
}

type rotation struct {
	id           string
	name         string
	startDate    string
	endDate      string
	rotType      string
	length       int
	participants []ref
}

type override struct {
	alias       string
	responder   ref
	startDate   string
	endDate     string
	rotationIDs []string
}

type schedule struct {
	seq         int
	id          string
	name        string
	description string
	timezone    string
	enabled     bool
	teamID      string
	rotations   []*rotation
	overrides   []override
}

type rule struct {
	condition  string
	notifyType string
	delay      int
	recipient  ref
}

type escalation struct {
	seq         int
	id          string
	name        string
	description string
	enabled     bool
	teamID      string
	rules       []rule
	repeat      repeat
}

type repeat struct {
	WaitInterval         int  `json:"waitInterval"`
	Count                int  `json:"count"`
	ResetRecipientStates bool `json:"resetRecipientStates"`
	CloseAlertAfterAll   bool `json:"closeAlertAfterAll"`
}

// forwardingRule forwards one user's notifications to another for a
// while; both are accountIds.
type forwardingRule struct {
	id         string
	alias      string
	fromUserID string
	toUserID   string
	startDate  string
	endDate    string
}

// account is the whole emulated org and site. One mutex guards it: reads
// mutate too (lazily created callers, enable-ops and poll counters).
type account struct {
	mu          sync.Mutex
	ids         *idGen
	clock       func() time.Time
	seq         int // entity sequence, for stable cursors
	users       []*user
	teams       []*team
	schedules   []*schedule
	escalations []*escalation
	forwarding  []*forwardingRule
	requests    map[string]*opsRequest
	journal     simkit.Journal
}

func newAccount(ids *idGen, clock func() time.Time) *account {
	return &account{ids: ids, clock: clock, requests: map[string]*opsRequest{}}
}

func (a *account) nextSeq() int {
	a.seq++
	return a.seq
}

// newAccountID makes an id in the "712020:<uuid>" shape observed on live
// tenants (reference §3.1).
func (a *account) newAccountID() string { return "712020:" + a.ids.Next() }

// gone reports whether u has left the directory.
func (a *account) gone(u *user) bool {
	return !u.removeAt.IsZero() && !a.clock().Before(u.removeAt)
}

// userByID finds a directory account (not removed) by accountId.
func (a *account) userByID(id string) *user {
	for _, u := range a.users {
		if !a.gone(u) && u.accountID == id {
			return u
		}
	}
	return nil
}

// userByEmail finds a directory account (not removed) by e-mail, ignoring
// case.
func (a *account) userByEmail(email string) *user {
	for _, u := range a.users {
		if !a.gone(u) && strings.EqualFold(u.email, email) {
			return u
		}
	}
	return nil
}

// teamByID finds a team, deleted or not.
func (a *account) teamByID(id string) *team {
	for _, t := range a.teams {
		if t.id == id {
			return t
		}
	}
	return nil
}

func (a *account) scheduleByID(id string) *schedule {
	for _, s := range a.schedules {
		if s.id == id {
			return s
		}
	}
	return nil
}

func (a *account) escalationByID(teamID, id string) *escalation {
	for _, e := range a.escalations {
		if e.id == id && e.teamID == teamID {
			return e
		}
	}
	return nil
}

// addUser appends a new active account with the default time zone (UTC)
// and locale (en_US).
func (a *account) addUser(email, displayName string) *user {
	u := &user{seq: a.nextSeq(), accountID: a.newAccountID(), email: email, displayName: displayName,
		timeZone: "UTC", locale: "en_US", status: StatusActive, access: map[string]string{}, accessSince: map[string]time.Time{}, properties: map[string]json.RawMessage{}, addedAt: a.clock()}
	a.users = append(a.users, u)
	return u
}

// defaultDisplayName is the name of an account created from an e-mail
// alone: its local part.
func defaultDisplayName(email string) string {
	local, _, _ := strings.Cut(email, "@")
	return local
}

// encodeCursor makes an opaque cursor from an entity sequence number.
func encodeCursor(seq int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("seq:" + strconv.Itoa(seq)))
}

// decodeCursor reads a cursor made by encodeCursor; "" is the first page.
func decodeCursor(c string) (int, bool) {
	if c == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	n, ok := strings.CutPrefix(string(b), "seq:")
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(n)
	if err != nil || v < 0 {
		return 0, false
	}
	return v, true
}

// pageAfter returns up to size items whose sequence number is above
// after, and the cursor of the next page ("" when there is none).
func pageAfter[T any](items []T, seqOf func(T) int, after, size int) ([]T, string) {
	var out []T
	for _, it := range items {
		if seqOf(it) <= after {
			continue
		}
		if len(out) == size {
			return out, encodeCursor(seqOf(out[len(out)-1]))
		}
		out = append(out, it)
	}
	return out, ""
}
