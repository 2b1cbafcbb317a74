package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAtlassianConfig(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // substrings of the error, with their position
	}{
		{"default target", "opsgenie:\n  url: https://api.opsgenie.com\n", nil},
		{"complete", "target: atlassian\natlassian:\n  site: acme\n  org_id: o\n  cloud_id: c\n  email: a@b.c\n", nil},
		{"emulator url", "target: atlassian\natlassian:\n  url: http://127.0.0.1:9\n  org_id: o\n  cloud_id: c\n  email: a@b.c\n", nil},
		{"unknown target", "target: jira\n", []string{`c.yaml:1:9: target: "jira" is not a target`}},
		{"missing keys", "target: atlassian\natlassian:\n  site: acme\n", []string{
			"c.yaml:3:3: atlassian.org_id: is required", "c.yaml:3:3: atlassian.cloud_id: is required", "c.yaml:3:3: atlassian.email: is required"}},
		{"no site nor url", "target: atlassian\natlassian:\n  org_id: o\n  cloud_id: c\n  email: a@b.c\n", []string{"c.yaml:3:3: atlassian.site: is required unless a base URL is set"}},
		{"bad url", "target: atlassian\natlassian:\n  url: http://example.com\n  org_id: o\n  cloud_id: c\n  email: a@b.c\n", []string{"c.yaml:3:8: atlassian.url:", "loopback"}},
		{"bad site", "target: atlassian\natlassian:\n  site: https://acme/\n  org_id: o\n  cloud_id: c\n  email: a@b.c\n", []string{"c.yaml:3:9: atlassian.site:"}},
		{"bad email", "target: atlassian\natlassian:\n  site: acme\n  org_id: o\n  cloud_id: c\n  email: nobody\n", []string{"c.yaml:6:10: atlassian.email:"}},
		{"heartbeat", "target: atlassian\nopsgenie:\n  heartbeat: ogsync\natlassian:\n  site: acme\n  org_id: o\n  cloud_id: c\n  email: a@b.c\n", []string{"c.yaml:3:14: opsgenie.heartbeat: is an OpsGenie heartbeat"}},
		{"unknown key", "target: atlassian\natlassian:\n  site: acme\n  org: o\n", []string{`c.yaml:4:3: atlassian: unknown key "org"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tc.yaml))
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestAtlassianSecrets(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const token, orgKey = "tok-SECRET-0123456789", "org-SECRET-9876543210"
	cfg := Default()
	cfg.Target = TargetAtlassian
	cfg.Atlassian.APITokenFile = write("token", token+"\n")
	cfg.Atlassian.OrgAPIKeyFile = write("org", orgKey)
	noenv := func(string) string { return "" }
	tk, ok, err := cfg.AtlassianSecrets(noenv)
	if err != nil || tk != token || ok != orgKey {
		t.Fatalf("files: got ok=%v err=%v", tk == token && ok == orgKey, err)
	}
	env := func(k string) string {
		if k == EnvAtlassianAPIToken {
			return "from-env-token"
		}
		return ""
	}
	if tk, _, _ := cfg.AtlassianSecrets(env); tk != "from-env-token" {
		t.Error("the environment does not take precedence")
	}
	for name, data := range map[string]string{"bom": "\xef\xbb\xbf" + token, "empty": "\n", "two lines": token + "\nmore"} {
		cfg.Atlassian.APITokenFile = write(name, data)
		_, _, err := cfg.AtlassianSecrets(noenv)
		if err == nil || !strings.Contains(err.Error(), "atlassian.api_token_file") {
			t.Errorf("%s: error %v does not name the field", name, err)
		}
		if _, err2 := cfg.CheckAtlassianSecretFiles(noenv); err2 == nil {
			t.Errorf("%s: CheckAtlassianSecretFiles accepts it", name)
		}
		if err != nil && (strings.Contains(err.Error(), token[:8]) || strings.Contains(err.Error(), token[8:16])) {
			t.Errorf("%s: the error shows the token", name)
		}
	}
	cfg.Atlassian.APITokenFile = ""
	if _, _, err := cfg.AtlassianSecrets(noenv); err == nil || !strings.Contains(err.Error(), EnvAtlassianAPIToken) {
		t.Errorf("no token: %v", err)
	}
}
