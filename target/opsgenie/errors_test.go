package opsgenie

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/internal/testlog"
)

func TestAPIErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		is     func(error) bool
		text   string
		check  func(t *testing.T, e *APIError)
	}{
		{
			"422 with field errors", 422,
			`{"message":"Request body is not processable. Please check the errors.","errors":{"username":"must be an email","fullName":"too long"},"took":0.001,"requestId":"r-422"}`,
			IsValidation,
			"opsgenie: DELETE /v2/users/{id}: 422 Unprocessable Entity: Request body is not processable. Please check the errors. [fullName: too long; username: must be an email] (request id r-422)",
			func(t *testing.T, e *APIError) {
				if e.Errors["username"] != "must be an email" {
					t.Errorf("field errors = %v", e.Errors)
				}
			},
		},
		{
			"403 with internal code", 403,
			`{"code":40301,"message":"Api key is not authorized","took":0.008,"requestId":"r-403"}`,
			IsForbidden,
			"opsgenie: DELETE /v2/users/{id}: 403 Forbidden: Api key is not authorized (code 40301) (request id r-403): the API key lacks the right to delete (Delete); " + KeyHelp,
			func(t *testing.T, e *APIError) {
				if e.Code != 40301 {
					t.Errorf("code = %d", e.Code)
				}
			},
		},
		{
			"428 referenced", 428,
			`{"message":"User is referenced. Please remove it from schedules: [My Test Schedule]","took":0.01,"requestId":"r-428"}`,
			IsReferenced,
			"opsgenie: DELETE /v2/users/{id}: 428 Precondition Required: User is referenced. Please remove it from schedules: [My Test Schedule] (request id r-428)",
			nil,
		},
		{
			"409 conflict", 409, `{"message":"exists","requestId":"r"}`, IsConflict,
			"opsgenie: DELETE /v2/users/{id}: 409 Conflict: exists (request id r)", nil,
		},
		{
			"404 plain text body", 404, "No handler found for url /v2/users/u1", IsNotFound,
			"opsgenie: DELETE /v2/users/{id}: 404 Not Found: No handler found for url /v2/users/u1 (request id hdr-id)", nil,
		},
		{
			"huge non-JSON body is cut", 400, strings.Repeat("é", 100000), func(err error) bool { return statusOf(err) == 400 },
			"opsgenie: DELETE /v2/users/{id}: 400 Bad Request: " + strings.Repeat("é", 256) + "… (request id hdr-id)", nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t, func(o *Options) { o.MaxRetries = 0 })
			env.mux.HandleFunc("DELETE /v2/users/{id}", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "hdr-id")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			err := env.client.DeleteUser(t.Context(), "u1")
			if !tc.is(err) {
				t.Fatalf("err = %v: helper says no", err)
			}
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatal("not an *APIError")
			}
			if ae.Error() != tc.text {
				t.Errorf("text = %q\nwant   %q", ae.Error(), tc.text)
			}
			if ae.Method != "DELETE" || ae.Route != "/v2/users/{id}" || ae.Status != tc.status {
				t.Errorf("APIError = %+v", ae)
			}
			if !strings.HasPrefix(err.Error(), "deleting user u1: ") {
				t.Errorf("err = %q, want the operation in front", err)
			}
			if tc.check != nil {
				tc.check(t, ae)
			}
		})
	}
}

func TestHelpersOnOtherErrors(t *testing.T) {
	for _, err := range []error{nil, errors.New("x"), context.Canceled, &TransportError{Err: errors.New("eof")}} {
		if IsNotFound(err) || IsConflict(err) || IsReferenced(err) || IsForbidden(err) || IsThrottled(err) || IsValidation(err) {
			t.Errorf("a helper holds for %v", err)
		}
	}
	wrapped := fmt.Errorf("outer: %w", &APIError{Status: 404})
	if !IsNotFound(wrapped) {
		t.Error("IsNotFound does not see through wrapping")
	}
}

// TestKeyNeverLeaks makes requests fail in every way, with a server that
// even echoes the key back, and checks errors and logs.
func TestKeyNeverLeaks(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"error body echoes the key", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 401, map[string]any{"message": "bad key " + r.Header.Get("Authorization"), "errors": map[string]string{"key": testKey}})
		}},
		{"plain text body echoes the key", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			_, _ = w.Write([]byte("upstream said: " + r.Header.Get("Authorization")))
		}},
		{"redirect to a URL carrying the key", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/steal?key="+testKey, http.StatusFound)
		}},
		{"dropped connection", func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w) }},
		{"429 storm", func(w http.ResponseWriter, r *http.Request) { writeError(w, 429, "TooManyRequests "+testKey) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := setup(t, func(o *Options) { o.MaxRetries = 2 })
			var redirected bool
			env.mux.HandleFunc("/steal", func(w http.ResponseWriter, r *http.Request) { redirected = true })
			env.mux.HandleFunc("/v2/users/{id}", tc.handler)
			_, err := env.client.GetUser(t.Context(), "u1")
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), testKey) {
				t.Errorf("the error carries the key: %v", err)
			}
			var ae *APIError
			if errors.As(err, &ae) && (strings.Contains(ae.Message, testKey) || strings.Contains(fmt.Sprint(ae.Errors), testKey)) {
				t.Errorf("the APIError fields carry the key: %+v", ae)
			}
			if redirected {
				t.Error("a redirect was followed")
			}
			// setup's cleanup checks the logs.
		})
	}
}

func TestKeyNotInConnectionErrors(t *testing.T) {
	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	var logs testlog.Buffer
	c, err := New(Options{
		BaseURL: "http://" + addr, APIKey: testKey, MaxRetries: 1,
		Sleep:  func(ctx context.Context, d time.Duration) error { return nil },
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListUsers(t.Context())
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a TransportError", err)
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(logs.String(), testKey) {
		t.Errorf("the key leaked: %v\n%s", err, logs.String())
	}
	if !strings.Contains(err.Error(), "listing users: opsgenie: GET /v2/users: connection error") {
		t.Errorf("err = %v", err)
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		err  string
	}{
		{"defaults to the US API", Options{APIKey: testKey}, ""},
		{"EU", Options{BaseURL: "https://api.eu.opsgenie.com", APIKey: testKey}, ""},
		{"trailing slash", Options{BaseURL: "https://api.eu.opsgenie.com/", APIKey: testKey}, ""},
		{"http on loopback", Options{BaseURL: "http://127.0.0.1:8080", APIKey: testKey}, ""},
		{"http on localhost", Options{BaseURL: "http://localhost:8080", APIKey: testKey}, ""},
		{"http elsewhere", Options{BaseURL: "http://api.opsgenie.com", APIKey: testKey}, "http is allowed only on a loopback address"},
		{"path", Options{BaseURL: "https://api.opsgenie.com/v2", APIKey: testKey}, "no path"},
		{"credentials in the URL", Options{BaseURL: "https://u:p@api.opsgenie.com", APIKey: testKey}, "credentials"},
		{"no key", Options{}, "no API key"},
		{"key with a newline", Options{APIKey: "abc\ndef"}, "control characters"},
		{"negative retries", Options{APIKey: testKey, MaxRetries: -1}, "max_retries: must be between 0 and 20, not -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.o)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if strings.HasSuffix(c.base, "/") {
					t.Errorf("base %q keeps a trailing slash", c.base)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
			if err != nil && tc.o.APIKey != "" && strings.Contains(err.Error(), tc.o.APIKey) {
				t.Errorf("the error carries the key")
			}
		})
	}
}
