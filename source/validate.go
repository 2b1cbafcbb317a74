package source

import (
	"cmp"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/ogsync/ogsync/model"
)

// Field limits. The OpsGenie ones come from its API documentation; the
// others are ogsync's own bounds on free-form values.
const (
	MaxUsernameLen    = 100   // OpsGenie: username
	MaxFullNameLen    = 512   // OpsGenie: fullName
	MaxTeamNameLen    = 100   // OpsGenie: team name
	MaxDescriptionLen = 10000 // OpsGenie: team description
	MaxTeamIDLen      = 100   // a team id: OpsGenie's are 36-character UUIDs
	MaxRoleLen        = 100   // custom role name
	MaxTags           = 50    // tags of one user
	MaxTagLen         = 100   // one tag
	MaxDetails        = 50    // details keys of one user
	MaxDetailValues   = 50    // values of one details key
	MaxDetailKeyLen   = 100   // one details key
	MaxDetailValueLen = 1000  // one details value
)

// Patterns of the schema, shared with the JSON Schema.
const (
	teamNamePattern = `^[a-zA-Z0-9 _.-]+$`
	localePattern   = `^[a-z]{2}_[A-Z]{2}$` // the form of OpsGenie's locale ids; model.CheckLocale decides
)

var (
	teamNameRE = regexp.MustCompile(teamNamePattern)
	localeRE   = regexp.MustCompile(localePattern)
	// localeLikeRE matches what looks like a locale id in any case or
	// separator (en_US, EN-us, de, es_419): those get "not a locale OpsGenie
	// supports" and a hint rather than "not a locale".
	localeLikeRE = regexp.MustCompile(`^[A-Za-z]{2,3}([_-]([A-Za-z]{2}|[0-9]{3}))?$`)
)

// place is where something is declared.
type place struct {
	file      string
	line, col int
}

func (p place) String() string { return fmt.Sprintf("%s:%d:%d", p.file, p.line, p.col) }

// declared is a declared user: its normalised username and where it is.
type declared struct {
	name string
	at   place
}

// validator checks the decoded files together and builds the desired state.
type validator struct {
	c        *collector
	external map[string]bool
	// incomplete is set when a file could not be decoded: references to
	// users and roles are then not checked, since they may be declared there.
	incomplete bool

	roles map[string]string   // lower-case custom role → declared spelling
	users map[string]declared // normalised username → declaration
	zones map[string]string   // time zone → its problem, checked once per load

	memberAt []pos // scratch of team: where each member is declared
}

// at reports a problem at p; a zero p reports it without a position.
func (v *validator) at(file string, p pos, field, format string, args ...any) {
	v.c.add(Error{File: file, Line: int(p.line), Column: int(p.col), Field: field, Msg: fmt.Sprintf(format, args...)})
}

// isString reports whether n was decoded as a string (a missing or mistyped
// value has been reported by the decoder already).
func isString(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str"
}

func placeOf(file string, p pos) place { return place{file, int(p.line), int(p.col)} }

