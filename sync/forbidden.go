package sync

import (
	"context"
	"errors"
	"fmt"
	stdsync "sync"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target/opsgenie"
)

// ErrKeyLacksRight is the cause of an apply stopped by a 403: the API key
// lacks a right the plan needs.
var ErrKeyLacksRight = errors.New("the API key lacks a right this plan needs")

// applyGuarded applies p and stops at the first write the API refuses with
// 403: a 403 applies nothing, and every later write would need the same
// right, so no new action starts after it. The error then names the refused
// write and the key that is needed.
func (e *Engine) applyGuarded(ctx context.Context, p *planner.Plan) ([]ActionResult, error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	g := &forbiddenGuard{Client: e.client, cancel: cancel}
	guarded := *e
	guarded.client = g
	results := guarded.Apply(actx, p)
	if err := g.err(); err != nil {
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

// forbiddenGuard passes writes to the client and cancels the apply at the
// first 403.
type forbiddenGuard struct {
	Client
	cancel context.CancelCauseFunc

	mu    stdsync.Mutex
	first error
}

func (g *forbiddenGuard) check(err error) error {
	if opsgenie.IsForbidden(err) {
		g.mu.Lock()
		if g.first == nil {
			g.first = err
			g.cancel(err)
		}
		g.mu.Unlock()
	}
	return err
}

func (g *forbiddenGuard) err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.first
}

func (g *forbiddenGuard) CreateUser(ctx context.Context, u model.User) (opsgenie.Created, error) {
	c, err := g.Client.CreateUser(ctx, u)
	return c, g.check(err)
}

func (g *forbiddenGuard) UpdateUser(ctx context.Context, id string, p opsgenie.UserPatch) error {
	return g.check(g.Client.UpdateUser(ctx, id, p))
}

func (g *forbiddenGuard) DeleteUser(ctx context.Context, id string) error {
	return g.check(g.Client.DeleteUser(ctx, id))
}

func (g *forbiddenGuard) CreateTeam(ctx context.Context, t model.Team) (opsgenie.Created, error) {
	c, err := g.Client.CreateTeam(ctx, t)
	return c, g.check(err)
}

func (g *forbiddenGuard) UpdateTeam(ctx context.Context, id string, p opsgenie.TeamPatch) error {
	return g.check(g.Client.UpdateTeam(ctx, id, p))
}

func (g *forbiddenGuard) DeleteTeam(ctx context.Context, id string) error {
	return g.check(g.Client.DeleteTeam(ctx, id))
}

func (g *forbiddenGuard) AddMember(ctx context.Context, teamID string, m model.Member) (opsgenie.Created, error) {
	c, err := g.Client.AddMember(ctx, teamID, m)
	return c, g.check(err)
}

func (g *forbiddenGuard) ChangeMemberRole(ctx context.Context, teamID string, m model.Member) (string, error) {
	note, err := g.Client.ChangeMemberRole(ctx, teamID, m)
	return note, g.check(err)
}

func (g *forbiddenGuard) RemoveMember(ctx context.Context, teamID, userID string) error {
	return g.check(g.Client.RemoveMember(ctx, teamID, userID))
}
