package daemon

import (
	"context"
	"errors"
	"net"

	"github.com/prometheus/client_golang/prometheus"
)

// RunAndServe is the daemon's whole life: it runs the cycles on the
// schedule until ctx ends, reloads the configuration on every value from
// reload (main sends SIGHUP there; the daemon knows no signals), and, when
// ln is not nil, serves /healthz and /metrics (from g) on it. A server
// that stops with an error stops the daemon. It returns once the cycle in
// flight has finished (Run) and the server has stopped.
func (d *Daemon) RunAndServe(ctx context.Context, ln net.Listener, g prometheus.Gatherer, reload <-chan struct{}) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	serverDone := make(chan error, 1)
	if ln != nil {
		d.logger.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
		go func() {
			err := Serve(ctx, ln, NewHandler(d.Health(), g), d.logger)
			if err != nil {
				d.logger.Error("the health and metrics server stopped; stopping", "err", err)
				cancel()
			}
			serverDone <- err
		}()
	} else {
		serverDone <- nil
	}
	go func() {
		for {
			select {
			case <-reload:
				_ = d.Reload() // logged by Reload
			case <-ctx.Done():
				return
			}
		}
	}()
	runErr := d.Run(ctx)
	cancel()
	return errors.Join(runErr, <-serverDone)
}
