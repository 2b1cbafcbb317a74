package atlsim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
	"github.com/ogsync/ogsync/model"
)

// Seed is an initial org. Entities reference each other by e-mail
// (accounts) and by name (teams, schedules, escalations); ids are
// generated where not given.
type Seed struct {
	// OrgID is the organization id; Options.OrgID takes precedence.
	OrgID string `yaml:"orgId" json:"orgId,omitempty"`
	// CloudID is the site id; Options.CloudID takes precedence.
	CloudID string `yaml:"cloudId" json:"cloudId,omitempty"`
	// Users are the accounts of the org directory.
	Users []SeedUser `yaml:"users" json:"users,omitempty"`
	// Teams are Atlassian teams with their members and operations side.
	Teams []SeedTeam `yaml:"teams" json:"teams,omitempty"`
	// Schedules are JSM Ops schedules with rotations and overrides.
	Schedules []SeedSchedule `yaml:"schedules" json:"schedules,omitempty"`
	// Escalations are JSM Ops escalations, each of a team.
	Escalations []SeedEscalation `yaml:"escalations" json:"escalations,omitempty"`
	// ForwardingRules forward one account's notifications to another.
	ForwardingRules []SeedForwarding `yaml:"forwardingRules" json:"forwardingRules,omitempty"`
}

// SeedForwarding is a forwarding rule from one account to another
// (e-mails) between two RFC 3339 dates.
type SeedForwarding struct {
	ID        string `yaml:"id" json:"id,omitempty"`
	Alias     string `yaml:"alias" json:"alias,omitempty"`
	From      string `yaml:"from" json:"from"`
	To        string `yaml:"to" json:"to"`
	StartDate string `yaml:"startDate" json:"startDate"`
	EndDate   string `yaml:"endDate" json:"endDate"`
}

// SeedUser is an account. Access maps a product key (jira-servicedesk,
// jira-software, jira-core, jira-product-discovery) to the role held on
// this site (user, admin, guest, contributor, customer, basic,
// stakeholder, viewer). Status is active (the default), suspended or
// deactivated; Managed marks an account of a verified domain (the user
// management API works only on those). Properties are Jira user
// properties: key to any JSON value.
type SeedUser struct {
	AccountID   string            `yaml:"accountId" json:"accountId,omitempty"`
	Email       string            `yaml:"email" json:"email"`
	DisplayName string            `yaml:"displayName" json:"displayName"`
	TimeZone    string            `yaml:"timeZone" json:"timeZone,omitempty"`
	Locale      string            `yaml:"locale" json:"locale,omitempty"`
	Access      map[string]string `yaml:"access" json:"access,omitempty"`
	Status      string            `yaml:"status" json:"status,omitempty"`
	Managed     bool              `yaml:"managed" json:"managed,omitempty"`
	Properties  map[string]any    `yaml:"properties" json:"properties,omitempty"`
}

// SeedTeam is a team. TeamType defaults to MEMBER_INVITE, State to
// ACTIVE. Members are e-mails in join order. Operations marks the team
// ops-enabled, with Admins (members) as its ops admins. Deleted makes a
// team that answers 410. Seeded teams are visible to Ops at once.
type SeedTeam struct {
	TeamID      string         `yaml:"teamId" json:"teamId,omitempty"`
	DisplayName string         `yaml:"displayName" json:"displayName"`
	Description string         `yaml:"description" json:"description,omitempty"`
	TeamType    string         `yaml:"teamType" json:"teamType,omitempty"`
	State       string         `yaml:"state" json:"state,omitempty"`
	Members     []string       `yaml:"members" json:"members,omitempty"`
	Operations  bool           `yaml:"operations" json:"operations,omitempty"`
	Admins      []string       `yaml:"admins" json:"admins,omitempty"`
	Deleted     bool           `yaml:"deleted" json:"deleted,omitempty"`
	Roles       []SeedTeamRole `yaml:"roles" json:"roles,omitempty"`
}

// SeedTeamRole is a per-team custom role: the rights it grants.
type SeedTeamRole struct {
	ID     string   `yaml:"id" json:"id,omitempty"`
	Name   string   `yaml:"name" json:"name"`
	Rights []string `yaml:"rights" json:"rights,omitempty"`
}

