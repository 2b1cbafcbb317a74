package daemon

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ogsync/ogsync/engine"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are ogsync's Prometheus metrics. A nil *Metrics records nothing,
// so every method may be called on one.
type Metrics struct {
	cycles            *prometheus.CounterVec
	cycleDuration     prometheus.Histogram
	lastCycle         prometheus.Gauge
	lastSuccess       prometheus.Gauge
	lastDuration      prometheus.Gauge
	consecutiveFailed prometheus.Gauge
	blockedStreak     prometheus.Gauge
	skippedTicks      prometheus.Counter
	planned           *prometheus.GaugeVec
	blocked           *prometheus.GaugeVec
	actions           *prometheus.CounterVec
	apiRequests       *prometheus.CounterVec
	apiDuration       *prometheus.HistogramVec
	throttled         *prometheus.CounterVec
	apiRate           *prometheus.GaugeVec
	reloadOK          prometheus.Gauge
	reloadTime        prometheus.Gauge
	stateErrors       prometheus.Counter
	heartbeats        *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg, which should
// be a registry of the process's own (prometheus.NewRegistry), not the global
// one. version is exported as ogsync_build_info{version}.
func NewMetrics(reg prometheus.Registerer, version string) (*Metrics, error) {
	m := &Metrics{
		cycles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogsync_cycles_total",
			Help: "Sync cycles run, by outcome: ok, changes-applied, dry-run (successes, blocked actions or not); refused, failed, partial (errors).",
		}, []string{"outcome"}),
		cycleDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ogsync_cycle_duration_seconds",
			Help:    "Duration of sync cycles.",
			Buckets: []float64{1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800},
		}),
		lastCycle: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ogsync_last_cycle_timestamp_seconds",
			Help: "Unix time the last cycle ended.",
		}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ogsync_last_success_timestamp_seconds",
			Help: "Unix time the last successful cycle (ok, changes-applied or dry-run) ended.",
		}),
		lastDuration: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ogsync_last_cycle_duration_seconds",
			Help: "Duration of the last cycle.",
		}),
		consecutiveFailed: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ogsync_consecutive_failed_cycles",
			Help: "Cycles in a row that did not succeed (refused, failed or partial).",
		}),
		blockedStreak: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ogsync_blocked_action_max_consecutive_cycles",
			Help: "The most cycles in a row one action of the last plan has been blocked; 0 when none is.",
		}),
		skippedTicks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ogsync_skipped_ticks_total",
			Help: "Scheduled cycles skipped because the previous cycle was still running.",
		}),
		planned: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ogsync_planned_actions",
			Help: "Actions in the last cycle's plan, by kind.",
		}, []string{"kind"}),
		blocked: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ogsync_blocked_actions",
			Help: "Actions of the last cycle's plan refused by a safeguard, by kind.",
		}, []string{"kind"}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogsync_actions_total",
			Help: "Planned actions by kind and outcome (planned in a dry run, applied, failed, skipped, blocked, cancelled).",
		}, []string{"kind", "outcome"}),
		apiRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogsync_api_requests_total",
			Help: "OpsGenie API requests by method, route pattern and HTTP status (\"error\" when no response came).",
		}, []string{"method", "route", "status"}),
		apiDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ogsync_api_request_duration_seconds",
			Help:    "Duration of OpsGenie API requests by method and route pattern.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogsync_api_throttled_total",
			Help: "OpsGenie API requests answered 429 Too Many Requests, by method and route pattern.",
		}, []string{"method", "route"}),
		apiRate: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ogsync_api_rate_limit",
			Help: "Requests per second the client-side limiter allows now, by OpsGenie rate-limit domain (0: unlimited).",
		}, []string{"domain"}),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ogsync_config_last_reload_successful",
			Help: "Whether the last configuration reload succeeded (1) or failed (0).",
		}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ogsync_config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful configuration load.",
		}),
		stateErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ogsync_state_write_errors_total",
			Help: "Failed writes of the last plan, result or report to the state directory.",
		}),
		heartbeats: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ogsync_heartbeat_pings_total",
			Help: "OpsGenie heartbeat pings after successful cycles, by result (ok, error).",
		}, []string{"result"}),
	}
	if err := m.register(reg, version); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers the metrics and the build info with reg, and exports
