package ogsim

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestAuth(t *testing.T) {
	srv := newTestServer(t, Options{})
	tests := []struct {
		name   string
		header string // full Authorization value; "" sends none
		method string
		path   string
		body   string
		code   int
		want   string
	}{
		{"full key reads", "GenieKey " + testKey, "GET", "/v2/users", "", 200, `"totalCount":5`},
		{"scheme is case-insensitive", "geniekey " + testKey, "GET", "/v2/users", "", 200, ""},
		{"missing header", "", "GET", "/v2/users", "", 401, `"message":"Could not authenticate"`},
		{"unknown UUID key", "GenieKey " + unknownKey, "GET", "/v2/users", "", 401, `"message":"Could not authenticate"`},
		{"malformed key", "GenieKey not-a-uuid", "GET", "/v2/users", "", 422, `"message":"Key format is not valid!"`},
		{"basic scheme", "Basic OjExMTE=", "GET", "/v2/users", "", 401, "Could not authenticate"},
		{"key without scheme", testKey, "GET", "/v2/users", "", 401, "Could not authenticate"},
		{"read-only key reads", "GenieKey " + readOnlyKey, "GET", "/v2/teams", "", 200, ""},
		{"read-only key cannot create", "GenieKey " + readOnlyKey, "POST", "/v2/teams", `{"name":"x"}`, 403, `"code":40301`},
		{"read-only key cannot delete", "GenieKey " + readOnlyKey, "DELETE", "/v2/users/user@example.com", "", 403, `"message":"Api key is not authorized to access the user"`},
		{"key without configuration access", "GenieKey " + noConfigKey, "GET", "/v2/users", "", 403, `"code":40301`},
		{"writer key updates", "GenieKey " + writerKey, "PATCH", "/v2/users/user@example.com", `{"fullName":"U"}`, 200, `"result":"Updated"`},
		{"writer key cannot delete", "GenieKey " + writerKey, "DELETE", "/v2/teams/ops?identifierType=name", "", 403, `"code":40301`},
		{"auth before not-found", "", "GET", "/v2/nothing", "", 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			if w.Code != tc.code {
				t.Errorf("status = %d, want %d; body %s", w.Code, tc.code, w.Body)
			}
			if !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("body %s does not contain %s", w.Body, tc.want)
			}
			if strings.Contains(w.Body.String(), testKey) {
				t.Errorf("body leaks the API key: %s", w.Body)
			}
		})
	}
}

// TestCommonHeaders checks the metadata every answer carries, errors too.
func TestCommonHeaders(t *testing.T) {
	srv := newTestServer(t, Options{})
	tests := []struct {
		name, key, method, path, body string
		code                          int
	}{
		{"list", testKey, "GET", "/v2/users", "", 200},
		{"create", testKey, "POST", "/v2/users", `{"username":"n@example.com","fullName":"N","role":{"name":"User"}}`, 201},
		{"not found", testKey, "GET", "/v2/users/nobody@example.com", "", 404},
		{"validation error", testKey, "POST", "/v2/users", `{}`, 422},
		{"unauthenticated", "", "GET", "/v2/teams", "", 401},
		{"forbidden", readOnlyKey, "DELETE", "/v2/teams/ops?identifierType=name", "", 403},
		{"unknown route", testKey, "GET", "/v2/alerts", "", 404},
		{"wrong method", testKey, "PUT", "/v2/users/owner@example.com", "{}", 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, srv, tc.key, tc.method, tc.path, tc.body)
			expect(t, r, tc.code, "")
			if got := r.header.Get("Content-Type"); got != "application/json;charset=UTF-8" {
				t.Errorf("Content-Type = %q", got)
			}
			if r.header.Get("X-RateLimit-State") != "OK" {
				t.Errorf("X-RateLimit-State = %q, want OK", r.header.Get("X-RateLimit-State"))
			}
			reqID := r.str("requestId")
			if !isUUID(reqID) || r.header.Get("X-Request-Id") != reqID {
				t.Errorf("requestId %q, X-Request-Id %q: want the same UUID", reqID, r.header.Get("X-Request-Id"))
			}
			took, ok := r.get("took").(float64)
			if !ok || took <= 0 {
				t.Fatalf("took = %v, want a positive number", r.get("took"))
			}
			if h, err := strconv.ParseFloat(r.header.Get("X-Response-Time"), 64); err != nil || h != took {
				t.Errorf("X-Response-Time = %q, want %v", r.header.Get("X-Response-Time"), took)
			}
			if tc.code >= 400 && r.str("message") == "" {
				t.Errorf("error without message: %s", r.raw)
			}
		})
	}
}

func TestMethodNotAllowedNamesMethod(t *testing.T) {
	srv := newTestServer(t, Options{})
	r := do(t, srv, "PUT", "/v2/teams", "{}")
	expect(t, r, http.StatusMethodNotAllowed, `Request method 'PUT' not supported`)
}
