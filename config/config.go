// Package config loads and validates the ogsync configuration file: where the
// OpsGenie account is, where the desired state comes from, and the policies and
// safeguards that bound what a sync may change.
//
// Decoding is strict: an unknown key is an error. Every problem is reported at
// once, each as "file:line:col: field: message".
package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target/opsgenie"
	"gopkg.in/yaml.v3"
)

// Policy names, per kind of object: the planner's.
const (
	PolicySync       = planner.PolicySync       // create, update and delete
	PolicyUpsertOnly = planner.PolicyUpsertOnly // create and update, never delete
	PolicyCreateOnly = planner.PolicyCreateOnly // create only
)

// Ownership modes: the planner's.
const (
	// OwnershipMarker deletes only users that carry ogsync's ownership marker.
	OwnershipMarker = planner.OwnershipMarker
	// OwnershipAdopt treats the YAML as authoritative for everything in scope.
	OwnershipAdopt = planner.OwnershipAdopt
)

// On-call reference handling for user deletes.
const (
	// ReferencesBlock blocks the delete of a user still referenced by a
	// schedule, escalation or unmanaged team.
	ReferencesBlock = "block"
)

// EnvAPIKey is the environment variable the API key may come from.
const EnvAPIKey = "OPSGENIE_API_KEY"

// Config is the whole configuration file.
type Config struct {
	// Target is the account kind synced: opsgenie (default) or atlassian.
	Target     string     `yaml:"target"`
	OpsGenie   OpsGenie   `yaml:"opsgenie"`
	Atlassian  Atlassian  `yaml:"atlassian"`
	Source     Source     `yaml:"source"`
	Schedule   string     `yaml:"schedule"`
	TimeZone   string     `yaml:"time_zone"`
	Policy     Policy     `yaml:"policy"`
	Users      Users      `yaml:"users"`
	Ownership  Ownership  `yaml:"ownership"`
	Safeguards Safeguards `yaml:"safeguards"`
	Apply      Apply      `yaml:"apply"`
	Health     Health     `yaml:"health"`
	Listen     string     `yaml:"listen"`
	StateDir   string     `yaml:"state_dir"`

	// File is the path the configuration was loaded from.
	File string `yaml:"-"`
}

// OpsGenie says how to reach the account.
type OpsGenie struct {
	// URL is the API base URL; https, or http on a loopback address.
	URL string `yaml:"url"`
	// APIKeyFile holds the API key; OPSGENIE_API_KEY takes precedence.
	APIKeyFile string `yaml:"api_key_file"`
	// Timeout bounds one HTTP request.
	Timeout time.Duration `yaml:"timeout"`
	// MaxRetries bounds the retries of one request.
	MaxRetries int `yaml:"max_retries"`
	// RateLimit bounds the client-side limiter; unset, the limiter learns
	// the account's pace from its defaults.
	RateLimit RateLimit `yaml:"rate_limit"`
	// Heartbeat is the name of an OpsGenie heartbeat pinged after every
	// cycle that is not an error; empty: none.
	Heartbeat string `yaml:"heartbeat"`
}

// Rate is a token bucket: requests per second and a burst. Zero values are
// unset (no configured ceiling; the default burst).
type Rate struct {
	PerSecond float64 `yaml:"per_second,omitempty"`
	Burst     int     `yaml:"burst,omitempty"`
}

// RateLimit configures one limiter per OpsGenie rate-limit domain. A
// configured rate is a hard ceiling: the adaptive limiter never exceeds it.
type RateLimit struct {
	// Rate applies to the Configuration domain, and to Search unless Search is set.
	Rate `yaml:",inline"`
	// Search overrides the rate of the Search domain (list users).
	Search *Rate `yaml:"search"`
	// Adaptive, true unless set false, lets the rate start at ogsync's
	// default (or the rate learned by earlier cycles), grow while no 429
	// comes and shrink on one. False keeps the configured rates fixed.
	Adaptive *bool `yaml:"adaptive"`
}

// IsAdaptive reports whether the limiter learns its rate (the default).
func (r RateLimit) IsAdaptive() bool {
	return r.Adaptive == nil || *r.Adaptive
}

// Source says where the desired state comes from.
type Source struct {
	// Path is the checkout (or plain directory) holding the YAML files.
	Path string `yaml:"path"`
	// Files are glob patterns, relative to Path, of the files to load ("**" spans directories).
	Files []string `yaml:"files"`
	// ExternalUsers may be team members without being declared as users.
	ExternalUsers []string `yaml:"external_users"`
	// Git brings the checkout up to date before each load.
	Git Git `yaml:"git"`
}