// every outcome from the start.
func (m *Metrics) register(reg prometheus.Registerer, version string) error {
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "ogsync_build_info",
		Help:        "A constant 1, labelled with ogsync's version.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	buildInfo.Set(1)
	for _, c := range []prometheus.Collector{
		m.cycles, m.cycleDuration, m.lastCycle, m.lastSuccess, m.lastDuration, m.consecutiveFailed, m.blockedStreak,
		m.skippedTicks, m.planned, m.blocked, m.actions, m.apiRequests, m.apiDuration, m.throttled, m.apiRate,
		m.reloadOK, m.reloadTime, m.stateErrors, m.heartbeats, buildInfo,
	} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	// Every outcome is exported from the start, so rate() and alerts see zeros.
	for _, o := range engine.Outcomes {
		m.cycles.WithLabelValues(string(o))
	}
	m.heartbeats.WithLabelValues("ok")
	m.heartbeats.WithLabelValues("error")
	return nil
}

// RecordCycle counts a finished cycle. consecutiveFailed is the number of
// unsuccessful cycles in a row, this one included.
func (m *Metrics) RecordCycle(r *engine.Result, consecutiveFailed int) {
	if m == nil {
		return
	}
	m.cycles.WithLabelValues(string(r.Outcome)).Inc()
	d := r.Duration().Seconds()
	m.cycleDuration.Observe(d)
	m.lastDuration.Set(d)
	m.lastCycle.Set(unixSeconds(r.End))
	if r.Outcome.Succeeded() {
		m.lastSuccess.Set(unixSeconds(r.End))
	}
	m.consecutiveFailed.Set(float64(consecutiveFailed))
	m.planned.Reset()
	m.blocked.Reset()
	for _, k := range r.Kinds() {
		c := r.Counts[k]
		m.planned.WithLabelValues(k).Set(float64(c.Planned))
		m.blocked.WithLabelValues(k).Set(float64(c.Blocked))
	}
	for _, a := range r.Actions {
		m.actions.WithLabelValues(a.Kind, string(a.Outcome)).Inc()
	}
	switch r.Heartbeat {
	case engine.HeartbeatPinged:
		m.heartbeats.WithLabelValues("ok").Inc()
	case engine.HeartbeatFailed:
		m.heartbeats.WithLabelValues("error").Inc()
	}
}

// BlockedStreak records the most cycles in a row one action has been blocked.
func (m *Metrics) BlockedStreak(cycles int) {
	if m == nil {
		return
	}
	m.blockedStreak.Set(float64(cycles))
}

// ObserveRequest counts one OpsGenie API request: its method, its route
// pattern (such as /v2/users/{id}; never the raw path, which would make a
// series per user), the response status (0 when no response came) and its
// duration. The client's request observer calls it.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	code := "error"
	if status > 0 {
		code = strconv.Itoa(status)
	}
	m.apiRequests.WithLabelValues(method, route, code).Inc()
	m.apiDuration.WithLabelValues(method, route).Observe(d.Seconds())
	if status == http.StatusTooManyRequests {
		m.throttled.WithLabelValues(method, route).Inc()
	}
}

// ConfigLoaded records a configuration load or reload.
func (m *Metrics) ConfigLoaded(ok bool, at time.Time) {
	if m == nil {
		return
	}
	if !ok {
		m.reloadOK.Set(0)
		return
	}
	m.reloadOK.Set(1)
	m.reloadTime.Set(unixSeconds(at))
}

// TickSkipped counts a scheduled cycle skipped because one was still running.
func (m *Metrics) TickSkipped() {
	if m == nil {
		return
	}
	m.skippedTicks.Inc()
}

// StateWriteFailed counts a failed write to the state directory.
func (m *Metrics) StateWriteFailed() {
	if m == nil {
		return
	}
	m.stateErrors.Inc()
}

func unixSeconds(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e9
}

// SetAPIRate exports the rate in force of an OpsGenie rate-limit domain
// (requests per second; 0 means unlimited). The client calls it whenever its
// adaptive limiter changes a rate.
func (m *Metrics) SetAPIRate(domain string, perSecond float64) {
	if m == nil {
		return
	}
	m.apiRate.WithLabelValues(domain).Set(perSecond)
}
