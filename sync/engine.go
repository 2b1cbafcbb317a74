package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/planner/report"
	"github.com/ogsync/ogsync/target/opsgenie"
)

// Reader is what a cycle reads of the account.
type Reader interface {
	ListUsers(ctx context.Context) ([]model.User, error)
	ListTeams(ctx context.Context) ([]model.Team, error)
	ListCustomRoles(ctx context.Context) ([]opsgenie.CustomRole, error)
	Audit(ctx context.Context, users, teams []string, current *model.Current) (model.AuditFacts, error)
	Stats() opsgenie.Stats
}

// Writer is what applying a plan writes to the account.
type Writer interface {
	CreateUser(ctx context.Context, u model.User) (opsgenie.Created, error)
	UpdateUser(ctx context.Context, id string, p opsgenie.UserPatch) error
	DeleteUser(ctx context.Context, id string) error
	CreateTeam(ctx context.Context, t model.Team) (opsgenie.Created, error)
	UpdateTeam(ctx context.Context, id string, p opsgenie.TeamPatch) error
	DeleteTeam(ctx context.Context, id string) error
	AddMember(ctx context.Context, teamID string, m model.Member) (opsgenie.Created, error)
	ChangeMemberRole(ctx context.Context, teamID string, m model.Member) (string, error)
	RemoveMember(ctx context.Context, teamID, userID string) error
	// GetUser and LiveOwners are the reads the owner guard makes right
	// before a write that could leave too few Owners.
	GetUser(ctx context.Context, idOrUsername string) (model.User, error)
	LiveOwners(ctx context.Context) ([]string, error)
}

// Client is the account as the engine uses it.
type Client interface {
	Reader
	Writer
}

// EngineOptions configure an Engine.
type EngineOptions struct {
	// Config is the configuration the engine runs. Required.
	Config *config.Config
	// Client reads and writes the account. Required. For a dry run it should
	// be a client that refuses writes (opsgenie.Options.ReadOnly), so that the
	// guarantee holds below the engine too.
	Client Client
	// Desired loads the desired state (pull, then load). Required.
	Desired func(ctx context.Context) (*model.Desired, error)
	// Apply allows writes; without it every cycle is a dry run.
	Apply bool
	// Logger receives the engine's logs. Required.
	Logger *slog.Logger
	// Progress returns the reporter for an apply of total actions; nil means none.
	Progress func(total int) *Progress
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
	cfg      *config.Config
	opts     planner.Options
	client   Client
	desired  func(ctx context.Context) (*model.Desired, error)
	apply    bool
	logger   *slog.Logger
	progress func(total int) *Progress
	now      func() time.Time
	check    func(p *planner.Plan) error
}

