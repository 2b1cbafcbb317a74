package simkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// MaxBody bounds request bodies.
const MaxBody = 1 << 20

// JSONValue marshals v without HTML escaping (links keep their "&"). The
// emulators only marshal their own plain types, which cannot fail.
func JSONValue(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`null`)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// WritePlainJSON answers with v as indented JSON, as the /_sim endpoints do.
func WritePlainJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// NewRequestID returns a random (unseeded) UUID for a request.
func NewRequestID() string { return FormatUUID(rand.Uint64(), rand.Uint64()) }

// IsWrite reports whether a method writes: POST, PATCH, PUT or DELETE.
func IsWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// Sleep waits d or until ctx ends; it reports whether d passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// DropConn closes the connection of w without an answer, as an injected
// drop does. On a ResponseWriter that cannot be hijacked it aborts the
// handler with http.ErrAbortHandler, which net/http servers answer by
// closing the stream. attrs are logged after the route.
func DropConn(w http.ResponseWriter, log *slog.Logger, route string, attrs ...any) {
	log.Warn("injected fault: dropping connection", append([]any{"route", route}, attrs...)...)
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// Observable is what the /_sim endpoints of an emulator show and reset: S
// is its Stats type, T its State type.
type Observable[S, T any] interface {
	Stats() S
	State() T
	Journal() []Mutation
	ResetStats()
	ResetJournal()
}

// adminMethods are the /_sim endpoints and the method each takes.
var adminMethods = map[string]string{"/_sim/stats": http.MethodGet, "/_sim/state": http.MethodGet, "/_sim/journal": http.MethodGet,
	"/_sim/reset-stats": http.MethodPost, "/_sim/reset-journal": http.MethodPost}

// ServeAdmin answers a request under /_sim/ and reports whether it did;
// the endpoints are GET /_sim/stats, GET /_sim/state, GET /_sim/journal,
// POST /_sim/reset-stats and POST /_sim/reset-journal, answered in plain
// indented JSON. notAllowed is the format of the 405 message, with the
// request method for %s.
func ServeAdmin[S, T any](w http.ResponseWriter, r *http.Request, a Observable[S, T], notAllowed string) bool {
	path := r.URL.Path
	if !strings.HasPrefix(path, "/_sim/") {
		return false
	}
	method, ok := adminMethods[path]
	switch {
	case !ok:
		WritePlainJSON(w, http.StatusNotFound, map[string]string{"message": "No handler found for url " + path})
		return true
	case r.Method != method:
		w.Header().Set("Allow", method)
		WritePlainJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": fmt.Sprintf(notAllowed, r.Method)})
		return true
	}
	switch path {
	case "/_sim/stats":
		WritePlainJSON(w, http.StatusOK, a.Stats())
	case "/_sim/state":
		WritePlainJSON(w, http.StatusOK, a.State())
	case "/_sim/journal":
		j := a.Journal()
		if j == nil {
			j = []Mutation{}
		}
		WritePlainJSON(w, http.StatusOK, j)
	case "/_sim/reset-stats":
		a.ResetStats()
		WritePlainJSON(w, http.StatusOK, a.Stats())
	case "/_sim/reset-journal":
		a.ResetJournal()
		WritePlainJSON(w, http.StatusOK, []Mutation{})
	}
	return true
}
