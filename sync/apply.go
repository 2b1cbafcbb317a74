package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	stdsync "sync"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target/opsgenie"
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
	results := Report(p)
	if p.Refused() {
		return results
	}
	index := make(map[string]int, len(p.Actions))
	for i, a := range p.Actions {
		index[a.ID] = i
	}
	runnable := p.Runnable()
	var prog *Progress
	if e.progress != nil && len(runnable) > 0 {
		prog = e.progress(len(runnable))
		defer prog.Finish()
	}
	x := &executor{client: e.client, ids: newCreatedIDs(), minOwners: e.opts.Safeguards.MinOwners}
	workers := max(e.cfg.Apply.Concurrency, 1)

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
		var wg stdsync.WaitGroup
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

// createdIDs are the ids of the users and teams created during one apply.
type createdIDs struct {
	mu    stdsync.Mutex
	users map[string]string
	teams map[string]string
}

func newCreatedIDs() *createdIDs {
	return &createdIDs{users: map[string]string{}, teams: map[string]string{}}
}

func (c *createdIDs) set(m map[string]string, key, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m[key] = id
}

func (c *createdIDs) get(m map[string]string, key string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return m[key]
}

// executor turns one action into its API calls.
type executor struct {
	client Writer
	ids    *createdIDs
	// minOwners is safeguards.min_owners; ownerMu serialises the writes
	// that could take an Owner away, each with its live check.
	minOwners int
	ownerMu   stdsync.Mutex
}