// NewEngine checks the options and returns an engine.
func NewEngine(o EngineOptions) (*Engine, error) {
	if o.Config == nil || o.Client == nil || o.Desired == nil || o.Logger == nil {
		return nil, errors.New("sync: engine needs a config, a client, a desired-state loader and a logger")
	}
	popts := PlannerOptions(o.Config)
	if err := popts.Validate(); err != nil {
		return nil, fmt.Errorf("planner options: %w", err)
	}
	e := &Engine{
		cfg:      o.Config,
		opts:     popts,
		client:   o.Client,
		desired:  o.Desired,
		apply:    o.Apply,
		logger:   o.Logger,
		progress: o.Progress,
		now:      o.Now,
		check:    o.Check,
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e, nil
}

// PlannerOptions maps the configuration onto the planner's options.
func PlannerOptions(cfg *config.Config) planner.Options {
	s := cfg.Safeguards
	return planner.Options{
		Policies: planner.PolicyNames{Users: cfg.Policy.Users, Teams: cfg.Policy.Teams, Members: cfg.Policy.Members},
		Ownership: planner.Ownership{
			Mode:        cfg.Ownership.Mode,
			MarkerKey:   cfg.Ownership.MarkerKey,
			MarkerValue: cfg.Ownership.MarkerValue,
		},
		Scope: planner.Scope{
			IgnoreUsers:    s.IgnoreUsers,
			IgnoreTeams:    s.IgnoreTeams,
			ProtectedUsers: s.ProtectedUsers,
			ExternalUsers:  cfg.Source.ExternalUsers,
		},
		Safeguards: planner.Safeguards{
			MinOwners:        s.MinOwners,
			MinUsers:         s.MinUsers,
			MaxShrinkPercent: s.MaxShrinkPercent,
			MaxDeletes:       planner.MaxDeletes{Count: s.MaxDeletes.Count, Percent: s.MaxDeletes.Percent},
			RequiredUsers:    s.RequiredUsers,
		},
	}
}

// Plan runs the read side of a cycle: it loads the desired state, reads the
// account, computes the plan (safeguard phases 1 and 2 included) and audits
// every user delete (phase 3). It writes nothing.
func (e *Engine) Plan(ctx context.Context) (*planner.Plan, error) {
	desired, err := e.desired(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the desired state: %w", err)
	}
	current, err := e.Current(ctx, desired)
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
	facts, err := e.client.Audit(ctx, users, teams, current)
	if err != nil {
		return nil, fmt.Errorf("auditing the on-call references of %d users and %d teams to delete: %w", len(users), len(teams), err)
	}
	p.Audit(facts)
	return p, nil
}

// Current reads the account: the users (offset paging), the teams with
// their members, and the custom roles only when the desired state uses a
// custom role no current user has, so a no-op cycle costs opsgenie.UserPages(U)+1
// requests. The Reader's errors say which list failed; Current adds only
// that the account was being read.
func (e *Engine) Current(ctx context.Context, desired *model.Desired) (*model.Current, error) {
	users, err := e.client.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the account: %w", err)
	}
	teams, err := e.client.ListTeams(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the account: %w", err)
	}
	opsgenie.FillMemberNames(users, teams)
	cur := &model.Current{Users: users, Teams: teams}
	inUse := map[string]string{} // lower-cased custom role → account spelling
	for _, u := range users {
		if u.Role == nil {
			continue
		}
		if _, builtin := model.CanonicalBuiltinRole(*u.Role); !builtin {
			inUse[strings.ToLower(*u.Role)] = *u.Role
		}
	}
	wanted := desiredCustomRoles(desired)
	var missing []string
	for _, r := range wanted {
		if _, ok := inUse[strings.ToLower(r)]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) == 0 {
		for _, r := range inUse {
			cur.CustomRoles = append(cur.CustomRoles, r)
		}
		slices.Sort(cur.CustomRoles)
		return cur, nil
	}
	roles, err := e.client.ListCustomRoles(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the account: %w", err)
	}
	have := map[string]bool{}
	for _, r := range roles {
		cur.CustomRoles = append(cur.CustomRoles, r.Name)
		have[strings.ToLower(r.Name)] = true
	}
	slices.Sort(cur.CustomRoles)
	var absent []string
	for _, r := range missing {
		if !have[strings.ToLower(r)] {
			absent = append(absent, r)
		}
	}
	if len(absent) > 0 {
		return nil, fmt.Errorf("the desired state uses custom roles the account does not have: %s (create them in OpsGenie first)", strings.Join(absent, ", "))
	}
	return cur, nil
}

// desiredCustomRoles returns the custom roles the desired state declares or
// gives a user, sorted and without duplicates.
func desiredCustomRoles(d *model.Desired) []string {
	seen := map[string]bool{}
	var out []string
	add := func(r string) {
		if _, builtin := model.CanonicalBuiltinRole(r); builtin || seen[strings.ToLower(r)] {
			return
		}
		seen[strings.ToLower(r)] = true
		out = append(out, r)
	}
	for _, r := range d.CustomRoles {
		add(r)
	}
	for _, u := range d.Users {
		if u.Role != nil {
			add(*u.Role)
		}
	}
	slices.Sort(out)
	return out
}

// RunCycle runs one whole cycle and returns its result; it is a Cycle.
// Without Apply the plan is reported and nothing is written.
func (e *Engine) RunCycle(ctx context.Context) (Result, error) {
	before := e.client.Stats()
	res := Result{Start: e.now(), DryRun: !e.apply}
	finish := func(err error) (Result, error) {
		after := e.client.Stats()
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
