package daemon

import (
	"context"
	"log/slog"
	"maps"
	"path/filepath"
	"testing"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/statedir"
	"github.com/prometheus/client_golang/prometheus"
)

// LearnRates saves the rates after a cycle that changed them, and only then.
func TestLearnRates(t *testing.T) {
	st := statedir.Dir{Path: t.TempDir()}
	rates := map[string]float64{"search": 5}
	cycles := 0
	run := LearnRates(st, func() map[string]float64 { return maps.Clone(rates) }, func(context.Context) (engine.Result, error) {
		cycles++
		if cycles == 2 {
			rates["search"] = 2
		}
		return engine.Result{APICalls: cycles}, nil
	}, slog.New(slog.DiscardHandler), nil)

	if res, err := run(context.Background()); err != nil || res.APICalls != 1 {
		t.Fatalf("first cycle: %v, %v", res, err)
	}
	if got, err := st.LoadRates(); got != nil || err != nil {
		t.Errorf("unchanged rates were saved: %v, %v", got, err)
	}
	if res, _ := run(context.Background()); res.APICalls != 2 {
		t.Errorf("second cycle's result not passed on: %v", res)
	}
	if got, err := st.LoadRates(); err != nil || got["search"] != 2 {
		t.Errorf("changed rates: saved %v, %v; want search 2", got, err)
	}
}

// A failed save is counted in ogsync_state_write_errors_total and leaves the
// cycle's result as it was; the next cycle tries again, though the rates
// did not change since.
func TestLearnRatesWriteFails(t *testing.T) {
	st := statedir.Dir{Path: filepath.Join(t.TempDir(), "missing")}
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg, "test")
	if err != nil {
		t.Fatal(err)
	}
	rates := map[string]float64{"search": 5}
	run := LearnRates(st, func() map[string]float64 { return maps.Clone(rates) }, func(context.Context) (engine.Result, error) {
		rates["search"] = 2 // changed in the first cycle only
		return engine.Result{APICalls: 7}, nil
	}, slog.New(slog.DiscardHandler), m)
	for i := 1; i <= 2; i++ {
		if res, err := run(context.Background()); err != nil || res.APICalls != 7 {
			t.Fatalf("cycle %d: %v, %v", i, res, err)
		}
		if got := stateWriteErrors(t, reg); got != float64(i) {
			t.Errorf("after cycle %d: %g state write errors, want %d", i, got, i)
		}
	}
}

func stateWriteErrors(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "ogsync_state_write_errors_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("no ogsync_state_write_errors_total")
	return 0
}
