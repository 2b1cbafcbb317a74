package simkit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ShutdownGrace bounds how long Serve waits for requests in flight once
// its context ends.
const ShutdownGrace = 5 * time.Second

// Emulator is an emulator's handler: Close abandons the late writes still
// waiting.
type Emulator interface {
	http.Handler
	Close()
}

// Serve listens on addr (host:port; port 0 picks a free one), calls ready
// with the address bound, and serves em until ctx ends. It then abandons
// em's late writes and shuts down gracefully, closing what is still in
// flight after ShutdownGrace (said as a warning on h.Log), and logs the
// request counts of h. Its errors start with "listening:" or "serving:".
func Serve(ctx context.Context, addr string, em Emulator, h *Harness, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		em.Close()
		return fmt.Errorf("listening: %w", err)
	}
	ready(ln.Addr())
	hs := &http.Server{Handler: em, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		em.Close()
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	em.Close() // late writes still waiting are abandoned, not applied
	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		h.Log.Warn("requests still in flight at shutdown; closing", "err", err)
		_ = hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	st := h.Counter.Stats()
	h.Log.Info("stopped", "requests", st.Total, "throttled", st.Throttled)
	return nil
}
