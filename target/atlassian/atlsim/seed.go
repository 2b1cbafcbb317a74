package atlsim

import (
	"encoding/json"
	"fmt"
	"os"
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
func LoadSeed(file string) (*Seed, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading seed: %w", err)
	}
	return ParseSeed(file, data)
}

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

// buildOrg loads a checked seed into an empty account.
func buildOrg(seed *Seed, a *account) error {
	now := a.clock()
	for _, id := range []struct{ key, v string }{{"orgId", seed.OrgID}, {"cloudId", seed.CloudID}} {
		if id.v != "" && !validPathID(id.v) {
			return serr("must not contain '/', '?', '#' or spaces", id.key)
		}
	}
	ids := map[string]bool{}
	uniqueID := func(id string, path ...any) error {
		if id == "" {
			return nil
		}
		if ids[id] {
			return serr("id "+id+" is used twice", path...)
		}
		ids[id] = true
		return nil
	}
	for i, su := range seed.Users {
		if !validEmail(su.Email) {
			return serr("a valid e-mail is required", "users", i, "email")
		}
		if a.userByEmail(su.Email) != nil {
			return serr("e-mail "+su.Email+" is used twice", "users", i, "email")
		}
		if err := uniqueID(su.AccountID, "users", i, "accountId"); err != nil {
			return err
		}
		status := su.Status
		if status == "" {
			status = StatusActive
		}
		if !slices.Contains([]string{StatusActive, StatusSuspended, StatusDeactivated}, status) {
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
		name := su.DisplayName
		if name == "" {
			name = defaultDisplayName(su.Email)
		}
		u := a.addUser(su.Email, name)
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
	teamsByName := map[string]*team{}
	for i, st := range seed.Teams {
		if st.DisplayName == "" || len([]rune(st.DisplayName)) > maxDisplayName {
			return serr(fmt.Sprintf("a displayName of 1 to %d characters is required", maxDisplayName), "teams", i, "displayName")
		}
		if len([]rune(st.Description)) > maxDescription {
			return serr(fmt.Sprintf("description must be at most %d characters", maxDescription), "teams", i, "description")
		}
		if err := uniqueID(st.TeamID, "teams", i, "teamId"); err != nil {
			return err
		}
		tt, state := st.TeamType, st.State
		if tt == "" {
			tt = TeamTypeMemberInvite
		}
		if state == "" {
			state = TeamStateActive
		}
		if !slices.Contains([]string{TeamTypeOpen, TeamTypeMemberInvite, TeamTypeExternal, TeamTypeOrgAdminManaged}, tt) {
			return serr("teamType must be OPEN, MEMBER_INVITE, EXTERNAL or ORG_ADMIN_MANAGED", "teams", i, "teamType")
		}
		if state != TeamStateActive && state != TeamStateArchived {
			return serr("state must be ACTIVE or ARCHIVED", "teams", i, "state")
		}
		t := &team{seq: a.nextSeq(), id: st.TeamID, name: st.DisplayName, description: st.Description, teamType: tt,
			state: state, deleted: st.Deleted, siteScoped: true, ops: st.Operations}
		if t.id == "" {
			t.id = a.ids.Next()
		}
		if !st.Deleted {
			if teamsByName[t.name] != nil {
				return serr("two live teams are named "+t.name+"; names must be unique in a seed", "teams", i, "displayName")
			}
			teamsByName[t.name] = t
		}
		for j, e := range st.Members {
			u := a.userByEmail(e)
			if u == nil {
				return serr("no user with e-mail "+e, "teams", i, "members", j)
			}
			if t.isMember(u.accountID) {
				return serr(e+" is listed twice", "teams", i, "members", j)
			}
			t.members = append(t.members, member{seq: a.nextSeq(), accountID: u.accountID})
		}
		if len(st.Admins) > 0 && !st.Operations {
			return serr("admins need operations: true", "teams", i, "admins")
		}
		for j, e := range st.Admins {
			u := a.userByEmail(e)
			if u == nil || !t.isMember(u.accountID) {
				return serr(e+" is not a member of the team", "teams", i, "admins", j)
			}
			t.opsAdmins = append(t.opsAdmins, u.accountID)
		}
		for j, sr := range st.Roles {
			if sr.Name == "" {
				return serr("name is required", "teams", i, "roles", j, "name")
			}
			role := teamRole{ID: sr.ID, Name: sr.Name, Rights: []right{}}
			if role.ID == "" {
				role.ID = a.ids.Next()
			}
			for _, r := range teamRoleRights {
				role.Rights = append(role.Rights, right{Right: r, Granted: slices.Contains(sr.Rights, r)})
			}
			for _, r := range sr.Rights {
				if !slices.Contains(teamRoleRights, r) {
					return serr("unknown right "+r, "teams", i, "roles", j, "rights")
				}
			}
			t.roles = append(t.roles, role)
		}
		a.teams = append(a.teams, t)
	}
	opsTeam := func(name string, path ...any) (*team, error) {
		t := teamsByName[name]
		if t == nil {
			return nil, serr("no team named "+name, path...)
		}
		if !t.ops {
			return nil, serr("team "+name+" does not have operations: true", path...)
		}
		return t, nil
	}
	// Escalations first (by name), so that participants may name them.
	escByName := map[string]*escalation{}
	for i, se := range seed.Escalations {
		if se.Name == "" {
			return serr("name is required", "escalations", i, "name")
		}
		if escByName[se.Name] != nil {
			return serr("escalation "+se.Name+" is defined twice", "escalations", i, "name")
		}
		if err := uniqueID(se.ID, "escalations", i, "id"); err != nil {
			return err
		}
		t, err := opsTeam(se.Team, "escalations", i, "team")
		if err != nil {
			return err
		}
		e := &escalation{seq: a.nextSeq(), id: se.ID, name: se.Name, description: se.Description, enabled: se.Enabled == nil || *se.Enabled, teamID: t.id}
		if e.id == "" {
			e.id = a.ids.Next()
		}
		escByName[e.name] = e
		a.escalations = append(a.escalations, e)
	}
	schedByName := map[string]*schedule{}
	for i, ss := range seed.Schedules {
		if ss.Name == "" {
			return serr("name is required", "schedules", i, "name")
		}
		if schedByName[strings.ToLower(ss.Name)] != nil {
			return serr("schedule "+ss.Name+" is defined twice (names are unique, case-insensitively)", "schedules", i, "name")
		}
		if err := uniqueID(ss.ID, "schedules", i, "id"); err != nil {
			return err
		}
		t, err := opsTeam(ss.Team, "schedules", i, "team")
		if err != nil {
			return err
		}
		tz := ss.Timezone
		if tz == "" {
			tz = "UTC"
		}
		if _, err := time.LoadLocation(tz); err != nil {
			return serr("unknown time zone "+tz, "schedules", i, "timezone")
		}
		sc := &schedule{seq: a.nextSeq(), id: ss.ID, name: ss.Name, description: ss.Description, timezone: tz,
			enabled: ss.Enabled == nil || *ss.Enabled, teamID: t.id}
		if sc.id == "" {
			sc.id = a.ids.Next()
		}
		schedByName[strings.ToLower(sc.name)] = sc
		a.schedules = append(a.schedules, sc)
	}
	resolve := func(r SeedRef, allowed []string, path ...any) (ref, error) {
		var out []ref
		if r.User != "" {
			u := a.userByEmail(r.User)
			if u == nil {
				return ref{}, serr("no user with e-mail "+r.User, path...)
			}
			out = append(out, ref{"user", u.accountID})
		}
		if r.Team != "" {
			t := teamsByName[r.Team]
			if t == nil {
				return ref{}, serr("no team named "+r.Team, path...)
			}
			out = append(out, ref{"team", t.id})
		}
		if r.Escalation != "" {
			e := escByName[r.Escalation]
			if e == nil {
				return ref{}, serr("no escalation named "+r.Escalation, path...)
			}
			out = append(out, ref{"escalation", e.id})
		}
		if r.Schedule != "" {
			sc := schedByName[strings.ToLower(r.Schedule)]
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
	for i, se := range seed.Escalations {
		e := escByName[se.Name]
		for j, sr := range se.Rules {
			r := rule{condition: sr.Condition, notifyType: sr.NotifyType, delay: sr.Delay}
			if r.condition == "" {
				r.condition = "if-not-acked"
			}
			if r.notifyType == "" {
				r.notifyType = "default"
			}
			if !slices.Contains(conditions, r.condition) {
				return serr("condition must be "+strings.Join(conditions, " or "), "escalations", i, "rules", j, "condition")
			}
			if !slices.Contains(notifyTypes, r.notifyType) {
				return serr("notifyType must be one of "+strings.Join(notifyTypes, ", "), "escalations", i, "rules", j, "notifyType")
			}
			if r.delay < 0 {
				return serr("delay must not be negative", "escalations", i, "rules", j, "delay")
			}
			rec, err := resolve(sr.Recipient, []string{"user", "schedule", "team"}, "escalations", i, "rules", j, "recipient")
			if err != nil {
				return err
			}
			r.recipient = rec
			e.rules = append(e.rules, r)
		}
	}
	for i, ss := range seed.Schedules {
		sc := schedByName[strings.ToLower(ss.Name)]
		for j, sr := range ss.Rotations {
			if sr.Name == "" {
				return serr("name is required", "schedules", i, "rotations", j, "name")
			}
			if !slices.Contains(rotationTypes, sr.Type) {
				return serr("type must be daily, weekly or hourly", "schedules", i, "rotations", j, "type")
			}
			if err := uniqueID(sr.ID, "schedules", i, "rotations", j, "id"); err != nil {
				return err
			}
			for _, d := range []struct{ key, v string }{{"startDate", sr.StartDate}, {"endDate", sr.EndDate}} {
				if d.v == "" && d.key == "endDate" {
					continue
				}
				if _, err := time.Parse(time.RFC3339, d.v); err != nil {
					return serr("an RFC 3339 date is required", "schedules", i, "rotations", j, d.key)
				}
			}
			length := sr.Length
			if length == 0 {
				length = 1
			}
			if length < 0 {
				return serr("length must be positive", "schedules", i, "rotations", j, "length")
			}
			rot := &rotation{id: sr.ID, name: sr.Name, startDate: sr.StartDate, endDate: sr.EndDate, rotType: sr.Type, length: length}
			if rot.id == "" {
				rot.id = a.ids.Next()
			}
			for k, p := range sr.Participants {
				r, err := resolve(p, []string{"user", "team", "escalation", "noone"}, "schedules", i, "rotations", j, "participants", k)
				if err != nil {
					return err
				}
				rot.participants = append(rot.participants, r)
			}
			sc.rotations = append(sc.rotations, rot)
		}
		for j, so := range ss.Overrides {
			if so.Alias == "" {
				return serr("alias is required", "schedules", i, "overrides", j, "alias")
			}
			o := override{alias: so.Alias, responder: ref{Type: "noone"}, startDate: so.StartDate, endDate: so.EndDate, rotationIDs: []string{}}
			for _, d := range []struct{ key, v string }{{"startDate", so.StartDate}, {"endDate", so.EndDate}} {
				if _, err := time.Parse(time.RFC3339, d.v); err != nil {
					return serr("an RFC 3339 date is required", "schedules", i, "overrides", j, d.key)
				}
			}
			if so.User != "" {
				u := a.userByEmail(so.User)
				if u == nil {
					return serr("no user with e-mail "+so.User, "schedules", i, "overrides", j, "user")
				}
				o.responder = ref{"user", u.accountID}
			}
			for _, rn := range so.Rotations {
				k := slices.IndexFunc(sc.rotations, func(r *rotation) bool { return r.name == rn })
				if k < 0 {
					return serr("no rotation named "+rn+" in this schedule", "schedules", i, "overrides", j, "rotations")
				}
				o.rotationIDs = append(o.rotationIDs, sc.rotations[k].id)
			}
			sc.overrides = append(sc.overrides, o)
		}
	}
	for i, sf := range seed.ForwardingRules {
		if err := uniqueID(sf.ID, "forwardingRules", i, "id"); err != nil {
			return err
		}
		f := &forwardingRule{id: sf.ID, alias: sf.Alias, startDate: sf.StartDate, endDate: sf.EndDate}
		if f.id == "" {
			f.id = a.ids.Next()
		}
		for _, end := range []struct {
			key, email string
			dst        *string
		}{{"from", sf.From, &f.fromUserID}, {"to", sf.To, &f.toUserID}} {
			u := a.userByEmail(end.email)
			if u == nil {
				return serr("no user with e-mail "+end.email, "forwardingRules", i, end.key)
			}
			*end.dst = u.accountID
		}
		for _, d := range []struct{ key, v string }{{"startDate", sf.StartDate}, {"endDate", sf.EndDate}} {
			if _, err := time.Parse(time.RFC3339, d.v); err != nil {
				return serr("an RFC 3339 date is required", "forwardingRules", i, d.key)
			}
		}
		a.forwarding = append(a.forwarding, f)
	}
	return nil
}