func (v *validator) validate(docs []parsed) *model.Desired {
	d := &model.Desired{Users: []model.User{}, Teams: []model.Team{}}
	v.roles = map[string]string{}
	rolePlaces := map[string]place{}
	for _, p := range docs {
		for i, r := range p.doc.Roles {
			n := p.doc.at.roles[i]
			field := fmt.Sprintf("roles[%d]", i)
			if msg := nameProblem(r, MaxRoleLen); msg != "" {
				v.at(p.file, n, field, "%s", msg)
				continue
			}
			if _, builtin := model.CanonicalBuiltinRole(r); builtin {
				v.at(p.file, n, field, "%s is a built-in role; declare only custom roles", quote(r))
				continue
			}
			k := strings.ToLower(r)
			if prev, dup := rolePlaces[k]; dup {
				v.at(p.file, n, field, "role %s is already declared at %s", quote(r), prev)
				continue
			}
			rolePlaces[k] = placeOf(p.file, n)
			v.roles[k] = r
			d.CustomRoles = append(d.CustomRoles, r)
		}
	}
	slices.Sort(d.CustomRoles)

	nUsers, nTeams := 0, 0
	for _, p := range docs {
		nUsers += len(p.doc.Users)
		nTeams += len(p.doc.Teams)
	}
	d.Users = make([]model.User, 0, nUsers)
	d.Teams = make([]model.Team, 0, nTeams)
	v.users = make(map[string]declared, nUsers)
	v.zones = map[string]string{}
	for _, p := range docs {
		for i := range p.doc.Users {
			if u, ok := v.user(p.file, &p.doc.Users[i]); ok {
				d.Users = append(d.Users, u)
			}
		}
	}
	teams := make(map[string]place, nTeams)
	teamIDs := map[string]place{}
	for _, p := range docs {
		for i := range p.doc.Teams {
			t := &p.doc.Teams[i]
			team, ok := v.team(p.file, t)
			if !ok {
				continue
			}
			k := strings.ToLower(team.Name)
			if prev, dup := teams[k]; dup {
				v.at(p.file, t.at.name, t.Path+".name", "team %s is already declared at %s", quote(team.Name), prev)
				continue
			}
			if team.ID != "" {
				if prev, dup := teamIDs[team.ID]; dup {
					v.at(p.file, t.at.id, t.Path+".id", "team id %s is already given at %s", quote(team.ID), prev)
					continue
				}
				teamIDs[team.ID] = placeOf(p.file, t.at.id)
			}
			teams[k] = placeOf(p.file, t.at.name)
			d.Teams = append(d.Teams, team)
		}
	}
	slices.SortFunc(d.Users, func(a, b model.User) int { return strings.Compare(a.Username, b.Username) })
	slices.SortFunc(d.Teams, func(a, b model.Team) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.Name, b.Name))
	})
	return d
}

// user checks one user; ok is false when it is not usable.
func (v *validator) user(file string, u *userDoc) (model.User, bool) {
	ok := true
	bad := func(k string, p pos, format string, args ...any) {
		v.at(file, p, u.Path+"."+k, format, args...)
		ok = false
	}

	out := model.User{Origin: file + ":" + strconv.Itoa(int(u.at.line))}
	if !u.at.usernameIsString {
		ok = false // reported by the decoder
	} else if msg := usernameProblem(u.Username); msg != "" {
		bad("username", u.at.username, "%s", msg)
	} else {
		out.Username = model.NormalizeUsername(u.Username)
		if prev, dup := v.users[out.Username]; dup {
			bad("username", u.at.username, "user %s is already declared at %s", quote(out.Username), prev.at)
		} else {
			v.users[out.Username] = declared{out.Username, placeOf(file, u.at.username)}
		}
	}
	if u.FullName != nil {
		if msg := textProblem(*u.FullName, MaxFullNameLen); msg != "" {
			bad("fullName", u.at.fullName, "%s", msg)
		}
		out.FullName = u.FullName
	}
	if u.Role != nil {
		if role, msg := v.role(*u.Role); msg != "" {
			bad("role", u.at.role, "%s", msg)
		} else {
			out.Role = &role
		}
	}
	if u.TimeZone != nil {
		msg, seen := v.zones[*u.TimeZone]
		if !seen {
			msg = timeZoneProblem(*u.TimeZone)
			v.zones[*u.TimeZone] = msg
		}
		if msg != "" {
			bad("timeZone", u.at.timeZone, "%s", msg)
		}
		out.TimeZone = u.TimeZone
	}
	if u.Locale != nil {
		if msg := localeProblem(*u.Locale); msg != "" {
			bad("locale", u.at.locale, "%s", msg)
		}
		out.Locale = u.Locale
	}
	// The user takes the document's tags and details: a document is
	// dropped once validated.
	if u.Tags != nil {
		if !v.tags(file, u, *u.Tags) {
			ok = false
		}
		slices.Sort(*u.Tags)
		out.Tags = u.Tags
	}
	if u.Details != nil {
		if !v.details(file, u, *u.Details) {
			ok = false
		}
		out.Details = u.Details
	}
	return out, ok
}

