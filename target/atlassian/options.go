package atlassian

import (
	"strings"
	"unicode"

	"github.com/ogsync/ogsync/internal/problem"
	"github.com/ogsync/ogsync/target"
)

// maxID bounds the length of an id or an e-mail address, in bytes.
const maxID = 200

// Validate reports every problem with the options, by field: "base_url",
// "site", "org_id", "cloud_id", "email", "timeout", "concurrency",
// "enable_ops_attempts" and "rates.teams" (.ops, .jira, .admin). Zero
// values take their defaults. New refuses what it refuses. The
// credentials are not checked here (New does, without showing them).
func (o Options) Validate() problem.List {
	var ps problem.List
	if o.BaseURL != "" {
		if err := target.CheckBaseURL(o.BaseURL, "https://acme.atlassian.net"); err != nil {
			ps.Add("base_url", "%v", err)
		}
	} else if o.Site == "" {
		ps.Add("site", "is required unless a base URL is set (an emulator)")
	}
	if o.Site != "" && !validSite(o.Site) {
		ps.Add("site", "%q is not a site such as acme or acme.atlassian.net", o.Site)
	}
	for _, f := range []struct{ field, val string }{{"org_id", o.OrgID}, {"cloud_id", o.CloudID}, {"email", o.Email}} {
		switch {
		case f.val == "":
			ps.Add(f.field, "is required")
		case strings.TrimSpace(f.val) != f.val || strings.ContainsFunc(f.val, unicode.IsControl) ||
			strings.ContainsAny(f.val, "/?#% ") || len(f.val) > maxID:
			ps.Add(f.field, "%q has spaces, control characters or URL delimiters", f.val)
		}
	}
	if o.Email != "" && !strings.Contains(o.Email, "@") {
		ps.Add("email", "%q is not an e-mail address", o.Email)
	}
	if o.Timeout < 0 {
		ps.Add("timeout", "must be a positive duration such as 30s")
	}
	if o.Concurrency < 0 {
		ps.Add("concurrency", "must not be negative")
	}
	if o.EnableOpsAttempts < 0 {
		ps.Add("enable_ops_attempts", "must not be negative")
	}
	for i, r := range o.Rates.perAPI() {
		if r.PerSecond < 0 || r.Burst < 0 {
			ps.Add("rates."+api(i).String(), "must not be negative")
		}
	}
	return ps
}

// problems is Validate and the credentials New needs.
func (o Options) problems() problem.List {
	ps := o.Validate()
	if strings.TrimSpace(o.APIToken) == "" {
		ps.Add("api_token", "is required")
	}
	if strings.TrimSpace(o.OrgAPIKey) == "" {
		ps.Add("org_api_key", "is required")
	}
	return ps
}

// validSite accepts a site name or host: letters, digits, dots and dashes.
func validSite(s string) bool {
	if s == "" || len(s) > 253 || strings.HasPrefix(s, "-") || strings.HasPrefix(s, ".") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}
