package ogsim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
	"github.com/ogsync/ogsync/model"
)

// Seed is an initial account. Entities reference each other by username
// (users) and by name (teams, schedules, escalations); ids are generated
// where not given.
type Seed struct {
	// Keys are extra API keys with limited rights.
	Keys []SeedKey `yaml:"keys" json:"keys,omitempty"`
	// CustomRoles are the account's custom user roles.
	CustomRoles []SeedRole `yaml:"customRoles" json:"customRoles,omitempty"`
	// Users are the account's users.
	Users []SeedUser `yaml:"users" json:"users,omitempty"`
	// Teams are the account's teams with their members.
	Teams []SeedTeam `yaml:"teams" json:"teams,omitempty"`
	// Schedules are on-call schedules with rotations.
	Schedules []SeedSchedule `yaml:"schedules" json:"schedules,omitempty"`
	// Escalations are escalation policies with rules.
	Escalations []SeedEscalation `yaml:"escalations" json:"escalations,omitempty"`
}

// SeedKey is an API key with the rights it holds: any of "read",
// "create-update", "delete" and "configuration".
type SeedKey struct {
	Name   string   `yaml:"name" json:"name,omitempty"`
	Key    string   `yaml:"key" json:"key"`
	Rights []string `yaml:"rights" json:"rights"`
}

// SeedRole is a custom user role. ExtendedRole is user (the default),
// observer or stakeholder.
type SeedRole struct {
	ID               string   `yaml:"id" json:"id,omitempty"`
	Name             string   `yaml:"name" json:"name"`
	ExtendedRole     string   `yaml:"extendedRole" json:"extendedRole,omitempty"`
	GrantedRights    []string `yaml:"grantedRights" json:"grantedRights,omitempty"`
	DisallowedRights []string `yaml:"disallowedRights" json:"disallowedRights,omitempty"`
}

// SeedUser is a user. ID is optional (generated). Role is a built-in role
// (any case) or a custom role name; TimeZone and Locale default to the
// account defaults; CreatedAt defaults to the time the server is built.
type SeedUser struct {
	ID            string              `yaml:"id" json:"id,omitempty"`
	Username      string              `yaml:"username" json:"username"`
	FullName      string              `yaml:"fullName" json:"fullName"`
	Role          string              `yaml:"role" json:"role"`
	TimeZone      string              `yaml:"timeZone" json:"timeZone,omitempty"`
	Locale        string              `yaml:"locale" json:"locale,omitempty"`
	SkypeUsername string              `yaml:"skypeUsername" json:"skypeUsername,omitempty"`
	Tags          []string            `yaml:"tags" json:"tags,omitempty"`
	Details       map[string][]string `yaml:"details" json:"details,omitempty"`
	Blocked       bool                `yaml:"blocked" json:"blocked,omitempty"`
	Verified      bool                `yaml:"verified" json:"verified,omitempty"`
	CreatedAt     time.Time           `yaml:"createdAt" json:"createdAt,omitzero"`
}

// SeedTeam is a team. Like the real API, seeding a team also creates its
// default "<name>_schedule" and "<name>_escalation" unless the seed
// declares schedules or escalations of those names itself or
// NoDefaultResources is set.
type SeedTeam struct {
	ID                 string       `yaml:"id" json:"id,omitempty"`
	Name               string       `yaml:"name" json:"name"`
	Description        string       `yaml:"description" json:"description,omitempty"`
	Members            []SeedMember `yaml:"members" json:"members,omitempty"`
	NoDefaultResources bool         `yaml:"noDefaultResources" json:"noDefaultResources,omitempty"`
}

// SeedMember is a team membership; Role is admin or user (the default).
type SeedMember struct {
	Username string `yaml:"username" json:"username"`
	Role     string `yaml:"role" json:"role,omitempty"`
}

