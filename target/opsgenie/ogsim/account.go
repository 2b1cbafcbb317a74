package ogsim

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
	"github.com/ogsync/ogsync/model"
)

// user is one account user. Records are immutable once stored: an update
// stores a modified copy, so a record's cached JSON never goes stale and
// readers may keep a pointer after the lock is released.
type user struct {
	id        string
	username  string // lower-case
	fullName  string
	roleID    string // the role's id: the name for built-in roles
	roleName  string // canonical spelling
	timeZone  string
	locale    string
	skype     string
	address   address
	tags      []string
	details   map[string][]string
	blocked   bool
	verified  bool
	createdAt time.Time
	// invitationDisabled: created with invitationDisabled, so no invitation e-mail.
	invitationDisabled bool
	contactID          string // id of the user's e-mail contact (expand=contact)

	json atomic.Pointer[[]byte] // cached list/get JSON object
}

type address struct {
	Country string `json:"country"`
	State   string `json:"state"`
	City    string `json:"city"`
	Line    string `json:"line"`
	ZipCode string `json:"zipCode"`
}

// clone returns a mutable copy without the cached JSON.
func (u *user) clone() *user {
	return &user{
		id: u.id, username: u.username, fullName: u.fullName, roleID: u.roleID,
		roleName: u.roleName, timeZone: u.timeZone, locale: u.locale, skype: u.skype,
		address: u.address, tags: u.tags, details: u.details, blocked: u.blocked,
		verified: u.verified, createdAt: u.createdAt, contactID: u.contactID,
		invitationDisabled: u.invitationDisabled,
	}
}

type member struct {
	userID string
	role   string // admin | user
}

type team struct {
	id          string
	name        string
	description string
	members     []member // in insertion order
}

func (t *team) memberIndex(userID string) int {
	return slices.IndexFunc(t.members, func(m member) bool { return m.userID == userID })
}

// Participant and recipient types.
const (
	refUser       = "user"
	refTeam       = "team"
	refSchedule   = "schedule"
	refEscalation = "escalation"
	refNone       = "none"
)

// ref points at another entity by type and id; names are looked up when
// rendering so that renames show everywhere.
type ref struct {
	typ string
	id  string
}

type rotation struct {
	id           string
	name         string
	startDate    time.Time
	endDate      *time.Time
	typ          string // daily | weekly | hourly
	length       int
	participants []ref
	// timeRestriction is the restriction as the API received it, or nil.
	timeRestriction json.RawMessage
}

type schedule struct {
	id          string
	name        string
	description string
	timezone    string
	enabled     bool
	ownerTeamID string // may be empty
	rotations   []rotation
}

type rule struct {
	condition  string
	notifyType string
	delayMin   int
	recipient  ref
}

type repeat struct {
	WaitInterval         int  `json:"waitInterval"`
	Count                int  `json:"count"`
	ResetRecipientStates bool `json:"resetRecipientStates"`
	CloseAlertAfterAll   bool `json:"closeAlertAfterAll"`
}

type escalation struct {
	id          string
	name        string
	description string
	ownerTeamID string
	rules       []rule
	repeat      *repeat
}

type customRole struct {
	id           string
	name         string
	extendedRole string
	granted      []string
	disallowed   []string
}

// account is the emulated OpsGenie account. All fields are guarded by mu
// except the sort cache, which has its own lock.
type account struct {
	mu sync.RWMutex

	ids *idGen
	now func() time.Time

	usersByID   map[string]*user
	usersByName map[string]*user
	byUsername  []*user // sorted by username, ascending
	owners      int
	version     uint64 // bumped on every user change; keys the sort cache

	teams       map[string]*team
	teamsByName map[string]*team // lower-cased name
	teamOrder   []*team          // sorted by lower-cased name

	schedules      map[string]*schedule
	schedulesByNm  map[string]*schedule
	scheduleOrder  []*schedule
	escalations    map[string]*escalation
	escalationsNm  map[string]*escalation
	escalationOrdr []*escalation

	roles       map[string]*customRole // by id
	rolesByName map[string]*customRole // lower-cased name
	roleOrder   []*customRole

	sortMu    sync.Mutex
	sortCache map[string]sortedView

	journal simkit.Journal
}

type sortedView struct {
	version uint64
	users   []*user
}

