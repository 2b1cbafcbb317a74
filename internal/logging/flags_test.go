package logging

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"strings"
	"testing"
)

// TestFlags: the defaults, the values given, and the errors, which name
// the flag.
func TestFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    Flags
		wantErr string
	}{
		{"defaults", nil, Flags{Level: "info", Format: "auto"}, ""},
		{"given", []string{"--log-level", "debug", "--log-format", "json"}, Flags{Level: "debug", Format: "json"}, ""},
		{"bad level", []string{"--log-level", "loud"}, Flags{}, "--log-level=loud: must be debug, info, warn or error"},
		{"bad format", []string{"--log-format", "xml"}, Flags{}, "--log-format=xml: must be auto, text or json"},
		{"level first", []string{"--log-level", "loud", "--log-format", "xml"}, Flags{}, "--log-level=loud"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var f Flags
			f.Register(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := f.Validate()
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Errorf("error = %v, want one starting %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || f != tc.want {
				t.Errorf("flags = %+v, %v; want %+v", f, err, tc.want)
			}
		})
	}
}

// TestFlagsLogger: the logger has the level and the format of the flags.
func TestFlagsLogger(t *testing.T) {
	var buf bytes.Buffer
	f := Flags{Level: "warn", Format: FormatJSON}
	l := f.Logger(&buf)
	l.Info("hidden")
	l.Warn("shown")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %q", err, buf.String())
	}
	if rec["msg"] != "shown" || rec["level"] != "WARN" {
		t.Errorf("record = %v", rec)
	}
}