// Git configures the fast-forward pull of the checkout.
type Git struct {
	Pull             bool          `yaml:"pull"`
	Remote           string        `yaml:"remote"`
	Branch           string        `yaml:"branch"`
	VerifySignatures bool          `yaml:"verify_signatures"`
	Timeout          time.Duration `yaml:"timeout"`
}

// Policy is the policy per kind of object.
type Policy struct {
	Users   string `yaml:"users"`
	Teams   string `yaml:"teams"`
	Members string `yaml:"members"`
}

// Users tunes the users ogsync creates.
type Users struct {
	// SendInvitations lets OpsGenie send its invitation e-mail to each
	// created user (default true, as OpsGenie does); false sends
	// invitationDisabled.
	SendInvitations bool `yaml:"send_invitations"`
}

// Ownership says which existing objects ogsync may delete.
type Ownership struct {
	// Mode is OwnershipMarker or OwnershipAdopt.
	Mode string `yaml:"mode"`
	// MarkerKey and MarkerValue form the details entry ogsync puts on the users it creates.
	MarkerKey   string `yaml:"marker_key"`
	MarkerValue string `yaml:"marker_value"`
}

// MaxDeletes caps deletions of each kind, by count and by percent of current.
type MaxDeletes struct {
	Count   int     `yaml:"count"`
	Percent float64 `yaml:"percent"`
}

// Safeguards bound what one plan may do.
type Safeguards struct {
	// MinOwners is the least number of account owners, desired and after the plan.
	MinOwners int `yaml:"min_owners"`
	// MinUsers refuses a desired state with fewer users (an empty or gutted state).
	MinUsers int `yaml:"min_users"`
	// MaxShrinkPercent refuses a desired state that declares fewer than
	// (100-MaxShrinkPercent)% of the users in scope that the account has.
	MaxShrinkPercent float64 `yaml:"max_shrink_percent"`
	// MaxDeletes caps deletions of every kind (users, teams, member removals).
	MaxDeletes MaxDeletes `yaml:"max_deletes"`
	// OnCallReferences is ReferencesBlock.
	OnCallReferences string `yaml:"on_call_references"`
	// RequiredUsers must be present in the desired state.
	RequiredUsers []string `yaml:"required_users"`
	// ProtectedUsers are never changed or deleted.
	ProtectedUsers []string `yaml:"protected_users"`
	// IgnoreUsers and IgnoreTeams are globs of names ogsync never touches.
	IgnoreUsers []string `yaml:"ignore_users"`
	IgnoreTeams []string `yaml:"ignore_teams"`
}

// DefaultConcurrency is the default of apply.concurrency. The rate limiter,
// not the number of requests in flight, is meant to bound an apply: 16 in
// flight keep a 50/s limiter busy up to 320 ms of latency (16 / 50 per
// second), and a 10/s one up to 1.6 s.
const DefaultConcurrency = 16

// Apply tunes how a plan is applied.
type Apply struct {
	// Concurrency is the number of write requests in flight.
	Concurrency int `yaml:"concurrency"`
}

// Health tunes /healthz.
type Health struct {
	// MaxFailedCycles consecutive failed cycles make the daemon unhealthy.
	MaxFailedCycles int `yaml:"max_failed_cycles"`
	// MaxBlockedCycles: an action blocked this many cycles in a row makes the
	// daemon unhealthy; 0 (the default) turns this off.
	MaxBlockedCycles int `yaml:"max_blocked_cycles"`
}

// Default returns the configuration every file starts from.
func Default() Config {
	return Config{
		OpsGenie: OpsGenie{
			URL:        "https://api.opsgenie.com",
			Timeout:    30 * time.Second,
			MaxRetries: 5,
		},
		Source: Source{
			Path:  ".",
			Files: []string{"**/*.yaml", "**/*.yml"},
			Git:   Git{Remote: "origin", Branch: "main", Timeout: 2 * time.Minute},
		},
		Schedule:  "*/10 * * * *",
		TimeZone:  "UTC",
		Policy:    Policy{Users: PolicyUpsertOnly, Teams: PolicyUpsertOnly, Members: PolicyUpsertOnly},
		Users:     Users{SendInvitations: true},
		Ownership: Ownership{Mode: OwnershipMarker, MarkerKey: "managed-by", MarkerValue: "ogsync"},
		Safeguards: Safeguards{
			MinOwners:        1,
			MinUsers:         1,
			MaxShrinkPercent: 50,
			MaxDeletes:       MaxDeletes{Count: 10, Percent: 10},
			OnCallReferences: ReferencesBlock,
		},
		Apply:    Apply{Concurrency: DefaultConcurrency},
		Health:   Health{MaxFailedCycles: 3},
		StateDir: "/var/lib/ogsync",
	}
}

