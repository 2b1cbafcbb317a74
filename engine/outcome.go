package engine

// Outcomes: the one definition every surface follows.
//
// A cycle computes a plan and applies it (or, in a dry run, reports it).
// Three things can stop part of that work, and they mean different things:
//
//   - A refused plan: a safeguard of phase 1 or 2 (min_owners, min_users,
//     max_shrink_percent, max_deletes, required_users) is violated, so
//     nothing of the plan is applied. The desired state or the read of the
//     account is suspect: this is an error.
//   - A failed action, or a cycle that failed before it could plan (a
//     broken checkout, an unreadable account): an error.
//   - A blocked action: a per-action safeguard (the on-call audit, a
//     protected user) stops that action, and the actions that depend on it;
//     the rest of the plan runs. That is the safeguard doing its job, so it
//     is a normal, reported outcome, not an error. An action that stays
//     blocked for health.max_blocked_cycles cycles in a row makes /healthz
//     unhealthy (off by default): someone should look at it.
//
// Every surface follows this:
//
//	surface                   refused / failed / partial   blocked actions only
//	plan exit code            1                            0, or 2 with --detailed-exitcode
//	apply, run --once exit    1                            0
//	/healthz                  counts toward max_failed     healthy (unless max_blocked_cycles)
//	ogsync_cycles_total       outcome refused/failed/...   outcome ok/changes-applied/dry-run
//	last-result.json          "succeeded": false           "succeeded": true
//	systemd STATUS=, heartbeat  error; no heartbeat ping   success; heartbeat pinged
//
// Outcome.Succeeded is the test every surface uses.

// Outcome is how a whole cycle ended.
type Outcome string

// Cycle outcomes. Blocked actions do not change the outcome: a cycle whose
// only changes are blocked is ok (or dry-run when it also plans others).
const (
	// OutcomeOK: the account already matched the desired state, apart from
	// blocked actions.
	OutcomeOK Outcome = "ok"
	// OutcomeChangesApplied: every planned action that was not blocked was applied.
	OutcomeChangesApplied Outcome = "changes-applied"
	// OutcomeDryRun: changes were planned and reported, not applied (no --apply).
	OutcomeDryRun Outcome = "dry-run"
	// OutcomeRefused: a safeguard refused the whole plan; nothing was applied. An error.
	OutcomeRefused Outcome = "refused"
	// OutcomeFailed: the cycle failed and applied nothing. An error.
	OutcomeFailed Outcome = "failed"
	// OutcomePartial: some actions were applied and some failed, were skipped
	// for a failed prerequisite, or did not start because the cycle was
	// cancelled. An error.
	OutcomePartial Outcome = "partial"
)

// Outcomes lists every cycle outcome, in a fixed order.
var Outcomes = []Outcome{OutcomeOK, OutcomeChangesApplied, OutcomeDryRun, OutcomeRefused, OutcomeFailed, OutcomePartial}

// Succeeded reports whether the outcome is a success (ok, changes-applied,
// dry-run) rather than an error (refused, failed, partial). Blocked actions
// never make a cycle unsuccessful.
func (o Outcome) Succeeded() bool {
	return o == OutcomeOK || o == OutcomeChangesApplied || o == OutcomeDryRun
}

// ActionOutcome is what happened to one planned action.
type ActionOutcome string

// Action outcomes.
const (
	// ActionPlanned: a dry run; the action was reported, not applied.
	ActionPlanned ActionOutcome = "planned"
	// ActionApplied: the write succeeded.
	ActionApplied ActionOutcome = "applied"
	// ActionFailed: the write failed; Error says why. An error.
	ActionFailed ActionOutcome = "failed"
	// ActionSkipped: not attempted because an action it depends on failed. An error.
	ActionSkipped ActionOutcome = "skipped"
	// ActionBlocked: stopped by a safeguard (a user still on call, a
	// protected user, a refused plan), or depends on an action that was.
	// Not an error by itself; Error says why.
	ActionBlocked ActionOutcome = "blocked"
	// ActionCancelled: not started because the cycle was cancelled. An error.
	ActionCancelled ActionOutcome = "cancelled"
)

// ActionOutcomes lists every action outcome, in a fixed order.
var ActionOutcomes = []ActionOutcome{ActionPlanned, ActionApplied, ActionFailed, ActionSkipped, ActionBlocked, ActionCancelled}
