package opsgenie

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	redactpkg "github.com/ogsync/ogsync/redact"
)

// keyPieces returns the pieces of testKey that must never appear, lower-cased.
func keyPieces() []string {
	k := strings.ToLower(testKey)
	var ps []string
	for i := 0; i+redactpkg.MinPiece <= len(k); i++ {
		ps = append(ps, k[i:i+redactpkg.MinPiece])
	}
	return ps
}

// leakedPiece returns a piece of the key found in s, case-insensitively, or "".
func leakedPiece(s string) string {
	low := strings.ToLower(s)
	for _, p := range keyPieces() {
		if strings.Contains(low, p) {
			return p
		}
	}
	return ""
}

// TestKeyPiecesNeverLeak: a hostile server echoes the key cut at the
// message limit, in another letter case, split across fields, in headers:
// no piece of 8 characters of it survives in the error, its fields or the
// logs.
func TestKeyPiecesNeverLeak(t *testing.T) {
	straddle := func(w http.ResponseWriter, r *http.Request) {
		// The key starts 10 bytes before the 512-byte cut.
		w.WriteHeader(500)
		_, _ = w.Write([]byte(strings.Repeat("x", maxMessage-10) + testKey + " tail"))
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"key straddles the 512-byte cut", straddle},
		{"key in upper case", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 403, map[string]any{"message": "key " + strings.ToUpper(testKey) + " lacks rights"})
		}},
		{"key split across fields", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 422, map[string]any{"message": "bad " + testKey[:18], "errors": map[string]string{"k" + testKey[18:]: testKey[18:]}})
		}},
		{"key piece in request id", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-RateLimit-Reason", testKey)
			writeJSON(w, 400, map[string]any{"message": "no", "requestId": "id-" + testKey[4:20]})
		}},
		{"key piece in plain text", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			_, _ = w.Write([]byte("gateway saw " + strings.ToUpper(testKey[3:15])))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t, func(o *Options) { o.MaxRetries = 1 })
			env.mux.HandleFunc("/v2/users/{id}", tc.handler)
			_, err := env.client.GetUser(t.Context(), "u1")
			if err == nil {
				t.Fatal("no error")
			}
			text := err.Error() + fmt.Sprintf(" %+v", err)
			var ae *APIError
			if errors.As(err, &ae) {
				text += fmt.Sprintf(" %#v", *ae)
			}
			if p := leakedPiece(text); p != "" {
				t.Errorf("the error carries %q of the key: %s", p, text)
			}
			if p := leakedPiece(env.logs.String()); p != "" {
				t.Errorf("the logs carry %q of the key", p)
			}
			if !strings.Contains(err.Error(), redactpkg.Mask) {
				t.Errorf("nothing redacted: %v", err)
			}
		})
	}
}
