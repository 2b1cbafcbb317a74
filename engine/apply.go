package engine

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target"
)

// ActionTimeout bounds one action once started. An action in flight is not
// cancelled with the cycle (a write cut off half-way has an unknown
// outcome); it runs to its end within this bound. A process stopping should
// wait at least this long for the cycle in flight.
const ActionTimeout = 2 * time.Minute

// notStarted is the error of an action not started because of a cancel.
const notStarted = "not started: the cycle was cancelled"

// Apply applies the runnable actions of p in dependency order: step by step
// (create users → create teams → user updates, promotions before demotions →
// member adds → role changes → member removes → team deletes → user
// deletes), the actions of one step concurrently up to apply.concurrency.
// One failed action never stops the others; the actions that depend on it
// are skipped and say so. Once ctx is cancelled no new action starts: the
// ones in flight finish and the rest are reported cancelled. The result has
// one entry per action of the plan, in plan order.
func (e *Engine) Apply(ctx context.Context, p *planner.Plan) []ActionResult {
	return e.applyActions(ctx, p, nil)
}

// applyActions is Apply that calls forbidden with the error of every action the
// target refused for want of a right (target.IsForbidden).
func (e *Engine) applyActions(ctx context.Context, p *planner.Plan, forbidden func(error)) []ActionResult {
	results := Report(p)
	if p.Refused() {
		return results
	}
	index := make(map[string]int, len(p.Actions))
	for i, a := range p.Actions {
		index[a.ID] = i
	}
	runnable := p.Runnable()
	var prog ProgressReporter = noProgress{}
	if e.progress != nil && len(runnable) > 0 {
		prog = e.progress(len(runnable))
		defer prog.Finish()
	}
	x := &executor{target: e.target, ids: &target.IDs{}, minOwners: e.opts.Safeguards.MinOwners}
	x.owners, _ = e.target.(target.OwnerCounter)
	workers := e.workers

	for _, step := range planner.GroupSteps(runnable) {
		var todo []*planner.Action
		for _, a := range step {
			r := &results[index[a.ID]]
			if ctx.Err() != nil {
				// Cancelled, not skipped, even when a dependency did not
				// apply: after a cancel nothing starts.
				r.Outcome, r.Error = ActionCancelled, notStarted
				prog.Add(ActionCancelled)
				continue
			}
			if failed := failedDependency(a, results, index); failed != "" {
				r.Outcome, r.Error = ActionSkipped, failed
				e.logger.Warn("action skipped", "action", r.Action, "reason", failed)
				prog.Add(ActionSkipped)
				continue
			}
			todo = append(todo, a)
		}
		jobs := make(chan *planner.Action)
		var wg sync.WaitGroup
		for range min(workers, len(todo)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for a := range jobs {
					r := &results[index[a.ID]]
					if ctx.Err() != nil {
						r.Outcome, r.Error = ActionCancelled, notStarted
						prog.Add(ActionCancelled)
						continue
					}
					actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ActionTimeout)
					note, err := x.do(actx, a)
					cancel()
					if err != nil && target.IsForbidden(err) && forbidden != nil {
						forbidden(err)
					}
					if err != nil {
						r.Outcome, r.Error = ActionFailed, err.Error()
						e.logger.Warn("action failed", "action", r.Action, "err", err)
					} else {
						r.Outcome, r.Error = ActionApplied, note
						e.logger.Info("action applied", "action", r.Action)
					}
					prog.Add(r.Outcome)
				}
			}()
		}
		for _, a := range todo {
			jobs <- a
		}
		close(jobs)
		wg.Wait()
	}
	return results
}

// failedDependency says why a cannot run: a dependency that did not apply.
func failedDependency(a *planner.Action, results []ActionResult, index map[string]int) string {
	for _, d := range a.DependsOn {
		i, ok := index[d]
		if !ok {
			return fmt.Sprintf("depends on %s, which is not in the plan", d)
		}
		if o := results[i].Outcome; o != ActionApplied {
			return fmt.Sprintf("depends on %q, which was %s", results[i].Action, o)
		}
	}
	return ""
}

// executor runs one action: the owner guard, then the target's Apply.
type executor struct {
	target target.Target
	owners target.OwnerCounter // nil when the account has no Owners
	ids    *target.IDs
	// minOwners is safeguards.min_owners; ownerMu serialises the writes
	// that could take an Owner away, each with its live check.
	minOwners int
	ownerMu   sync.Mutex
}

// guardOwners runs send, a write that takes the Owner role away from the
// user with this id (a demotion or a delete), only if the account keeps at
// least min_owners Owners without them, counted live right before (the
// plan's count may be stale: others change roles too). Such writes run one
// at a time, so two of them cannot both pass on the same count.
func (x *executor) guardOwners(ctx context.Context, userID string, send func() (string, error)) (string, error) {
	x.ownerMu.Lock()
	defer x.ownerMu.Unlock()
	owners, err := x.owners.LiveOwners(ctx)
	if err != nil {
		return "", fmt.Errorf("not sent: the owner count could not be checked: %w", err)
	}
	left := len(slices.DeleteFunc(owners, func(id string) bool { return id == userID }))
	if left < x.minOwners {
		return "", fmt.Errorf("not sent: the account has %d other %s right now; min_owners is %d", left, pluralOwners(left), x.minOwners)
	}
	return send()
}

func pluralOwners(n int) string {
	if n == 1 {
		return "Owner"
	}
	return "Owners"
}

// do runs one action and returns a note on how it went (e.g. "already
// existed"), or the error.
func (x *executor) do(ctx context.Context, a *planner.Action) (string, error) {
	send := func() (string, error) { return x.target.Apply(ctx, a, x.ids) }
	if x.owners != nil && a.TakesOwner() {
		return x.guardOwners(ctx, a.UserID, send)
	}
	return send()
}
