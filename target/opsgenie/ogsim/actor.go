package ogsim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/ogsync/ogsync/model"
)

// ActorOptions configure another actor: a person, a SCIM feed or another
// tool changing the account while a client uses the API. Its changes are
// applied directly to the account under its lock, not through HTTP, and are
// deterministic for a given Seed and sequence of API requests.
type ActorOptions struct {
	// Seed seeds the actor's PRNG.
	Seed int64
	// Every makes the actor act before every Every-th API request (every
	// API request counts, answered or not); it must be at least 1.
	Every int
	// Users are the usernames of existing users the actor may add to teams.
	Users []string
	// Ops are the changes the actor picks from (equally likely): the
	// Actor* constants.
	Ops []string
}

// The changes an actor makes.
const (
	// ActorAddMember adds one of ActorOptions.Users to a team it is not in,
	// with role user.
	ActorAddMember = "add-member"
	// ActorRemoveMember removes a member the actor itself added.
	ActorRemoveMember = "remove-member"
	// ActorRenameTeam renames a team to "<name>-renamed-<n>".
	ActorRenameTeam = "rename-team"
	// ActorCreateTeam creates the team "actor-team-<n>", with its default
	// schedule and escalation.
	ActorCreateTeam = "create-team"
	// ActorChangeRole flips the role (user/admin) of a member the actor
	// added.
	ActorChangeRole = "change-member-role"
)

// ActorOps are all the actor's changes, in a fixed order.
var ActorOps = []string{ActorAddMember, ActorRemoveMember, ActorRenameTeam, ActorCreateTeam, ActorChangeRole}

// actorMember is a membership the actor added.
type actorMember struct{ teamID, userID string }

type actor struct {
	opts     ActorOptions
	mu       sync.Mutex
	rng      *rand.Rand
	requests int
	acts     int // n of the names: 1 for the first act
	added    []actorMember
	tz       string // time zone of new teams' default schedules
}

func newActor(o ActorOptions, a *account, tz string) (*actor, error) {
	if o.Every < 1 {
		return nil, fmt.Errorf("every %d must be at least 1", o.Every)
	}
	if len(o.Ops) == 0 {
		return nil, errors.New("at least one op is required")
	}
	for _, op := range o.Ops {
		if !slices.Contains(ActorOps, op) {
			return nil, fmt.Errorf("op %q must be one of %s", op, strings.Join(ActorOps, ", "))
		}
	}
	if slices.Contains(o.Ops, ActorAddMember) && len(o.Users) == 0 {
		return nil, fmt.Errorf("op %s needs at least one user", ActorAddMember)
	}
	for _, name := range o.Users {
		if a.usersByName[model.NormalizeUsername(name)] == nil {
			return nil, fmt.Errorf("user %q does not exist", name)
		}
	}
	o.Users = slices.Clone(o.Users)
	o.Ops = slices.Clone(o.Ops)
	return &actor{opts: o, tz: tz, rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x6163746f72))}, nil
}

// act counts one API request and, on every Every-th, makes one change. It
// reports whether the account changed.
func (ac *actor) act(a *account) bool {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	ac.requests++
	if ac.requests%ac.opts.Every != 0 {
		return false
	}
	ac.acts++
	op := ac.opts.Ops[ac.rng.IntN(len(ac.opts.Ops))]
	a.mu.Lock()
	defer a.mu.Unlock()
	ac.prune(a)
	switch op {
	case ActorAddMember:
		return ac.addMember(a)
	case ActorRemoveMember:
		return ac.removeMember(a)
	case ActorRenameTeam:
		return ac.renameTeam(a)
	case ActorCreateTeam:
		return ac.createTeam(a)
	default:
		return ac.changeRole(a)
	}
}

// prune forgets the memberships the actor added that are gone.
func (ac *actor) prune(a *account) {
	ac.added = slices.DeleteFunc(ac.added, func(m actorMember) bool {
		t := a.teams[m.teamID]
		return t == nil || t.memberIndex(m.userID) < 0
	})
}

func (ac *actor) addMember(a *account) bool {
	var cands []actorMember
	for _, t := range a.teamOrder {
		for _, name := range ac.opts.Users {
			if u := a.usersByName[model.NormalizeUsername(name)]; u != nil && t.memberIndex(u.id) < 0 {
				cands = append(cands, actorMember{t.id, u.id})
			}
		}
	}
	if len(cands) == 0 {
		return false
	}
	c := cands[ac.rng.IntN(len(cands))]
	t := a.teams[c.teamID]
	a.recordMember(SourceActor, OpAddMember, t, c.userID, model.MemberRoleUser, "")
	t.members = append(t.members, member{userID: c.userID, role: model.MemberRoleUser})
	ac.added = append(ac.added, c)
	return true
}

func (ac *actor) removeMember(a *account) bool {
	if len(ac.added) == 0 {
		return false
	}
	k := ac.rng.IntN(len(ac.added))
	c := ac.added[k]
	t := a.teams[c.teamID]
	i := t.memberIndex(c.userID)
	a.recordMember(SourceActor, OpRemoveMember, t, c.userID, t.members[i].role, "")
	t.members = slices.Delete(t.members, i, i+1)
	ac.added = slices.Delete(ac.added, k, k+1)
	return true
}

func (ac *actor) changeRole(a *account) bool {
	if len(ac.added) == 0 {
		return false
	}
	c := ac.added[ac.rng.IntN(len(ac.added))]
	t := a.teams[c.teamID]
	i := t.memberIndex(c.userID)
	old := t.members[i].role
	role := model.MemberRoleAdmin
	if old == model.MemberRoleAdmin {
		role = model.MemberRoleUser
	}
	a.recordMember(SourceActor, OpSetMemberRole, t, c.userID, role, "was "+old)
	t.members[i].role = role
	return true
}

func (ac *actor) renameTeam(a *account) bool {
	if len(a.teamOrder) == 0 {
		return false
	}
	t := a.teamOrder[ac.rng.IntN(len(a.teamOrder))]
	name := fmt.Sprintf("%s-renamed-%d", t.name, ac.acts)
	if checkTeamName(name) != "" || a.teamsByName[strings.ToLower(name)] != nil {
		return false
	}
	old := t.name
	a.renameTeam(t, name)
	a.record(Mutation{Source: SourceActor, Op: OpRenameTeam, Team: t.name, TeamID: t.id, Detail: "was " + old})
	return true
}

func (ac *actor) createTeam(a *account) bool {
	name := fmt.Sprintf("actor-team-%d", ac.acts)
	if a.teamsByName[strings.ToLower(name)] != nil || a.defaultResourcesConflict(name) != "" {
		return false
	}
	t := &team{id: a.ids.Next(), name: name}
	a.insertTeam(t)
	a.record(Mutation{Source: SourceActor, Op: OpCreateTeam, Team: t.name, TeamID: t.id})
	a.createDefaultResources(t, ac.tz)
	return true
}
