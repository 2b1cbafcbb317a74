package daemon

import (
	"context"
	"log/slog"
	"maps"
	"testing"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/statedir"
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
