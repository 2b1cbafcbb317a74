package simkit

import (
	"log/slog"
	"net/http"
	"sync/atomic"
)

// Harness is the request machinery an emulator's Server holds beside its
// account: fault injection, the late writes and the request counters. It
// is safe for concurrent use.
type Harness struct {
	// Log receives warnings for injected faults.
	Log *slog.Logger
	// Faults draws each API request's fate.
	Faults *Faulter
	// Late holds the writes a fault made late.
	Late *LateWrites
	// Counter counts the API requests.
	Counter *Counter
	// calm, once set by Calm, turns fault injection off.
	calm atomic.Bool
}

// NewHarness returns a harness drawing faults from faults.
func NewHarness(log *slog.Logger, faults *Faulter) *Harness {
	return &Harness{Log: log, Faults: faults, Late: NewLateWrites(), Counter: NewCounter()}
}

// Calm turns fault injection off for good; late writes already waiting
// still complete.
func (h *Harness) Calm() { h.calm.Store(true) }

// Calmed reports whether Calm was called.
func (h *Harness) Calmed() bool { return h.calm.Load() }

// Hold holds a late write for FaultOptions.LateDelay; see LateWrites.Hold.
func (h *Harness) Hold(r *http.Request, route string, attrs ...any) (*http.Request, func()) {
	return h.Late.Hold(r, h.Faults.Opts().LateDelay, h.Log, route, attrs...)
}

// Exchange is one API request as Harness.Serve carries it out.
type Exchange struct {
	// Inject carries out a drawn error or drop and reports whether it did.
	Inject func(Fault) bool
	// Late serves the request as a late write.
	Late func()
	// Handle applies the request and returns the function that answers it.
	Handle func() (answer func())
}

// Serve carries out one API request under fault injection: it draws the
// request's fate (none once calm), waits its delay (giving up if the
// client goes away), then injects a drawn error or drop before the
// request takes effect, or serves a write late, or handles the request
// and then injects the error or drop after it took effect, or answers.
func (h *Harness) Serve(r *http.Request, x Exchange) {
	var f Fault
	if !h.Calmed() {
		f = h.Faults.Draw()
	}
	if f.Delay > 0 && !Sleep(r.Context(), f.Delay) {
		return
	}
	if !f.AfterEffect && x.Inject(f) {
		return
	}
	if f.Late && IsWrite(r.Method) {
		x.Late()
		return
	}
	answer := x.Handle()
	if f.AfterEffect && x.Inject(f) {
		return
	}
	answer()
}
