package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// runCLI runs the CLI in-process and returns its exit code and output.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code = run(context.Background(), args, stdio{out: &out, err: &errb, getenv: getenv})
	return code, out.String(), errb.String()
}

func TestDispatch(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"no command", nil, exitError, "Usage: ogsync <command>"},
		{"help", []string{"--help"}, exitOK, "Commands:"},
		{"unknown command", []string{"frobnicate"}, exitError, `unknown command "frobnicate"`},
		{"version", []string{"version"}, exitOK, "ogsync "},
		{"version rejects arguments", []string{"version", "extra"}, exitError, `unexpected argument "extra"`},
		{"--version", []string{"--version"}, exitOK, "ogsync "},
		{"-version", []string{"-version"}, exitOK, "ogsync "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, nil, tc.args...)
			if code != tc.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tc.code, errs)
			}
			if !strings.Contains(out+errs, tc.contains) {
				t.Errorf("output %q does not contain %q", out+errs, tc.contains)
			}
		})
	}
}

func TestTakeAPIKeyEnv(t *testing.T) {
	const key = "4a1c4e7e-0000-4000-8000-00000000c0de"
	t.Setenv("OPSGENIE_API_KEY", key)
	t.Setenv("OGSYNC_OTHER", "x")
	getenv := takeAPIKeyEnv()
	if _, ok := os.LookupEnv("OPSGENIE_API_KEY"); ok {
		t.Fatal("OPSGENIE_API_KEY is still in the process environment: child processes would inherit it")
	}
	if got := getenv("OPSGENIE_API_KEY"); got != key {
		t.Fatalf("getenv(OPSGENIE_API_KEY) = %q, want the key", got)
	}
	if got := getenv("OGSYNC_OTHER"); got != "x" {
		t.Fatalf("getenv(OGSYNC_OTHER) = %q, want x", got)
	}
}
