package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/planner/report"
	"github.com/ogsync/ogsync/target"
)

// ProgressReporter is told the outcome of each action of an apply as it
// ends, then Finish; progress.Progress is one.
type ProgressReporter interface {
	Add(o ActionOutcome)
	Finish()
}

// noProgress reports nothing.
type noProgress struct{}

func (noProgress) Add(ActionOutcome) {}
func (noProgress) Finish()           {}

// DefaultConcurrency is the number of actions of one step applied at once
// by default. The target's rate limiter, not the number of requests in
// flight, is meant to bound an apply: 16 in flight keep a 50/s limiter busy
// up to 320 ms of latency (16 / 50 per second), and a 10/s one up to 1.6 s.
const DefaultConcurrency = 16

// EngineOptions configure an Engine.
type EngineOptions struct {
	// Planner are the planner's options; the target's capabilities are
	// added to them.
	Planner planner.Options
	// Concurrency bounds the actions of one step applied at once, between
	// 1 and MaxConcurrency; 0 applies one at a time.
	Concurrency int
	// Heartbeat names the heartbeat pinged after a cycle that is not an
	// error (see Heartbeater, CheckHeartbeat); "" pings none.
	Heartbeat string
	// Target reads, audits and writes the account. Required. For a dry run
	// it should be one that refuses writes (opsgenie.Options.ReadOnly), so
	// that the guarantee holds below the engine too.
	Target target.Target
	// Desired loads the desired state (pull, then load). Required.
	Desired func(ctx context.Context) (*model.Desired, error)
	// Apply allows writes; without it every cycle is a dry run.
	Apply bool
	// Logger receives the engine's logs. Required.
	Logger *slog.Logger
	// Progress returns the reporter for an apply of total actions; nil means none.
	Progress func(total int) ProgressReporter
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Check, when set, vets each fresh plan before anything is applied: an
	// error fails the cycle with nothing written (apply --plan uses it to
	// refuse a plan that differs from the reviewed one).
	Check func(p *planner.Plan) error
}

// Engine runs sync cycles: pull → load → list → plan → audit → safeguards →
// apply or report.
type Engine struct {
	workers       int
	heartbeatName string
	opts          planner.Options
	target        target.Target
	desired       func(ctx context.Context) (*model.Desired, error)
	apply         bool
	logger        *slog.Logger
	progress      func(total int) ProgressReporter
	now           func() time.Time
	check         func(p *planner.Plan) error
}

// NewEngine checks the options and returns an engine.
func NewEngine(o EngineOptions) (*Engine, error) {
	if o.Target == nil || o.Desired == nil || o.Logger == nil {
		return nil, errors.New("engine: the engine needs a target, a desired-state loader and a logger")
	}
	if ps := o.Validate(); len(ps) > 0 {
		return nil, fmt.Errorf("engine: invalid options: %w", ps.Err())
	}
	popts := o.Planner
	caps := o.Target.Capabilities()
	popts.Capabilities = &caps
	if err := popts.Validate(); err != nil {
		return nil, fmt.Errorf("planner options: %w", err)
	}
	e := &Engine{
		workers:       max(o.Concurrency, 1),
		heartbeatName: o.Heartbeat,
		opts:          popts,
		target:        o.Target,
		desired:       o.Desired,
		apply:         o.Apply,
		logger:        o.Logger,
		progress:      o.Progress,
		now:           o.Now,
		check:         o.Check,
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e, nil
}

// Plan runs the read side of a cycle: it loads the desired state, reads the
// account, computes the plan (safeguard phases 1 and 2 included) and audits
// every user delete (phase 3). It writes nothing.
func (e *Engine) Plan(ctx context.Context) (*planner.Plan, error) {
	desired, err := e.desired(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the desired state: %w", err)
	}
	current, err := e.target.Read(ctx, desired)
	if err != nil {
		return nil, err
	}
	p, err := planner.Compute(*desired, *current, e.opts)
	if err != nil {
		return nil, fmt.Errorf("planning: %w", err)
	}
	p.CreatedAt = e.now().UTC().Truncate(time.Second)
	if p.Refused() {
		// Nothing of a refused plan may run: auditing its deletes would
		// spend reads on every cycle for nothing.
		return p, nil
	}
	users, teams := p.AuditCandidates()
	facts, err := e.target.Audit(ctx, users, teams, current)
	if err != nil {
		return nil, fmt.Errorf("auditing the on-call references of %d users and %d teams to delete: %w", len(users), len(teams), err)
	}
	p.Audit(facts)
	return p, nil
}

// RunCycle runs one whole cycle and returns its result; it is a Cycle.
// Without Apply the plan is reported and nothing is written.
func (e *Engine) RunCycle(ctx context.Context) (Result, error) {
	before := e.target.Stats()
	res := Result{Start: e.now(), DryRun: !e.apply}
	finish := func(err error) (Result, error) {
		after := e.target.Stats()
		res.APICalls = after.Total - before.Total
		res.Throttled = after.Throttled - before.Throttled
		res.End = e.now()
		res.Finish(err)
		e.heartbeat(ctx, &res)
		return res, err
	}
	p, err := e.Plan(ctx)
	if err != nil {
		return finish(err)
	}
	res.Plan = p
	res.Commit = p.Revision.Commit
	for _, v := range p.Violations {
		res.Violations = append(res.Violations, fmt.Sprintf("%s: %s", v.Rule, v.Message))
	}
	if e.check != nil {
		if err := e.check(p); err != nil {
			res.Actions = Report(p)
			for i := range res.Actions {
				if res.Actions[i].Outcome == ActionPlanned {
					res.Actions[i].Outcome, res.Actions[i].Error = ActionSkipped, "not applied: the plan failed its check"
				}
			}
			return finish(err)
		}
	}
	if !e.apply || p.Refused() {
		res.Actions = Report(p)
		return finish(nil)
	}
	res.Actions, err = e.applyGuarded(ctx, p)
	if err != nil {
		return finish(err)
	}
	if err := ctx.Err(); err != nil {
		return finish(fmt.Errorf("interrupted: no action was started after the cancel; the actions in flight finished (%w)", err))
	}
	return finish(nil)
}

// Report returns the outcome of every action of a plan that is not applied:
// planned, or blocked with the safeguard's reasons (an action that depends
// on a blocked one is blocked too, not skipped: see Outcome).
func Report(p *planner.Plan) []ActionResult {
	runnable := map[string]bool{}
	for _, a := range p.Runnable() {
		runnable[a.ID] = true
	}
	out := make([]ActionResult, len(p.Actions))
	for i, a := range p.Actions {
		r := newActionResult(a)
		switch {
		case a.IsBlocked():
			r.Outcome, r.Error = ActionBlocked, strings.Join(a.Blocked, "; ")
		case p.Refused():
			r.Outcome, r.Error = ActionBlocked, "the plan is refused by a safeguard"
		case !runnable[a.ID]:
			// Stopped by the same safeguard as the action it depends on.
			r.Outcome, r.Error = ActionBlocked, "depends on a blocked action"
		default:
			r.Outcome = ActionPlanned
		}
		out[i] = r
	}
	return out
}

func newActionResult(a *planner.Action) ActionResult {
	return ActionResult{Action: report.Headline(a), Kind: a.Type.Kind(), Op: string(a.Type)}
}
