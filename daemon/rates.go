package daemon

import (
	"context"
	"log/slog"
	"maps"
	"time"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/statedir"
)

// LearnRates wraps a cycle so that, after it, the rates a client's adaptive
// limiter holds (rates reads them) are written to the state directory
// when they changed, for the next run to start from (statedir.Dir.StartRates).
// A failed write is logged and counted in m, and the cycle's result stands.
func LearnRates(st statedir.Dir, rates func() map[string]float64, run engine.Cycle, log *slog.Logger, m *Metrics) engine.Cycle {
	saved := rates()
	return func(ctx context.Context) (engine.Result, error) {
		res, err := run(ctx)
		now := rates()
		if !maps.Equal(now, saved) {
			if werr := st.SaveRates(now, time.Now()); werr != nil {
				log.Warn("could not save the learned request rates", "err", werr)
				m.StateWriteFailed()
			} else {
				log.Info("learned request rates saved", "rates", now, "before", saved)
				saved = now
			}
		}
		return res, err
	}
}
