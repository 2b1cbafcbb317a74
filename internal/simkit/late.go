package simkit

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// LateWrites holds the write requests a fault makes late until their
// delay has passed, and abandons them on Close. It is safe for concurrent
// use.
type LateWrites struct {
	mu       sync.Mutex // guards isClosed and wg.Add
	isClosed bool
	closed   chan struct{} // closed by Close
	wg       sync.WaitGroup
}

// NewLateWrites returns a LateWrites that holds writes.
func NewLateWrites() *LateWrites { return &LateWrites{closed: make(chan struct{})} }

// Hold carries out the wait of a late write: it reads r's body in full,
// waits delay (not cut short by the client going away, only by Close,
// which abandons the write), then returns a copy of r that no longer
// depends on the client, to be applied and answered, and the function to
// call once that is done. It returns nil when the write is abandoned or
// the client went away before sending its body. attrs are logged after
// the route.
func (l *LateWrites) Hold(r *http.Request, delay time.Duration, log *slog.Logger, route string, attrs ...any) (*http.Request, func()) {
	l.mu.Lock()
	if l.isClosed {
		l.mu.Unlock()
		return nil, nil // abandoned: the server is closed
	}
	l.wg.Add(1)
	l.mu.Unlock()
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		l.wg.Done()
		return nil, nil // the client went away before sending its body: nothing to apply
	}
	log.Warn("injected fault: late write", append([]any{"route", route, "delay", delay}, attrs...)...)
	r2 := r.Clone(context.WithoutCancel(r.Context()))
	r2.Body = io.NopCloser(bytes.NewReader(body))
	t := time.NewTimer(delay)
	select {
	case <-t.C:
	case <-l.closed:
		t.Stop()
		log.Warn("late write abandoned: server closed", append([]any{"route", route}, attrs...)...)
		l.wg.Done()
		return nil, nil
	}
	return r2, l.wg.Done
}

// Close abandons the late writes still waiting (they are never applied)
// and waits for their handlers to return.
func (l *LateWrites) Close() {
	l.mu.Lock()
	if !l.isClosed {
		l.isClosed = true
		close(l.closed)
	}
	l.mu.Unlock()
	l.wg.Wait()
}
