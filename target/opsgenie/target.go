package opsgenie

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target"
)

// The Client is the OpsGenie target.
var (
	_ target.Target       = (*Client)(nil)
	_ target.OwnerCounter = (*Client)(nil)
)

// Capabilities: OpsGenie manages every field and operation.
func (c *Client) Capabilities() planner.Capabilities { return planner.FullCapabilities("opsgenie") }

// Stats counts the requests sent so far (RequestStats has them per route).
func (c *Client) Stats() target.Stats {
	s := &c.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	return target.Stats{Total: s.total, Throttled: s.throttled}
}

// Read reads the account: the users (offset paging), the teams with their
// members (each member named, see FillMemberNames), and the custom roles.
// With a desired state the custom roles are read only when it uses a custom
// role no current user has, so a no-op cycle costs UserPages(U)+1 requests,
// and a custom role the account lacks is an error; with none (an export)
// they are always read. The errors say which list failed.
func (c *Client) Read(ctx context.Context, desired *model.Desired) (*model.Current, error) {
	users, err := c.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the account: %w", err)
	}
	teams, err := c.ListTeams(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the account: %w", err)
	}
	FillMemberNames(users, teams)
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
	var missing []string
	if desired != nil {
		for _, r := range desiredCustomRoles(desired) {
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
	}
	roles, err := c.ListCustomRoles(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the account: %w", err)
	}
	have := map[string]bool{}
	if desired == nil {
		cur.CustomRoles = []string{}
	}
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

// Apply makes the API calls of one planned action and returns a note on how
// it went ("already existed", "already gone", …). A delete of something
// already gone is done; a user create answered 409 is checked (see
// checkExisting). The calls per action type:
//
//	create-user         POST   /v2/users (After.User; details carry the marker)
//	update-user         PATCH  /v2/users/{id} with After.User's set fields only
//	delete-user         DELETE /v2/users/{id}
//	create-team         POST   /v2/teams with the members in the body (one call)
//	update-team         PATCH  /v2/teams/{id} with name/description, no "members" key
//	delete-team         DELETE /v2/teams/{id}?identifierType=id
//	add-member          POST   /v2/teams/{id}/members {"user":{"id"|"username"},"role"}
//	remove-member       DELETE /v2/teams/{id}/members/{userId}
//	change-member-role  POST /v2/teams/{id}/members with the new role, then
//	                    GET /v2/teams/{id} to confirm it; where the role did
//	                    not take, DELETE and POST that member (ChangeMemberRole)
//
// Why not one PATCH with the whole member set per team: PATCH replaces the
// set, so built from the plan's (possibly minutes old) read it would drop
// members added since, and members the plan must not touch (ignored users);
// the SDK cannot even send an empty set, so it cannot empty a team. Per-member
// calls touch only the members the plan names, fail one at a time, and cost
// one call per changed member, which for the usual small diff is fewer calls
// than the GET + PATCH a safe set replacement needs. A role change has no
// per-member endpoint: it writes that member only, as above, and no request
// carries another member. A new team gets its members in the create body:
// one call.
func (c *Client) Apply(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	switch a.Type {
	case planner.CreateUser, planner.UpdateUser, planner.DeleteUser:
		return c.applyUser(ctx, a, ids)
	case planner.CreateTeam, planner.UpdateTeam, planner.DeleteTeam:
		return c.applyTeam(ctx, a, ids)
	case planner.AddMember, planner.ChangeMemberRole, planner.RemoveMember:
		return c.applyMember(ctx, a, ids)
	}
	return "", fmt.Errorf("unknown action type %q", a.Type)
}

func (c *Client) applyUser(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	switch a.Type {
	case planner.CreateUser:
		if a.After == nil || a.After.User == nil {
			return "", errors.New("malformed action: no user to create")
		}
		cr, err := c.CreateUser(ctx, *a.After.User)
		if err != nil {
			return "", err
		}
		if cr.Existed {
			if err := c.checkExisting(ctx, cr, a.After.User); err != nil {
				return "", err
			}
		}
		ids.SetUser(a.User, cr.ID)
		return createdNote(cr), nil
	case planner.UpdateUser:
		if a.After == nil || a.After.User == nil {
			return "", errors.New("malformed action: no fields to update")
		}
		return "", c.UpdateUser(ctx, a.UserID, UserPatchOf(*a.After.User))
	default:
		return goneNote(c.DeleteUser(ctx, a.UserID))
	}
}

func (c *Client) applyTeam(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	switch a.Type {
	case planner.CreateTeam:
		if a.After == nil || a.After.Team == nil {
			return "", errors.New("malformed action: no team to create")
		}
		t := *a.After.Team
		if t.Members != nil {
			ms := make([]model.Member, len(*t.Members))
			for i, m := range *t.Members {
				if m.UserID == "" {
					m.UserID = ids.User(m.Username)
				}
				ms[i] = m
			}
			t.Members = &ms
		}
		cr, err := c.CreateTeam(ctx, t)
		if err != nil {
			return "", err
		}
		ids.SetTeam(a.Team, cr.ID)
		return createdNote(cr), nil
	case planner.UpdateTeam:
		if a.After == nil || a.After.Team == nil {
			return "", errors.New("malformed action: no fields to update")
		}
		p := TeamPatch{Description: a.After.Team.Description}
		if slices.Contains(a.Fields, "name") {
			p.Name = &a.After.Team.Name
		}
		return "", c.UpdateTeam(ctx, a.TeamID, p)
	default:
		return goneNote(c.DeleteTeam(ctx, a.TeamID))
	}
}

func (c *Client) applyMember(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	teamID := a.TeamID
	if teamID == "" {
		teamID = ids.Team(a.Team)
	}
	if teamID == "" {
		return "", fmt.Errorf("team %q has no id: it was neither read nor created", a.Team)
	}
	userID := a.UserID
	if userID == "" {
		userID = ids.User(a.User)
	}
	switch a.Type {
	case planner.AddMember:
		cr, err := c.AddMember(ctx, teamID, model.Member{Username: a.User, UserID: userID, Role: a.After.Role})
		if err != nil {
			return "", err
		}
		return createdNote(cr), nil
	case planner.ChangeMemberRole:
		return c.ChangeMemberRole(ctx, teamID, model.Member{Username: a.User, UserID: userID, Role: a.After.Role})
	default:
		return goneNote(c.RemoveMember(ctx, teamID, cmp.Or(userID, a.User)))
	}
}

// checkExisting vets a user create the API answered 409 for: the user
// existed already (a list read that lagged, or someone else's create). It
// did not get this plan's fields, and above all not its role: an Owner the
// plan counted on may still be a User. Such a create is not applied, so
// what depends on it (the demotion of another Owner) does not run; the
// next cycle plans the update.
func (c *Client) checkExisting(ctx context.Context, cr Created, want *model.User) error {
	got, err := c.GetUser(ctx, cmp.Or(cr.ID, want.Username))
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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func createdNote(c Created) string {
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
	if IsNotFound(err) {
		return "already gone", nil
	}
	return "", err
}