// SeedSchedule is an on-call schedule. Timezone defaults to the account
// default, Enabled to true; OwnerTeam is a team name.
type SeedSchedule struct {
	ID          string         `yaml:"id" json:"id,omitempty"`
	Name        string         `yaml:"name" json:"name"`
	Description string         `yaml:"description" json:"description,omitempty"`
	Timezone    string         `yaml:"timezone" json:"timezone,omitempty"`
	Enabled     *bool          `yaml:"enabled" json:"enabled,omitempty"`
	OwnerTeam   string         `yaml:"ownerTeam" json:"ownerTeam,omitempty"`
	Rotations   []SeedRotation `yaml:"rotations" json:"rotations,omitempty"`
}

// SeedRotation is a schedule rotation. Type is daily, weekly or hourly;
// Length defaults to 1; participants may be users, teams, escalations or
// none.
type SeedRotation struct {
	ID           string          `yaml:"id" json:"id,omitempty"`
	Name         string          `yaml:"name" json:"name"`
	Type         string          `yaml:"type" json:"type"`
	Length       int             `yaml:"length" json:"length,omitempty"`
	StartDate    time.Time       `yaml:"startDate" json:"startDate"`
	EndDate      *time.Time      `yaml:"endDate" json:"endDate,omitempty"`
	Participants []SeedRecipient `yaml:"participants" json:"participants"`
}

// SeedRecipient names exactly one entity: {user: USERNAME}, {team: NAME},
// {schedule: NAME}, {escalation: NAME} or {none: true}.
type SeedRecipient struct {
	User       string `yaml:"user" json:"user,omitempty"`
	Team       string `yaml:"team" json:"team,omitempty"`
	Schedule   string `yaml:"schedule" json:"schedule,omitempty"`
	Escalation string `yaml:"escalation" json:"escalation,omitempty"`
	None       bool   `yaml:"none" json:"none,omitempty"`
}

// SeedEscalation is an escalation policy; OwnerTeam is a team name.
type SeedEscalation struct {
	ID          string      `yaml:"id" json:"id,omitempty"`
	Name        string      `yaml:"name" json:"name"`
	Description string      `yaml:"description" json:"description,omitempty"`
	OwnerTeam   string      `yaml:"ownerTeam" json:"ownerTeam,omitempty"`
	Rules       []SeedRule  `yaml:"rules" json:"rules"`
	Repeat      *SeedRepeat `yaml:"repeat" json:"repeat,omitempty"`
}

// SeedRule is an escalation rule. Condition is if-not-acked (the default)
// or if-not-closed; NotifyType is default (the default), next, previous,
// users, admins, all or random; Delay is in minutes; the recipient is a
// user, team or schedule.
type SeedRule struct {
	Condition  string        `yaml:"condition" json:"condition,omitempty"`
	NotifyType string        `yaml:"notifyType" json:"notifyType,omitempty"`
	Delay      int           `yaml:"delay" json:"delay,omitempty"`
	Recipient  SeedRecipient `yaml:"recipient" json:"recipient"`
}

// SeedRepeat is an escalation's repeat setting.
type SeedRepeat struct {
	WaitInterval         int  `yaml:"waitInterval" json:"waitInterval"`
	Count                int  `yaml:"count" json:"count"`
	ResetRecipientStates bool `yaml:"resetRecipientStates" json:"resetRecipientStates,omitempty"`
	CloseAlertAfterAll   bool `yaml:"closeAlertAfterAll" json:"closeAlertAfterAll,omitempty"`
}

// LoadSeed reads a seed file (YAML or JSON) strictly: unknown keys,
// duplicate keys, wrong types and broken references are errors naming
// file:line.
func LoadSeed(file string) (*Seed, error) { return simkit.LoadSeed(file, ParseSeed) }

// ParseSeed parses and validates seed data; name is the file name used in
// errors ("name:line: ...").
func ParseSeed(name string, data []byte) (*Seed, error) {
	seed := &Seed{}
	if err := simkit.DecodeSeed(name, data, seed, func() error {
		_, err := buildAccount(seed, newAccount(newIDGen(0), time.Now), Behavior{}.withDefaults())
		return err
	}); err != nil {
		return nil, err
	}
	return seed, nil
}

// serr is a seed error at a path such as users[3].role: ParseSeed names
// its file and line.
func serr(msg string, path ...any) error { return simkit.SeedErr(msg, path...) }

