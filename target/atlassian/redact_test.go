package atlassian

import (
	"strings"
	"testing"
)

// FuzzRedact: whatever the text and the secret, no 8 consecutive
// characters of the secret (case-insensitively) survive redaction, and a
// text without any is unchanged.
func FuzzRedact(f *testing.F) {
	f.Add("token ATATT3xFfGF0-Sekr1tT0kenValue here", "ATATT3xFfGF0-Sekr1tT0kenValue")
	f.Add("upper ATATT3XFFGF0-SEKR1TT0KENVALUE", "ATATT3xFfGF0-Sekr1tT0kenValue")
	f.Add("half: Sekr1tT0ken and k", "ATATT3xFfGF0-Sekr1tT0kenValue")
	f.Add("short s3cr", "s3cr")
	f.Add("nothing to see", "ATATT3xFfGF0")
	f.Add("überlong ÄÖÜ ATATT3xF", "ÄÖÜ ATATT3xF")
	f.Fuzz(func(t *testing.T, s, secret string) {
		if secret == "" {
			return
		}
		out := redact(s, []string{secret})
		low, ls := asciiLower(out), asciiLower(secret)
		w := min(redactWindow, len(ls))
		for i := 0; i+w <= len(ls); i++ {
			piece := ls[i : i+w]
			if strings.Contains(low, piece) && !strings.Contains(asciiLower("[redacted]"), piece) {
				t.Fatalf("redact(%q, %q) = %q keeps %q", s, secret, out, piece)
			}
		}
		if !strings.Contains(asciiLower(s), ls[:w]) && out != s {
			clean := true
			for i := 0; i+w <= len(ls); i++ {
				if strings.Contains(asciiLower(s), ls[i:i+w]) {
					clean = false
				}
			}
			if clean {
				t.Fatalf("redact(%q) = %q changed a text without a secret", s, out)
			}
		}
	})
}
