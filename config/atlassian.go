package config

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"
)

// The targets a configuration may name.
const (
	TargetOpsGenie  = "opsgenie"
	TargetAtlassian = "atlassian"
)

// Environment variables of the Atlassian credentials; each takes precedence
// over its file.
const (
	EnvAtlassianAPIToken  = "ATLASSIAN_API_TOKEN"
	EnvAtlassianOrgAPIKey = "ATLASSIAN_ORG_API_KEY"
)

// SecretEnvs are the environment variables that hold secrets: ogsync reads
// them once and hides their values in all output.
var SecretEnvs = []string{EnvAPIKey, EnvAtlassianAPIToken, EnvAtlassianOrgAPIKey}

// Atlassian says how to reach an Atlassian organization (Teams, JSM
// Operations, the org directory) when target is atlassian.
type Atlassian struct {
	// URL, when set, replaces every base URL (the emulator serves all the
	// APIs on one address); https, or http on a loopback address.
	URL string `yaml:"url"`
	// Site is the Jira site, "acme" or "acme.atlassian.net"; required unless URL is set.
	Site string `yaml:"site"`
	// OrgID is the organization id.
	OrgID string `yaml:"org_id"`
	// CloudID is the site's cloud id.
	CloudID string `yaml:"cloud_id"`
	// Email is the account the API token belongs to.
	Email string `yaml:"email"`
	// APITokenFile holds the API token; ATLASSIAN_API_TOKEN takes precedence.
	APITokenFile string `yaml:"api_token_file"`
	// OrgAPIKeyFile holds the org admin API key; ATLASSIAN_ORG_API_KEY takes precedence.
	OrgAPIKeyFile string `yaml:"org_api_key_file"`
	// Timeout bounds one HTTP request; 0: the target's default (30s).
	Timeout time.Duration `yaml:"timeout"`
}

// TargetName is the configured target: opsgenie unless target says atlassian.
func (c *Config) TargetName() string {
	if c.Target == "" {
		return TargetOpsGenie
	}
	return c.Target
}

// validateAtlassian checks target and, when it is atlassian, the atlassian
// section: the target's options (atlassian.Options.Validate), and the
// heartbeat, which only an OpsGenie account can have. apply.concurrency is
// the engine's rule, checked there.
func (c *Config) validateAtlassian(v *validator) {
	switch c.Target {
	case "", TargetOpsGenie:
		return
	case TargetAtlassian:
	default:
		v.add("target", "%q is not a target: opsgenie or atlassian", c.Target)
		return
	}
	o := c.AtlassianOptions("", "", "", false, false)
	o.Concurrency = 0
	v.owned(o.Validate(), "atlassian", map[string]string{"base_url": "atlassian.url"})
	if c.OpsGenie.Heartbeat != "" {
		v.add("opsgenie.heartbeat", "is an OpsGenie heartbeat: the atlassian target cannot ping it; remove it")
	}
}

// resolveAtlassian resolves the secret files against the configuration's directory.
func (c *Config) resolveAtlassian(dir string) {
	c.Atlassian.APITokenFile = resolve(dir, c.Atlassian.APITokenFile)
	c.Atlassian.OrgAPIKeyFile = resolve(dir, c.Atlassian.OrgAPIKeyFile)
}

// AtlassianSecrets returns the API token and the org API key: each
// environment variable if set, else its file's content. The secrets never
// appear in errors.
func (c *Config) AtlassianSecrets(getenv func(string) string) (token, orgKey string, err error) {
	token, err = secretFrom(getenv, EnvAtlassianAPIToken, "atlassian.api_token_file", c.Atlassian.APITokenFile)
	if err != nil {
		return "", "", err
	}
	orgKey, err = secretFrom(getenv, EnvAtlassianOrgAPIKey, "atlassian.org_api_key_file", c.Atlassian.OrgAPIKeyFile)
	if err != nil {
		return "", "", err
	}
	return token, orgKey, nil
}

// CheckAtlassianSecretFiles checks the Atlassian secret files a run would
// read (those set, whose environment variable is not), as validate does
// for the OpsGenie key: the same errors, and the warnings of each file.
func (c *Config) CheckAtlassianSecretFiles(getenv func(string) string) (warnings []string, err error) {
	if c.TargetName() != TargetAtlassian {
		return nil, nil
	}
	for _, f := range c.atlassianFiles() {
		if f.file == "" || strings.TrimSpace(getenv(f.env)) != "" {
			continue
		}
		if _, err := secretFile(f.field, f.file); err != nil {
			return nil, err
		}
		warnings = append(warnings, fileWarnings("secret file", "secret", f.file)...)
	}
	return warnings, nil
}

// AtlassianFileWarnings returns the warnings about the Atlassian secret
// files read (those whose environment variable is not set).
func (c *Config) AtlassianFileWarnings(getenv func(string) string) []string {
	var ws []string
	for _, f := range c.atlassianFiles() {
		if f.file != "" && strings.TrimSpace(getenv(f.env)) == "" {
			ws = append(ws, fileWarnings("secret file", "secret", f.file)...)
		}
	}
	return ws
}

type secretSource struct{ env, field, file string }

func (c *Config) atlassianFiles() []secretSource {
	return []secretSource{
		{EnvAtlassianAPIToken, "atlassian.api_token_file", c.Atlassian.APITokenFile},
		{EnvAtlassianOrgAPIKey, "atlassian.org_api_key_file", c.Atlassian.OrgAPIKeyFile},
	}
}

func secretFrom(getenv func(string) string, env, field, file string) (string, error) {
	if k := strings.TrimSpace(getenv(env)); k != "" {
		return k, nil
	}
	if file == "" {
		return "", fmt.Errorf("no secret: set %s or %s", env, field)
	}
	return secretFile(field, file)
}

// secretFile reads and checks a secret file with the rules of the OpsGenie
// key file: a bounded regular file, no BOM, the secret alone on one line.
func secretFile(field, file string) (string, error) {
	data, err := readKeyFile(file)
	if err != nil {
		return "", fmt.Errorf("%s: reading %s: %w", field, file, err)
	}
	return secretText(data, field+": "+file, "secret")
}

// secretText checks the content of a secret file, which name describes
// ("API key file /etc/ogsync/key"): no BOM, the secret (noun: "key")
// alone on one line.
func secretText(data []byte, name, noun string) (string, error) {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return "", fmt.Errorf("%s starts with a byte order mark (BOM): save it as plain UTF-8 or ASCII, the %s alone", name, noun)
	}
	k := strings.TrimSpace(string(data))
	if k == "" {
		return "", fmt.Errorf("%s is empty", name)
	}
	if strings.ContainsAny(k, "\r\n\t ") || strings.ContainsFunc(k, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", fmt.Errorf("%s must hold the %s alone on one line", name, noun)
	}
	return k, nil
}

// fileWarnings warns of a secret file (what: "API key file") every user
// can read or one reached through a symbolic link; noun names the secret.
func fileWarnings(what, noun, name string) []string {
	var ws []string
	if st, err := os.Lstat(name); err == nil && st.Mode()&os.ModeSymlink != 0 {
		ws = append(ws, fmt.Sprintf("%s %s is a symbolic link: whoever can change the link can swap the %s", what, name, noun))
	}
	if st, err := os.Stat(name); err == nil && st.Mode().Perm()&0o004 != 0 {
		ws = append(ws, fmt.Sprintf("%s %s is readable by every user (mode %04o): chmod o-r %s", what, name, st.Mode().Perm(), name))
	}
	return ws
}
