package daemon

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/engine"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// scrape fetches url and returns the body.
func scrape(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// assertLines checks that every want line appears as a whole line of body.
func assertLines(t *testing.T, body string, want ...string) {
	t.Helper()
	lines := make(map[string]bool)
	for _, l := range strings.Split(body, "\n") {
		lines[l] = true
	}
	for _, w := range want {
		if !lines[w] {
			t.Errorf("missing line %q in:\n%s", w, body)
		}
	}
}

func TestMetricsScrape(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg, "v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	h := NewHealth(3, time.Unix(0, 0))
	srv := httptest.NewServer(NewHandler(h, reg))
	defer srv.Close()

	r := sampleResult() // partial: 1 user failed, 1 user blocked, 2 applied
	m.RecordCycle(&r, h.Record(&r))
	ok := engine.Result{Start: r.End, End: r.End.Add(1750 * time.Millisecond), Actions: []engine.ActionResult{act("team", "create", engine.ActionApplied)}, Heartbeat: engine.HeartbeatPinged}
	ok.Finish(nil)
	m.RecordCycle(&ok, h.Record(&ok))
	dry := engine.Result{Start: ok.End, End: ok.End.Add(time.Second), DryRun: true, Actions: []engine.ActionResult{act("user", "create", engine.ActionPlanned)}}
	dry.Finish(nil)
	m.RecordCycle(&dry, h.Record(&dry))

	m.ObserveRequest("GET", "/v2/users", 200, 100*time.Millisecond)
	m.ObserveRequest("GET", "/v2/users", 200, 300*time.Millisecond)
	m.ObserveRequest("POST", "/v2/users", 429, 10*time.Millisecond)
	m.ObserveRequest("PATCH", "/v2/users/{id}", 0, time.Second)
	m.ConfigLoaded(true, time.Unix(1700000000, 0))
	m.ConfigLoaded(false, time.Unix(1700000100, 0))
	m.TickSkipped()
	m.StateWriteFailed()
	m.BlockedStreak(4)
	m.SetAPIRate("configuration", 10)
	m.SetAPIRate("configuration", 5)
	m.SetAPIRate("search", 12.5)

	code, body := scrape(t, srv.URL+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics status %d", code)
	}
	assertLines(t, body,
		`ogsync_build_info{version="v1.2.3"} 1`,
		`ogsync_cycles_total{outcome="partial"} 1`,
		`ogsync_cycles_total{outcome="changes-applied"} 1`,
		`ogsync_cycles_total{outcome="dry-run"} 1`,
		`ogsync_cycles_total{outcome="failed"} 0`,
		`ogsync_cycles_total{outcome="refused"} 0`,
		`ogsync_cycles_total{outcome="ok"} 0`,
		`ogsync_last_cycle_duration_seconds 1`,
		`ogsync_last_cycle_timestamp_seconds 1.772359206e+09`,
		`ogsync_last_success_timestamp_seconds 1.772359206e+09`,
		`ogsync_cycle_duration_seconds_count 3`,
		`ogsync_consecutive_failed_cycles 0`,
		`ogsync_blocked_action_max_consecutive_cycles 4`,
		`ogsync_heartbeat_pings_total{result="ok"} 1`,
		`ogsync_heartbeat_pings_total{result="error"} 0`,
		// The gauges describe the last plan only.
		`ogsync_planned_actions{kind="user"} 1`,
		`ogsync_blocked_actions{kind="user"} 0`,
		// The counters add up every cycle.
		`ogsync_actions_total{kind="user",outcome="applied"} 1`,
		`ogsync_actions_total{kind="user",outcome="failed"} 1`,
		`ogsync_actions_total{kind="user",outcome="blocked"} 1`,
		`ogsync_actions_total{kind="user",outcome="planned"} 1`,
		`ogsync_actions_total{kind="member",outcome="applied"} 1`,
		`ogsync_actions_total{kind="team",outcome="applied"} 1`,
		`ogsync_api_requests_total{method="GET",route="/v2/users",status="200"} 2`,
		`ogsync_api_requests_total{method="POST",route="/v2/users",status="429"} 1`,
		`ogsync_api_requests_total{method="PATCH",route="/v2/users/{id}",status="error"} 1`,
		`ogsync_api_request_duration_seconds_sum{method="GET",route="/v2/users"} 0.4`,
		`ogsync_api_throttled_total{method="POST",route="/v2/users"} 1`,
		`ogsync_config_last_reload_successful 0`,
		`ogsync_config_last_reload_success_timestamp_seconds 1.7e+09`,
		`ogsync_skipped_ticks_total 1`,
		`ogsync_state_write_errors_total 1`,
		`ogsync_api_rate_limit{domain="configuration"} 5`,
		`ogsync_api_rate_limit{domain="search"} 12.5`,
	)
	if strings.Contains(body, `ogsync_planned_actions{kind="member"}`) {
		t.Errorf("planned gauge kept a kind the last plan does not have:\n%s", body)
	}
	if strings.Contains(body, "go_goroutines") {
		t.Error("the private registry carries the default Go collector")
	}
}

func TestMetricsBlockedGauge(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg, "dev")
	if err != nil {
		t.Fatal(err)
	}
	r := engine.Result{Actions: []engine.ActionResult{act("user", "delete", engine.ActionBlocked), act("user", "delete", engine.ActionBlocked), act("team", "delete", engine.ActionApplied)}}
	r.Finish(nil)
	m.RecordCycle(&r, 0)
	srv := httptest.NewServer(NewHandler(NewHealth(1, time.Now()), reg))
	defer srv.Close()
	_, body := scrape(t, srv.URL+"/metrics")
	assertLines(t, body,
		`ogsync_blocked_actions{kind="user"} 2`,
		`ogsync_blocked_actions{kind="team"} 0`,
		`ogsync_planned_actions{kind="user"} 2`,
		`ogsync_planned_actions{kind="team"} 1`,
	)
}