// Error is one problem in a configuration file.
type Error struct {
	File   string
	Line   int
	Column int
	Field  string
	Msg    string
}

// Error formats the problem as "file:line:col: field: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file, in file order.
type Errors []*Error

// Error joins the problems, one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// maxFileSize bounds a configuration file.
const maxFileSize = 1 << 20

// LoadFile reads, decodes and validates a configuration file. Relative paths
// in it are resolved against the file's directory.
func LoadFile(file string) (*Config, error) {
	data, err := readBounded(file, maxFileSize)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cfg, err := Parse(file, data)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(file)
	cfg.Source.Path = resolve(dir, cfg.Source.Path)
	cfg.OpsGenie.APIKeyFile = resolve(dir, cfg.OpsGenie.APIKeyFile)
	cfg.StateDir = resolve(dir, cfg.StateDir)
	cfg.resolveAtlassian(dir)
	return cfg, nil
}

func resolve(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// Parse decodes and validates configuration data; name is used in errors.
// It returns Errors when the data is invalid.
func Parse(name string, data []byte) (*Config, error) {
	if len(data) > maxFileSize {
		return nil, Errors{{File: name, Msg: fmt.Sprintf("file is %d bytes, more than the %d allowed", len(data), maxFileSize)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Errors{yamlError(name, err)}
	}
	if len(bytes.TrimSpace(data)) == 0 || len(root.Content) == 0 {
		return nil, Errors{{File: name, Msg: "file is empty"}}
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, Errors{{File: name, Line: doc.Line, Column: doc.Column, Msg: "the configuration must be a mapping"}}
	}
	if errs := checkNodes(name, doc, ""); len(errs) > 0 {
		return nil, errs
	}
	// Unknown keys do not hide the other problems: the file is decoded
	// without them and validated, and every problem is reported at once.
	// Only a value of the wrong type stops there, as it cannot be decoded.
	typeErrs := checkTypes(name, doc, reflect.TypeFor[Config](), "")
	for _, e := range typeErrs {
		if !strings.HasPrefix(e.Msg, "unknown key ") {
			return nil, sortErrors(typeErrs)
		}
	}
	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(len(typeErrs) == 0)
	if err := dec.Decode(&cfg); err != nil {
		return nil, sortErrors(append(typeErrs, yamlError(name, err)))
	}
	cfg.File = name
	if errs := append(typeErrs, cfg.validate(name, doc)...); len(errs) > 0 {
		return nil, sortErrors(errs)
	}
	return &cfg, nil
}

// readBounded reads a regular file of at most max bytes. It opens it
// without blocking and checks its type first, so that a FIFO or a device
// (/dev/zero) fails at once instead of blocking or filling the memory.
func readBounded(name string, max int64) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s)", name, kind(st.Mode()))
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed", name, st.Size(), max)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is more than the %d bytes allowed", name, max)
	}
	return data, nil
}

// kind names the type of a file that is not a regular one.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// checkNodes refuses aliases and merge keys, which hide what a key really holds.
func checkNodes(name string, n *yaml.Node, field string) Errors {
	var errs Errors
	switch n.Kind {
	case yaml.AliasNode:
		errs = append(errs, &Error{File: name, Line: n.Line, Column: n.Column, Field: field, Msg: "aliases are not allowed"})
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f := joinField(field, k.Value)
			if k.Tag == "!!merge" {
				errs = append(errs, &Error{File: name, Line: k.Line, Column: k.Column, Field: field, Msg: "merge keys (<<) are not allowed"})
				continue
			}
			errs = append(errs, checkNodes(name, v, f)...)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			errs = append(errs, checkNodes(name, c, fmt.Sprintf("%s[%d]", field, i))...)
		}
	}
	return errs
}

func joinField(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// yamlError turns a yaml.v3 error ("yaml: line 3: ...") into an Error with the line.
func yamlError(name string, err error) *Error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line = n
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	e := &Error{File: name, Line: line, Msg: msg}
	if line > 0 {
		e.Column = 1
	}
	return e
}

