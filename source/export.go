package source

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing/fstest"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/ogsync/ogsync/internal/problem"
	"github.com/ogsync/ogsync/model"
)

// The files an export is written as: ExportUsersFile (custom roles and
// users) and ExportTeamsFile when split, else the one document ExportFile.
const (
	ExportUsersFile = "users.yaml"
	ExportTeamsFile = "teams.yaml"
	ExportFile      = "export.yaml"
)

// Exported is an account encoded as desired-state files.
type Exported struct {
	// Files are the encoded files by name.
	Files map[string][]byte
	// Warnings name the values left out because the desired-state format
	// cannot hold them.
	Warnings []string
	// Users, Teams and Roles count the users, teams and custom roles
	// exported.
	Users, Teams, Roles int
}

// Export encodes an account, the users and teams a target reads (members
// named), as desired state in the schema of the desired-state files: split
// into ExportUsersFile and ExportTeamsFile, or as ExportFile. Every field
// the account has is managed, except that empty values (no full name, no
// tags, no details, no description) are left out, and values the format
// cannot hold are left out with a warning. Users, teams, members and roles
// are sorted; the output does not depend on the order of the input.
func Export(users []model.User, teams []model.Team, split bool) (*Exported, error) {
	doc, warns := buildExport(users, teams)
	files, err := doc.render(split)
	if err != nil {
		return nil, err
	}
	return &Exported{Files: files, Warnings: warns, Users: len(doc.Users), Teams: len(doc.Teams), Roles: len(doc.Roles)}, nil
}

