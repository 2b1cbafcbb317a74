package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ogsync/ogsync/planner"
)

// ErrKeyLacksRight is the cause of an apply stopped by a 403: the API key
// lacks a right the plan needs.
var ErrKeyLacksRight = errors.New("the API key lacks a right this plan needs")

// applyGuarded applies p and stops at the first write the target refuses
// for want of a right (target.IsForbidden, a 403): it applies nothing, and
// every later write would need the same right, so no new action starts
// after it. The error then names the refused write and the key that is
// needed.
func (e *Engine) applyGuarded(ctx context.Context, p *planner.Plan) ([]ActionResult, error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu    sync.Mutex
		first error
	)
	results := e.applyActions(actx, p, func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
			cancel(err)
		}
	})
	mu.Lock()
	err := first
	mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			for i := range results {
				if results[i].Outcome == ActionCancelled && results[i].Error == notStarted {
					results[i].Error = "not started: the apply stopped at the first write refused with 403 (the API key lacks a right)"
				}
			}
		}
		return results, fmt.Errorf("%w: %w; the apply stopped there: no action was started after it", ErrKeyLacksRight, err)
	}
	return results, nil
}
