// Package config loads and validates the ogsync configuration file: where the
// OpsGenie account is, where the desired state comes from, and the policies and
// safeguards that bound what a sync may change.
//
// Decoding is strict: an unknown key is an error. Every problem is reported at
// once, each as "file:line:col: field: message".
package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/internal/yamlstrict"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/statedir"
	"github.com/ogsync/ogsync/target/opsgenie"
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
	// schedule, escalation or unmanaged team: the planner's.
	ReferencesBlock = planner.ReferencesBlock
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

// DefaultConcurrency is the default of apply.concurrency: the engine's
// (engine.DefaultConcurrency).
const DefaultConcurrency = engine.DefaultConcurrency

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

// Default returns the configuration every file starts from. Its policies,
// ownership and safeguards are the planner's defaults (planner.DefaultOptions).
func Default() Config {
	p := planner.DefaultOptions()
	return Config{
		OpsGenie: OpsGenie{
			URL:        opsgenie.DefaultBaseURL,
			Timeout:    opsgenie.DefaultTimeout,
			MaxRetries: 5,
		},
		Source: Source{
			Path:  ".",
			Files: []string{"**/*.yaml", "**/*.yml"},
			Git:   Git{Remote: "origin", Branch: "main", Timeout: source.DefaultGitTimeout},
		},
		Schedule:  "*/10 * * * *",
		TimeZone:  "UTC",
		Policy:    Policy{Users: p.Policies.Users, Teams: p.Policies.Teams, Members: p.Policies.Members},
		Users:     Users{SendInvitations: true},
		Ownership: Ownership(p.Ownership),
		Safeguards: Safeguards{
			MinOwners:        p.Safeguards.MinOwners,
			MinUsers:         p.Safeguards.MinUsers,
			MaxShrinkPercent: p.Safeguards.MaxShrinkPercent,
			MaxDeletes:       MaxDeletes(p.Safeguards.MaxDeletes),
			OnCallReferences: ReferencesBlock,
		},
		Apply:    Apply{Concurrency: DefaultConcurrency},
		Health:   Health{MaxFailedCycles: 3},
		StateDir: "/var/lib/ogsync",
	}
}

// Error is one problem in a configuration file, formatted as
// "file:line:col: field: message".
type Error = yamlstrict.Error

// Errors is every problem found in one file, in file order.
type Errors = yamlstrict.Errors

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
	doc, perr := yamlstrict.Parse(name, data)
	if perr != nil {
		return nil, Errors{perr}
	}
	if doc.Kind != yaml.MappingNode {
		return nil, Errors{{File: name, Line: doc.Line, Column: doc.Column, Msg: "the configuration must be a mapping"}}
	}
	if errs := yamlstrict.CheckNodes(name, doc, ""); len(errs) > 0 {
		return nil, errs
	}
	// Unknown keys do not hide the other problems: the file is decoded
	// without them and validated, and every problem is reported at once.
	// Only a value of the wrong type stops there, as it cannot be decoded.
	typeErrs := checkTypes(name, doc, reflect.TypeFor[Config](), "")
	for _, e := range typeErrs {
		if !strings.HasPrefix(e.Msg, "unknown key ") {
			return nil, typeErrs.Sort()
		}
	}
	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(len(typeErrs) == 0)
	if err := dec.Decode(&cfg); err != nil {
		return nil, append(typeErrs, yamlstrict.SyntaxError(name, err)).Sort()
	}
	cfg.File = name
	if errs := append(typeErrs, cfg.validate(name, doc)...); len(errs) > 0 {
		return nil, errs.Sort()
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
		return nil, fmt.Errorf("%s is not a regular file (a %s)", name, statedir.FileKind(st.Mode()))
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

// CheckOffline checks what a run reads besides this file that can be
// checked without the network, as the run checks it: the secret files of
// the target (CheckAPIKeyFile, CheckAtlassianSecretFiles); the git settings
// are the file's own, checked when it is loaded (source.Options.Validate).
// It returns the secret files' warnings and the first problem, named by
// its key. A missing secret is no problem here.
func (c *Config) CheckOffline(getenv func(string) string) (warnings []string, err error) {
	warnings, err = c.CheckAPIKeyFile(getenv)
	if err != nil {
		return warnings, fmt.Errorf("opsgenie.api_key_file: %w", err)
	}
	ws, err := c.CheckAtlassianSecretFiles(getenv)
	return append(warnings, ws...), err
}

// KeyFileWarnings returns the warnings about opsgenie.api_key_file: readable
// by every user, or reached through a symbolic link.
func (c *Config) KeyFileWarnings() []string {
	if c.OpsGenie.APIKeyFile == "" {
		return nil
	}
	return fileWarnings("API key file", "key", c.OpsGenie.APIKeyFile)
}

// keyFromFile reads and checks the key of opsgenie.api_key_file.
func (c *Config) keyFromFile() (string, error) {
	data, err := readKeyFile(c.OpsGenie.APIKeyFile)
	if err != nil {
		return "", fmt.Errorf("reading API key file: %w", err)
	}
	return secretText(data, "API key file "+c.OpsGenie.APIKeyFile, "key")
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