func (v *validator) tags(file string, u *userDoc, tags []string) bool {
	ok := true
	if len(tags) > MaxTags {
		v.at(file, u.at.tags, u.Path+".tags", "%d tags, more than the %d allowed", len(tags), MaxTags)
		ok = false
	}
	// A map finds a repeated tag in a long list, a scan in a short one (the
	// first equal tag before is where it was listed: it was good too).
	var seen map[string]place
	if len(tags) > 16 {
		seen = make(map[string]place, len(tags))
	}
	for i, t := range tags {
		n := u.at.tagItems[i]
		f := func() string { return fmt.Sprintf("%s.tags[%d]", u.Path, i) } // only for a message
		if msg := nameProblem(t, MaxTagLen); msg != "" {
			v.at(file, n, f(), "%s", msg)
			ok = false
			continue
		}
		var prev place
		dup := false
		if seen != nil {
			prev, dup = seen[t]
		} else if j := slices.Index(tags[:i], t); j >= 0 {
			prev, dup = placeOf(file, u.at.tagItems[j]), true
		}
		if dup {
			v.at(file, n, f(), "tag %s is already listed at %s", quote(t), prev)
			ok = false
			continue
		}
		if seen != nil {
			seen[t] = placeOf(file, n)
		}
	}
	return ok
}

func (v *validator) details(file string, u *userDoc, details map[string][]string) bool {
	ok := true
	if len(details) > MaxDetails {
		v.at(file, u.at.details, u.Path+".details", "%d keys, more than the %d allowed", len(details), MaxDetails)
		ok = false
	}
	for _, dp := range u.at.detailKeys { // sorted by key
		k := dp.key
		vals := details[k]
		f := mapField(u.Path+".details", k)
		if msg := nameProblem(k, MaxDetailKeyLen); msg != "" {
			v.at(file, dp.keyAt, f, "key %s", msg)
			ok = false
		}
		seq := dp.seq
		switch {
		case len(vals) == 0:
			v.at(file, seq, f, "must list at least one value; leave the key out instead")
			ok = false
		case len(vals) > MaxDetailValues:
			v.at(file, seq, f, "%d values, more than the %d allowed", len(vals), MaxDetailValues)
			ok = false
		}
		for i, val := range vals {
			if msg := detailValueProblem(val); msg != "" {
				v.at(file, dp.items[i], fmt.Sprintf("%s[%d]", f, i), "%s", msg)
				ok = false
			}
		}
	}
	return ok
}

// role resolves a user's role: a built-in role in canonical spelling, or a
// declared custom role in its declared spelling.
func (v *validator) role(r string) (string, string) {
	if msg := nameProblem(r, MaxRoleLen); msg != "" {
		return "", msg
	}
	if c, ok := model.CanonicalBuiltinRole(r); ok {
		return c, ""
	}
	if c, ok := v.roles[strings.ToLower(r)]; ok {
		return c, ""
	}
	if v.incomplete {
		return r, "" // it may be declared in a file that could not be read
	}
	return "", fmt.Sprintf("%s is neither a built-in role (%s) nor declared under roles:",
		quote(r), strings.Join(model.BuiltinRoles, ", "))
}

// team checks one team and its members; ok is false when it is not usable.
func (v *validator) team(file string, t *teamDoc) (model.Team, bool) {
	ok := true
	out := model.Team{Name: t.Name, Origin: file + ":" + strconv.Itoa(int(t.at.line))}
	if !t.at.nameIsString {
		ok = false // reported by the decoder
	} else if msg := teamNameProblem(t.Name); msg != "" {
		v.at(file, t.at.name, t.Path+".name", "%s", msg)
		ok = false
	}
	if t.ID != nil {
		if msg := teamIDProblem(*t.ID); msg != "" {
			v.at(file, t.at.id, t.Path+".id", "%s", msg)
			ok = false
		}
		out.ID = *t.ID
	}
	if t.Description != nil {
		if n := utf8.RuneCountInString(*t.Description); n > MaxDescriptionLen {
			v.at(file, t.at.description, t.Path+".description",
				"is %d characters long, more than the %d allowed", n, MaxDescriptionLen)
			ok = false
		}
		out.Description = t.Description
	}
	if t.Members != nil {
		members := make([]model.Member, 0, len(*t.Members))
		// Where each of members is declared; a map finds a username in a
		// large team, a scan in a small one.
		at := v.memberAt[:0]
		var seen map[string]place
		if len(*t.Members) > 32 {
			seen = make(map[string]place, len(*t.Members))
		}
		for i := range *t.Members {
			m := &(*t.Members)[i]
			mm, good := v.member(file, m)
			if !good {
				ok = false
				continue
			}
			var prev pos
			if seen != nil {
				if p, dup := seen[mm.Username]; dup {
					prev = pos{int32(p.line), int32(p.col)}
				}
			} else if k := slices.IndexFunc(members, func(o model.Member) bool { return o.Username == mm.Username }); k >= 0 {
				prev = at[k]
			}
			if prev != (pos{}) {
				v.at(file, m.at.user, m.Path+".user", "%s is already a member at %s", quote(mm.Username), placeOf(file, prev))
				ok = false
				continue
			}
			if seen != nil {
				seen[mm.Username] = placeOf(file, m.at.user)
			}
			at = append(at, m.at.user)
			members = append(members, mm)
		}
		v.memberAt = at
		slices.SortFunc(members, func(a, b model.Member) int { return strings.Compare(a.Username, b.Username) })
		out.Members = &members
	}
	return out, ok
}

