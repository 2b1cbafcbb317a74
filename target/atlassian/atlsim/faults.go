package atlsim

import (
	"net/http"

	"github.com/ogsync/ogsync/internal/simkit"
)

// FaultOptions configure fault injection on API requests (never on the
// admin endpoints); see simkit.FaultOptions.
type FaultOptions = simkit.FaultOptions

// fault is one request's drawn fate.
type fault = simkit.Fault

// newFaulter returns the faulter of this emulator's PRNG stream.
func newFaulter(o FaultOptions) *simkit.Faulter { return simkit.NewFaulter(o, 0x61746c73696d) }

// injectFault carries out a drawn error or drop and reports whether it did
// (see simkit.DropConn). An injected 503 carries Retry-After: 1, as some
// real 503s do (reference §6).
func (s *Server) injectFault(w http.ResponseWriter, f fault, a api, route string) bool {
	switch {
	case f.Drop:
		simkit.DropConn(w, s.log, route)
		return true
	case f.Status != 0:
		s.log.Warn("injected fault: server error", "route", route, "status", f.Status)
		rep := s.apiErr(a, f.Status, "SERVER_ERROR", http.StatusText(f.Status))
		if f.Status == http.StatusServiceUnavailable {
			rep.header = append(rep.header, [2]string{"Retry-After", "1"})
		}
		s.write(w, rep)
		return true
	}
	return false
}

// serveLate carries out a late write (see simkit.LateWrites.Hold): it
// applies the request and answers, to nobody if the client gave up.
func (s *Server) serveLate(w http.ResponseWriter, r *http.Request, rt *route, params map[string]string, pathKnown bool, routeName string) {
	r2, done := s.h.Hold(r, routeName)
	if r2 == nil {
		return
	}
	defer done()
	rep := s.handle(r2, rt, params, pathKnown)
	s.write(w, rep)
	s.log.Debug("late request", "method", r.Method, "path", r.URL.Path, "route", routeName, "status", rep.status)
}
