package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseValidateArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    validateOptions
		wantErr string
	}{
		{"desired", []string{"--desired", "dir"}, validateOptions{sourceFlags: sourceFlags{desired: "dir"}}, ""},
		{"config", []string{"--config=ogsync.yaml"}, validateOptions{sourceFlags: sourceFlags{config: "ogsync.yaml"}}, ""},
		{"neither", nil, validateOptions{}, "one of --config or --desired is required"},
		{"both", []string{"--desired", "d", "--config", "c"}, validateOptions{}, "--config and --desired are exclusive"},
		{"positional", []string{"--desired", "d", "extra"}, validateOptions{}, `unexpected argument "extra"`},
		{"unknown flag", []string{"--apply"}, validateOptions{}, "flag provided but not defined: -apply"},
		{"help", []string{"-h"}, validateOptions{}, flag.ErrHelp.Error()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseValidateArgs(newFlagSet("validate", "", io.Discard), tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				if tc.name == "help" && !errors.Is(err, flag.ErrHelp) {
					t.Errorf("help error is not flag.ErrHelp")
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("parseValidateArgs = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestValidateCommand(t *testing.T) {
	bad := t.TempDir()
	writeTestFile(t, bad, "users.yaml", "users:\n  - username: Bob@x\n    role: Wizard\n")
	writeTestFile(t, bad, "teams/sre.yaml", "teams:\n  - name: sre\n    members:\n      - user: ext@partner.example\n        role: admin\n")

	cfgDir := t.TempDir()
	writeTestFile(t, cfgDir, "desired/users.yaml", "users:\n  - username: alice@example.com\n    role: Admin\n")
	writeTestFile(t, cfgDir, "desired/teams.yaml", "teams:\n  - name: sre\n    members:\n      - user: alice@example.com\n        role: admin\n      - user: Ext@Partner.example\n        role: user\n")
	writeTestFile(t, cfgDir, "ogsync.yaml", "source:\n  path: desired\n  files: [\"*.yaml\"]\n  external_users: [ext@partner.example]\n")
	writeTestFile(t, cfgDir, "broken.yaml", "source:\n  path: desired\n  files: [\"../x\"]\nschedule: often\n")
	writeTestFile(t, cfgDir, "pull.yaml", "source:\n  path: desired\n  files: [\"*.yaml\"]\n  external_users: [ext@partner.example]\n  git: {pull: true, verify_signatures: true}\n")
	writeTestFile(t, cfgDir, "strict.yaml", "source:\n  path: desired\n  files: [\"*.yaml\"]\n")
	writeTestFile(t, cfgDir, "api-key", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n")
	writeTestFile(t, cfgDir, "keyed.yaml", "opsgenie: {api_key_file: api-key}\nsource: {path: not-checked-out-yet}\n")

	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string
		stderrHas  []string
		stderrNone bool
	}{
		{"examples", []string{"validate", "--desired", "examples/desired"}, exitOK,
			"ok: 17 users, 6 teams in 7 files\n", nil, true},
		{"invalid desired state", []string{"validate", "--desired", bad}, exitError, "", []string{
			`users.yaml:2:15: users[0].username: "Bob@x" is not an e-mail address` + "\n",
			`users.yaml:3:11: users[0].role: "Wizard" is neither a built-in role`,
			`teams/sre.yaml:4:15: teams[0].members[0].user: "ext@partner.example" is not a declared user nor an allowed external user` + "\n",
			"invalid: 3 problems in the desired state\n",
		}, false},
		{"config with external users", []string{"validate", "--config", filepath.Join(cfgDir, "ogsync.yaml")}, exitOK,
			"ok: 1 user, 1 team in 2 files\n", nil, true},
		{"offline even when the config pulls", []string{"validate", "--config", filepath.Join(cfgDir, "pull.yaml")}, exitOK,
			"ok: 1 user, 1 team in 2 files\n", nil, true},
		{"config without the external user", []string{"validate", "--config", filepath.Join(cfgDir, "strict.yaml")}, exitError, "", []string{
			"teams.yaml:6:15: teams[0].members[1].user:", "invalid: 1 problem in the desired state\n",
		}, false},
		{"invalid config", []string{"validate", "--config", filepath.Join(cfgDir, "broken.yaml")}, exitError, "", []string{
			"broken.yaml:3:11: source.files[0]:", "broken.yaml:4:11: schedule:", "invalid: 2 problems in the configuration\n",
		}, false},
		{"missing directory", []string{"validate", "--desired", filepath.Join(cfgDir, "nope")}, exitError, "", []string{
			"no such file or directory", "invalid: cannot read the desired state\n",
		}, false},
		{"config only", []string{"validate", "--config", filepath.Join(cfgDir, "keyed.yaml"), "--config-only"}, exitOK,
			"ok: configuration " + filepath.Join(cfgDir, "keyed.yaml") + "\n", nil, true},
		{"config only, invalid config", []string{"validate", "--config", filepath.Join(cfgDir, "broken.yaml"), "--config-only"}, exitError, "", []string{
			"broken.yaml:4:11: schedule:", "invalid: 2 problems in the configuration\n",
		}, false},
		{"config only, no API key", []string{"validate", "--config", filepath.Join(cfgDir, "ogsync.yaml"), "--config-only"}, exitError, "", []string{
			"ogsync.yaml: no API key: set OPSGENIE_API_KEY or opsgenie.api_key_file", "invalid: the configuration has a problem\n",
		}, false},
		{"config only without config", []string{"validate", "--desired", bad, "--config-only"}, exitError, "", []string{"--config-only needs --config"}, false},
		{"no flag", []string{"validate"}, exitError, "", []string{"ogsync validate: one of --config or --desired is required"}, false},
		{"help", []string{"validate", "--help"}, exitOK, "", []string{"Usage: ogsync validate --config FILE [--config-only] | --desired DIR"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, nil, tc.args...)
			if code != tc.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tc.code, errs)
			}
			if out != tc.stdout {
				t.Errorf("stdout = %q, want %q", out, tc.stdout)
			}
			for _, s := range tc.stderrHas {
				if !strings.Contains(errs, s) {
					t.Errorf("stderr %q does not contain %q", errs, s)
				}
			}
			if tc.stderrNone && errs != "" {
				t.Errorf("stderr = %q, want nothing", errs)
			}
		})
	}
}

func writeTestFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
