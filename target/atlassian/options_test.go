package atlassian

import (
	"strings"
	"testing"
	"time"
)

// TestOptionsValidate: each rule of Validate, by field; New refuses what
// Validate refuses.
func TestOptionsValidate(t *testing.T) {
	valid := func() Options {
		return Options{Site: "acme", OrgID: "o", CloudID: "c", Email: "a@b.c", APIToken: "t", OrgAPIKey: "k"}
	}
	for _, tc := range []struct {
		name string
		mod  func(*Options)
		want string // "" accepted, else the problem
	}{
		{"complete", func(*Options) {}, ""},
		{"site host", func(o *Options) { o.Site = "acme.atlassian.net" }, ""},
		{"emulator", func(o *Options) { o.Site, o.BaseURL = "", "http://127.0.0.1:9" }, ""},
		{"no site", func(o *Options) { o.Site = "" }, "site: is required unless a base URL is set (an emulator)"},
		{"site with scheme", func(o *Options) { o.Site = "https://acme/" }, `site: "https://acme/" is not a site`},
		{"http not on loopback", func(o *Options) { o.BaseURL = "http://example.com" }, "base_url: " + `"http://example.com": http is allowed only on a loopback address; use https`},
		{"url with a path", func(o *Options) { o.BaseURL = "https://example.com/x" }, "base_url: "},
		{"no org id", func(o *Options) { o.OrgID = "" }, "org_id: is required"},
		{"cloud id with %", func(o *Options) { o.CloudID = "c%2f" }, `cloud_id: "c%2f" has spaces, control characters or URL delimiters`},
		{"org id with space", func(o *Options) { o.OrgID = "o " }, "org_id: "},
		{"long org id", func(o *Options) { o.OrgID = strings.Repeat("o", 201) }, "org_id: "},
		{"email without @", func(o *Options) { o.Email = "nobody" }, `email: "nobody" is not an e-mail address`},
		{"negative timeout", func(o *Options) { o.Timeout = -time.Second }, "timeout: must be a positive duration such as 30s"},
		{"negative concurrency", func(o *Options) { o.Concurrency = -1 }, "concurrency: must not be negative"},
		{"negative enable-ops attempts", func(o *Options) { o.EnableOpsAttempts = -1 }, "enable_ops_attempts: must not be negative"},
		{"negative rate", func(o *Options) { o.Rates.Admin.Burst = -1 }, "rates.admin: must not be negative"},
	} {
		o := valid()
		tc.mod(&o)
		err := o.Validate().Err()
		_, newErr := New(o)
		if tc.want == "" {
			if err != nil || newErr != nil {
				t.Errorf("%s: Validate: %v; New: %v", tc.name, err, newErr)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: Validate: %v, want %q", tc.name, err, tc.want)
		}
		if newErr == nil || !strings.Contains(newErr.Error(), tc.want) {
			t.Errorf("%s: New: %v, want %q", tc.name, newErr, tc.want)
		}
	}
}
