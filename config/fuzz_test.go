package config

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// FuzzParse feeds arbitrary bytes to the configuration parser. It must never
// panic; a rejection must be Errors whose problems all name the file, with a
// line inside it (or none); an accepted configuration must be valid (a URL
// CheckURL accepts, rates and bounds in range) and survive a round trip:
// encoded again and parsed, it encodes the same.
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 60s ./config/
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../examples/ogsync.yaml"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"source:\n  path: /srv/desired\n",
		"opsgenie: {url: \"http://127.0.0.1:8080\", rate_limit: {per_second: 5, burst: 10, search: {per_second: 1, burst: 1}}}\n",
		"schedule: \"@every 5m\"\ntime_zone: Europe/Berlin\npolicy: {users: sync, teams: create-only, members: upsert-only}\n",
		"safeguards:\n  ignore_users: [\"*@x.example.com\"]\n  protected_users: [a@example.com]\n  max_deletes: {count: 3, percent: 12.5}\n",
		"a: &x 1\nb: *x\n", "<<: {listen: x}\n", "opsgenie:\n  timeout: -1s\n", "- 1\n", "listen: [1]\n",
		"opsgenie: {url: \"https://user:pw@api.opsgenie.com\"}\n", "source: {files: [\"../x\"]}\n", "\t", "", "---\n---\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data)
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error is %T, not Errors: %v", err, err)
			}
			lines := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 2 // \r alone breaks a line too
			for _, e := range es {
				if e.File != "fuzz.yaml" || e.Msg == "" || e.Line < 0 || e.Line > lines {
					t.Fatalf("malformed problem %#v", e)
				}
				if utf8.Valid(data) && !utf8.ValidString(e.Error()) {
					t.Fatalf("problem is not UTF-8: %q", e.Error())
				}
			}
			return
		}
		if cfg == nil || cfg.File != "fuzz.yaml" {
			t.Fatalf("no configuration and no error")
		}
		if err := CheckURL(cfg.OpsGenie.URL); err != nil {
			t.Fatalf("accepted a bad URL: %v", err)
		}
		r := cfg.OpsGenie.RateLimit
		// A rate is unset (0: the adaptive limiter's defaults) or in range.
		if r.PerSecond < 0 || r.Burst < 0 || r.SearchRate().PerSecond < 0 || cfg.Apply.Concurrency < 1 || cfg.OpsGenie.Timeout <= 0 {
			t.Fatalf("accepted out-of-range values: %+v", cfg)
		}
		out, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("encoding an accepted configuration: %v", err)
		}
		again, err := Parse("again.yaml", out)
		if err != nil {
			t.Fatalf("an accepted configuration, encoded again, is refused: %v\n%s", err, out)
		}
		out2, err := yaml.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != string(out2) {
			t.Fatalf("round trip differs:\n%s\n---\n%s", out, out2)
		}
	})
}