func (v *validator) member(file string, m *memberDoc) (model.Member, bool) {
	ok := true
	out := model.Member{Role: m.Role, Origin: file + ":" + strconv.Itoa(int(m.at.line))}
	if !m.at.userIsString {
		ok = false // reported by the decoder
	} else if msg := usernameProblem(m.User); msg != "" {
		v.at(file, m.at.user, m.Path+".user", "%s", msg)
		ok = false
	} else {
		out.Username = model.NormalizeUsername(m.User)
		// A member shares the string of the user it names: the document's
		// may be a part of the whole file's text.
		user, isDeclared := v.users[out.Username]
		if isDeclared {
			out.Username = user.name
		} else {
			out.Username = strings.Clone(out.Username)
		}
		if !isDeclared && !v.external[out.Username] && !v.incomplete {
			v.at(file, m.at.user, m.Path+".user", "%s is not a declared user nor an allowed external user", quote(out.Username))
			ok = false
		}
	}
	if !m.at.roleIsString {
		ok = false // reported by the decoder
	} else if m.Role != model.MemberRoleAdmin && m.Role != model.MemberRoleUser {
		v.at(file, m.at.role, m.Path+".role", "%s is not a member role (%s or %s)", quote(m.Role), model.MemberRoleAdmin, model.MemberRoleUser)
		ok = false
	}
	return out, ok
}

// usernameProblem checks a username: an e-mail address of at most
// MaxUsernameLen characters. It returns "" when the name is good.
func usernameProblem(s string) string {
	if s == "" {
		return "must not be empty"
	}
	if n := utf8.RuneCountInString(s); n > MaxUsernameLen {
		return fmt.Sprintf("is %d characters long, more than the %d allowed", n, MaxUsernameLen)
	}
	if strings.TrimSpace(s) != s {
		return fmt.Sprintf("%s has leading or trailing spaces", quote(s))
	}
	if msg := emailProblem(s); msg != "" {
		return msg
	}
	return ""
}

