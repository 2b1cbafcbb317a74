package simkit

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
)

// TestServeFlags: --listen defaults to 127.0.0.1:8080 and must be
// host:port; the key comes from --api-key, else from KeyEnv, and is hidden
// with HideKey; with neither, the error names both.
func TestServeFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       string
		hide      bool
		wantKey   string
		wantError string
	}{
		{"key from the flag", []string{"--api-key", "flag-key"}, "env-key", true, "flag-key", ""},
		{"key from the environment", nil, "env-key", true, "env-key", ""},
		{"key not hidden", []string{"--api-key", "flag-key"}, "", false, "flag-key", ""},
		{"no key", []string{"--listen", "127.0.0.1:0"}, "", true, "", "--api-key (or SIM_KEY) is required"},
		{"bad listen", []string{"--listen", "8080", "--api-key", "k"}, "", true, "", "--listen=8080: must be host:port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("sim", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			f := ServeFlags{KeyEnv: "SIM_KEY", HideKey: tc.hide}
			f.Register(fs, "the `key`", "state")
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			var hidden []string
			p := Process{Getenv: func(k string) string {
				if k == "SIM_KEY" {
					return tc.env
				}
				return ""
			}, Hide: func(s string) { hidden = append(hidden, s) }}
			err := f.Check()
			key := ""
			if err == nil {
				key, err = f.Key(p)
			}
			if tc.wantError != "" {
				if err == nil || err.Error() != tc.wantError {
					t.Errorf("error = %v, want %q", err, tc.wantError)
				}
				if len(hidden) != 0 {
					t.Errorf("hid %q without a key", hidden)
				}
				return
			}
			wantHidden := []string{tc.wantKey}
			if !tc.hide {
				wantHidden = nil
			}
			if err != nil || key != tc.wantKey || !slices.Equal(hidden, wantHidden) {
				t.Errorf("key %q, %v, hidden %q; want %q, hidden %q", key, err, hidden, tc.wantKey, wantHidden)
			}
		})
	}
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	f := ServeFlags{KeyEnv: "SIM_KEY"}
	f.Register(fs, "the `key`", "state")
	var help strings.Builder
	fs.SetOutput(&help)
	fs.PrintDefaults()
	if f.Listen != "127.0.0.1:8080" || !strings.Contains(help.String(), "-api-key key\n    \tthe key (default: $SIM_KEY); never printed\n") ||
		!strings.Contains(help.String(), "-seed file\n    \tYAML or JSON file with the initial state (default: an empty state)\n") {
		t.Errorf("listen %q, help:\n%s", f.Listen, help.String())
	}
}

// TestStart: no --seed gives no seed and load is not called; --seed is
// loaded; a load error or a missing key is Start's error.
func TestStart(t *testing.T) {
	env := func(string) string { return "" }
	type seed struct{ file string }
	load := func(file string) (*seed, error) {
		if file == "bad.yaml" {
			return nil, errors.New("bad.yaml:1: broken")
		}
		return &seed{file}, nil
	}
	f := ServeFlags{KeyEnv: "SIM_KEY", APIKey: "k"}
	if key, s, err := Start(&f, Process{Getenv: env}, load); key != "k" || s != nil || err != nil {
		t.Errorf("without --seed: %q, %v, %v", key, s, err)
	}
	f.SeedFile = "good.yaml"
	if key, s, err := Start(&f, Process{Getenv: env}, load); key != "k" || s == nil || s.file != "good.yaml" || err != nil {
		t.Errorf("with --seed: %q, %v, %v", key, s, err)
	}
	f.SeedFile = "bad.yaml"
	if _, _, err := Start(&f, Process{Getenv: env}, load); err == nil || err.Error() != "bad.yaml:1: broken" {
		t.Errorf("bad seed: %v", err)
	}
	f.APIKey = ""
	if _, _, err := Start(&f, Process{Getenv: env}, load); err == nil || !strings.Contains(err.Error(), "--api-key (or SIM_KEY)") {
		t.Errorf("no key: %v", err)
	}
}
