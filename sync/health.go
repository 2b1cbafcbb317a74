package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	stdsync "sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Health tracks the cycles for /healthz.
//
// The daemon is unhealthy once MaxFailed cycles in a row have not succeeded
// (failed, partial or blocked; see Outcome.Succeeded), and healthy again after
// the next successful one. Before the first cycle ends it is healthy: /healthz
// is a liveness check, and a long first import is not a reason to restart the
// process; it says "no cycle finished yet" so a reader can tell.
type Health struct {
	mu                stdsync.Mutex
	maxFailed         int
	started           time.Time
	last              *Result
	lastSuccess       time.Time
	consecutiveFailed int
}

// NewHealth returns a Health that turns unhealthy after maxFailed
// consecutive unsuccessful cycles; started is when the daemon started.
func NewHealth(maxFailed int, started time.Time) *Health {
	return &Health{maxFailed: max(maxFailed, 1), started: started}
}

// SetMaxFailed changes the threshold (after a configuration reload).
func (h *Health) SetMaxFailed(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.maxFailed = max(n, 1)
}

// Record notes a finished cycle and returns the number of unsuccessful
// cycles in a row, this one included.
func (h *Health) Record(r *Result) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := *r
	c.Actions, c.Plan = nil, nil // keep the summary only
	h.last = &c
	if r.Outcome.Succeeded() {
		h.consecutiveFailed = 0
		h.lastSuccess = r.End
	} else {
		h.consecutiveFailed++
	}
	return h.consecutiveFailed
}

// Healthy reports whether fewer than the threshold of cycles in a row failed.
func (h *Health) Healthy() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.consecutiveFailed < h.maxFailed
}

// ServeHTTP answers /healthz: 200 and "ok", or 503 and "unhealthy", then
// what the last cycle did, one "key: value" a line.
func (h *Health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h.mu.Lock()
	var b strings.Builder
	healthy := h.consecutiveFailed < h.maxFailed
	if healthy {
		b.WriteString("ok\n")
	} else {
		fmt.Fprintf(&b, "unhealthy: %d cycles in a row did not succeed (limit %d)\n", h.consecutiveFailed, h.maxFailed)
	}
	fmt.Fprintf(&b, "started: %s\n", h.started.UTC().Format(time.RFC3339))
	if h.last == nil {
		b.WriteString("last_cycle: none finished yet\n")
	} else {
		l := h.last
		fmt.Fprintf(&b, "last_cycle: %s\n", l.Outcome)
		fmt.Fprintf(&b, "last_cycle_end: %s\n", l.End.UTC().Format(time.RFC3339))
		fmt.Fprintf(&b, "last_cycle_duration: %s\n", l.Duration().Round(time.Millisecond))
		if l.Commit != "" {
			fmt.Fprintf(&b, "last_cycle_commit: %s\n", l.Commit)
		}
		t := l.Total()
		fmt.Fprintf(&b, "last_cycle_actions: %d planned, %d applied, %d failed, %d skipped, %d blocked\n",
			t.Planned, t.Applied, t.Failed, t.Skipped, t.Blocked)
		if l.Error != "" {
			fmt.Fprintf(&b, "last_cycle_error: %s\n", mdLine(l.Error))
		}
		if !h.lastSuccess.IsZero() {
			fmt.Fprintf(&b, "last_success: %s\n", h.lastSuccess.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(&b, "consecutive_failed_cycles: %d\n", h.consecutiveFailed)
	}
	h.mu.Unlock()

	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !healthy {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	if r.Method == http.MethodGet {
		fmt.Fprint(w, b.String())
	}
}

// NewHandler serves /healthz from h and, when g is not nil, /metrics from g.
func NewHandler(h *Health, g prometheus.Gatherer) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/healthz", h)
	if g != nil {
		mux.Handle("/metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	}
	return mux
}

// Serve serves handler on ln until ctx is done, then shuts the server down,
// letting requests in progress finish for up to five seconds.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down the server on %s: %w", ln.Addr(), err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	}
	return nil
}
