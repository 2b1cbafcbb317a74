package engine

import (
	"strings"
	"testing"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
)

func TestEngineOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		concurrency int
		heartbeat   string
		want        string // "" accepted, else the problems
	}{
		{0, "", ""},
		{1, "ogsync", ""},
		{MaxConcurrency, strings.Repeat("h", 200), ""},
		{-1, "", "concurrency: must be between 1 and 64, not -1"},
		{MaxConcurrency + 1, "", "concurrency: must be between 1 and 64, not 65"},
		{1, " ogsync", `heartbeat: " ogsync" is not a heartbeat name (no surrounding spaces or control characters, at most 200 bytes)`},
		{1, "a\nb", `heartbeat: "a\nb" is not a heartbeat name`},
		{1, strings.Repeat("h", 201), "heartbeat: \"hhh"},
	} {
		o := EngineOptions{Concurrency: tc.concurrency, Heartbeat: tc.heartbeat}
		err := o.Validate().Err()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%d %q: %v", tc.concurrency, tc.heartbeat, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%d %q: err = %v, want %q", tc.concurrency, tc.heartbeat, err, tc.want)
		}
		// NewEngine refuses what Validate refuses.
		logger, _ := testLogger()
		o.Target, o.Logger, o.Planner = failingPing{}, logger, planner.DefaultOptions()
		o.Desired = fixed(func() model.Desired { return model.Desired{} })
		if _, err := NewEngine(o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d %q: NewEngine err = %v, want %q", tc.concurrency, tc.heartbeat, err, tc.want)
		}
	}
}