// emailProblem checks the form of an e-mail address (ASCII, one @, a dotted domain).
func emailProblem(s string) string {
	// The message is built only when the address is bad.
	bad := func() string { return fmt.Sprintf("%s is not an e-mail address", quote(s)) }
	local, domain, found := strings.Cut(s, "@")
	if !found || local == "" || domain == "" || strings.Contains(domain, "@") {
		return bad()
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return bad()
	}
	for _, r := range local {
		if !(r < utf8.RuneSelf && (isAlnum(r) || strings.ContainsRune("!#$%&'*+/=?^_`{|}~.-", r))) {
			return bad()
		}
	}
	if !strings.Contains(domain, ".") {
		return bad()
	}
	tld := ""
	for l := range strings.SplitSeq(domain, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return bad()
		}
		for _, r := range l {
			if !(r < utf8.RuneSelf && (isAlnum(r) || r == '-')) {
				return bad()
			}
		}
		tld = l
	}
	if len(tld) < 2 || strings.IndexFunc(tld, unicode.IsDigit) >= 0 && !strings.HasPrefix(tld, "xn--") {
		return bad()
	}
	return ""
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// textProblem checks free text that goes on one line: not blank, no
// surrounding spaces, no control characters, at most max characters.
func textProblem(s string, max int) string {
	if strings.TrimSpace(s) == "" {
		return "must not be empty"
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("is %d characters long, more than the %d allowed", n, max)
	}
	if strings.TrimSpace(s) != s {
		return fmt.Sprintf("%s has leading or trailing spaces", quote(s))
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return fmt.Sprintf("%s must be one line without control characters", quote(s))
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	return ""
}

// detailValueProblem checks a details value: free text like textProblem,
// except that it may span lines (OpsGenie keeps line breaks in details;
// write such a value as a block scalar, | or |-).
func detailValueProblem(s string) string {
	lines := strings.Split(s, "\n")
	for _, l := range lines {
		if strings.IndexFunc(l, unicode.IsControl) >= 0 {
			return fmt.Sprintf("%s must not hold control characters other than line breaks", quote(s))
		}
	}
	if len(lines) == 1 {
		return textProblem(s, MaxDetailValueLen)
	}
	return textProblem(strings.Join(lines, " "), MaxDetailValueLen)
}

// nameProblem checks a name (a role, a tag, a details key): text without
// surrounding spaces or control characters.
func nameProblem(s string, max int) string { return textProblem(s, max) }

func teamNameProblem(s string) string {
	if s == "" {
		return "must not be empty"
	}
	if n := utf8.RuneCountInString(s); n > MaxTeamNameLen {
		return fmt.Sprintf("is %d characters long, more than the %d allowed", n, MaxTeamNameLen)
	}
	if !teamNameRE.MatchString(s) {
		return fmt.Sprintf("%s may hold only letters, digits, spaces and _ . -", quote(s))
	}
	if strings.TrimSpace(s) != s {
		return fmt.Sprintf("%s has leading or trailing spaces", quote(s))
	}
	return ""
}

// teamIDProblem checks a team's OpsGenie id as the desired state gives it
// (export writes it): printable ASCII without spaces, as OpsGenie's ids are.
func teamIDProblem(s string) string {
	if s == "" {
		return "must not be empty (leave the key out for a team that has no id yet)"
	}
	if len(s) > MaxTeamIDLen {
		return fmt.Sprintf("is %d characters long, more than the %d an OpsGenie id has", len(s), MaxTeamIDLen)
	}
	for _, r := range s {
		if r <= ' ' || r > '~' || r == '/' || r == '?' || r == '#' || r == '%' {
			return fmt.Sprintf("%s is not an OpsGenie team id (letters, digits and dashes, as export writes it)", quote(s))
		}
	}
	return ""
}

func timeZoneProblem(s string) string {
	if s == "" {
		return "must not be empty"
	}
	if s == "Local" || len(s) > 100 {
		return fmt.Sprintf("%s is not an IANA time zone such as Europe/Berlin", quote(s))
	}
	if _, err := time.LoadLocation(s); err != nil {
		return fmt.Sprintf("%s is not an IANA time zone such as Europe/Berlin", quote(s))
	}
	return ""
}

// localeProblem checks a locale id against OpsGenie's "Supported Locale IDs"
// table (model.CheckLocale): an id it lists, spelled exactly, or one of a
// language the known part of the table does not reach.
func localeProblem(s string) string {
	if localeAccepted(s) {
		return ""
	}
	if fixed := strings.ReplaceAll(s, "-", "_"); fixed != s && localeAccepted(fixed) {
		return fmt.Sprintf("%s is not a locale: write %s, with an underscore", quote(s), fixed)
	}
	if !localeRE.MatchString(s) && !localeLikeRE.MatchString(s) {
		return fmt.Sprintf("%s is not a locale such as en_US", quote(s))
	}
	msg := fmt.Sprintf("%s is not a locale OpsGenie supports", quote(s))
	if hint := localeHint(s); hint != "" {
		msg += ": " + hint
	}
	return msg + " (see docs/desired-state.md)"
}

func localeAccepted(s string) bool { return model.CheckLocale(s) != model.LocaleUnsupported }

// localeHint suggests the id meant by an unsupported one: the same id in
// OpsGenie's case (EN_us → en_US), or the ids OpsGenie lists for its
// language (de → de_AT, de_CH, de_DE, de_LU; he_IL → iw_IL).
func localeHint(s string) string {
	lang, country, _ := strings.Cut(strings.ReplaceAll(s, "-", "_"), "_")
	lang = strings.ToLower(lang)
	if id := lang + "_" + strings.ToUpper(country); country != "" && localeAccepted(id) {
		return "did you mean " + id + "?"
	}
	switch listed := model.SupportedLocalesOf(lang); len(listed) {
	case 0:
		return ""
	case 1:
		return "did you mean " + listed[0] + "?"
	default:
		return "for " + lang + " it lists " + strings.Join(listed, ", ")
	}
}

func reflectValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }
