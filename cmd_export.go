package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/statedir"
	"github.com/ogsync/ogsync/target/opsgenie"
)

const exportSynopsis = "--config FILE [--out DIR] [--api-url URL] [--log-level L] [--log-format F]"

// Files ogsync export writes into --out.
const (
	exportUsersFile = "users.yaml"
	exportTeamsFile = "teams.yaml"
)

// exportOptions are the flags of ogsync export.
type exportOptions struct {
	accountFlags
	out string
}

// parseExportArgs registers export's flags on fs and parses args.
func parseExportArgs(fs *flag.FlagSet, args []string) (exportOptions, error) {
	var o exportOptions
	o.register(fs)
	fs.StringVar(&o.out, "out", "", "`directory` to write users.yaml and teams.yaml into; stdout when empty")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	return o, o.validate()
}

// runExport reads the account and writes it as desired-state YAML: with
// --out, users.yaml (custom roles and users) and teams.yaml, each replaced
// atomically; else one document on stdout. The output is checked with the
// desired-state loader before anything is written.
func runExport(ctx context.Context, io stdio, args []string) int {
	fs := newFlagSet("export", exportSynopsis, io.err)
	o, err := parseExportArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "export", err)
	}
	fail := func(err error) int {
		fmt.Fprintf(io.err, "ogsync export: %v\n", err)
		return exitError
	}
	cfg, err := o.loadConfig()
	if err != nil {
		return fail(err)
	}
	// Read-only: export never writes to the account.
	client, err := newReadTarget(cfg, cycleEnv{getenv: io.getenv, logger: o.log.logger(io), secrets: io.secrets})
	if err != nil {
		return fail(err)
	}

	// An empty desired state: the roles in use come from the users, the
	// list of custom roles is not read.
	cur, err := client.Read(ctx, &model.Desired{})
	if err != nil {
		return fail(err)
	}
	exp, warnings := buildExport(cur.Users, cur.Teams)
	for _, w := range warnings {
		fmt.Fprintf(io.err, "ogsync export: warning: %s\n", w)
	}
	files, err := exp.render(o.out != "")
	if err != nil {
		return fail(err)
	}
	if err := checkExport(ctx, files); err != nil {
		return fail(fmt.Errorf("the exported state does not pass validation, nothing written:\n%w", err))
	}

	for n, data := range files {
		files[n] = io.secrets.Bytes(data) // a server may echo the key in its data
	}
	if o.out == "" {
		_, err := io.out.Write(files[exportAllFile])
		if err != nil {
			return fail(err)
		}
	} else {
		if err := writeExport(o.out, files); err != nil {
			return fail(err)
		}
	}
	where := "stdout"
	if o.out != "" {
		where = o.out
	}
	fmt.Fprintf(io.err, "exported %s, %s and %s to %s (%s)\n",
		plural(len(exp.Users), "user"), plural(len(exp.Teams), "team"), plural(len(exp.Roles), "custom role"),
		where, plural(client.Stats().Total, "API request"))
	return exitOK
}

// exportAllFile names the single document written to stdout.
const exportAllFile = "export.yaml"

// exportDoc is the account as desired state, in the schema of the
// desired-state files (source/decode.go): roles, users, teams.
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

// buildExport turns the account into desired state. Every field the
// account has is managed, except that empty values (no full name, no tags,
// no details, no description) are left out, and values the desired-state
// format cannot hold are left out with a warning. Users, teams, members and
// roles are sorted; the output does not depend on the order of the input.
func buildExport(users []model.User, teams []model.Team) (exportDoc, []string) {
	var warns []string
	warn := func(format string, args ...any) { warns = append(warns, fmt.Sprintf(format, args...)) }
	doc := exportDoc{Users: []exportUser{}, Teams: []exportTeam{}}

	opsgenie.FillMemberNames(users, teams) // members the API names by id only
	roles := map[string]bool{}
	for _, u := range users {
		e := exportUser{Username: u.Username}
		if s := deref(u.FullName); oneLine(s) {
			e.FullName = s
		} else if s != "" {
			warn("user %s: full name %q left out: it is not one line of text", u.Username, s)
		}
		if r := deref(u.Role); r != "" {
			if c, builtin := model.CanonicalBuiltinRole(r); builtin {
				e.Role = c
			} else if oneLine(r) {
				e.Role = r
				roles[r] = true
			} else {
				warn("user %s: role %q left out", u.Username, r)
			}
		}
		if tz := deref(u.TimeZone); tz != "" {
			if _, err := time.LoadLocation(tz); err == nil && tz != "Local" {
				e.TimeZone = tz
			} else {
				warn("user %s: time zone %q left out: not an IANA time zone", u.Username, tz)
			}
		}
		e.Locale = deref(u.Locale)
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
		doc.Users = append(doc.Users, e)
	}
	slices.SortFunc(doc.Users, func(a, b exportUser) int { return strings.Compare(a.Username, b.Username) })
	doc.Roles = slices.Sorted(maps.Keys(roles))

	for _, t := range teams {
		e := exportTeam{ID: t.ID, Name: t.Name, Description: deref(t.Description), Members: []exportMember{}}
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

func deref(p *string) string {
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
const exportHeader = source.SchemaModeline + "\n# Written by ogsync export: the OpsGenie account as desired state.\n"

// render encodes the export: split into users.yaml and teams.yaml, or
// as one document (exportAllFile).
func (d exportDoc) render(split bool) (map[string][]byte, error) {
	if !split {
		b, err := encodeYAML(d)
		if err != nil {
			return nil, err
		}
		return map[string][]byte{exportAllFile: b}, nil
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
	return map[string][]byte{exportUsersFile: users, exportTeamsFile: teams}, nil
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

// checkExport loads the rendered files with the desired-state loader.
func checkExport(ctx context.Context, files map[string][]byte) error {
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	_, err := source.LoadFS(ctx, fsys, source.Options{})
	return err
}

// writeExport writes the files into dir, each one atomically.
func writeExport(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the output directory: %w", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := statedir.WriteFileAtomic(filepath.Join(dir, n), files[n], 0o644); err != nil {
			return err
		}
	}
	return nil
}