// applySeed loads the seed into the server's (empty) account.
func (s *Server) applySeed(seed *Seed) error {
	keys, err := buildAccount(seed, s.acct, s.beh)
	if err != nil {
		return err
	}
	for k, r := range keys {
		if _, dup := s.keys[k]; dup {
			return errors.New("keys: a key equals the server's API key")
		}
		s.keys[k] = r
	}
	return nil
}

var (
	rotationTypes    = []string{"daily", "hourly", "weekly"}
	conditions       = []string{"if-not-acked", "if-not-closed"}
	notifyTypes      = []string{"admins", "all", "default", "next", "previous", "random", "users"}
	extendedRoles    = []string{"observer", "stakeholder", "user"}
	participantKinds = []string{refUser, refTeam, refEscalation, refNone}
	recipientKinds   = []string{refUser, refTeam, refSchedule}
)

// buildAccount validates seed and fills the empty account a with it. It
// returns the extra keys. Users are stored in bulk and sorted once, so
// 100k users seed in a fraction of a second.
func buildAccount(seed *Seed, a *account, beh Behavior) (map[string]Right, error) {
	keys, err := seedKeys(seed)
	if err != nil {
		return nil, err
	}
	s := &seeder{seed: seed, a: a, beh: beh, used: map[string]bool{}}
	// Schedules and escalations may reference each other, so both are
	// created first and their references resolved afterwards.
	for _, step := range []func() error{s.roles, s.users, s.teams, s.schedules, s.escalations, s.references} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	for _, st := range seed.Teams {
		if !st.NoDefaultResources {
			a.createDefaultResources(a.teamsByName[strings.ToLower(st.Name)], beh.DefaultTimeZone)
		}
	}
	return keys, nil
}

// seeder builds an account from a seed; used holds the ids the seed gives.
type seeder struct {
	seed *Seed
	a    *account
	beh  Behavior
	used map[string]bool
}

// newID returns the id the seed gives (refusing one used twice), or a new one.
func (s *seeder) newID(given string, path ...any) (string, error) {
	if given == "" {
		return s.a.ids.Next(), nil
	}
	if s.used[given] {
		return "", serr(fmt.Sprintf("id %q is used twice", given), path...)
	}
	s.used[given] = true
	return given, nil
}

// seedKeys checks the seed's API keys and returns their rights.
func seedKeys(seed *Seed) (map[string]Right, error) {
	keys := map[string]Right{}
	for i, k := range seed.Keys {
		if k.Key == "" {
			return nil, serr("key is required", "keys", i, "key")
		}
		if _, dup := keys[k.Key]; dup {
			return nil, serr("the same key is listed twice", "keys", i, "key")
		}
		if len(k.Rights) == 0 {
			return nil, serr("at least one right is required (read, create-update, delete, configuration)", "keys", i, "rights")
		}
		var r Right
		for j, name := range k.Rights {
			bit, ok := rightNames[strings.ToLower(name)]
			if !ok {
				return nil, serr(fmt.Sprintf("unknown right %q (use read, create-update, delete, configuration)", name), "keys", i, "rights", j)
			}
			r |= bit
		}
		keys[k.Key] = r
	}
	return keys, nil
}

// roles creates the custom roles.
func (s *seeder) roles() error {
	seed := s.seed
	a := s.a
	for i, r := range seed.CustomRoles {
		if strings.TrimSpace(r.Name) == "" {
			return serr("name is required", "customRoles", i, "name")
		}
		if _, builtin := model.CanonicalBuiltinRole(r.Name); builtin {
			return serr(fmt.Sprintf("%q is a built-in role", r.Name), "customRoles", i, "name")
		}
		if a.rolesByName[strings.ToLower(r.Name)] != nil {
			return serr(fmt.Sprintf("role %q is declared twice", r.Name), "customRoles", i, "name")
		}
		ext := cmpOr(strings.ToLower(r.ExtendedRole), "user")
		if !slices.Contains(extendedRoles, ext) {
			return serr(fmt.Sprintf("extendedRole %q must be user, observer or stakeholder", r.ExtendedRole), "customRoles", i, "extendedRole")
		}
		id, err := s.newID(r.ID, "customRoles", i, "id")
		if err != nil {
			return err
		}
		a.insertRole(&customRole{id: id, name: r.Name, extendedRole: ext,
			granted: slices.Clone(r.GrantedRights), disallowed: slices.Clone(r.DisallowedRights)})
	}
	return nil
}

