package daemon

import (
	"fmt"
	"net/http"
	"slices"
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
	m := &Metrics{}
	if err := m.register(reg, version); err != nil {
		return nil, err
	}
	return m, nil
}

// metric describes one metric: its name, help and labels (none for a
// plain counter, gauge or histogram), its buckets if it is a histogram,
// and the field of Metrics it goes to, whose type says its kind.
type metric struct {
	name, help string
	labels     []string
	buckets    []float64
	dst        any // *prometheus.Counter, **CounterVec, *Gauge, **GaugeVec, *Histogram or **HistogramVec
}

// metrics describes every metric of m but the build info.
func (m *Metrics) metrics() []metric {
	return []metric{
		{"ogsync_cycles_total", "Sync cycles run, by outcome: ok, changes-applied, dry-run (successes, blocked actions or not); refused, failed, partial (errors).", []string{"outcome"}, nil, &m.cycles},
		{"ogsync_cycle_duration_seconds", "Duration of sync cycles.", nil, []float64{1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800}, &m.cycleDuration},
		{"ogsync_last_cycle_timestamp_seconds", "Unix time the last cycle ended.", nil, nil, &m.lastCycle},
		{"ogsync_last_success_timestamp_seconds", "Unix time the last successful cycle (ok, changes-applied or dry-run) ended.", nil, nil, &m.lastSuccess},
		{"ogsync_last_cycle_duration_seconds", "Duration of the last cycle.", nil, nil, &m.lastDuration},
		{"ogsync_consecutive_failed_cycles", "Cycles in a row that did not succeed (refused, failed or partial).", nil, nil, &m.consecutiveFailed},
		{"ogsync_blocked_action_max_consecutive_cycles", "The most cycles in a row one action of the last plan has been blocked; 0 when none is.", nil, nil, &m.blockedStreak},
		{"ogsync_skipped_ticks_total", "Scheduled cycles skipped because the previous cycle was still running.", nil, nil, &m.skippedTicks},
		{"ogsync_planned_actions", "Actions in the last cycle's plan, by kind.", []string{"kind"}, nil, &m.planned},
		{"ogsync_blocked_actions", "Actions of the last cycle's plan refused by a safeguard, by kind.", []string{"kind"}, nil, &m.blocked},
		{"ogsync_actions_total", "Planned actions by kind and outcome (planned in a dry run, applied, failed, skipped, blocked, cancelled).", []string{"kind", "outcome"}, nil, &m.actions},
		{"ogsync_api_requests_total", "OpsGenie API requests by method, route pattern and HTTP status (\"error\" when no response came).", []string{"method", "route", "status"}, nil, &m.apiRequests},
		{"ogsync_api_request_duration_seconds", "Duration of OpsGenie API requests by method and route pattern.", []string{"method", "route"}, []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30}, &m.apiDuration},
		{"ogsync_api_throttled_total", "OpsGenie API requests answered 429 Too Many Requests, by method and route pattern.", []string{"method", "route"}, nil, &m.throttled},
		{"ogsync_api_rate_limit", "Requests per second the client-side limiter allows now, by OpsGenie rate-limit domain (0: unlimited).", []string{"domain"}, nil, &m.apiRate},
		{"ogsync_config_last_reload_successful", "Whether the last configuration reload succeeded (1) or failed (0).", nil, nil, &m.reloadOK},
		{"ogsync_config_last_reload_success_timestamp_seconds", "Unix time of the last successful configuration load.", nil, nil, &m.reloadTime},
		{"ogsync_state_write_errors_total", "Failed writes to the state directory: the last plan, result or report, or the learned request rates.", nil, nil, &m.stateErrors},
		{"ogsync_heartbeat_pings_total", "OpsGenie heartbeat pings after successful cycles, by result (ok, error).", []string{"result"}, nil, &m.heartbeats},
	}
}

// SeriesNames lists, sorted, the names of the series the metrics export:
// ogsync_build_info, every metric's name, and for a histogram its
// _bucket, _sum and _count series instead. Example rules and dashboards
// are checked against it.
func SeriesNames() []string {
	names := []string{"ogsync_build_info"}
	for _, d := range new(Metrics).metrics() {
		switch d.dst.(type) {
		case *prometheus.Histogram, **prometheus.HistogramVec:
			names = append(names, d.name+"_bucket", d.name+"_sum", d.name+"_count")
		default:
			names = append(names, d.name)
		}
	}
	slices.Sort(names)
	return names
}

// build creates the metric, stores it in its field and returns it.
func (d metric) build() prometheus.Collector {
	switch f := d.dst.(type) {
	case *prometheus.Counter:
		*f = prometheus.NewCounter(prometheus.CounterOpts{Name: d.name, Help: d.help})
		return *f
	case **prometheus.CounterVec:
		*f = prometheus.NewCounterVec(prometheus.CounterOpts{Name: d.name, Help: d.help}, d.labels)
		return *f
	case *prometheus.Gauge:
		*f = prometheus.NewGauge(prometheus.GaugeOpts{Name: d.name, Help: d.help})
		return *f
	case **prometheus.GaugeVec:
		*f = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: d.name, Help: d.help}, d.labels)
		return *f
	case *prometheus.Histogram:
		*f = prometheus.NewHistogram(prometheus.HistogramOpts{Name: d.name, Help: d.help, Buckets: d.buckets})
		return *f
	case **prometheus.HistogramVec:
		*f = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: d.name, Help: d.help, Buckets: d.buckets}, d.labels)
		return *f
	}
	panic(fmt.Sprintf("metric %s: field of type %T", d.name, d.dst))
}

// register creates the metrics (Metrics.metrics), registers them and the
// build info with reg, and exports every outcome from the start.
func (m *Metrics) register(reg prometheus.Registerer, version string) error {
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "ogsync_build_info",
		Help:        "A constant 1, labelled with ogsync's version.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	buildInfo.Set(1)
	if err := reg.Register(buildInfo); err != nil {
		return err
	}
	for _, d := range m.metrics() {
		if err := reg.Register(d.build()); err != nil {
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
