package daemon

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/ogsync/ogsync/statedir"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Process is what one ogsync process holds around its cycles, whether it
// runs one or the daemon: the state directory's lock and its metrics.
type Process struct {
	// Metrics count the cycles, reloads and API requests; pass them to the
	// Daemon and to the target's request observer.
	Metrics *Metrics
	// Registry holds Metrics and the Go and process collectors: what
	// /metrics serves.
	Registry *prometheus.Registry
	lock     *statedir.Lock
}

// Open prepares the state directory dir (statedir.PrepareStateDir), takes
// its lock, so that one process at a time uses it, removes the temporary
// files an interrupted run left there, and registers the metrics, version
// in ogsync_build_info. Close releases the lock.
func Open(dir, version string, logger *slog.Logger) (*Process, error) {
	if err := statedir.PrepareStateDir(dir); err != nil {
		return nil, err
	}
	lock, err := statedir.AcquireLock(filepath.Join(dir, statedir.LockFile))
	if err != nil {
		return nil, err
	}
	if removed, err := (statedir.Dir{Path: dir}).CleanTemp(); err != nil {
		logger.Warn("cleaning the state directory", "err", err)
	} else if len(removed) > 0 {
		logger.Info("removed temporary files an interrupted run left in the state directory", "dir", dir, "files", removed)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := NewMetrics(reg, version)
	if err != nil {
		_ = lock.Release()
		return nil, fmt.Errorf("registering metrics: %w", err)
	}
	return &Process{Metrics: m, Registry: reg, lock: lock}, nil
}

// Close releases the state directory's lock.
func (p *Process) Close() error { return p.lock.Release() }