// users creates the users.
func (s *seeder) users() error {
	seed := s.seed
	a := s.a
	beh := s.beh
	now := a.now()
	users := make([]*user, 0, len(seed.Users))
	for i, su := range seed.Users {
		u, err := seedUser(a, beh, su, now, i)
		if err != nil {
			return err
		}
		if a.usersByName[u.username] != nil {
			return serr(fmt.Sprintf("username %q is declared twice", u.username), "users", i, "username")
		}
		if u.id, err = s.newID(su.ID, "users", i, "id"); err != nil {
			return err
		}
		u.contactID = a.ids.Next()
		a.usersByName[u.username] = u
		a.usersByID[u.id] = u
		if u.roleName == model.RoleOwner {
			a.owners++
		}
		users = append(users, u)
	}
	slices.SortFunc(users, func(x, y *user) int { return strings.Compare(x.username, y.username) })
	a.byUsername = users
	a.version++
	return nil
}

// teams creates the teams with their members.
func (s *seeder) teams() error {
	seed := s.seed
	a := s.a
	for i, st := range seed.Teams {
		if msg := checkTeamName(st.Name); msg != "" {
			return serr(msg, "teams", i, "name")
		}
		if a.teamsByName[strings.ToLower(st.Name)] != nil {
			return serr(fmt.Sprintf("team %q is declared twice", st.Name), "teams", i, "name")
		}
		id, err := s.newID(st.ID, "teams", i, "id")
		if err != nil {
			return err
		}
		t := &team{id: id, name: st.Name, description: st.Description}
		for j, sm := range st.Members {
			var ref memberRef
			ref.User.Username, ref.Role = sm.Username, sm.Role
			if sm.Username == "" {
				return serr("username is required", "teams", i, "members", j, "username")
			}
			m, msg := a.resolveMember(ref)
			if msg != "" {
				return serr(msg, "teams", i, "members", j)
			}
			if t.memberIndex(m.userID) >= 0 {
				return serr(fmt.Sprintf("%s is a member twice", sm.Username), "teams", i, "members", j)
			}
			t.members = append(t.members, m)
		}
		a.insertTeam(t)
	}
	return nil
}

// schedules creates the schedules (their rotations come later).
func (s *seeder) schedules() error {
	seed := s.seed
	a := s.a
	beh := s.beh
	for i, ss := range seed.Schedules {
		if strings.TrimSpace(ss.Name) == "" {
			return serr("name is required", "schedules", i, "name")
		}
		if a.schedulesByNm[strings.ToLower(ss.Name)] != nil {
			return serr(fmt.Sprintf("schedule %q is declared twice", ss.Name), "schedules", i, "name")
		}
		id, err := s.newID(ss.ID, "schedules", i, "id")
		if err != nil {
			return err
		}
		tz := cmpOr(ss.Timezone, beh.DefaultTimeZone)
		if !validTimeZone(tz) {
			return serr(fmt.Sprintf("time zone %q is not a valid time zone", ss.Timezone), "schedules", i, "timezone")
		}
		sc := &schedule{id: id, name: ss.Name, description: ss.Description, timezone: tz, enabled: ss.Enabled == nil || *ss.Enabled}
		if ss.OwnerTeam != "" {
			t := a.teamsByName[strings.ToLower(ss.OwnerTeam)]
			if t == nil {
				return serr(fmt.Sprintf("no team %q", ss.OwnerTeam), "schedules", i, "ownerTeam")
			}
			sc.ownerTeamID = t.id
		}
		a.insertSchedule(sc)
	}
	return nil
}