// SeedSchedule is a schedule of an ops-enabled team (by display name).
// Timezone defaults to UTC, Enabled to true.
type SeedSchedule struct {
	ID          string         `yaml:"id" json:"id,omitempty"`
	Name        string         `yaml:"name" json:"name"`
	Description string         `yaml:"description" json:"description,omitempty"`
	Timezone    string         `yaml:"timezone" json:"timezone,omitempty"`
	Enabled     *bool          `yaml:"enabled" json:"enabled,omitempty"`
	Team        string         `yaml:"team" json:"team"`
	Rotations   []SeedRotation `yaml:"rotations" json:"rotations,omitempty"`
	Overrides   []SeedOverride `yaml:"overrides" json:"overrides,omitempty"`
}

// SeedRotation is a rotation: Type daily, weekly or hourly; Length
// defaults to 1; dates are RFC 3339.
type SeedRotation struct {
	ID           string    `yaml:"id" json:"id,omitempty"`
	Name         string    `yaml:"name" json:"name"`
	Type         string    `yaml:"type" json:"type"`
	Length       int       `yaml:"length" json:"length,omitempty"`
	StartDate    string    `yaml:"startDate" json:"startDate"`
	EndDate      string    `yaml:"endDate" json:"endDate,omitempty"`
	Participants []SeedRef `yaml:"participants" json:"participants,omitempty"`
}

// SeedOverride is an override of a schedule: User (an e-mail; empty means
// noone) covers the named rotations (all when empty) from StartDate to
// EndDate.
type SeedOverride struct {
	Alias     string   `yaml:"alias" json:"alias"`
	User      string   `yaml:"user" json:"user,omitempty"`
	StartDate string   `yaml:"startDate" json:"startDate"`
	EndDate   string   `yaml:"endDate" json:"endDate"`
	Rotations []string `yaml:"rotations" json:"rotations,omitempty"`
}

// SeedRef names exactly one of: a user (e-mail), a team, an escalation or
// a schedule (names), or noone.
type SeedRef struct {
	User       string `yaml:"user" json:"user,omitempty"`
	Team       string `yaml:"team" json:"team,omitempty"`
	Escalation string `yaml:"escalation" json:"escalation,omitempty"`
	Schedule   string `yaml:"schedule" json:"schedule,omitempty"`
	Noone      bool   `yaml:"noone" json:"noone,omitempty"`
}

// SeedEscalation is an escalation of an ops-enabled team. Enabled
// defaults to true.
type SeedEscalation struct {
	ID          string     `yaml:"id" json:"id,omitempty"`
	Name        string     `yaml:"name" json:"name"`
	Description string     `yaml:"description" json:"description,omitempty"`
	Team        string     `yaml:"team" json:"team"`
	Enabled     *bool      `yaml:"enabled" json:"enabled,omitempty"`
	Rules       []SeedRule `yaml:"rules" json:"rules,omitempty"`
}

// SeedRule is an escalation rule. Condition defaults to if-not-acked,
// NotifyType to default; Delay is in minutes; the recipient is a user, a
// schedule or a team.
type SeedRule struct {
	Condition  string  `yaml:"condition" json:"condition,omitempty"`
	NotifyType string  `yaml:"notifyType" json:"notifyType,omitempty"`
	Delay      int     `yaml:"delay" json:"delay"`
	Recipient  SeedRef `yaml:"recipient" json:"recipient"`
}

// LoadSeed reads a seed file (YAML or JSON, which is YAML). Unknown keys
// and inconsistencies are errors naming file:line.
func LoadSeed(file string) (*Seed, error) { return simkit.LoadSeed(file, ParseSeed) }

// ParseSeed parses and checks a seed; name is used in error messages.
func ParseSeed(name string, data []byte) (*Seed, error) {
	seed := &Seed{}
	if err := simkit.DecodeSeed(name, data, seed, func() error { return buildOrg(seed, newAccount(newIDGen(0), time.Now)) }); err != nil {
		return nil, err
	}
	return seed, nil
}

var (
	rotationTypes  = []string{"daily", "weekly", "hourly"}
	conditions     = []string{"if-not-acked", "if-not-closed"}
	notifyTypes    = []string{"default", "next", "previous", "users", "admins", "all", "random"}
	teamRoleRights = []string{"access-reports"}
)

func init() {
	for _, obj := range []string{"escalations", "heartbeats", "integrations", "maintenance", "policies", "routing-rules", "schedules", "team-roles"} {
		teamRoleRights = append(teamRoleRights, "delete-"+obj, "edit-"+obj)
	}
}