// validator collects problems with the position of the field they concern.
type validator struct {
	name string
	doc  *yaml.Node
	errs Errors
}

func (v *validator) add(field, format string, args ...any) {
	e := &Error{File: v.name, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n := lookup(v.doc, field); n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	v.errs = append(v.errs, e)
}

// lookup finds the value node of a dotted field path ("a.b[2].c"), or the
// nearest parent that exists.
func lookup(doc *yaml.Node, field string) *yaml.Node {
	n := doc
	for _, part := range strings.Split(field, ".") {
		idx := -1
		if i := strings.Index(part, "["); i >= 0 && strings.HasSuffix(part, "]") {
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
			part = part[:i]
		}
		next := mapValue(n, part)
		if next == nil {
			return n
		}
		n = next
		if idx >= 0 && n.Kind == yaml.SequenceNode && idx < len(n.Content) {
			n = n.Content[idx]
		}
	}
	return n
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func (c *Config) validate(name string, doc *yaml.Node) Errors {
	v := &validator{name: name, doc: doc}
	for _, check := range []func(*validator){c.validateOpsGenie, c.validateSource, c.validateSchedule, c.validatePolicy,
		c.validateOwnership, c.validateSafeguards, c.validateRest, c.validateAtlassian} {
		check(v)
	}
	return sortErrors(v.errs)
}

// validateOpsGenie checks the opsgenie section.
func (c *Config) validateOpsGenie(v *validator) {
	if err := CheckURL(c.OpsGenie.URL); err != nil {
		v.add("opsgenie.url", "%v", err)
	}
	if c.OpsGenie.Timeout <= 0 {
		v.add("opsgenie.timeout", "must be a positive duration such as 30s")
	}
	if c.OpsGenie.MaxRetries < 0 || c.OpsGenie.MaxRetries > 20 {
		v.add("opsgenie.max_retries", "must be between 0 and 20, not %d", c.OpsGenie.MaxRetries)
	}
	if h := c.OpsGenie.Heartbeat; h != "" && (strings.TrimSpace(h) != h || strings.ContainsFunc(h, unicode.IsControl) || len(h) > 200) {
		v.add("opsgenie.heartbeat", "%q is not a heartbeat name (no surrounding spaces or control characters, at most 200 bytes)", h)
	}
	checkRate(v, "opsgenie.rate_limit", c.OpsGenie.RateLimit.Rate)
	if c.OpsGenie.RateLimit.Search != nil {
		checkRate(v, "opsgenie.rate_limit.search", *c.OpsGenie.RateLimit.Search)
	}
	if !c.OpsGenie.RateLimit.IsAdaptive() && lookup(v.doc, "opsgenie.rate_limit.per_second") == lookup(v.doc, "opsgenie.rate_limit") {
		v.add("opsgenie.rate_limit.adaptive", "false needs opsgenie.rate_limit.per_second: the fixed rate to keep")
	}
}

// validateSource checks the source section.
func (c *Config) validateSource(v *validator) {
	if c.Source.Path == "" {
		v.add("source.path", "must name the directory holding the desired state")
	}
	if len(c.Source.Files) == 0 {
		v.add("source.files", "must list at least one glob pattern")
	}
	for i, g := range c.Source.Files {
		if err := checkGlob(g); err != nil {
			v.add(fmt.Sprintf("source.files[%d]", i), "%v", err)
		}
	}
	for i, u := range c.Source.ExternalUsers {
		if !strings.Contains(u, "@") {
			v.add(fmt.Sprintf("source.external_users[%d]", i), "%q is not an e-mail address", u)
		}
	}
	if c.Source.Git.Pull {
		if !validRefName(c.Source.Git.Remote) {
			v.add("source.git.remote", "%q is not a valid remote name", c.Source.Git.Remote)
		}
		if !validRefName(c.Source.Git.Branch) {
			v.add("source.git.branch", "%q is not a valid branch name", c.Source.Git.Branch)
		}
	}
	if c.Source.Git.Timeout <= 0 {
		v.add("source.git.timeout", "must be a positive duration such as 2m")
	}
}

// validateSchedule checks schedule and time_zone.
func (c *Config) validateSchedule(v *validator) {
	if err := CheckSchedule(c.Schedule); err != nil {
		v.add("schedule", "%v", err)
	}
	if strings.HasPrefix(c.Schedule, "CRON_TZ=") || strings.HasPrefix(c.Schedule, "TZ=") {
		v.add("schedule", "set the zone with time_zone, not in the schedule")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		v.add("time_zone", "%q is not an IANA time zone", c.TimeZone)
	}
}

// validatePolicy checks the policies.
func (c *Config) validatePolicy(v *validator) {
	for field, p := range map[string]string{"policy.users": c.Policy.Users, "policy.teams": c.Policy.Teams, "policy.members": c.Policy.Members} {
		switch p {
		case PolicySync, PolicyUpsertOnly, PolicyCreateOnly:
		default:
			v.add(field, "%q is not a policy (sync, upsert-only, create-only)", p)
		}
	}
}

// validateOwnership checks the ownership section.
func (c *Config) validateOwnership(v *validator) {
	switch c.Ownership.Mode {
	case OwnershipMarker, OwnershipAdopt:
	default:
		v.add("ownership.mode", "%q is not an ownership mode (marker, adopt)", c.Ownership.Mode)
	}
	if strings.TrimSpace(c.Ownership.MarkerKey) == "" {
		v.add("ownership.marker_key", "must not be empty")
	}
	if strings.TrimSpace(c.Ownership.MarkerValue) == "" {
		v.add("ownership.marker_value", "must not be empty")
	}
}

// validateSafeguards checks the safeguards section.
func (c *Config) validateSafeguards(v *validator) {
	s := c.Safeguards
	if s.MinOwners < 0 {
		v.add("safeguards.min_owners", "must not be negative")
	}
	if s.MinUsers < 0 {
		v.add("safeguards.min_users", "must not be negative")
	}
	if s.MaxShrinkPercent < 0 || s.MaxShrinkPercent > 100 {
		v.add("safeguards.max_shrink_percent", "must be between 0 and 100")
	}
	if s.MaxDeletes.Count < 0 {
		v.add("safeguards.max_deletes.count", "must not be negative")
	}
	if s.MaxDeletes.Percent < 0 || s.MaxDeletes.Percent > 100 {
		v.add("safeguards.max_deletes.percent", "must be between 0 and 100")
	}
	if s.OnCallReferences != ReferencesBlock {
		v.add("safeguards.on_call_references", "%q is not supported (block)", s.OnCallReferences)
	}
	for _, l := range []struct {
		field string
		list  []string
		email bool
	}{
		{"safeguards.required_users", s.RequiredUsers, true},
		{"safeguards.protected_users", s.ProtectedUsers, true},
		{"safeguards.ignore_users", s.IgnoreUsers, false},
		{"safeguards.ignore_teams", s.IgnoreTeams, false},
	} {
		for i, item := range l.list {
			f := fmt.Sprintf("%s[%d]", l.field, i)
			if l.email && !strings.Contains(item, "@") {
				v.add(f, "%q is not an e-mail address", item)
			}
			if !l.email {
				if _, err := path.Match(item, ""); err != nil || item == "" {
					v.add(f, "%q is not a valid glob pattern", item)
				}
			}
		}
	}
}

// validateRest checks apply, health and listen.
func (c *Config) validateRest(v *validator) {
	if c.Apply.Concurrency < 1 || c.Apply.Concurrency > 64 {
		v.add("apply.concurrency", "must be between 1 and 64, not %d", c.Apply.Concurrency)
	}
	if c.Health.MaxFailedCycles < 1 {
		v.add("health.max_failed_cycles", "must be at least 1")
	}
	if c.Health.MaxBlockedCycles < 0 {
		v.add("health.max_blocked_cycles", "must be 0 (off) or more")
	}
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			v.add("listen", "%q is not host:port", c.Listen)
		}
	}
}

