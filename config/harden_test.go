package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestParseReportsEverythingAtOnce: an unknown key no longer hides the
// other problems of the file.
func TestParseReportsEverythingAtOnce(t *testing.T) {
	_, err := Parse("c.yaml", []byte("apply: {concurency: 4}\nschedule: \"@every 0s\"\nopsgenie:\n  rate_limit: {per_second: 1e-300}\n"))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`c.yaml:1:9: apply: unknown key "concurency"`, "c.yaml:2:11: schedule:", "c.yaml:4:28: opsgenie.rate_limit.per_second: must be between 0.01 and 1000, not 1e-300"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	for _, r := range []string{"1e-300", ".nan", "-.inf", ".inf", "0.001"} {
		if _, err := Parse("c.yaml", []byte("opsgenie:\n  rate_limit: {per_second: "+r+"}\n")); err == nil {
			t.Errorf("per_second %s accepted", r)
		}
	}
}

// TestLoadFileRefusesSpecialFiles: /dev/zero and a FIFO fail at once,
// without reading without bound or blocking.
func TestLoadFileRefusesSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, make([]byte, maxFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"/dev/zero":    "not a regular file (a character device)",
		fifo:           "not a regular file (a FIFO)",
		t.TempDir():    "not a regular file (a directory)",
		big:            "more than the 1048576 allowed",
		"/nonexisting": "no such file",
	} {
		_, err := LoadFile(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", name, err, want)
		}
	}
}

// TestAPIKeyFileProblems: a BOM is an error; a world-readable file and a
// link give warnings; CheckAPIKeyFile gives the verdict APIKey gives.
func TestAPIKeyFileProblems(t *testing.T) {
	dir := t.TempDir()
	noEnv := func(string) string { return "" }
	cfgFor := func(name string) *Config {
		c := Default()
		c.OpsGenie.APIKeyFile = name
		return &c
	}
	bom := filepath.Join(dir, "bom")
	if err := os.WriteFile(bom, []byte("\xef\xbb\xbf0a1b2c3d-4e5f\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, check := range []func(c *Config) error{
		func(c *Config) error { _, err := c.APIKey(noEnv); return err },
		func(c *Config) error { _, err := c.CheckAPIKeyFile(noEnv); return err },
	} {
		if err := check(cfgFor(bom)); err == nil || !strings.Contains(err.Error(), "byte order mark") {
			t.Errorf("BOM: err = %v", err)
		}
		if err := check(cfgFor(filepath.Join(dir, "missing"))); err == nil {
			t.Error("a missing key file passed")
		}
	}
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, []byte("0a1b2c3d-4e5f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := cfgFor(open).CheckAPIKeyFile(noEnv)
	if err != nil || len(ws) != 1 || !strings.Contains(ws[0], "readable by every user") {
		t.Errorf("0644: %v, %v", ws, err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(open, link); err != nil {
		t.Fatal(err)
	}
	ws, err = cfgFor(link).CheckAPIKeyFile(noEnv)
	if err != nil || len(ws) != 2 || !strings.Contains(ws[0], "symbolic link") {
		t.Errorf("link: %v, %v", ws, err)
	}
	private := filepath.Join(dir, "private")
	if err := os.WriteFile(private, []byte("0a1b2c3d-4e5f\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if ws, err := cfgFor(private).CheckAPIKeyFile(noEnv); err != nil || len(ws) != 0 {
		t.Errorf("0600: %v, %v", ws, err)
	}
	// The environment takes precedence: the file is not read.
	if ws, err := cfgFor(bom).CheckAPIKeyFile(func(string) string { return "k" }); err != nil || ws != nil {
		t.Errorf("with the environment variable: %v, %v", ws, err)
	}
}
