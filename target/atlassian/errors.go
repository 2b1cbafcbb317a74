package atlassian

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxMessage bounds the message kept from an error answer.
const maxMessage = 512

// APIError is a non-2xx answer of one of the Atlassian APIs. It never
// holds a credential: the message is redacted before it is kept.
type APIError struct {
	// API is "teams", "ops", "jira" or "admin".
	API string
	// Method and Route say what failed: the route is the path pattern, such
	// as "/teams/{teamId}" (never an id, never the query).
	Method, Route string
	// Status is the HTTP status code.
	Status int
	// Code is the API's error code, such as "USER_NOT_FOUND", if any.
	Code string
	// Message is the API's message (or the start of a non-JSON body),
	// redacted and truncated.
	Message string
	// RequestID is the API's request id, if any.
	RequestID string
}

// Error formats the failure as "atlassian teams: METHOD ROUTE: 404 Not Found: CODE: message (request id …)".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "atlassian %s: %s %s: %d %s", e.API, e.Method, e.Route, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// StatusOf returns the HTTP status of an *APIError in err's chain, or 0.
func StatusOf(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// MalformedError is an answer ogsync refuses to plan from: an entry
// without the fields that identify it, a duplicate, a broken page. A read
// that meets one fails closed, before any write.
type MalformedError struct {
	Method, Route string
	// Where names the page and the entry, such as "page 2, data[3]".
	Where string
	// Problem says what is wrong, naming the field.
	Problem string
}

// Error formats the failure, naming the route, the entry and the field.
func (e *MalformedError) Error() string {
	return fmt.Sprintf("atlassian: %s %s: malformed answer: %s: %s; nothing was planned from it", e.Method, e.Route, e.Where, e.Problem)
}

// envelope is the union of the four APIs' error bodies: Teams {code,
// message}; Ops {message, took, requestId}, {errors: [{title, detail}]} or
// {code: 401, message}; Jira {errorMessages, errors}; admin {errors:
// [{status, code, title, detail}]}.
type envelope struct {
	Code          json.RawMessage `json:"code"`
	Message       string          `json:"message"`
	RequestID     string          `json:"requestId"`
	ErrorMessages []string        `json:"errorMessages"`
	Errors        json.RawMessage `json:"errors"`
}

type envelopeItem struct {
	Code   string `json:"code"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// apiError builds the APIError of a non-2xx answer.
func (t *Target) apiError(c call, status int, body []byte, h http.Header) *APIError {
	e := &APIError{API: c.api.String(), Method: c.method, Route: c.route, Status: status}
	var env envelope
	if json.Unmarshal(body, &env) == nil {
		var code string
		if json.Unmarshal(env.Code, &code) == nil {
			e.Code = code
		}
		msgs := []string{}
		if env.Message != "" {
			msgs = append(msgs, env.Message)
		}
		msgs = append(msgs, env.ErrorMessages...)
		var items []envelopeItem
		if json.Unmarshal(env.Errors, &items) == nil {
			for _, it := range items {
				if e.Code == "" {
					e.Code = it.Code
				}
				msgs = append(msgs, strings.TrimSpace(it.Title+" "+it.Detail))
			}
		}
		e.Message = strings.Join(msgs, "; ")
		e.RequestID = env.RequestID
	} else {
		e.Message = string(body)
	}
	if e.RequestID == "" && h != nil {
		e.RequestID = h.Get("X-Request-Id")
	}
	e.Code = truncate(t.redact(e.Code), 64)
	e.Message = truncate(t.redact(e.Message), maxMessage)
	e.RequestID = truncate(t.redact(e.RequestID), 64)
	return e
}

// transportError wraps a failure to get an answer, naming the route only:
// the URL (which holds ids) is left out of the text, and the rest is
// redacted.
func (t *Target) transportError(c call, err error) error {
	var ne net.Error
	kind := "no answer"
	if errors.As(err, &ne) && ne.Timeout() {
		kind = "timed out"
	}
	text := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		text = ue.Err.Error() // without the URL, which holds ids
	}
	return fmt.Errorf("atlassian %s: %s %s: %s: %w", c.api, c.method, c.route, kind, redactedError{t.redact(text), err})
}

// scrub redacts the text of an error leaving Read, Audit or Apply: ids,
// names and e-mails in it come from the server, which may echo anything.
// errors.Is and errors.As still see the cause.
func (t *Target) scrub(err error) error {
	if err == nil {
		return nil
	}
	if text := t.redact(err.Error()); text != err.Error() {
		return redactedError{text, err}
	}
	return err
}

// redactedError shows a redacted text and keeps the cause for errors.Is.
type redactedError struct {
	text  string
	cause error
}

func (e redactedError) Error() string { return e.text }
func (e redactedError) Unwrap() error { return e.cause }

// redactWindow is the length of the pieces of a secret that are redacted:
// any 8 consecutive characters of a secret, matched case-insensitively.
const redactWindow = 8

// redact replaces in s every piece of a credential (any redactWindow
// characters of it, case-insensitively, or the whole of a shorter one)
// with "[redacted]".
func (t *Target) redact(s string) string { return redact(s, t.secrets) }

func redact(s string, secrets []string) string {
	if s == "" {
		return s
	}
	lower := asciiLower(s)
	hit := make([]bool, len(s))
	any := false
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		ls := asciiLower(sec)
		w := min(redactWindow, len(ls))
		for i := 0; i+w <= len(ls); i++ {
			piece := ls[i : i+w]
			for from := 0; ; {
				j := strings.Index(lower[from:], piece)
				if j < 0 {
					break
				}
				for k := from + j; k < from+j+w; k++ {
					hit[k] = true
				}
				any = true
				from += j + 1
			}
		}
	}
	if !any {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if hit[i] {
			for i < len(s) && hit[i] {
				i++
			}
			b.WriteString("[redacted]")
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// asciiLower lower-cases ASCII letters only, keeping byte offsets.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Forbidden reports whether the API refused the call for want of a right
// (403), so that the engine starts no write after it (target.IsForbidden).
// A 403 on a team's member batch is left out: it refuses a change to a team
// mirrored from outside (an EXTERNAL team), not the key, and the other
// writes still go through.
func (e *APIError) Forbidden() bool {
	return e.Status == http.StatusForbidden && !strings.Contains(e.Route, "/members/")
}
