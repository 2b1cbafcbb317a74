package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseDefaults(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("source:\n  path: /srv/desired\n"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := Default()
	want.Source.Path = "/srv/desired"
	if cfg.OpsGenie.URL != want.OpsGenie.URL || cfg.Schedule != want.Schedule ||
		cfg.Policy != want.Policy || cfg.Safeguards.MinOwners != 1 ||
		cfg.Safeguards.MaxDeletes != want.Safeguards.MaxDeletes ||
		cfg.OpsGenie.Timeout != 30*time.Second || cfg.Apply.Concurrency != DefaultConcurrency {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if got := cfg.OpsGenie.RateLimit.SearchRate(); got != cfg.OpsGenie.RateLimit.Rate {
		t.Errorf("SearchRate() = %+v, want the Configuration rate %+v", got, cfg.OpsGenie.RateLimit.Rate)
	}
	// No rate configured: no ceiling of the user's, and the limiter adapts.
	if r := cfg.OpsGenie.RateLimit; r.Rate != (Rate{}) || !r.IsAdaptive() {
		t.Errorf("rate_limit = %+v, want unset and adaptive", r)
	}
}

func TestParseRateLimit(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       RateLimit
		errs       []string
	}{
		{"a ceiling alone takes the default burst", "opsgenie:\n  rate_limit: {per_second: 20}\n", RateLimit{Rate: Rate{PerSecond: 20}}, nil},
		{"fixed", "opsgenie:\n  rate_limit: {per_second: 20, burst: 5, adaptive: false}\n", RateLimit{Rate: Rate{PerSecond: 20, Burst: 5}, Adaptive: new(false)}, nil},
		{"fixed needs a rate", "opsgenie:\n  rate_limit: {adaptive: false}\n", RateLimit{}, []string{
			`c.yaml:2:26: opsgenie.rate_limit.adaptive: false needs opsgenie.rate_limit.per_second: the fixed rate to keep`}},
		{"an explicit zero is refused", "opsgenie:\n  rate_limit: {per_second: 0}\n", RateLimit{}, []string{
			`c.yaml:2:28: opsgenie.rate_limit.per_second: must be between 0.01 and 1000, not 0`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("c.yaml", []byte(tc.yaml))
			if len(tc.errs) > 0 {
				if err == nil || err.Error() != strings.Join(tc.errs, "\n") {
					t.Fatalf("err = %v, want %q", err, tc.errs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := cfg.OpsGenie.RateLimit
			if got.Rate != tc.want.Rate || got.IsAdaptive() != tc.want.IsAdaptive() {
				t.Errorf("rate_limit = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseFull(t *testing.T) {
	data := `
opsgenie:
  url: https://api.eu.opsgenie.com
  api_key_file: key
  timeout: 10s
  max_retries: 3
  rate_limit: { per_second: 2, burst: 4, search: { per_second: 0.5, burst: 1 } }
source:
  path: desired
  files: ["users/*.yaml", "teams/**/*.yaml"]
  external_users: [guest@partner.example]
  git: { pull: true, remote: upstream, branch: release/v1, verify_signatures: true, timeout: 30s }
schedule: "*/5 * * * *"
time_zone: Europe/Berlin
policy: { users: sync, teams: create-only, members: upsert-only }
ownership: { mode: adopt, marker_key: owner, marker_value: roster }
safeguards:
  min_owners: 2
  min_users: 5
  max_shrink_percent: 30
  max_deletes: { count: 3, percent: 5.5 }
  on_call_references: block
  required_users: [root@example.com]
  protected_users: [root@example.com]
  ignore_users: ["*@contractor.example.com"]
  ignore_teams: ["legacy-*"]
apply: { concurrency: 8 }
health: { max_failed_cycles: 5 }
listen: 127.0.0.1:9187
state_dir: /var/lib/ogsync
`
	cfg, err := Parse("c.yaml", []byte(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.OpsGenie.RateLimit.SearchRate() != (Rate{PerSecond: 0.5, Burst: 1}) {
		t.Errorf("search rate = %+v", cfg.OpsGenie.RateLimit.SearchRate())
	}
	if cfg.OpsGenie.RateLimit.PerSecond != 2 || cfg.OpsGenie.RateLimit.Burst != 4 {
		t.Errorf("rate = %+v", cfg.OpsGenie.RateLimit.Rate)
	}
	if cfg.Source.Git.Branch != "release/v1" || !cfg.Source.Git.VerifySignatures || cfg.Source.Git.Timeout != 30*time.Second {
		t.Errorf("git = %+v", cfg.Source.Git)
	}
	if cfg.Policy.Teams != PolicyCreateOnly || cfg.Ownership.Mode != OwnershipAdopt {
		t.Errorf("policy/ownership = %+v %+v", cfg.Policy, cfg.Ownership)
	}
	if cfg.Safeguards.MaxDeletes.Percent != 5.5 || cfg.Safeguards.IgnoreTeams[0] != "legacy-*" {
		t.Errorf("safeguards = %+v", cfg.Safeguards)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string // every line of the error, in order
	}{
		{"empty file", "", []string{"c.yaml: file is empty"}},
		{"not a mapping", "- a\n- b\n", []string{"c.yaml:1:1: the configuration must be a mapping"}},
		{"syntax error", "opsgenie:\n  url: [\n", []string{"c.yaml:3:1: did not find expected node content"}},
		{"unknown key", "opsgenie:\n  urll: https://x\n", []string{`c.yaml:2:3: opsgenie: unknown key "urll" (expected one of: api_key_file, heartbeat, max_retries, rate_limit, timeout, url)`}},
		{"wrong type", "apply:\n  concurrency: many\n", []string{`c.yaml:2:16: apply.concurrency: must be a whole number, not "many"`}},
		{"bad duration", "opsgenie:\n  timeout: soon\n", []string{`c.yaml:2:12: opsgenie.timeout: "soon" is not a duration such as 30s or 2m`}},
		{"duration without a unit", "opsgenie:\n  timeout: 30\n", []string{`c.yaml:2:12: opsgenie.timeout: 30 has no unit: write a duration such as 30s`}},
		{"fraction for a whole number", "opsgenie:\n  max_retries: 1.5\n  rate_limit: {per_second: 2.5, burst: 2.5}\n", []string{
			`c.yaml:2:16: opsgenie.max_retries: must be a whole number, not 1.5`,
			`c.yaml:3:40: opsgenie.rate_limit.burst: must be a whole number, not 2.5`}},
		{"every type problem at once", "listen: [a, b]\nsource:\n  files: \"*.yaml\"\n  git: {pull: yes please}\nhealth: 3\nnope: 1\n", []string{
			`c.yaml:1:9: listen: must be a string, not a list`,
			`c.yaml:3:10: source.files: must be a list, not "*.yaml"`,
			`c.yaml:4:15: source.git.pull: must be true or false, not "yes please"`,
			`c.yaml:5:9: health: must be a mapping, not 3`,
			`c.yaml:6:1: unknown key "nope" (expected one of: apply, atlassian, health, listen, opsgenie, ownership, policy, safeguards, schedule, source, state_dir, target, time_zone, users)`}},
		{"inline rate keys and the search block", "opsgenie:\n  rate_limit: {per_second: 2, burst: 4, search: {per_second: x}}\n", []string{
			`c.yaml:2:62: opsgenie.rate_limit.search.per_second: must be a number, not "x"`}},
		{"alias", "a: &x 1\nschedule: *x\n", []string{"c.yaml:2:11: schedule: aliases are not allowed"}},
		{"http off loopback", "opsgenie:\n  url: http://api.opsgenie.com\n", []string{
			`c.yaml:2:8: opsgenie.url: "http://api.opsgenie.com": http is allowed only on a loopback address; use https`}},
		{"url with path", "opsgenie:\n  url: https://api.opsgenie.com/v2\n", []string{
			`c.yaml:2:8: opsgenie.url: "https://api.opsgenie.com/v2" must be a base URL with no path or query`}},
		{"several problems at once", `
schedule: "every minute"
time_zone: Mars/Olympus
policy: { users: mirror }
safeguards:
  max_deletes: { count: -1, percent: 150 }
  protected_users: [root]
  ignore_teams: ["[bad"]
apply: { concurrency: 0 }
`, []string{
			`c.yaml:2:11: schedule: "every minute" is not a cron schedule: expected exactly 5 fields, found 2: [every minute]`,
			`c.yaml:3:12: time_zone: "Mars/Olympus" is not an IANA time zone`,
			`c.yaml:4:18: policy.users: "mirror" is not a policy (sync, upsert-only, create-only)`,
			`c.yaml:6:25: safeguards.max_deletes.count: must not be negative`,
			`c.yaml:6:38: safeguards.max_deletes.percent: must be between 0 and 100`,
			`c.yaml:7:21: safeguards.protected_users[0]: "root" is not an e-mail address`,
			`c.yaml:8:18: safeguards.ignore_teams[0]: "[bad" is not a valid glob pattern`,
			`c.yaml:9:23: apply.concurrency: must be between 1 and 64, not 0`,
		}},
		{"git names that could be options", "source:\n  git: { pull: true, remote: --upload-pack=x, branch: 'a b' }\n", []string{
			`c.yaml:2:30: source.git.remote: git remote "--upload-pack=x" is not a valid name`,
			`c.yaml:2:55: source.git.branch: git branch "a b" is not a valid name`,
		}},
		{"glob escaping the checkout", "source:\n  files: [../secrets/*.yaml]\n", []string{
			`c.yaml:2:11: source.files[0]: pattern "../secrets/*.yaml" must stay inside the directory (no empty, . or .. segments)`}},
		{"rate limits", "opsgenie:\n  rate_limit: { per_second: 0, burst: 0 }\n", []string{
			`c.yaml:2:29: opsgenie.rate_limit.per_second: must be between 0.01 and 1000, not 0`,
			`c.yaml:2:39: opsgenie.rate_limit.burst: must be between 1 and 1000, not 0`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tc.data))
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse error = %v (%T), want Errors", err, err)
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestLoadFileResolvesRelativePaths(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ogsync.yaml")
	data := "opsgenie: { api_key_file: secret/key }\nsource: { path: desired }\nstate_dir: state\n"
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadFile(file)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	for name, got := range map[string]string{
		"source.path":  cfg.Source.Path,
		"api_key_file": cfg.OpsGenie.APIKeyFile,
		"state_dir":    cfg.StateDir,
	} {
		if !strings.HasPrefix(got, dir) {
			t.Errorf("%s = %q, want it under %q", name, got, dir)
		}
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "reading config") {
		t.Errorf("missing file error = %v", err)
	}
}

func TestAPIKey(t *testing.T) {
	const key = "6bfb5b4a-8f45-4a4e-9c4f-1f0a5b8c9d2e"
	dir := t.TempDir()
	good := filepath.Join(dir, "key")
	if err := os.WriteFile(good, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	twoLines := filepath.Join(dir, "two")
	if err := os.WriteFile(twoLines, []byte(key+"\n"+key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("k", 5000)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvAPIKey {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		file    string
		env     string
		want    string
		wantErr string
	}{
		{"environment wins", good, "env-key", "env-key", ""},
		{"file", good, "", key, ""},
		{"nothing", "", "", "", "no API key: set OPSGENIE_API_KEY or opsgenie.api_key_file"},
		{"missing file", filepath.Join(dir, "nope"), "", "", "reading API key file"},
		{"empty file", empty, "", "", "is empty"},
		{"two keys", twoLines, "", "", "must hold the key alone on one line"},
		{"a directory", dir, "", "", "is not a regular file"},
		{"too large", big, "", "", "more than the 4096 allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			cfg.OpsGenie.APIKeyFile = tc.file
			got, err := cfg.APIKey(env(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), key) {
					t.Fatalf("error leaks the key: %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("APIKey() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	ok := []string{"https://api.opsgenie.com", "https://api.eu.opsgenie.com/", "http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"}
	bad := []string{"", "api.opsgenie.com", "ftp://x", "http://10.0.0.1", "https://u:p@api.opsgenie.com", "https://api.opsgenie.com?x=1"}
	for _, u := range ok {
		if err := CheckURL(u); err != nil {
			t.Errorf("CheckURL(%q) = %v, want nil", u, err)
		}
	}
	for _, u := range bad {
		if err := CheckURL(u); err == nil {
			t.Errorf("CheckURL(%q) = nil, want an error", u)
		}
	}
}

// CheckOffline names the key of each problem: the OpsGenie key file, then
// source.git; a missing key is no problem, and warnings come back.
func TestCheckOffline(t *testing.T) {
	noEnv := func(string) string { return "" }
	cfg := Default()
	if ws, err := cfg.CheckOffline(noEnv); ws != nil || err != nil {
		t.Errorf("defaults: %v, %v", ws, err)
	}
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.OpsGenie.APIKeyFile = empty
	if _, err := cfg.CheckOffline(noEnv); err == nil || !strings.HasPrefix(err.Error(), "opsgenie.api_key_file: API key file") {
		t.Errorf("empty key file: %v", err)
	}
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, []byte("k\n"), 0o604); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o604); err != nil {
		t.Fatal(err)
	}
	cfg.OpsGenie.APIKeyFile = open
	ws, err := cfg.CheckOffline(noEnv)
	if len(ws) != 1 || !strings.Contains(ws[0], "readable by every user") || err != nil {
		t.Errorf("world-readable key file: warnings %q, %v", ws, err)
	}
}
