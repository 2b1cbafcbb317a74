package main

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/ogsync/ogsync/daemon"
	"gopkg.in/yaml.v3"
)

// exportedMetrics are the series the daemon's metrics export.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, n := range daemon.SeriesNames() {
		names[n] = true
	}
	if len(names) < 10 {
		t.Fatalf("found only %d series", len(names))
	}
	return names
}

var metricRE = regexp.MustCompile(`\bogsync_[a-z_]+\b`)

// checkQueries fails for every ogsync_ series an expression queries that
// the daemon does not export.
func checkQueries(t *testing.T, where, expr string, exported map[string]bool) int {
	t.Helper()
	found := metricRE.FindAllString(expr, -1)
	for _, name := range found {
		if !exported[name] {
			t.Errorf("%s queries %s, which the daemon does not export", where, name)
		}
	}
	return len(found)
}

// TestPrometheusRules checks the example alerting rules: the alerts the
// README promises exist, each has a severity and a summary, and every
// metric they query is one ogsync exports. (promtool test rules, run by
// .ci/run, checks what they do.)
func TestPrometheusRules(t *testing.T) {
	raw, err := os.ReadFile("examples/prometheus/ogsync-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	exported := exportedMetrics(t)
	seen := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			seen[r.Alert] = true
			n := checkQueries(t, "alert "+r.Alert, r.Expr, exported)
			if n == 0 && r.Expr != `up{job="ogsync"} == 0` {
				t.Errorf("alert %s queries no ogsync metric: %s", r.Alert, r.Expr)
			}
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("alert %s lacks a severity or a summary", r.Alert)
			}
		}
	}
	for _, want := range []string{"OgsyncNoSuccess", "OgsyncPlanRefused", "OgsyncThrottled", "OgsyncActionsBlocked", "OgsyncCyclesFailing", "OgsyncDown"} {
		if !seen[want] {
			t.Errorf("no alert %s", want)
		}
	}
}

// TestGrafanaDashboard checks the example dashboard is valid JSON with
// unique panel ids, and every metric it queries is one ogsync exports.
func TestGrafanaDashboard(t *testing.T) {
	raw, err := os.ReadFile("examples/prometheus/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string `json:"title"`
		UID    string `json:"uid"`
		Panels []struct {
			ID      int    `json:"id"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("not valid JSON: %v", err)
	}
	if d.Title == "" || d.UID == "" || len(d.Panels) == 0 {
		t.Fatalf("title %q, uid %q, %d panels", d.Title, d.UID, len(d.Panels))
	}
	exported := exportedMetrics(t)
	ids := map[int]bool{}
	queried := map[string]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			if checkQueries(t, "panel "+p.Title, tg.Expr, exported) == 0 {
				t.Errorf("panel %q queries no ogsync metric: %s", p.Title, tg.Expr)
			}
			for _, m := range metricRE.FindAllString(tg.Expr, -1) {
				queried[m] = true
			}
		}
	}
	for _, v := range d.Templating.List {
		checkQueries(t, "variable", v.Definition, exported)
	}
	for _, must := range []string{"ogsync_last_success_timestamp_seconds", "ogsync_cycles_total", "ogsync_blocked_actions", "ogsync_api_throttled_total"} {
		if !queried[must] {
			t.Errorf("the dashboard does not show %s", must)
		}
	}
}
