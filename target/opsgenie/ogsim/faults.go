package ogsim

import (
	"net/http"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
)

// FaultOptions configure fault injection on API requests (never on the
// admin endpoints); see simkit.FaultOptions.
type FaultOptions = simkit.FaultOptions

// fault is one request's drawn fate.
type fault = simkit.Fault

// newFaulter returns the faulter of this emulator's PRNG stream.
func newFaulter(o FaultOptions) *simkit.Faulter { return simkit.NewFaulter(o, 0x6f6773696d) }

// injectFault carries out a drawn error or drop and reports whether it did;
// see simkit.DropConn.
func (s *Server) injectFault(w http.ResponseWriter, f fault, route string, start time.Time, reqID string) bool {
	switch {
	case f.Drop:
		simkit.DropConn(w, s.log, route, "requestId", reqID)
		return true
	case f.Status != 0:
		s.log.Warn("injected fault: server error", "route", route, "status", f.Status, "requestId", reqID)
		s.write(w, errReply(f.Status, http.StatusText(f.Status)), start, reqID, "OK")
		return true
	}
	return false
}

// serveLate carries out a late write (see simkit.LateWrites.Hold): it
// applies the request and answers, to nobody if the client gave up.
func (s *Server) serveLate(w http.ResponseWriter, r *http.Request, rt *route, params []string, pathKnown bool,
	routeName string, start time.Time, reqID string) {
	r2, done := s.h.Hold(r, routeName, "requestId", reqID)
	if r2 == nil {
		return
	}
	defer done()
	rep, state := s.handle(r2, rt, params, pathKnown)
	s.afterRequest(r.Method)
	s.write(w, rep, start, reqID, state)
	s.log.Debug("late request", "method", r.Method, "path", r.URL.Path, "route", routeName,
		"status", rep.status, "requestId", reqID)
}