func sortErrors(es Errors) Errors {
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column), cmp.Compare(a.Field, b.Field))
	})
	return es
}

// checkRate checks the keys of a rate that are written; an absent one is
// left to the limiter's default.
func checkRate(v *validator, field string, r Rate) {
	set := func(key string) bool {
		return lookup(v.doc, field+"."+key) != lookup(v.doc, field)
	}
	if (set("per_second") || r.PerSecond != 0) && !(r.PerSecond >= MinPerSecond && r.PerSecond <= 1000) {
		v.add(field+".per_second", "must be between %g and 1000, not %g", MinPerSecond, r.PerSecond)
	}
	if (set("burst") || r.Burst != 0) && (r.Burst < 1 || r.Burst > 1000) {
		v.add(field+".burst", "must be between 1 and 1000, not %d", r.Burst)
	}
}

func checkGlob(g string) error {
	if g == "" {
		return errors.New("empty pattern")
	}
	if strings.HasPrefix(g, "/") || strings.Contains(g, "..") {
		return fmt.Errorf("%q must be relative to source.path and stay inside it", g)
	}
	if _, err := path.Match(g, ""); err != nil {
		return fmt.Errorf("%q is not a valid glob pattern", g)
	}
	return nil
}

// validRefName accepts the git remote and branch names ogsync passes to git:
// no leading dash (never read as an option), no spaces or control characters.
func validRefName(s string) bool {
	if s == "" || strings.HasPrefix(s, "-") || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("~^:?*[\\", r) {
			return false
		}
	}
	return true
}