func newAccount(ids *idGen, now func() time.Time) *account {
	return &account{
		ids: ids, now: now,
		usersByID: map[string]*user{}, usersByName: map[string]*user{},
		teams: map[string]*team{}, teamsByName: map[string]*team{},
		schedules: map[string]*schedule{}, schedulesByNm: map[string]*schedule{},
		escalations: map[string]*escalation{}, escalationsNm: map[string]*escalation{},
		roles: map[string]*customRole{}, rolesByName: map[string]*customRole{},
		sortCache: map[string]sortedView{},
	}
}

// lookupUser finds a user by id or by username (case-insensitively).
func (a *account) lookupUser(ident string) *user {
	if u, ok := a.usersByID[ident]; ok {
		return u
	}
	return a.usersByName[model.NormalizeUsername(ident)]
}

func cmpUsername(u *user, name string) int { return strings.Compare(u.username, name) }

// insertUser stores a new, validated user.
func (a *account) insertUser(u *user) {
	a.usersByID[u.id] = u
	a.usersByName[u.username] = u
	i, _ := slices.BinarySearchFunc(a.byUsername, u.username, cmpUsername)
	a.byUsername = slices.Insert(a.byUsername, i, u)
	if u.roleName == model.RoleOwner {
		a.owners++
	}
	a.version++
}

// replaceUser swaps a stored user for its updated copy (same id and username).
func (a *account) replaceUser(old, u *user) {
	a.usersByID[u.id] = u
	a.usersByName[u.username] = u
	if i, ok := slices.BinarySearchFunc(a.byUsername, u.username, cmpUsername); ok {
		a.byUsername[i] = u
	}
	if old.roleName == model.RoleOwner {
		a.owners--
	}
	if u.roleName == model.RoleOwner {
		a.owners++
	}
	a.version++
}

// removeUser deletes a user and its team memberships.
func (a *account) removeUser(u *user) {
	delete(a.usersByID, u.id)
	delete(a.usersByName, u.username)
	if i, ok := slices.BinarySearchFunc(a.byUsername, u.username, cmpUsername); ok {
		a.byUsername = slices.Delete(a.byUsername, i, i+1)
	}
	if u.roleName == model.RoleOwner {
		a.owners--
	}
	for _, t := range a.teamOrder {
		if i := t.memberIndex(u.id); i >= 0 {
			t.members = slices.Delete(t.members, i, i+1)
		}
	}
	a.version++
}

// userRefs returns the schedules (direct rotation participant) and
// escalations (direct rule recipient) that reference the user, by name.
func (a *account) userRefs(userID string) (scheds []*schedule, escs []*escalation) {
	target := ref{typ: refUser, id: userID}
	for _, s := range a.scheduleOrder {
		if s.references(target) {
			scheds = append(scheds, s)
		}
	}
	for _, e := range a.escalationOrdr {
		if e.references(target) {
			escs = append(escs, e)
		}
	}
	return scheds, escs
}

func (s *schedule) references(r ref) bool {
	for _, rot := range s.rotations {
		if slices.Contains(rot.participants, r) {
			return true
		}
	}
	return false
}

func (e *escalation) references(r ref) bool {
	return slices.ContainsFunc(e.rules, func(x rule) bool { return x.recipient == r })
}

// lookupRole resolves a role name: built-in names case-insensitively to
// their canonical spelling, then custom role names case-insensitively.
func (a *account) lookupRole(name string) (id, canonical string, ok bool) {
	if r, ok := model.CanonicalBuiltinRole(name); ok {
		return r, r, true
	}
	if r, ok := a.rolesByName[strings.ToLower(strings.TrimSpace(name))]; ok {
		return r.id, r.name, true
	}
	return "", "", false
}

func (a *account) insertRole(r *customRole) {
	a.roles[r.id] = r
	a.rolesByName[strings.ToLower(r.name)] = r
	a.roleOrder = insertSorted(a.roleOrder, r, func(r *customRole) string { return r.name })
}

// lookupTeam finds a team by id or by name (case-insensitively).
func (a *account) lookupTeam(ident string, byName bool) *team {
	if byName {
		return a.teamsByName[strings.ToLower(ident)]
	}
	return a.teams[ident]
}

func (a *account) insertTeam(t *team) {
	a.teams[t.id] = t
	a.teamsByName[strings.ToLower(t.name)] = t
	a.teamOrder = insertSorted(a.teamOrder, t, func(t *team) string { return t.name })
}

