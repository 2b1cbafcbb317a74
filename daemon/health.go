package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ogsync/ogsync/engine"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Health tracks the cycles for /healthz.
//
// The daemon is unhealthy once MaxFailed cycles in a row have not succeeded
// (refused, failed or partial; see Outcome), and healthy again after the
// next successful one. Blocked actions are a normal outcome and do not count;
// but with a max_blocked_cycles above 0, an action that stays blocked that
// many cycles in a row also makes the daemon unhealthy, until it is no
// longer blocked (applied, or gone from the plan). A cycle that computed no
// plan, or whose plan was refused, leaves those counts as they are. Before the first cycle ends it is healthy: /healthz
// is a liveness check, and a long first import is not a reason to restart the
// process; it says "no cycle finished yet" so a reader can tell.
type Health struct {
	mu                sync.Mutex
	maxFailed         int
	started           time.Time
	last              *engine.Result
	lastSuccess       time.Time
	consecutiveFailed int
	maxBlocked        int
	blocked           map[string]int // action → cycles in a row it was blocked
}

// NewHealth returns a Health that turns unhealthy after maxFailed
// consecutive unsuccessful cycles; started is when the daemon started.
func NewHealth(maxFailed int, started time.Time) *Health {
	return &Health{maxFailed: max(maxFailed, 1), started: started}
}

// SetMaxBlocked sets how many cycles in a row one action may stay blocked
// before the daemon is unhealthy; 0 (the default) turns the check off.
func (h *Health) SetMaxBlocked(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.maxBlocked = max(n, 0)
}

// SetMaxFailed changes the threshold (after a configuration reload).
func (h *Health) SetMaxFailed(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.maxFailed = max(n, 1)
}

// Record notes a finished cycle and returns the number of unsuccessful
// cycles in a row, this one included.
func (h *Health) Record(r *engine.Result) int {
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
	if len(r.Violations) == 0 && (len(r.Actions) > 0 || r.Error == "") {
		blocked := map[string]int{}
		for _, a := range r.Actions {
			if a.Outcome == engine.ActionBlocked {
				blocked[a.Action] = h.blocked[a.Action] + 1
			}
		}
		h.blocked = blocked
	}
	return h.consecutiveFailed
}

// LongestBlocked returns the action blocked for the most cycles in a row
// (the first by name on a tie) and that number; "" and 0 when none is blocked.
func (h *Health) LongestBlocked() (action string, cycles int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.longestBlocked()
}

func (h *Health) longestBlocked() (action string, cycles int) {
	for a, n := range h.blocked {
		if n > cycles || (n == cycles && a < action) {
			action, cycles = a, n
		}
	}
	return action, cycles
}

// Healthy reports whether fewer than the threshold of cycles in a row
// failed, and no action stayed blocked max_blocked_cycles cycles in a row.
func (h *Health) Healthy() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.healthy()
}

func (h *Health) healthy() bool {
	_, n := h.longestBlocked()
	return h.consecutiveFailed < h.maxFailed && (h.maxBlocked == 0 || n < h.maxBlocked)
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
	healthy := h.healthy()
	longest, streak := h.longestBlocked()
	switch {
	case healthy:
		b.WriteString("ok\n")
	case h.consecutiveFailed >= h.maxFailed:
		fmt.Fprintf(&b, "unhealthy: %d cycles in a row did not succeed (limit %d)\n", h.consecutiveFailed, h.maxFailed)
	default:
		fmt.Fprintf(&b, "unhealthy: %q blocked %d cycles in a row (limit %d)\n", longest, streak, h.maxBlocked)
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
			fmt.Fprintf(&b, "last_cycle_error: %s\n", oneLine(l.Error))
		}
		if !h.lastSuccess.IsZero() {
			fmt.Fprintf(&b, "last_success: %s\n", h.lastSuccess.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(&b, "consecutive_failed_cycles: %d\n", h.consecutiveFailed)
		fmt.Fprintf(&b, "blocked_actions: %d\n", len(h.blocked))
		if streak > 0 {
			fmt.Fprintf(&b, "longest_blocked: %d cycles: %s\n", streak, longest)
		}
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
