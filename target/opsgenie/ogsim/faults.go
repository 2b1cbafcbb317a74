package ogsim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// FaultOptions configure fault injection on API requests (never on the
// admin endpoints). Every request draws its fate from a PRNG seeded with
// Seed, so a sequential run is reproducible.
type FaultOptions struct {
	// Seed seeds the fault PRNG.
	Seed int64
	// ErrorRate is the share of requests answered with a 5xx status
	// (500, 502, 503 or 504, equally likely), in [0,1].
	ErrorRate float64
	// DropRate is the share of requests whose connection is closed without
	// an answer, in [0,1]. ErrorRate+DropRate must not exceed 1.
	DropRate float64
	// Latency is added to every request.
	Latency time.Duration
	// Jitter adds a uniform random extra delay in [0, Jitter).
	Jitter time.Duration
	// AfterEffect injects errors and drops after the request has taken
	// effect (a create that "failed" did create), as a lost response would;
	// by default they happen before, and the request has no effect.
	AfterEffect bool
	// LateRate is the share of write requests (POST, PATCH, PUT, DELETE)
	// applied late, in [0,1]: the body is read, then the server waits
	// LateDelay, whether or not the client is still there, and only then
	// applies the request and answers. ErrorRate+DropRate+LateRate must not
	// exceed 1.
	LateRate float64
	// LateDelay is how long a late write waits; set it above the client's
	// timeout to apply writes after the client gave up.
	LateDelay time.Duration
}

func (o FaultOptions) validate() error {
	switch {
	case o.ErrorRate < 0 || o.ErrorRate > 1:
		return fmt.Errorf("faults: error rate %v must be between 0 and 1", o.ErrorRate)
	case o.DropRate < 0 || o.DropRate > 1:
		return fmt.Errorf("faults: drop rate %v must be between 0 and 1", o.DropRate)
	case o.LateRate < 0 || o.LateRate > 1:
		return fmt.Errorf("faults: late rate %v must be between 0 and 1", o.LateRate)
	case o.ErrorRate+o.DropRate > 1:
		return fmt.Errorf("faults: error rate %v plus drop rate %v must not exceed 1", o.ErrorRate, o.DropRate)
	case o.ErrorRate+o.DropRate+o.LateRate > 1:
		return fmt.Errorf("faults: error rate %v plus drop rate %v plus late rate %v must not exceed 1", o.ErrorRate, o.DropRate, o.LateRate)
	case o.Latency < 0 || o.Jitter < 0:
		return fmt.Errorf("faults: latency and jitter must not be negative")
	case o.LateDelay < 0:
		return fmt.Errorf("faults: late delay %v must not be negative", o.LateDelay)
	}
	return nil
}

func (o FaultOptions) off() bool {
	return o.ErrorRate == 0 && o.DropRate == 0 && o.LateRate == 0 && o.Latency == 0 && o.Jitter == 0
}

type fault struct {
	delay       time.Duration
	drop        bool
	status      int
	afterEffect bool
	late        bool // applies to write requests only
}

var faultStatuses = [...]int{500, 502, 503, 504}

type faulter struct {
	opts FaultOptions
	mu   sync.Mutex
	rng  *rand.Rand
}

func newFaulter(o FaultOptions) *faulter {
	return &faulter{opts: o, rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x6f6773696d))}
}

// draw decides one request's fate. It always draws the same number of
// values, so the sequence does not depend on earlier outcomes.
func (f *faulter) draw() fault {
	if f.opts.off() {
		return fault{}
	}
	f.mu.Lock()
	u, j, k := f.rng.Float64(), f.rng.Float64(), f.rng.IntN(len(faultStatuses))
	f.mu.Unlock()
	out := fault{delay: f.opts.Latency + time.Duration(j*float64(f.opts.Jitter)), afterEffect: f.opts.AfterEffect}
	switch {
	case u < f.opts.DropRate:
		out.drop = true
	case u < f.opts.DropRate+f.opts.ErrorRate:
		out.status = faultStatuses[k]
	case u < f.opts.DropRate+f.opts.ErrorRate+f.opts.LateRate:
		out.late = true
	}
	return out
}

// injectFault carries out a drawn error or drop and reports whether it did.
// A drop hijacks the connection and closes it; on a ResponseWriter that
// cannot be hijacked it aborts the handler with http.ErrAbortHandler, which
// net/http servers answer by closing the stream.
func (s *Server) injectFault(w http.ResponseWriter, f fault, route string, start time.Time, reqID string) bool {
	switch {
	case f.drop:
		s.log.Warn("injected fault: dropping connection", "route", route, "requestId", reqID)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	case f.status != 0:
		s.log.Warn("injected fault: server error", "route", route, "status", f.status, "requestId", reqID)
		s.write(w, errReply(f.status, http.StatusText(f.status)), start, reqID, "OK")
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
func (s *Server) serveLate(w http.ResponseWriter, r *http.Request, rt *route, params []string, pathKnown bool,
	routeName string, start time.Time, reqID string) {
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
	s.log.Warn("injected fault: late write", "route", routeName, "delay", s.faults.opts.LateDelay, "requestId", reqID)
	r2 := r.Clone(context.WithoutCancel(r.Context()))
	r2.Body = io.NopCloser(bytes.NewReader(body))
	t := time.NewTimer(s.faults.opts.LateDelay)
	select {
	case <-t.C:
	case <-s.closed:
		t.Stop()
		s.log.Warn("late write abandoned: server closed", "route", routeName, "requestId", reqID)
		return
	}
	rep, state := s.handle(r2, rt, params, pathKnown)
	s.afterRequest(r.Method)
	s.write(w, rep, start, reqID, state)
	s.log.Debug("late request", "method", r.Method, "path", r.URL.Path, "route", routeName,
		"status", rep.status, "requestId", reqID)
}