// guardOwners runs send, a write that takes the Owner role away from the
// user with this id (a demotion or a delete), only if the account keeps at
// least min_owners Owners without them, counted live right before (the
// plan's count may be stale: others change roles too). Such writes run one
// at a time, so two of them cannot both pass on the same count.
func (x *executor) guardOwners(ctx context.Context, userID string, send func() (string, error)) (string, error) {
	x.ownerMu.Lock()
	defer x.ownerMu.Unlock()
	owners, err := x.client.LiveOwners(ctx)
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

// takesOwner reports whether a takes the Owner role away from a user.
func takesOwner(a *planner.Action) bool {
	switch a.Type {
	case planner.UpdateUser:
		return a.After != nil && a.After.User != nil && a.After.User.Role != nil && a.Before != nil && a.Before.User != nil &&
			isOwnerRole(a.Before.User.Role) && !isOwnerRole(a.After.User.Role)
	case planner.DeleteUser:
		return a.Before != nil && a.Before.User != nil && isOwnerRole(a.Before.User.Role)
	}
	return false
}

func isOwnerRole(r *string) bool {
	c, ok := model.CanonicalBuiltinRole(cmp.Or(deref(r), ""))
	return ok && c == model.RoleOwner
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (x *executor) teamID(a *planner.Action) (string, error) {
	if a.TeamID != "" {
		return a.TeamID, nil
	}
	if id := x.ids.get(x.ids.teams, strings.ToLower(a.Team)); id != "" {
		return id, nil
	}
	return "", fmt.Errorf("team %q has no id: it was neither read nor created", a.Team)
}

func (x *executor) userID(a *planner.Action) string {
	if a.UserID != "" {
		return a.UserID
	}
	return x.ids.get(x.ids.users, a.User)
}

// do runs one action and returns a note on how it went (e.g. "already
// existed"), or the error.
func (x *executor) do(ctx context.Context, a *planner.Action) (string, error) {
	if takesOwner(a) {
		return x.guardOwners(ctx, a.UserID, func() (string, error) { return x.send(ctx, a) })
	}
	return x.send(ctx, a)
}

// send makes the API calls of one action.
func (x *executor) send(ctx context.Context, a *planner.Action) (string, error) {
	switch a.Type {
	case planner.CreateUser:
		if a.After == nil || a.After.User == nil {
			return "", errors.New("malformed action: no user to create")
		}
		c, err := x.client.CreateUser(ctx, *a.After.User)
		if err != nil {
			return "", err
		}
		if c.Existed {
			if err := x.checkExisting(ctx, c, a.After.User); err != nil {
				return "", err
			}
		}
		x.ids.set(x.ids.users, a.User, c.ID)
		return createdNote(c), nil
	case planner.UpdateUser:
		if a.After == nil || a.After.User == nil {
			return "", errors.New("malformed action: no fields to update")
		}
		return "", x.client.UpdateUser(ctx, a.UserID, opsgenie.UserPatchOf(*a.After.User))
	case planner.DeleteUser:
		return goneNote(x.client.DeleteUser(ctx, a.UserID))
	case planner.CreateTeam:
		if a.After == nil || a.After.Team == nil {
			return "", errors.New("malformed action: no team to create")
		}
		t := *a.After.Team
		if t.Members != nil {
			ms := make([]model.Member, len(*t.Members))
			for i, m := range *t.Members {
				if m.UserID == "" {
					m.UserID = x.ids.get(x.ids.users, model.NormalizeUsername(m.Username))
				}
				ms[i] = m
			}
			t.Members = &ms
		}
		c, err := x.client.CreateTeam(ctx, t)
		if err != nil {
			return "", err
		}
		x.ids.set(x.ids.teams, strings.ToLower(a.Team), c.ID)
		return createdNote(c), nil
	case planner.UpdateTeam:
		if a.After == nil || a.After.Team == nil {
			return "", errors.New("malformed action: no fields to update")
		}
		p := opsgenie.TeamPatch{Description: a.After.Team.Description}
		if slices.Contains(a.Fields, "name") {
			p.Name = &a.After.Team.Name
		}
		return "", x.client.UpdateTeam(ctx, a.TeamID, p)
	case planner.DeleteTeam:
		return goneNote(x.client.DeleteTeam(ctx, a.TeamID))
	case planner.AddMember:
		id, err := x.teamID(a)
		if err != nil {
			return "", err
		}
		c, err := x.client.AddMember(ctx, id, model.Member{Username: a.User, UserID: x.userID(a), Role: a.After.Role})
		if err != nil {
			return "", err
		}
		return createdNote(c), nil
	case planner.ChangeMemberRole:
		id, err := x.teamID(a)
		if err != nil {
			return "", err
		}
		return x.client.ChangeMemberRole(ctx, id, model.Member{Username: a.User, UserID: x.userID(a), Role: a.After.Role})
	case planner.RemoveMember:
		id, err := x.teamID(a)
		if err != nil {
			return "", err
		}
		return goneNote(x.client.RemoveMember(ctx, id, cmp.Or(x.userID(a), a.User)))
	}
	return "", fmt.Errorf("unknown action type %q", a.Type)
}

// checkExisting vets a user create the API answered 409 for: the user
// existed already (a list read that lagged, or someone else's create). It
// did not get this plan's fields, and above all not its role: an Owner the
// plan counted on may still be a User. Such a create is not applied, so
// what depends on it (the demotion of another Owner) does not run; the
// next cycle plans the update.
func (x *executor) checkExisting(ctx context.Context, c opsgenie.Created, want *model.User) error {
	got, err := x.client.GetUser(ctx, cmp.Or(c.ID, want.Username))
	if err != nil {
		return fmt.Errorf("the user already existed (409) and could not be read back: %w", err)
	}
	if want.Role != nil && !sameRole(got.Role, want.Role) {
		return fmt.Errorf("the user already existed (409) with role %s, not %s: not applied; the next cycle plans the change",
			deref(got.Role), deref(want.Role))
	}
	return nil
}

func sameRole(a, b *string) bool {
	ca, oka := model.CanonicalBuiltinRole(deref(a))
	cb, okb := model.CanonicalBuiltinRole(deref(b))
	if oka || okb {
		return oka && okb && ca == cb
	}
	return strings.EqualFold(deref(a), deref(b))
}

func createdNote(c opsgenie.Created) string {
	switch {
	case c.Existed:
		return "already existed; the next cycle reconciles its fields"
	case c.Confirmed:
		return "outcome was unknown; a lookup confirmed it exists"
	}
	return ""
}

// goneNote treats a delete of something already gone as done.
func goneNote(err error) (string, error) {
	if opsgenie.IsNotFound(err) {
		return "already gone", nil
	}
	return "", err
}