func (a *account) renameTeam(t *team, name string) {
	delete(a.teamsByName, strings.ToLower(t.name))
	a.teamOrder = slices.DeleteFunc(a.teamOrder, func(x *team) bool { return x == t })
	t.name = name
	a.insertTeam(t)
}

func (a *account) removeTeam(t *team) {
	delete(a.teams, t.id)
	delete(a.teamsByName, strings.ToLower(t.name))
	a.teamOrder = slices.DeleteFunc(a.teamOrder, func(x *team) bool { return x == t })
}

func (a *account) insertSchedule(s *schedule) {
	a.schedules[s.id] = s
	a.schedulesByNm[strings.ToLower(s.name)] = s
	a.scheduleOrder = insertSorted(a.scheduleOrder, s, func(s *schedule) string { return s.name })
}

func (a *account) removeSchedule(s *schedule) {
	delete(a.schedules, s.id)
	delete(a.schedulesByNm, strings.ToLower(s.name))
	a.scheduleOrder = slices.DeleteFunc(a.scheduleOrder, func(x *schedule) bool { return x == s })
}

func (a *account) insertEscalation(e *escalation) {
	a.escalations[e.id] = e
	a.escalationsNm[strings.ToLower(e.name)] = e
	a.escalationOrdr = insertSorted(a.escalationOrdr, e, func(e *escalation) string { return e.name })
}

func (a *account) removeEscalation(e *escalation) {
	delete(a.escalations, e.id)
	delete(a.escalationsNm, strings.ToLower(e.name))
	a.escalationOrdr = slices.DeleteFunc(a.escalationOrdr, func(x *escalation) bool { return x == e })
}

// insertSorted inserts v into s, kept sorted by the lower-cased key and then
// by the key itself.
func insertSorted[T any](s []T, v T, key func(T) string) []T {
	c := func(a, b T) int {
		ka, kb := key(a), key(b)
		return cmp.Or(strings.Compare(strings.ToLower(ka), strings.ToLower(kb)), strings.Compare(ka, kb))
	}
	i, _ := slices.BinarySearchFunc(s, v, c)
	return slices.Insert(s, i, v)
}

// refName returns the display fields of a reference: the id, plus the name
// (or username for users). ok is false when the target no longer exists.
func (a *account) refName(r ref) (name string, ok bool) {
	switch r.typ {
	case refUser:
		if u, ok := a.usersByID[r.id]; ok {
			return u.username, true
		}
	case refTeam:
		if t, ok := a.teams[r.id]; ok {
			return t.name, true
		}
	case refSchedule:
		if s, ok := a.schedules[r.id]; ok {
			return s.name, true
		}
	case refEscalation:
		if e, ok := a.escalations[r.id]; ok {
			return e.name, true
		}
	case refNone:
		return "", true
	}
	return "", false
}

// sortedUsers returns the users ordered by field (ascending), from a cache
// that is rebuilt only after users change. The username order is the live
// index and never needs sorting. Callers hold at least the read lock.
func (a *account) sortedUsers(field string) []*user {
	if field == "username" {
		return a.byUsername
	}
	a.sortMu.Lock()
	defer a.sortMu.Unlock()
	if v, ok := a.sortCache[field]; ok && v.version == a.version {
		return v.users
	}
	users := slices.Clone(a.byUsername) // already in username order: the tie-break
	less := userOrder(field)
	slices.SortStableFunc(users, less)
	a.sortCache[field] = sortedView{version: a.version, users: users}
	return users
}

// userOrder compares users by one sort field; ties keep username order.
func userOrder(field string) func(a, b *user) int {
	switch field {
	case "fullName":
		return func(a, b *user) int {
			return strings.Compare(strings.ToLower(a.fullName), strings.ToLower(b.fullName))
		}
	case "fullName.raw":
		return func(a, b *user) int { return strings.Compare(a.fullName, b.fullName) }
	case "role":
		return func(a, b *user) int { return strings.Compare(a.roleName, b.roleName) }
	case "verified":
		return func(a, b *user) int { return cmpBool(a.verified, b.verified) }
	case "blocked":
		return func(a, b *user) int { return cmpBool(a.blocked, b.blocked) }
	default: // createdAt
		return func(a, b *user) int { return a.createdAt.Compare(b.createdAt) }
	}
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	default:
		return 1
	}
}
