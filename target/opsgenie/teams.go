package opsgenie

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/ogsync/ogsync/model"
)

// Routes of the team API.
const (
	routeTeams       = "/v2/teams"
	routeTeam        = "/v2/teams/{id}"
	routeTeamMembers = "/v2/teams/{id}/members"
	routeTeamMember  = "/v2/teams/{id}/members/{memberId}"
)

// IdentifierType says whether a team identifier is its id or its name.
type IdentifierType string

// Identifier types of the team API.
const (
	ByID   IdentifierType = "id"
	ByName IdentifierType = "name"
)

type wireMemberUser struct {
	ID       string `json:"id,omitempty"`
	Username string `json:"username,omitempty"`
}

type wireMember struct {
	User wireMemberUser `json:"user"`
	Role string         `json:"role,omitempty"`
}

type wireTeam struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Members is nil when the answer has no members key (or null).
	Members *[]wireMember `json:"members"`
}

// team maps an API team to the model, members sorted by username. A team
// whose answer has no members key has no members.
func (w wireTeam) team() model.Team {
	members := []model.Member{}
	if w.Members != nil {
		for _, m := range *w.Members {
			role := strings.ToLower(m.Role)
			if role == "" {
				role = model.MemberRoleUser
			}
			members = append(members, model.Member{Username: model.NormalizeUsername(m.User.Username), UserID: m.User.ID, Role: role})
		}
	}
	sortMembers(members)
	return model.Team{ID: w.ID, Name: w.Name, Description: model.Ptr(w.Description), Members: &members}
}

func sortMembers(ms []model.Member) {
	slices.SortFunc(ms, func(a, b model.Member) int {
		return cmp.Or(cmp.Compare(a.Username, b.Username), cmp.Compare(a.UserID, b.UserID))
	})
}

// memberBody is a member in a request: by user id when known, else by username.
func memberBody(m model.Member) wireMember {
	w := wireMember{Role: m.Role}
	if w.Role == "" {
		w.Role = model.MemberRoleUser
	}
	if m.UserID != "" {
		w.User.ID = m.UserID
	} else {
		w.User.Username = model.NormalizeUsername(m.Username)
	}
	return w
}

