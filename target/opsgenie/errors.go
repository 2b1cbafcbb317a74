package opsgenie

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	redactpkg "github.com/ogsync/ogsync/redact"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// maxMessage bounds the message kept from a non-JSON error body.
const maxMessage = 512

// APIError is a non-2xx answer of the OpsGenie API.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Message is the API's message, or the start of a non-JSON body.
	Message string
	// Errors are the per-field validation errors of a 422, if any.
	Errors map[string]string
	// RequestID is the API's request id (body requestId or X-Request-Id).
	RequestID string
	// Code is OpsGenie's internal code (40301, 40302), if any.
	Code int
	// Method and Route say what failed: the HTTP method and the path pattern
	// such as "/v2/users/{id}" (never the query, never an identifier).
	Method string
	Route  string
	// RateLimitState, RateLimitReason and RateLimitPeriod (seconds) come
	// from the X-RateLimit-* headers, sent with a 429.
	RateLimitState  string
	RateLimitReason string
	RateLimitPeriod int
}

// Forbidden reports whether the API refused the request for want of a
// right (403); target.IsForbidden asks it.
func (e *APIError) Forbidden() bool { return e.Status == http.StatusForbidden }

// Error formats the failure as "opsgenie: METHOD ROUTE: 404 Not Found: message
// [field: msg; …] (request id …)".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "opsgenie: %s %s: %d %s", e.Method, e.Route, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(clip(e.Message))
	}
	if len(e.Errors) > 0 {
		keys := make([]string, 0, len(e.Errors))
		for k := range e.Errors {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteString(" [")
		for i, k := range keys {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s: %s", k, e.Errors[k])
		}
		b.WriteString("]")
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d)", e.Code)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	if e.Status == http.StatusForbidden {
		b.WriteString(": the API key lacks the right to " + rightOf(e.Method) + "; " + KeyHelp)
	}
	return b.String()
}

// KeyHelp says which API key ogsync needs; a 403 error ends with it.
const KeyHelp = "ogsync needs an API key created under Settings > API key management with Configuration access " +
	"and the Read, Create and update, and Delete rights (a team's integration key is not enough)"

// rightOf names the API key right a request of method needs.
func rightOf(method string) string {
	switch method {
	case http.MethodGet:
		return "read (Read)"
	case http.MethodDelete:
		return "delete (Delete)"
	}
	return "create and update (Create and update)"
}

// statusOf returns the status of an *APIError in err's chain, or 0.
func statusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// IsNotFound reports whether err is an API answer 404.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsConflict reports whether err is an API answer 409: the id or name is taken.
func IsConflict(err error) bool { return statusOf(err) == http.StatusConflict }

// IsReferenced reports whether err is an API answer 428: the entity is still
// used by another one (a schedule, escalation, team…), so it cannot be deleted.
func IsReferenced(err error) bool { return statusOf(err) == http.StatusPreconditionRequired }

// IsForbidden reports whether err is an API answer 403: the key lacks the right.
func IsForbidden(err error) bool { return statusOf(err) == http.StatusForbidden }

// IsThrottled reports whether err is an API answer 429 that outlasted the retries.
func IsThrottled(err error) bool { return statusOf(err) == http.StatusTooManyRequests }

// IsValidation reports whether err is an API answer 422: the body was refused.
func IsValidation(err error) bool { return statusOf(err) == http.StatusUnprocessableEntity }

// ErrReadOnly is the error of a write asked of a read-only (dry-run) client;
// the request was not sent.
var ErrReadOnly = errors.New("write refused: the client is read-only (dry run; pass --apply to write)")

// ErrUnknownOutcome marks a write whose fate is unknown: the request may or
// may not have been applied (timeout, dropped connection, 5xx) and could not
// be settled by a lookup.
var ErrUnknownOutcome = errors.New("outcome unknown")

// ErrInconsistentPaging is returned when the user list kept shifting under
// concurrent changes while it was being paged.
var ErrInconsistentPaging = errors.New("the user list changed while it was being read")

// TransportError is a request that got no HTTP answer: a refused or dropped
// connection, or a timeout.
type TransportError struct {
	Method string
	Route  string
	// Timeout is true when the per-request timeout expired.
	Timeout bool
	Err     error
}

// Error formats the failure without the URL (and so without any identifier).
func (e *TransportError) Error() string {
	what := "connection error"
	if e.Timeout {
		what = "timeout"
	}
	return fmt.Sprintf("opsgenie: %s %s: %s: %v", e.Method, e.Route, what, e.Err)
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// errorBody is the JSON body of an API error.
type errorBody struct {
	Message   string            `json:"message"`
	Errors    map[string]string `json:"errors"`
	RequestID string            `json:"requestId"`
	Code      int               `json:"code"`
}

// newAPIError reads an error response (at most maxErrorBody bytes of it).
func newAPIError(method, route string, resp *http.Response) *APIError {
	e := &APIError{
		Status:          resp.StatusCode,
		Method:          method,
		Route:           route,
		RequestID:       resp.Header.Get("X-Request-Id"),
		RateLimitState:  resp.Header.Get("X-RateLimit-State"),
		RateLimitReason: resp.Header.Get("X-RateLimit-Reason"),
	}
	if p, ok := headerSeconds(resp.Header.Get("X-RateLimit-Period-In-Sec")); ok {
		e.RateLimitPeriod = int(p.Seconds())
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body errorBody
	if err := json.Unmarshal(data, &body); err == nil {
		e.Message = body.Message
		e.Errors = body.Errors
		e.Code = body.Code
		if body.RequestID != "" {
			e.RequestID = body.RequestID
		}
		return e
	}
	// Kept whole here: redact hides the key in it first, then clips it, so
	// that a key straddling the cut is hidden too.
	e.Message = strings.TrimSpace(string(data))
	return e
}

// clip bounds a message taken from a response body to maxMessage bytes
// (on a character boundary) followed by "…".
func clip(msg string) string {
	if len(msg) <= maxMessage+len("…") {
		return msg
	}
	msg = msg[:maxMessage]
	for !utf8.ValidString(msg) {
		msg = msg[:len(msg)-1]
	}
	return msg + "…"
}

// redactedError hides a secret in an error's text while keeping its chain
// for errors.Is and errors.As.
type redactedError struct {
	err     error
	secrets *redactpkg.Secrets
}

func (e *redactedError) Error() string { return e.secrets.String(e.err.Error()) }

func (e *redactedError) Unwrap() error { return e.err }

// redact wraps err so that its text never carries secret, nor any piece of
// it of redact.MinPiece characters in any letter case. It first scrubs the
// fields of an *APIError in the chain, which callers may print, and only
// then clips its message, so that no cut can keep a piece of the key.
func redact(err error, secret string) error {
	if err == nil || secret == "" {
		return err
	}
	secrets := redactpkg.New(secret)
	var ae *APIError
	if errors.As(err, &ae) {
		ae.Message = clip(secrets.String(ae.Message))
		errs := make(map[string]string, len(ae.Errors))
		for k, v := range ae.Errors {
			errs[secrets.String(k)] = secrets.String(v)
		}
		if ae.Errors != nil {
			ae.Errors = errs
		}
		ae.RequestID = secrets.String(ae.RequestID)
		ae.RateLimitState = secrets.String(ae.RateLimitState)
		ae.RateLimitReason = secrets.String(ae.RateLimitReason)
	}
	if !secrets.Contains(err.Error()) {
		return err
	}
	return &redactedError{err: err, secrets: secrets}
}