// escalations creates the escalations (their rules come later).
func (s *seeder) escalations() error {
	seed := s.seed
	a := s.a
	for i, se := range seed.Escalations {
		if strings.TrimSpace(se.Name) == "" {
			return serr("name is required", "escalations", i, "name")
		}
		if a.escalationsNm[strings.ToLower(se.Name)] != nil {
			return serr(fmt.Sprintf("escalation %q is declared twice", se.Name), "escalations", i, "name")
		}
		id, err := s.newID(se.ID, "escalations", i, "id")
		if err != nil {
			return err
		}
		e := &escalation{id: id, name: se.Name, description: se.Description}
		if se.OwnerTeam != "" {
			t := a.teamsByName[strings.ToLower(se.OwnerTeam)]
			if t == nil {
				return serr(fmt.Sprintf("no team %q", se.OwnerTeam), "escalations", i, "ownerTeam")
			}
			e.ownerTeamID = t.id
		}
		if se.Repeat != nil {
			if se.Repeat.WaitInterval < 0 || se.Repeat.Count < 0 {
				return serr("waitInterval and count must not be negative", "escalations", i, "repeat")
			}
			e.repeat = &repeat{WaitInterval: se.Repeat.WaitInterval, Count: se.Repeat.Count,
				ResetRecipientStates: se.Repeat.ResetRecipientStates, CloseAlertAfterAll: se.Repeat.CloseAlertAfterAll}
		}
		a.insertEscalation(e)
	}
	return nil
}

// references adds the rotations and escalation rules, which may reference any schedule or escalation.
func (s *seeder) references() error {
	seed := s.seed
	a := s.a
	for i, ss := range seed.Schedules {
		sc := a.schedulesByNm[strings.ToLower(ss.Name)]
		for j, sr := range ss.Rotations {
			rot, err := seedRotation(a, sr, "schedules", i, "rotations", j)
			if err != nil {
				return err
			}
			sc.rotations = append(sc.rotations, rot)
		}
	}
	for i, se := range seed.Escalations {
		e := a.escalationsNm[strings.ToLower(se.Name)]
		if len(se.Rules) == 0 {
			return serr("at least one rule is required", "escalations", i, "rules")
		}
		for j, sr := range se.Rules {
			path := []any{"escalations", i, "rules", j}
			r := rule{condition: cmpOr(sr.Condition, "if-not-acked"), notifyType: cmpOr(sr.NotifyType, "default"), delayMin: sr.Delay}
			if !slices.Contains(conditions, r.condition) {
				return serr(fmt.Sprintf("condition %q must be if-not-acked or if-not-closed", sr.Condition), append(path, "condition")...)
			}
			if !slices.Contains(notifyTypes, r.notifyType) {
				return serr(fmt.Sprintf("notifyType %q must be one of %s", sr.NotifyType, strings.Join(notifyTypes, ", ")), append(path, "notifyType")...)
			}
			if sr.Delay < 0 {
				return serr("delay must not be negative", append(path, "delay")...)
			}
			var err error
			if r.recipient, err = seedRef(a, sr.Recipient, recipientKinds, append(path, "recipient")...); err != nil {
				return err
			}
			e.rules = append(e.rules, r)
		}
	}
	return nil
}

func seedUser(a *account, beh Behavior, su SeedUser, now time.Time, i int) (*user, error) {
	errs := map[string]string{}
	name := checkUsername(su.Username, errs)
	if msg, bad := errs["username"]; bad {
		return nil, serr(msg, "users", i, "username")
	}
	u := &user{username: name, fullName: su.FullName, timeZone: cmpOr(su.TimeZone, beh.DefaultTimeZone),
		locale: cmpOr(su.Locale, beh.DefaultLocale), skype: su.SkypeUsername, tags: normTags(su.Tags),
		details: normDetails(su.Details), blocked: su.Blocked, verified: su.Verified, createdAt: su.CreatedAt}
	if u.createdAt.IsZero() {
		u.createdAt = now
	}
	switch {
	case strings.TrimSpace(su.FullName) == "":
		return nil, serr("fullName is required", "users", i, "fullName")
	case len([]rune(su.FullName)) > maxFullNameLen:
		return nil, serr(fmt.Sprintf("fullName can be at most %d characters", maxFullNameLen), "users", i, "fullName")
	case !validTimeZone(u.timeZone):
		return nil, serr(fmt.Sprintf("time zone %q is not a valid time zone", su.TimeZone), "users", i, "timeZone")
	case !validLocale(u.locale):
		return nil, serr(fmt.Sprintf("locale %q is not a supported locale id", su.Locale), "users", i, "locale")
	}
	id, canonical, ok := a.lookupRole(su.Role)
	if !ok {
		return nil, serr(fmt.Sprintf("role %q is not a built-in role (Owner, Admin, User, Observer, Stakeholder) or a declared custom role", su.Role), "users", i, "role")
	}
	u.roleID, u.roleName = id, canonical
	return u, nil
}