// ListTeams reads every team with its members, sorted by name.
//
// It asks for GET /v2/teams?expand=member: one request for the account.
// Detection rule: when at least one team in that answer carries a "members"
// key, the expansion worked, and a team without the key has no members.
// When no team carries the key at all, the API ignored expand=member, and
// ListTeams falls back to GET /v2/teams/{id}?identifierType=id per team
// (Concurrency at a time): one more request per team. (An account whose
// teams are all empty takes the fallback too; the result is the same.) A
// listed team whose read answers 404 was deleted since the list was made,
// and is left out.
//
// A team without id or name, a null entry, an id or a name (case-insensitive)
// twice, or a member with neither user id nor username fails the read with
// a *MalformedError.
func (c *Client) ListTeams(ctx context.Context) ([]model.Team, error) {
	var resp struct {
		Data []*wireTeam `json:"data"`
	}
	r := request{method: http.MethodGet, route: routeTeams, path: routeTeams, query: url.Values{"expand": {"member"}}}
	if err := c.send(ctx, r, &resp); err != nil {
		return nil, fmt.Errorf("listing teams: %w", err)
	}
	ids, names := map[string]bool{}, map[string]string{}
	for i, w := range resp.Data {
		where := fmt.Sprintf("data[%d]", i)
		if err := checkWireTeam(routeTeams, w, where); err != nil {
			return nil, fmt.Errorf("listing teams: %w", err)
		}
		if ids[w.ID] {
			return nil, fmt.Errorf("listing teams: %w", &MalformedError{Route: routeTeams, Where: where, Problem: fmt.Sprintf("team id %s comes twice", w.ID)})
		}
		if other, dup := names[strings.ToLower(w.Name)]; dup {
			return nil, fmt.Errorf("listing teams: %w", &MalformedError{Route: routeTeams, Where: where, Problem: fmt.Sprintf("team name %q is also the name of team %s", w.Name, other)})
		}
		ids[w.ID], names[strings.ToLower(w.Name)] = true, w.ID
	}
	expanded := slices.ContainsFunc(resp.Data, func(t *wireTeam) bool { return t.Members != nil })
	teams := make([]model.Team, len(resp.Data))
	if expanded || len(resp.Data) == 0 {
		for i, w := range resp.Data {
			teams[i] = w.team()
		}
	} else {
		c.log.InfoContext(ctx, "the team list carries no members; reading each team", "teams", len(resp.Data))
		gone := make([]bool, len(resp.Data))
		err := forEach(ctx, len(resp.Data), c.concurrency, func(ctx context.Context, i int) error {
			t, err := c.GetTeam(ctx, resp.Data[i].ID, ByID)
			if IsNotFound(err) {
				// Deleted since the list was made (a list lagging behind a
				// delete): the account has no such team now.
				c.log.InfoContext(ctx, "a listed team is gone; leaving it out", "team", resp.Data[i].ID)
				gone[i] = true
				return nil
			}
			if err != nil {
				return err
			}
			if t.ID != resp.Data[i].ID {
				return &MalformedError{Route: routeTeam, Where: "team " + resp.Data[i].ID, Problem: fmt.Sprintf("the answer is team %q", t.ID)}
			}
			teams[i] = t
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing teams: %w", err)
		}
		kept := teams[:0]
		for i, t := range teams {
			if !gone[i] {
				kept = append(kept, t)
			}
		}
		teams = kept
	}
	slices.SortFunc(teams, func(a, b model.Team) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return teams, nil
}

// checkWireTeam refuses a team entry ogsync cannot plan from.
func checkWireTeam(route string, w *wireTeam, where string) error {
	switch {
	case w == nil:
		return &MalformedError{Route: route, Where: where, Problem: "the entry is null"}
	case strings.TrimSpace(w.ID) == "":
		return &MalformedError{Route: route, Where: where, Problem: "the team has no id"}
	case strings.TrimSpace(w.Name) == "":
		return &MalformedError{Route: route, Where: where, Problem: fmt.Sprintf("team %s has no name", w.ID)}
	}
	if w.Members != nil {
		seen := map[string]bool{}
		for j, m := range *w.Members {
			id := strings.TrimSpace(m.User.ID)
			name := model.NormalizeUsername(m.User.Username)
			if id == "" && name == "" {
				return &MalformedError{Route: route, Where: fmt.Sprintf("%s.members[%d]", where, j), Problem: fmt.Sprintf("a member of team %q has neither user id nor username", w.Name)}
			}
			key := cmp.Or(id, "name:"+name)
			if seen[key] {
				return &MalformedError{Route: route, Where: fmt.Sprintf("%s.members[%d]", where, j), Problem: fmt.Sprintf("user %s is a member of team %q twice", cmp.Or(id, name), w.Name)}
			}
			seen[key] = true
		}
	}
	return nil
}

// GetTeam reads one team, with its members, by id or by name.
func (c *Client) GetTeam(ctx context.Context, identifier string, by IdentifierType) (model.Team, error) {
	if by != ByID && by != ByName {
		return model.Team{}, fmt.Errorf("getting team: identifier type %q is not id or name", by)
	}
	var resp struct {
		Data *wireTeam `json:"data"`
	}
	r := request{method: http.MethodGet, route: routeTeam, path: escapedPath("v2", "teams", identifier), query: url.Values{"identifierType": {string(by)}}}
	if err := c.send(ctx, r, &resp); err != nil {
		return model.Team{}, fmt.Errorf("getting team %s: %w", identifier, err)
	}
	if err := checkWireTeam(routeTeam, resp.Data, "data"); err != nil {
		return model.Team{}, fmt.Errorf("getting team %s: %w", identifier, err)
	}
	return resp.Data.team(), nil
}

// teamBody is the JSON body of a team create or update. A non-nil Members
// is always sent, an empty one as [].
type teamBody struct {
	Name        string        `json:"name,omitempty"`
	Description *string       `json:"description,omitempty"`
	Members     *[]wireMember `json:"members,omitempty"`
}

func membersBody(ms *[]model.Member) *[]wireMember {
	if ms == nil {
		return nil
	}
	out := make([]wireMember, 0, len(*ms))
	for _, m := range *ms {
		out = append(out, memberBody(m))
	}
	return &out
}

// CreateTeam creates a team with its description and members (when not
// nil). It never creates a duplicate: see Created.
func (c *Client) CreateTeam(ctx context.Context, t model.Team) (Created, error) {
	if strings.TrimSpace(t.Name) == "" {
		return Created{}, errors.New("creating team: no name")
	}
	b := teamBody{Name: t.Name, Description: t.Description, Members: membersBody(t.Members)}
	r := request{method: http.MethodPost, route: routeTeams, path: routeTeams, body: b}
	res, err := c.create(ctx, r, func(ctx context.Context) (Created, error) {
		got, err := c.GetTeam(ctx, t.Name, ByName)
		return Created{ID: got.ID, Name: got.Name}, err
	})
	if err != nil {
		return Created{}, fmt.Errorf("creating team %s: %w", t.Name, err)
	}
	return res, nil
}

// TeamPatch is a partial update of a team: only the non-nil fields are
// sent. It has no members: a PATCH with members replaces the whole member
// set from the caller's picture of it, and would undo what others changed
// since; membership is written one member at a time (AddMember,
// RemoveMember, ChangeMemberRole).
type TeamPatch struct {
	Name        *string
	Description *string
}

// Empty reports whether the patch changes nothing.
func (p TeamPatch) Empty() bool { return p.Name == nil && p.Description == nil }

// UpdateTeam sends a partial update (PATCH) of the team with this id: its
// name and description, never its members. An empty patch sends nothing.
func (c *Client) UpdateTeam(ctx context.Context, id string, p TeamPatch) error {
	if p.Empty() {
		return nil
	}
	b := teamBody{Description: p.Description}
	if p.Name != nil {
		if strings.TrimSpace(*p.Name) == "" {
			return fmt.Errorf("updating team %s: the new name is empty", id)
		}
		b.Name = *p.Name
	}
	r := request{method: http.MethodPatch, route: routeTeam, path: escapedPath("v2", "teams", id), body: b}
	if err := c.send(ctx, r, nil); err != nil {
		return fmt.Errorf("updating team %s: %w", id, err)
	}
	return nil
}

// DeleteTeam deletes the team with this id. When an attempt's outcome was
// unknown and the retry answers 404, the delete counts as done.
func (c *Client) DeleteTeam(ctx context.Context, id string) error {
	r := request{method: http.MethodDelete, route: routeTeam, path: escapedPath("v2", "teams", id), query: url.Values{"identifierType": {"id"}}}
	if err := c.send(ctx, r, nil); err != nil {
		return fmt.Errorf("deleting team %s: %w", id, err)
	}
	return nil
}

// AddMember adds a user (by m.UserID, else m.Username) to the team with
// this id, with m.Role (default user). When an attempt's outcome is
// unknown, the team is read first and the add re-sent only if the user is
// not a member; a 409 means the user is a member already (Existed).
func (c *Client) AddMember(ctx context.Context, teamID string, m model.Member) (Created, error) {
	defer c.lockTeam(teamID)()
	return c.addMember(ctx, teamID, m)
}

func (c *Client) addMember(ctx context.Context, teamID string, m model.Member) (Created, error) {
	who := cmp.Or(m.UserID, model.NormalizeUsername(m.Username))
	if who == "" {
		return Created{}, fmt.Errorf("adding a member to team %s: no user id or username", teamID)
	}
	r := request{
		method: http.MethodPost, route: routeTeamMembers,
		path:  escapedPath("v2", "teams", teamID, "members"),
		query: url.Values{"teamIdentifierType": {"id"}},
		body:  memberBody(m),
	}
	res, err := c.create(ctx, r, func(ctx context.Context) (Created, error) {
		t, err := c.GetTeam(ctx, teamID, ByID)
		if err != nil {
			return Created{}, err
		}
		for _, x := range *t.Members {
			if sameMember(x, m) {
				return Created{ID: x.UserID, Name: x.Username}, nil
			}
		}
		return Created{}, &APIError{Status: http.StatusNotFound, Method: http.MethodGet, Route: routeTeam, Message: "not a member of the team"}
	})
	if err != nil {
		return Created{}, fmt.Errorf("adding %s to team %s: %w", who, teamID, err)
	}
	return res, nil
}

// RemoveMember removes a user (id or username) from the team with this id.
// When an attempt's outcome was unknown and the retry answers 404, the
// removal counts as done.
func (c *Client) RemoveMember(ctx context.Context, teamID, userID string) error {
	defer c.lockTeam(teamID)()
	return c.removeMember(ctx, teamID, userID)
}

func (c *Client) removeMember(ctx context.Context, teamID, userID string) error {
	r := request{
		method: http.MethodDelete, route: routeTeamMember,
		path:  escapedPath("v2", "teams", teamID, "members", userID),
		query: url.Values{"teamIdentifierType": {"id"}},
	}
	if err := c.send(ctx, r, nil); err != nil {
		return fmt.Errorf("removing %s from team %s: %w", userID, teamID, err)
	}
	return nil
}

// ErrRoleNotChanged is returned by ChangeMemberRole when the member still
// has the old role after it was removed and added again.
var ErrRoleNotChanged = errors.New("the member kept the old role")

// Notes ChangeMemberRole returns, saying how the role was changed.
const (
	NoteReAdded           = "re-added with the new role"
	NoteRemovedAndReAdded = "removed and re-added with the new role: the API keeps the role on a re-add"
)

// ChangeMemberRole sets the role of one member (by m.UserID, else
// m.Username) of the team with this id. The API has no call for it, and a
// team PATCH would re-send every other member, so it writes that member
// only:
//  1. it adds the member again with the new role (POST .../members), then
//     reads the team (GET /v2/teams/{id}) to see the role took;
//  2. where the API keeps the old role on a re-add, or refuses it (409), it
//     removes the member (DELETE .../members/{user}) and adds it again.
//
// Every write is per member, and none is re-sent from an earlier read. It
// returns a note saying which way it went. Membership writes to one team
// are serialised within the Client.
func (c *Client) ChangeMemberRole(ctx context.Context, teamID string, m model.Member) (string, error) {
	who := cmp.Or(m.UserID, model.NormalizeUsername(m.Username))
	role := strings.ToLower(m.Role)
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("changing the role of %s in team %s: %w", who, teamID, err)
	}
	if role != model.MemberRoleAdmin && role != model.MemberRoleUser {
		return fail(fmt.Errorf("%q is not a member role (admin, user)", m.Role))
	}
	m.Role = role
	defer c.lockTeam(teamID)()
	_, addErr := c.addMember(ctx, teamID, m)
	if addErr != nil && !IsConflict(addErr) {
		return fail(addErr)
	}
	if addErr == nil {
		ok, err := c.hasMemberRole(ctx, teamID, m)
		if err != nil {
			return fail(err)
		}
		if ok {
			return NoteReAdded, nil
		}
	}
	c.log.InfoContext(ctx, "the API kept the member's role on a re-add; removing and adding the member", "team", teamID, "user", who)
	if err := c.removeMember(ctx, teamID, who); err != nil && !IsNotFound(err) {
		return fail(err)
	}
	if _, err := c.addMember(ctx, teamID, m); err != nil {
		return fail(err)
	}
	ok, err := c.hasMemberRole(ctx, teamID, m)
	if err != nil {
		return fail(err)
	}
	if !ok {
		return fail(ErrRoleNotChanged)
	}
	return NoteRemovedAndReAdded, nil
}

// hasMemberRole reads the team and reports whether m is a member with m.Role.
func (c *Client) hasMemberRole(ctx context.Context, teamID string, m model.Member) (bool, error) {
	t, err := c.GetTeam(ctx, teamID, ByID)
	if err != nil {
		return false, err
	}
	i := slices.IndexFunc(*t.Members, func(x model.Member) bool { return sameMember(x, m) })
	return i >= 0 && (*t.Members)[i].Role == m.Role, nil
}

func sameMember(x, m model.Member) bool {
	return (m.UserID != "" && x.UserID == m.UserID) || (m.UserID == "" && x.Username == model.NormalizeUsername(m.Username))
}

// lockTeam serialises membership writes to one team and returns the unlock.
func (c *Client) lockTeam(id string) func() {
	c.teamMu.Lock()
	mu, ok := c.teamLocks[id]
	if !ok {
		mu = &sync.Mutex{}
		c.teamLocks[id] = mu
	}
	c.teamMu.Unlock()
	mu.Lock()
	return mu.Unlock
}
