// Package engine runs one ogsync cycle: load the desired state, read the
// account through a target.Target, plan (planner.Compute, with the target's
// capabilities), audit the deletes, check the safeguards, then apply the
// plan step by step, each action through the target's Apply, or report it.
// Result records how a cycle went; its Outcome is the one definition every
// surface (exit code, metrics, /healthz, last-result.json) uses.
package engine

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/planner/report"
)

// ActionResult is the outcome of one planned action.
type ActionResult struct {
	// Action describes the action as the plan prints it, such as
	// `create user alice@example.com`.
	Action string `json:"action"`
	// Kind is the kind of object the action touches (user, team, member).
	Kind string `json:"kind"`
	// Op is the operation (create, update, delete, …).
	Op string `json:"op"`
	// Outcome is what happened to the action.
	Outcome ActionOutcome `json:"outcome"`
	// Error is why the action failed, was skipped or was blocked.
	Error string `json:"error,omitempty"`
}

// Counts are the number of actions of one kind, by outcome. Planned counts
// every action of the plan, whatever its outcome.
type Counts struct {
	Planned   int `json:"planned"`
	Applied   int `json:"applied"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	Blocked   int `json:"blocked"`
	Cancelled int `json:"cancelled"`
}

func (c *Counts) add(o ActionOutcome) {
	c.Planned++
	switch o {
	case ActionApplied:
		c.Applied++
	case ActionFailed:
		c.Failed++
	case ActionSkipped:
		c.Skipped++
	case ActionBlocked:
		c.Blocked++
	case ActionCancelled:
		c.Cancelled++
	}
}

func (c *Counts) plus(o Counts) {
	c.Planned += o.Planned
	c.Applied += o.Applied
	c.Failed += o.Failed
	c.Skipped += o.Skipped
	c.Blocked += o.Blocked
	c.Cancelled += o.Cancelled
}

// String returns the counts of outcomes as the command line prints them:
// "2 applied, 0 failed, 0 skipped, 1 blocked, 0 cancelled".
func (c Counts) String() string {
	return fmt.Sprintf("%d applied, %d failed, %d skipped, %d blocked, %d cancelled", c.Applied, c.Failed, c.Skipped, c.Blocked, c.Cancelled)
}

// Result is the structured record of one cycle: what the daemon logs, counts
// in its metrics, and writes to the state directory as last-result.json and
// last-report.md.
type Result struct {
	// Start and End bound the cycle.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// DurationSeconds is End - Start in seconds.
	DurationSeconds float64 `json:"duration_seconds"`
	// Outcome is how the cycle ended.
	Outcome Outcome `json:"outcome"`
	// Succeeded is Outcome.Succeeded: false for an error (refused, failed,
	// partial), true otherwise, blocked actions or not. Set by Finish.
	Succeeded bool `json:"succeeded"`
	// DryRun is true when writes were not allowed (no --apply).
	DryRun bool `json:"dry_run"`
	// Commit is the commit SHA the desired state was loaded from; empty for a
	// plain directory or when the cycle failed before loading.
	Commit string `json:"commit,omitempty"`
	// Counts are the actions by kind; filled from Actions by Finish.
	Counts map[string]Counts `json:"counts"`
	// Actions are the plan's actions in plan order, each with its outcome.
	Actions []ActionResult `json:"actions"`
	// Violations are the safeguard violations that refused the whole plan.
	Violations []string `json:"violations,omitempty"`
	// APICalls is the number of OpsGenie API requests the cycle made, retries
	// included; Throttled is how many of them were answered 429.
	APICalls  int `json:"api_calls"`
	Throttled int `json:"throttled"`
	// Error is why the cycle failed, if it did.
	Error string `json:"error,omitempty"`
	// Heartbeat is what happened to opsgenie.heartbeat after the cycle
	// (HeartbeatPinged, HeartbeatFailed, HeartbeatNotPinged); empty when
	// none is configured. The ping is not counted in APICalls.
	Heartbeat string `json:"heartbeat,omitempty"`
	// HeartbeatError is why the ping failed.
	HeartbeatError string `json:"heartbeat_error,omitempty"`
	// Plan is the plan the cycle computed, written as last-plan.json when
	// not nil; not part of the result's JSON.
	Plan *planner.Plan `json:"-"`
}

// Duration returns End - Start.
func (r *Result) Duration() time.Duration { return r.End.Sub(r.Start) }

// Total returns the counts summed over every kind.
func (r *Result) Total() Counts {
	var t Counts
	for _, c := range r.Counts {
		t.plus(c)
	}
	return t
}

// Kinds returns the kinds that have counts, sorted.
func (r *Result) Kinds() []string {
	kinds := make([]string, 0, len(r.Counts))
	for k := range r.Counts {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

// Finish completes a result once the cycle is over: it recounts Counts from
// Actions, sets DurationSeconds, records err in Error, and derives Outcome
// unless the cycle already set it:
//
//	violations present                 → refused
//	any action applied and any failed,
//	  skipped, cancelled, or err       → partial
//	err, or any action failed/skipped/
//	  cancelled (none applied)         → failed
//	dry run with actions planned       → dry-run
//	any action applied                 → changes-applied
//	otherwise                          → ok (blocked actions alone do not change this)
//
// Blocked actions count in none of these conditions (see Outcome). Finish
// may be called more than once.
func (r *Result) Finish(err error) {
	r.Counts = make(map[string]Counts)
	for _, a := range r.Actions {
		c := r.Counts[a.Kind]
		c.add(a.Outcome)
		r.Counts[a.Kind] = c
	}
	if !r.End.IsZero() {
		r.DurationSeconds = r.End.Sub(r.Start).Seconds()
	}
	if err != nil && r.Error == "" {
		r.Error = err.Error()
	}
	if r.Outcome == "" {
		r.Outcome = r.derive()
	}
	r.Succeeded = r.Outcome.Succeeded()
}

// derive computes the outcome from the actions, the violations and the error.
func (r *Result) derive() Outcome {
	t := r.Total()
	incomplete := t.Failed+t.Skipped+t.Cancelled > 0 || r.Error != ""
	switch {
	case len(r.Violations) > 0:
		return OutcomeRefused
	case incomplete && t.Applied > 0:
		return OutcomePartial
	case incomplete:
		return OutcomeFailed
	case r.DryRun && t.Planned-t.Blocked > 0:
		return OutcomeDryRun
	case t.Applied > 0:
		return OutcomeChangesApplied
	default:
		return OutcomeOK
	}
}

// Cycle runs one sync cycle. It returns the cycle's result, and an error when
// the cycle failed; the result is recorded either way. Cancelling ctx asks the
// cycle to start no new action and return once the action in flight is done.
type Cycle func(ctx context.Context) (Result, error)

// WriteMarkdown writes the result as a Markdown report (report.CycleMarkdown).
func (r *Result) WriteMarkdown(w io.Writer) error {
	return report.CycleMarkdown(w, r.cycleReport())
}

// WriteText writes the result as ogsync apply prints it after the plan: a
// blank line, the outcome with the counts, API calls and duration, then each
// action that did not simply apply, with why.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s: %s (%d API calls, %s)\n", r.Outcome, r.Total(), r.APICalls, r.Duration().Round(time.Millisecond))
	for _, a := range r.Actions {
		if a.Outcome != ActionApplied && a.Outcome != ActionPlanned {
			fmt.Fprintf(&b, "  %-9s %s: %s\n", a.Outcome, a.Action, a.Error)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cycleReport is what the Markdown report shows of r.
func (r *Result) cycleReport() *report.Cycle {
	c := &report.Cycle{
		Outcome: string(r.Outcome), Succeeded: r.Succeeded, DryRun: r.DryRun,
		Start: r.Start, End: r.End, Commit: r.Commit,
		APICalls: r.APICalls, Throttled: r.Throttled, Error: r.Error,
		Heartbeat: r.Heartbeat, HeartbeatError: r.HeartbeatError,
		Violations: r.Violations,
	}
	for _, k := range r.Kinds() {
		n := r.Counts[k]
		c.Counts = append(c.Counts, report.KindCounts{Kind: k, Planned: n.Planned, Applied: n.Applied,
			Failed: n.Failed, Skipped: n.Skipped, Blocked: n.Blocked, Cancelled: n.Cancelled})
	}
	for _, a := range r.Actions {
		c.Actions = append(c.Actions, report.CycleAction{Action: a.Action, Outcome: string(a.Outcome), Why: a.Error})
	}
	return c
}