func TestMetricsRegisterTwice(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := NewMetrics(reg, "dev"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewMetrics(reg, "dev"); err == nil {
		t.Error("registering the metrics twice in one registry succeeded")
	}
}

func TestNilMetrics(t *testing.T) {
	var m *Metrics
	r := sampleResult()
	m.RecordCycle(&r, 1)
	m.ObserveRequest("GET", "/v2/users", 200, time.Millisecond)
	m.ConfigLoaded(true, time.Now())
	m.TickSkipped()
	m.StateWriteFailed()
}

// TestEveryMetricIsBuilt: each field of Metrics has its row in the table,
// so none is left nil for a method to dereference.
func TestEveryMetricIsBuilt(t *testing.T) {
	m, err := NewMetrics(prometheus.NewRegistry(), "test")
	if err != nil {
		t.Fatal(err)
	}
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		if v.Field(i).IsNil() {
			t.Errorf("Metrics.%s is not built", v.Type().Field(i).Name)
		}
	}
}

// TestSeriesNames: SeriesNames lists exactly the series a scrape carries
// once every metric has a child.
func TestSeriesNames(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg, "test")
	if err != nil {
		t.Fatal(err)
	}
	res := engine.Result{Actions: []engine.ActionResult{{Kind: "user", Outcome: engine.ActionApplied}}}
	res.Finish(nil)
	m.RecordCycle(&res, 0)
	m.ObserveRequest("GET", "/v2/users", 200, time.Millisecond)
	m.ObserveRequest("GET", "/v2/users", 429, time.Millisecond)
	m.SetAPIRate("configuration", 1)
	ts := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer ts.Close()
	_, body := scrape(t, ts.URL)
	var got []string
	for _, line := range strings.Split(body, "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, kind, _ := strings.Cut(name, " ")
			if kind == "histogram" {
				got = append(got, name+"_bucket", name+"_sum", name+"_count")
			} else {
				got = append(got, name)
			}
		}
	}
	slices.Sort(got)
	if want := SeriesNames(); !slices.Equal(got, want) {
		t.Errorf("scraped series %v\nSeriesNames %v", got, want)
	}
}