func seedRotation(a *account, sr SeedRotation, path ...any) (rotation, error) {
	at := func(k string) []any { return append(slices.Clone(path), k) }
	r := rotation{id: a.ids.Next(), name: sr.Name, typ: sr.Type, length: sr.Length, startDate: sr.StartDate}
	if sr.ID != "" {
		r.id = sr.ID
	}
	if r.length == 0 {
		r.length = 1
	}
	switch {
	case !slices.Contains(rotationTypes, sr.Type):
		return r, serr(fmt.Sprintf("type %q must be daily, weekly or hourly", sr.Type), at("type")...)
	case r.length < 0:
		return r, serr("length must be positive", at("length")...)
	case sr.StartDate.IsZero():
		return r, serr("startDate is required", at("startDate")...)
	case sr.EndDate != nil && !sr.EndDate.After(sr.StartDate):
		return r, serr("endDate must be after startDate", at("endDate")...)
	case len(sr.Participants) == 0:
		return r, serr("at least one participant is required", at("participants")...)
	}
	if sr.EndDate != nil {
		end := *sr.EndDate
		r.endDate = &end
	}
	for k, p := range sr.Participants {
		ref, err := seedRef(a, p, participantKinds, append(at("participants"), k)...)
		if err != nil {
			return r, err
		}
		r.participants = append(r.participants, ref)
	}
	return r, nil
}

// seedRef resolves a recipient naming exactly one entity of an allowed kind.
func seedRef(a *account, p SeedRecipient, allowed []string, path ...any) (ref, error) {
	var kinds []string
	var out ref
	if p.User != "" {
		kinds = append(kinds, refUser)
		if u := a.usersByName[model.NormalizeUsername(p.User)]; u != nil {
			out = ref{refUser, u.id}
		} else {
			return out, serr(fmt.Sprintf("no user %q", p.User), path...)
		}
	}
	if p.Team != "" {
		kinds = append(kinds, refTeam)
		if t := a.teamsByName[strings.ToLower(p.Team)]; t != nil {
			out = ref{refTeam, t.id}
		} else {
			return out, serr(fmt.Sprintf("no team %q", p.Team), path...)
		}
	}
	if p.Schedule != "" {
		kinds = append(kinds, refSchedule)
		if s := a.schedulesByNm[strings.ToLower(p.Schedule)]; s != nil {
			out = ref{refSchedule, s.id}
		} else {
			return out, serr(fmt.Sprintf("no schedule %q", p.Schedule), path...)
		}
	}
	if p.Escalation != "" {
		kinds = append(kinds, refEscalation)
		if e := a.escalationsNm[strings.ToLower(p.Escalation)]; e != nil {
			out = ref{refEscalation, e.id}
		} else {
			return out, serr(fmt.Sprintf("no escalation %q", p.Escalation), path...)
		}
	}
	if p.None {
		kinds = append(kinds, refNone)
		out = ref{typ: refNone}
	}
	switch {
	case len(kinds) != 1:
		return out, serr(fmt.Sprintf("name exactly one of %s", strings.Join(allowed, ", ")), path...)
	case !slices.Contains(allowed, kinds[0]):
		return out, serr(fmt.Sprintf("a %s can not be used here (use %s)", kinds[0], strings.Join(allowed, ", ")), path...)
	}
	return out, nil
}
