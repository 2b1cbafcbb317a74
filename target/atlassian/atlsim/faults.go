package atlsim

import (
	"bytes"
	"context"
	"io"
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
func newFaulter(o FaultOptions) *simkit.Faulter { return simkit.NewFaulter(o, 0x61746c73696d) }

// injectFault carries out a drawn error or drop and reports whether it did.
// A drop hijacks the connection and closes it; on a ResponseWriter that
// cannot be hijacked it aborts the handler with http.ErrAbortHandler, which
// net/http servers answer by closing the stream. An injected 503 carries
// Retry-After: 1, as some real 503s do (reference §6).
func (s *Server) injectFault(w http.ResponseWriter, f fault, a api, route string) bool {
	switch {
	case f.Drop:
		s.log.Warn("injected fault: dropping connection", "route", route)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
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

// isWrite reports whether a method writes: POST, PATCH, PUT or DELETE.
func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// serveLate carries out a late write: it reads the body in full, waits
// FaultOptions.LateDelay (not cut short by the client going away, only by
// Close, which abandons the write), then applies the request and answers,
// to nobody if the client gave up.
func (s *Server) serveLate(w http.ResponseWriter, r *http.Request, rt *route, params map[string]string, pathKnown bool, routeName string) {
	s.lateMu.Lock()
	if s.isClosed {
		s.lateMu.Unlock()
		return // abandoned: the server is closed
	}
	s.lateWG.Add(1)
	s.lateMu.Unlock()
	defer s.lateWG.Done()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return // the client went away before sending its body: nothing to apply
	}
	s.log.Warn("injected fault: late write", "route", routeName, "delay", s.faults.Opts().LateDelay)
	r2 := r.Clone(context.WithoutCancel(r.Context()))
	r2.Body = io.NopCloser(bytes.NewReader(body))
	t := time.NewTimer(s.faults.Opts().LateDelay)
	select {
	case <-t.C:
	case <-s.closed:
		t.Stop()
		s.log.Warn("late write abandoned: server closed", "route", routeName)
		return
	}
	rep := s.handle(r2, rt, params, pathKnown)
	s.write(w, rep)
	s.log.Debug("late request", "method", r.Method, "path", r.URL.Path, "route", routeName, "status", rep.status)
}