// Check loads the files with the desired-state loader: an export that does
// not load back is not to be written.
func (e *Exported) Check(ctx context.Context) error {
	fsys := fstest.MapFS{}
	for name, data := range e.Files {
		fsys[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	_, err := LoadFS(ctx, fsys, Options{})
	return err
}

// ExportAccount reads an account with read (a target's Read: given an
// empty desired state, the roles in use come from the users and the list
// of custom roles is not read), encodes it (Export), passes each of its
// Warnings to warn, and checks that it loads back (Check): an export that
// does not is an error.
func ExportAccount(ctx context.Context, read func(context.Context, *model.Desired) (*model.Current, error), split bool, warn func(string)) (*Exported, error) {
	cur, err := read(ctx, &model.Desired{})
	if err != nil {
		return nil, err
	}
	exp, err := Export(cur.Users, cur.Teams, split)
	if err != nil {
		return nil, err
	}
	for _, w := range exp.Warnings {
		warn(w)
	}
	if err := exp.Check(ctx); err != nil {
		return nil, fmt.Errorf("the exported state does not pass validation, nothing written:\n%w", err)
	}
	return exp, nil
}

// Summary counts what was exported: "2 users, 1 team and 0 custom roles".
func (e *Exported) Summary() string {
	return problem.Plural(e.Users, "user") + ", " + problem.Plural(e.Teams, "team") + " and " + problem.Plural(e.Roles, "custom role")
}

// Redact replaces each file by redact(file): a server may echo a secret in
// its data.
func (e *Exported) Redact(redact func([]byte) []byte) {
	for n, data := range e.Files {
		e.Files[n] = redact(data)
	}
}

// exportDoc is the account as desired state: roles, users, teams.
type exportDoc struct {
	Roles []string     `yaml:"roles,omitempty"`
	Users []exportUser `yaml:"users"`
	Teams []exportTeam `yaml:"teams"`
}

type exportUser struct {
	Username string                 `yaml:"username"`
	FullName string                 `yaml:"fullName,omitempty"`
	Role     string                 `yaml:"role,omitempty"`
	TimeZone string                 `yaml:"timeZone,omitempty"`
	Locale   string                 `yaml:"locale,omitempty"`
	Tags     []string               `yaml:"tags,flow,omitempty"`
	Details  map[string]flowStrings `yaml:"details,omitempty"`
}

type exportTeam struct {
	// ID lets a rename on either side be recognised as one.
	ID          string         `yaml:"id,omitempty"`
	Name        string         `yaml:"name"`
	Description string         `yaml:"description,omitempty"`
	Members     []exportMember `yaml:"members"`
}

type exportMember struct {
	User string `yaml:"user"`
	Role string `yaml:"role"`
}

// flowStrings is a list written on one line: ["a", "b"]; a list holding a
// value of several lines is written as a block list of block scalars.
type flowStrings []string

// MarshalYAML writes the list in flow style; strings another YAML reader
// could take for something else ("no", "1e3") are quoted. A value with line
// breaks cannot be in a flow list: the list is then a block list and such a
// value a literal block scalar (|, |- or |+ as its ending needs).
func (f flowStrings) MarshalYAML() (any, error) {
	var n yaml.Node
	if err := n.Encode([]string(f)); err != nil {
		return nil, err
	}
	multi := false
	for _, c := range n.Content {
		if strings.Contains(c.Value, "\n") {
			c.Style = yaml.LiteralStyle
			multi = true
		}
	}
	if !multi {
		n.Style = yaml.FlowStyle
	}
	return &n, nil
}

// buildExport turns the account into desired state (see Export).
func buildExport(users []model.User, teams []model.Team) (exportDoc, []string) {
	var warns []string
	warn := func(format string, args ...any) { warns = append(warns, fmt.Sprintf(format, args...)) }
	doc := exportDoc{Users: []exportUser{}, Teams: []exportTeam{}}
	roles := map[string]bool{}
	for _, u := range users {
		doc.Users = append(doc.Users, exportUserOf(u, roles, warn))
	}
	slices.SortFunc(doc.Users, func(a, b exportUser) int { return strings.Compare(a.Username, b.Username) })
	doc.Roles = slices.Sorted(maps.Keys(roles))

	for _, t := range teams {
		e := exportTeam{ID: t.ID, Name: t.Name, Description: orEmpty(t.Description), Members: []exportMember{}}
		if t.Members != nil {
			for _, m := range *t.Members {
				name := m.Username
				if name == "" {
					warn("team %s: member %s left out: not a user of the account", t.Name, m.UserID)
					continue
				}
				e.Members = append(e.Members, exportMember{User: name, Role: m.Role})
			}
		}
		slices.SortFunc(e.Members, func(a, b exportMember) int { return strings.Compare(a.User, b.User) })
		doc.Teams = append(doc.Teams, e)
	}
	slices.SortFunc(doc.Teams, func(a, b exportTeam) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return doc, warns
}

// exportUserOf is one user as desired state; a custom role it has is added
// to roles.
func exportUserOf(u model.User, roles map[string]bool, warn func(format string, args ...any)) exportUser {
	e := exportUser{Username: u.Username}
	if s := orEmpty(u.FullName); oneLine(s) {
		e.FullName = s
	} else if s != "" {
		warn("user %s: full name %q left out: it is not one line of text", u.Username, s)
	}
	if r := orEmpty(u.Role); r != "" {
		if c, builtin := model.CanonicalBuiltinRole(r); builtin {
			e.Role = c
		} else if oneLine(r) {
			e.Role = r
			roles[r] = true
		} else {
			warn("user %s: role %q left out", u.Username, r)
		}
	}
	if tz := orEmpty(u.TimeZone); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil && tz != "Local" {
			e.TimeZone = tz
		} else {
			warn("user %s: time zone %q left out: not an IANA time zone", u.Username, tz)
		}
	}
	e.Locale = orEmpty(u.Locale)
	if u.Tags != nil && len(*u.Tags) > 0 {
		e.Tags = model.SortedCopy(*u.Tags)
	}
	if u.Details != nil {
		for _, k := range slices.Sorted(maps.Keys(*u.Details)) {
			vals := (*u.Details)[k]
			if len(vals) == 0 {
				warn("user %s: details key %q left out: it has no value", u.Username, k)
				continue
			}
			if e.Details == nil {
				e.Details = map[string]flowStrings{}
			}
			e.Details[k] = flowStrings(slices.Clone(vals))
		}
	}
	return e
}

func orEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// oneLine reports whether s is non-blank text on one line without
// surrounding spaces, as the desired-state format wants names.
func oneLine(s string) bool {
	return s != "" && strings.TrimSpace(s) == s && strings.IndexFunc(s, unicode.IsControl) < 0
}

// exportHeader opens every exported file: the schema modeline first (as in
// examples/desired), then where the file came from.
const exportHeader = SchemaModeline + "\n# Written by ogsync export: the account as desired state.\n"

// render encodes the export: split into ExportUsersFile and
// ExportTeamsFile, or as one document (ExportFile).
func (d exportDoc) render(split bool) (map[string][]byte, error) {
	if !split {
		b, err := encodeYAML(d)
		if err != nil {
			return nil, err
		}
		return map[string][]byte{ExportFile: b}, nil
	}
	users, err := encodeYAML(struct {
		Roles []string     `yaml:"roles,omitempty"`
		Users []exportUser `yaml:"users"`
	}{d.Roles, d.Users})
	if err != nil {
		return nil, err
	}
	teams, err := encodeYAML(struct {
		Teams []exportTeam `yaml:"teams"`
	}{d.Teams})
	if err != nil {
		return nil, err
	}
	return map[string][]byte{ExportUsersFile: users, ExportTeamsFile: teams}, nil
}

func encodeYAML(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(exportHeader)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding the export: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding the export: %w", err)
	}
	return b.Bytes(), nil
}