// buildOrg loads a checked seed into an empty account. Escalations and
// schedules are created before their rules and rotations, so that a
// participant may name any of them.
func buildOrg(seed *Seed, a *account) error {
	for _, id := range []struct{ key, v string }{{"orgId", seed.OrgID}, {"cloudId", seed.CloudID}} {
		if id.v != "" && !validPathID(id.v) {
			return serr("must not contain '/', '?', '#' or spaces", id.key)
		}
	}
	b := &orgBuilder{seed: seed, a: a, ids: map[string]bool{}, teamsByName: map[string]*team{},
		escByName: map[string]*escalation{}, schedByName: map[string]*schedule{}}
	for _, step := range []func() error{b.users, b.teams, b.escalations, b.schedules, b.escalationRules, b.scheduleEntries, b.forwardingRules} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// orgBuilder builds an org from a seed, one kind of entity a step; ids
// holds the ids the seed gives, the maps the entities by seed name
// (schedules by lower-case name).
type orgBuilder struct {
	seed        *Seed
	a           *account
	ids         map[string]bool
	teamsByName map[string]*team
	escByName   map[string]*escalation
	schedByName map[string]*schedule
}

// uniqueID refuses an id the seed gives twice; "" (generate one) passes.
func (b *orgBuilder) uniqueID(id string, path ...any) error {
	if id == "" {
		return nil
	}
	if b.ids[id] {
		return serr("id "+id+" is used twice", path...)
	}
	b.ids[id] = true
	return nil
}

// idOr returns the id the seed gives or a new one.
func (b *orgBuilder) idOr(given string) string {
	if given == "" {
		return b.a.ids.Next()
	}
	return given
}

// users adds the directory's accounts.
func (b *orgBuilder) users() error {
	now := b.a.clock()
	for i, su := range b.seed.Users {
		if err := b.checkUser(i, su); err != nil {
			return err
		}
		status := cmp.Or(su.Status, StatusActive)
		u := b.a.addUser(su.Email, cmp.Or(su.DisplayName, defaultDisplayName(su.Email)))
		if su.AccountID != "" {
			u.accountID = su.AccountID
		}
		u.addedAt = now
		u.status, u.managed = status, su.Managed
		if su.TimeZone != "" {
			u.timeZone = su.TimeZone
		}
		if su.Locale != "" {
			u.locale = su.Locale
		}
		for p, role := range su.Access {
			if !slices.Contains(products, p) {
				return serr("unknown product "+p+" (want one of "+strings.Join(products, ", ")+")", "users", i, "access", p)
			}
			if !slices.Contains(productRoles, role) {
				return serr("unknown role "+role+" (want one of "+strings.Join(productRoles, ", ")+")", "users", i, "access", p)
			}
			u.access[p] = role
		}
		for k, v := range su.Properties {
			data, err := json.Marshal(v)
			if err != nil || k == "" || len(k) > maxPropertyKey {
				return serr("property "+k+" must have a key of 1 to 255 characters and a JSON value", "users", i, "properties", k)
			}
			u.properties[k] = data
		}
	}
	return nil
}

// checkUser checks the scalar fields of users[i].
func (b *orgBuilder) checkUser(i int, su SeedUser) error {
	if !validEmail(su.Email) {
		return serr("a valid e-mail is required", "users", i, "email")
	}
	if b.a.userByEmail(su.Email) != nil {
		return serr("e-mail "+su.Email+" is used twice", "users", i, "email")
	}
	if err := b.uniqueID(su.AccountID, "users", i, "accountId"); err != nil {
		return err
	}
	if !slices.Contains([]string{StatusActive, StatusSuspended, StatusDeactivated}, cmp.Or(su.Status, StatusActive)) {
		return serr("status must be active, suspended or deactivated", "users", i, "status")
	}
	if su.TimeZone != "" {
		if _, err := time.LoadLocation(su.TimeZone); err != nil {
			return serr("unknown time zone "+su.TimeZone, "users", i, "timeZone")
		}
	}
	if su.Locale != "" && model.CheckLocale(su.Locale) == model.LocaleUnsupported {
		return serr("unknown locale "+su.Locale, "users", i, "locale")
	}
	return nil
}

// teams adds the teams with their members, ops admins and roles.
func (b *orgBuilder) teams() error {
	for i, st := range b.seed.Teams {
		t, err := b.newTeam(i, st)
		if err != nil {
			return err
		}
		for j, e := range st.Members {
			u := b.a.userByEmail(e)
			if u == nil {
				return serr("no user with e-mail "+e, "teams", i, "members", j)
			}
			if t.isMember(u.accountID) {
				return serr(e+" is listed twice", "teams", i, "members", j)
			}
			t.members = append(t.members, member{seq: b.a.nextSeq(), accountID: u.accountID})
		}
		if len(st.Admins) > 0 && !st.Operations {
			return serr("admins need operations: true", "teams", i, "admins")
		}
		for j, e := range st.Admins {
			u := b.a.userByEmail(e)
			if u == nil || !t.isMember(u.accountID) {
				return serr(e+" is not a member of the team", "teams", i, "admins", j)
			}
			t.opsAdmins = append(t.opsAdmins, u.accountID)
		}
		for j, sr := range st.Roles {
			role, err := b.teamRole(sr, "teams", i, "roles", j)
			if err != nil {
				return err
			}
			t.roles = append(t.roles, role)
		}
		b.a.teams = append(b.a.teams, t)
	}
	return nil
}

// newTeam checks teams[i] and returns the team without members; a live
// team is known by name from then on.
func (b *orgBuilder) newTeam(i int, st SeedTeam) (*team, error) {
	if st.DisplayName == "" || len([]rune(st.DisplayName)) > maxDisplayName {
		return nil, serr(fmt.Sprintf("a displayName of 1 to %d characters is required", maxDisplayName), "teams", i, "displayName")
	}
	if len([]rune(st.Description)) > maxDescription {
		return nil, serr(fmt.Sprintf("description must be at most %d characters", maxDescription), "teams", i, "description")
	}
	if err := b.uniqueID(st.TeamID, "teams", i, "teamId"); err != nil {
		return nil, err
	}
	tt, state := cmp.Or(st.TeamType, TeamTypeMemberInvite), cmp.Or(st.State, TeamStateActive)
	if !slices.Contains([]string{TeamTypeOpen, TeamTypeMemberInvite, TeamTypeExternal, TeamTypeOrgAdminManaged}, tt) {
		return nil, serr("teamType must be OPEN, MEMBER_INVITE, EXTERNAL or ORG_ADMIN_MANAGED", "teams", i, "teamType")
	}
	if state != TeamStateActive && state != TeamStateArchived {
		return nil, serr("state must be ACTIVE or ARCHIVED", "teams", i, "state")
	}
	t := &team{seq: b.a.nextSeq(), id: st.TeamID, name: st.DisplayName, description: st.Description, teamType: tt,
		state: state, deleted: st.Deleted, siteScoped: true, ops: st.Operations}
	t.id = b.idOr(t.id)
	if !st.Deleted {
		if b.teamsByName[t.name] != nil {
			return nil, serr("two live teams are named "+t.name+"; names must be unique in a seed", "teams", i, "displayName")
		}
		b.teamsByName[t.name] = t
	}
	return t, nil
}

// teamRole builds a team's custom role: every right, granted or not.
func (b *orgBuilder) teamRole(sr SeedTeamRole, path ...any) (teamRole, error) {
	if sr.Name == "" {
		return teamRole{}, serr("name is required", append(slices.Clip(path), "name")...)
	}
	role := teamRole{ID: b.idOr(sr.ID), Name: sr.Name, Rights: []right{}}
	for _, r := range teamRoleRights {
		role.Rights = append(role.Rights, right{Right: r, Granted: slices.Contains(sr.Rights, r)})
	}
	for _, r := range sr.Rights {
		if !slices.Contains(teamRoleRights, r) {
			return teamRole{}, serr("unknown right "+r, append(slices.Clip(path), "rights")...)
		}
	}
	return role, nil
}

// opsTeam finds the ops-enabled team a schedule or escalation belongs to.
func (b *orgBuilder) opsTeam(name string, path ...any) (*team, error) {
	t := b.teamsByName[name]
	if t == nil {
		return nil, serr("no team named "+name, path...)
	}
	if !t.ops {
		return nil, serr("team "+name+" does not have operations: true", path...)
	}
	return t, nil
}

// escalations adds the escalations without their rules.
func (b *orgBuilder) escalations() error {
	for i, se := range b.seed.Escalations {
		if se.Name == "" {
			return serr("name is required", "escalations", i, "name")
		}
		if b.escByName[se.Name] != nil {
			return serr("escalation "+se.Name+" is defined twice", "escalations", i, "name")
		}
		if err := b.uniqueID(se.ID, "escalations", i, "id"); err != nil {
			return err
		}
		t, err := b.opsTeam(se.Team, "escalations", i, "team")
		if err != nil {
			return err
		}
		e := &escalation{seq: b.a.nextSeq(), id: se.ID, name: se.Name, description: se.Description, enabled: se.Enabled == nil || *se.Enabled, teamID: t.id}
		e.id = b.idOr(e.id)
		b.escByName[e.name] = e
		b.a.escalations = append(b.a.escalations, e)
	}
	return nil
}

// schedules adds the schedules without their rotations and overrides.
func (b *orgBuilder) schedules() error {
	for i, ss := range b.seed.Schedules {
		if ss.Name == "" {
			return serr("name is required", "schedules", i, "name")
		}
		if b.schedByName[strings.ToLower(ss.Name)] != nil {
			return serr("schedule "+ss.Name+" is defined twice (names are unique, case-insensitively)", "schedules", i, "name")
		}
		if err := b.uniqueID(ss.ID, "schedules", i, "id"); err != nil {
			return err
		}
		t, err := b.opsTeam(ss.Team, "schedules", i, "team")
		if err != nil {
			return err
		}
		tz := cmp.Or(ss.Timezone, "UTC")
		if _, err := time.LoadLocation(tz); err != nil {
			return serr("unknown time zone "+tz, "schedules", i, "timezone")
		}
		sc := &schedule{seq: b.a.nextSeq(), id: ss.ID, name: ss.Name, description: ss.Description, timezone: tz,
			enabled: ss.Enabled == nil || *ss.Enabled, teamID: t.id}
		sc.id = b.idOr(sc.id)
		b.schedByName[strings.ToLower(sc.name)] = sc
		b.a.schedules = append(b.a.schedules, sc)
	}
	return nil
}

// resolve turns a seed reference into a ref of one of the allowed types.
func (b *orgBuilder) resolve(r SeedRef, allowed []string, path ...any) (ref, error) {
	var out []ref
	if r.User != "" {
		u := b.a.userByEmail(r.User)
		if u == nil {
			return ref{}, serr("no user with e-mail "+r.User, path...)
		}
		out = append(out, ref{"user", u.accountID})
	}
	if r.Team != "" {
		t := b.teamsByName[r.Team]
		if t == nil {
			return ref{}, serr("no team named "+r.Team, path...)
		}
		out = append(out, ref{"team", t.id})
	}
	if r.Escalation != "" {
		e := b.escByName[r.Escalation]
		if e == nil {
			return ref{}, serr("no escalation named "+r.Escalation, path...)
		}
		out = append(out, ref{"escalation", e.id})
	}
	if r.Schedule != "" {
		sc := b.schedByName[strings.ToLower(r.Schedule)]
		if sc == nil {
			return ref{}, serr("no schedule named "+r.Schedule, path...)
		}
		out = append(out, ref{"schedule", sc.id})
	}
	if r.Noone {
		out = append(out, ref{Type: "noone"})
	}
	if len(out) != 1 {
		return ref{}, serr("name exactly one of "+strings.Join(allowed, ", "), path...)
	}
	if !slices.Contains(allowed, out[0].Type) {
		return ref{}, serr(out[0].Type+" is not allowed here (want one of "+strings.Join(allowed, ", ")+")", path...)
	}
	return out[0], nil
}

// escalationRules adds the escalations' rules.
func (b *orgBuilder) escalationRules() error {
	for i, se := range b.seed.Escalations {
		e := b.escByName[se.Name]
		for j, sr := range se.Rules {
			r := rule{condition: cmp.Or(sr.Condition, "if-not-acked"), notifyType: cmp.Or(sr.NotifyType, "default"), delay: sr.Delay}
			if !slices.Contains(conditions, r.condition) {
				return serr("condition must be "+strings.Join(conditions, " or "), "escalations", i, "rules", j, "condition")
			}
			if !slices.Contains(notifyTypes, r.notifyType) {
				return serr("notifyType must be one of "+strings.Join(notifyTypes, ", "), "escalations", i, "rules", j, "notifyType")
			}
			if r.delay < 0 {
				return serr("delay must not be negative", "escalations", i, "rules", j, "delay")
			}
			rec, err := b.resolve(sr.Recipient, []string{"user", "schedule", "team"}, "escalations", i, "rules", j, "recipient")
			if err != nil {
				return err
			}
			r.recipient = rec
			e.rules = append(e.rules, r)
		}
	}
	return nil
}

// scheduleEntries adds the schedules' rotations, then their overrides.
func (b *orgBuilder) scheduleEntries() error {
	for i, ss := range b.seed.Schedules {
		sc := b.schedByName[strings.ToLower(ss.Name)]
		for j, sr := range ss.Rotations {
			rot, err := b.rotation(sr, "schedules", i, "rotations", j)
			if err != nil {
				return err
			}
			sc.rotations = append(sc.rotations, rot)
		}
		for j, so := range ss.Overrides {
			o, err := b.override(sc, so, "schedules", i, "overrides", j)
			if err != nil {
				return err
			}
			sc.overrides = append(sc.overrides, o)
		}
	}
	return nil
}

// checkDates requires an RFC 3339 date under each key; optional keys may
// be empty.
func checkDates(dates []struct{ key, v string }, optional string, path ...any) error {
	for _, d := range dates {
		if d.v == "" && d.key == optional {
			continue
		}
		if _, err := time.Parse(time.RFC3339, d.v); err != nil {
			return serr("an RFC 3339 date is required", append(slices.Clip(path), d.key)...)
		}
	}
	return nil
}

// rotation builds a schedule rotation at path.
func (b *orgBuilder) rotation(sr SeedRotation, path ...any) (*rotation, error) {
	at := func(key string) []any { return append(slices.Clip(path), key) }
	if sr.Name == "" {
		return nil, serr("name is required", at("name")...)
	}
	if !slices.Contains(rotationTypes, sr.Type) {
		return nil, serr("type must be daily, weekly or hourly", at("type")...)
	}
	if err := b.uniqueID(sr.ID, at("id")...); err != nil {
		return nil, err
	}
	if err := checkDates([]struct{ key, v string }{{"startDate", sr.StartDate}, {"endDate", sr.EndDate}}, "endDate", path...); err != nil {
		return nil, err
	}
	length := cmp.Or(sr.Length, 1)
	if length < 0 {
		return nil, serr("length must be positive", at("length")...)
	}
	rot := &rotation{id: sr.ID, name: sr.Name, startDate: sr.StartDate, endDate: sr.EndDate, rotType: sr.Type, length: length}
	rot.id = b.idOr(rot.id)
	for k, p := range sr.Participants {
		r, err := b.resolve(p, []string{"user", "team", "escalation", "noone"}, append(at("participants"), k)...)
		if err != nil {
			return nil, err
		}
		rot.participants = append(rot.participants, r)
	}
	return rot, nil
}

// override builds an override of schedule sc at path.
func (b *orgBuilder) override(sc *schedule, so SeedOverride, path ...any) (override, error) {
	at := func(key string) []any { return append(slices.Clip(path), key) }
	if so.Alias == "" {
		return override{}, serr("alias is required", at("alias")...)
	}
	o := override{alias: so.Alias, responder: ref{Type: "noone"}, startDate: so.StartDate, endDate: so.EndDate, rotationIDs: []string{}}
	if err := checkDates([]struct{ key, v string }{{"startDate", so.StartDate}, {"endDate", so.EndDate}}, "", path...); err != nil {
		return override{}, err
	}
	if so.User != "" {
		u := b.a.userByEmail(so.User)
		if u == nil {
			return override{}, serr("no user with e-mail "+so.User, at("user")...)
		}
		o.responder = ref{"user", u.accountID}
	}
	for _, rn := range so.Rotations {
		k := slices.IndexFunc(sc.rotations, func(r *rotation) bool { return r.name == rn })
		if k < 0 {
			return override{}, serr("no rotation named "+rn+" in this schedule", at("rotations")...)
		}
		o.rotationIDs = append(o.rotationIDs, sc.rotations[k].id)
	}
	return o, nil
}

// forwardingRules adds the forwarding rules between accounts.
func (b *orgBuilder) forwardingRules() error {
	for i, sf := range b.seed.ForwardingRules {
		if err := b.uniqueID(sf.ID, "forwardingRules", i, "id"); err != nil {
			return err
		}
		f := &forwardingRule{id: b.idOr(sf.ID), alias: sf.Alias, startDate: sf.StartDate, endDate: sf.EndDate}
		for _, end := range []struct {
			key, email string
			dst        *string
		}{{"from", sf.From, &f.fromUserID}, {"to", sf.To, &f.toUserID}} {
			u := b.a.userByEmail(end.email)
			if u == nil {
				return serr("no user with e-mail "+end.email, "forwardingRules", i, end.key)
			}
			*end.dst = u.accountID
		}
		if err := checkDates([]struct{ key, v string }{{"startDate", sf.StartDate}, {"endDate", sf.EndDate}}, "", "forwardingRules", i); err != nil {
			return err
		}
		b.a.forwarding = append(b.a.forwarding, f)
	}
	return nil
}