// CheckURL checks opsgenie.url: the OpsGenie client's rule (opsgenie.CheckURL).
func CheckURL(raw string) error { return opsgenie.CheckURL(raw) }

// APIKey returns the API key: the environment variable if set, else the
// content of opsgenie.api_key_file. The key itself never appears in errors.
func (c *Config) APIKey(getenv func(string) string) (string, error) {
	if k := strings.TrimSpace(getenv(EnvAPIKey)); k != "" {
		return k, nil
	}
	if c.OpsGenie.APIKeyFile == "" {
		return "", fmt.Errorf("no API key: set %s or opsgenie.api_key_file", EnvAPIKey)
	}
	return c.keyFromFile()
}

// CheckAPIKeyFile checks opsgenie.api_key_file as a run would read it, when
// it is set and the environment variable does not take precedence: the
// same errors as APIKey, and warnings for a file every user can read or
// one reached through a symbolic link (someone who can change the link can
// swap the key). The key itself is not returned.
func (c *Config) CheckAPIKeyFile(getenv func(string) string) (warnings []string, err error) {
	if c.OpsGenie.APIKeyFile == "" || strings.TrimSpace(getenv(EnvAPIKey)) != "" {
		return nil, nil
	}
	if _, err := c.keyFromFile(); err != nil {
		return nil, err
	}
	return c.KeyFileWarnings(), nil
}

// KeyFileWarnings returns the warnings about opsgenie.api_key_file: readable
// by every user, or reached through a symbolic link.
func (c *Config) KeyFileWarnings() []string {
	name := c.OpsGenie.APIKeyFile
	if name == "" {
		return nil
	}
	var ws []string
	if st, err := os.Lstat(name); err == nil && st.Mode()&os.ModeSymlink != 0 {
		ws = append(ws, fmt.Sprintf("API key file %s is a symbolic link: whoever can change the link can swap the key", name))
	}
	if st, err := os.Stat(name); err == nil && st.Mode().Perm()&0o004 != 0 {
		ws = append(ws, fmt.Sprintf("API key file %s is readable by every user (mode %04o): chmod o-r %s", name, st.Mode().Perm(), name))
	}
	return ws
}

// keyFromFile reads and checks the key of opsgenie.api_key_file.
func (c *Config) keyFromFile() (string, error) {
	data, err := readKeyFile(c.OpsGenie.APIKeyFile)
	if err != nil {
		return "", fmt.Errorf("reading API key file: %w", err)
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return "", fmt.Errorf("API key file %s starts with a byte order mark (BOM): save it as plain UTF-8 or ASCII, the key alone", c.OpsGenie.APIKeyFile)
	}
	k := strings.TrimSpace(string(data))
	if k == "" {
		return "", fmt.Errorf("API key file %s is empty", c.OpsGenie.APIKeyFile)
	}
	if strings.ContainsAny(k, "\r\n\t ") || strings.ContainsFunc(k, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", fmt.Errorf("API key file %s must hold the key alone on one line", c.OpsGenie.APIKeyFile)
	}
	return k, nil
}

// SearchRate is the rate of the Search domain.
func (r RateLimit) SearchRate() Rate {
	if r.Search != nil {
		return *r.Search
	}
	return r.Rate
}

// maxKeyFileSize bounds the API key file: a key is a few dozen bytes.
const maxKeyFileSize = 4096

// readKeyFile reads a regular file of at most maxKeyFileSize bytes, so that
// a path naming a FIFO, a device or a large file fails at once.
func readKeyFile(name string) ([]byte, error) {
	data, err := readBounded(name, maxKeyFileSize)
	if err != nil {
		return nil, err
	}
	return data, nil
}
