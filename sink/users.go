package sink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/ogsync/ogsync/model"
)

// pageSize is the limit of one list-users page, the largest the API documents.
const pageSize = 100

// Routes, as they appear in errors, logs and Stats.
const (
	routeUsers           = "/v2/users"
	routeUser            = "/v2/users/{id}"
	routeUserTeams       = "/v2/users/{id}/teams"
	routeUserSchedules   = "/v2/users/{id}/schedules"
	routeUserEscalations = "/v2/users/{id}/escalations"
)

type wireRole struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
}

type wireUser struct {
	ID       string              `json:"id"`
	Username string              `json:"username"`
	FullName string              `json:"fullName"`
	Role     wireRole            `json:"role"`
	TimeZone string              `json:"timeZone"`
	Locale   string              `json:"locale"`
	Tags     []string            `json:"tags"`
	Details  map[string][]string `json:"details"`
	Blocked  bool                `json:"blocked"`
	Verified bool                `json:"verified"`
}

// user maps an API user to the model: every optional field is set (a
// current state has no "unmanaged" fields); tags are sorted, since they
// compare as a set.
func (w wireUser) user() model.User {
	tags := slices.Clone(w.Tags)
	if tags == nil {
		tags = []string{}
	}
	slices.Sort(tags)
	details := make(map[string][]string, len(w.Details))
	for k, v := range w.Details {
		if v == nil {
			v = []string{}
		}
		details[k] = slices.Clone(v)
	}
	role := w.Role.Name
	if canon, ok := model.CanonicalBuiltinRole(role); ok {
		role = canon
	}
	return model.User{
		ID:       w.ID,
		Username: model.NormalizeUsername(w.Username),
		FullName: model.Ptr(w.FullName),
		Role:     model.Ptr(role),
		TimeZone: model.Ptr(w.TimeZone),
		Locale:   model.Ptr(w.Locale),
		Tags:     &tags,
		Details:  &details,
		Blocked:  w.Blocked,
		Verified: w.Verified,
	}
}

// pageShiftError says why a paged read is not a consistent picture.
type pageShiftError struct{ reason string }

func (e *pageShiftError) Error() string { return e.reason }

// ListUsers reads every user of the account, sorted by username.
//
// It pages with limit 100 and offset until totalCount, so an account of U
// users costs ceil(U/100) requests (one when it is empty). Offset paging has
// no snapshot: a user created or deleted between two pages shifts the rest.
// ListUsers notices when totalCount changes between pages, when an id comes
// twice, when a page comes back empty before the end, or when the users read
// do not add up to totalCount, and then reads the whole list again, at most
// PagingAttempts times before it fails with ErrInconsistentPaging. (One
// change it cannot see: a delete before a page boundary and a create after
// it between the same two pages; the next cycle sees the account as it is.)
func (c *Client) ListUsers(ctx context.Context) ([]model.User, error) {
	for read := 1; ; read++ {
		users, err := c.listUsersOnce(ctx)
		if err == nil {
			slices.SortFunc(users, func(a, b model.User) int {
				return cmp.Or(cmp.Compare(a.Username, b.Username), cmp.Compare(a.ID, b.ID))
			})
			return users, nil
		}
		var shift *pageShiftError
		if !errors.As(err, &shift) {
			return nil, fmt.Errorf("listing users: %w", err)
		}
		if read >= c.pagingAttempts {
			return nil, fmt.Errorf("listing users: %w (%d reads; last: %s)", ErrInconsistentPaging, read, shift.reason)
		}
		c.log.WarnContext(ctx, "user list changed while paging; reading it again", "reason", shift.reason, "read", read)
	}
}

func (c *Client) listUsersOnce(ctx context.Context) ([]model.User, error) {
	total := -1
	seen := make(map[string]bool)
	var users []model.User
	for offset := 0; ; {
		var page struct {
			TotalCount *int       `json:"totalCount"`
			Data       []wireUser `json:"data"`
		}
		q := url.Values{
			"limit":  {strconv.Itoa(pageSize)},
			"offset": {strconv.Itoa(offset)},
			"sort":   {"username"},
			"order":  {"asc"},
		}
		r := request{method: http.MethodGet, route: routeUsers, path: routeUsers, query: q, search: true}
		if err := c.send(ctx, r, &page); err != nil {
			return nil, err
		}
		if page.TotalCount == nil {
			return nil, fmt.Errorf("opsgenie: GET %s: the answer has no totalCount", routeUsers)
		}
		switch {
		case total < 0:
			total = *page.TotalCount
		case *page.TotalCount != total:
			return nil, &pageShiftError{fmt.Sprintf("totalCount changed from %d to %d at offset %d", total, *page.TotalCount, offset)}
		}
		for _, w := range page.Data {
			if w.ID == "" {
				return nil, fmt.Errorf("opsgenie: GET %s: a user at offset %d has no id", routeUsers, offset)
			}
			if seen[w.ID] {
				return nil, &pageShiftError{fmt.Sprintf("user %s came twice (page at offset %d)", w.ID, offset)}
			}
			seen[w.ID] = true
			users = append(users, w.user())
		}
		offset += len(page.Data)
		if offset >= total {
			break
		}
		if len(page.Data) == 0 {
			return nil, &pageShiftError{fmt.Sprintf("empty page at offset %d of %d", offset, total)}
		}
	}
	if len(users) != total {
		return nil, &pageShiftError{fmt.Sprintf("read %d users, totalCount says %d", len(users), total)}
	}
	return users, nil
}

// GetUser reads one user by id or username.
func (c *Client) GetUser(ctx context.Context, idOrUsername string) (model.User, error) {
	var resp struct {
		Data wireUser `json:"data"`
	}
	r := request{method: http.MethodGet, route: routeUser, path: escapedPath("v2", "users", idOrUsername)}
	if err := c.send(ctx, r, &resp); err != nil {
		return model.User{}, fmt.Errorf("getting user: %w", err)
	}
	return resp.Data.user(), nil
}

// userBody is the JSON body of a user create or update.
type userBody struct {
	Username string               `json:"username,omitempty"`
	FullName *string              `json:"fullName,omitempty"`
	Role     *wireRole            `json:"role,omitempty"`
	TimeZone *string              `json:"timeZone,omitempty"`
	Locale   *string              `json:"locale,omitempty"`
	Tags     *[]string            `json:"tags,omitempty"`
	Details  *map[string][]string `json:"details,omitempty"`
	// InvitationDisabled (creates only) skips OpsGenie's invitation e-mail.
	// A JSON boolean, as the OpenAPI description types it (the Go SDK
	// sends the string "true").
	InvitationDisabled bool `json:"invitationDisabled,omitempty"`
}

// UserPatch is a partial update of a user: only the non-nil fields are
// sent. A non-nil pointer to an empty Tags or Details sends [] or {}, which
// clears them.
type UserPatch struct {
	FullName *string
	Role     *string
	TimeZone *string
	Locale   *string
	Tags     *[]string
	Details  *map[string][]string
}

// UserPatchOf returns the patch that sets u's non-nil managed fields (the
// After side of a planned user update).
func UserPatchOf(u model.User) UserPatch {
	return UserPatch{FullName: u.FullName, Role: u.Role, TimeZone: u.TimeZone, Locale: u.Locale, Tags: u.Tags, Details: u.Details}
}

// Empty reports whether the patch changes nothing.
func (p UserPatch) Empty() bool {
	return p.FullName == nil && p.Role == nil && p.TimeZone == nil && p.Locale == nil && p.Tags == nil && p.Details == nil
}

func (p UserPatch) body() userBody {
	b := userBody{FullName: p.FullName, TimeZone: p.TimeZone, Locale: p.Locale}
	if p.Role != nil {
		b.Role = &wireRole{Name: *p.Role}
	}
	if p.Tags != nil {
		tags := slices.Clone(*p.Tags)
		if tags == nil {
			tags = []string{}
		}
		b.Tags = &tags
	}
	if p.Details != nil {
		d := maps.Clone(*p.Details)
		if d == nil {
			d = map[string][]string{}
		}
		b.Details = &d
	}
	return b
}

// CreateUser creates a user from u's username and non-nil fields. The API
// requires a full name and a role: a nil FullName sends the username, a nil
// Role sends "User". With Options.DisableInvitations it sends
// invitationDisabled. It never creates a duplicate: see Created.
func (c *Client) CreateUser(ctx context.Context, u model.User) (Created, error) {
	username := model.NormalizeUsername(u.Username)
	if username == "" {
		return Created{}, errors.New("creating user: no username")
	}
	b := UserPatchOf(u).body()
	b.Username = username
	if b.FullName == nil {
		b.FullName = &username
	}
	if b.Role == nil {
		b.Role = &wireRole{Name: model.RoleUser}
	}
	b.InvitationDisabled = c.noInvitations
	r := request{method: http.MethodPost, route: routeUsers, path: routeUsers, body: b}
	res, err := c.create(ctx, r, func(ctx context.Context) (Created, error) {
		got, err := c.GetUser(ctx, username)
		return Created{ID: got.ID, Name: got.Username}, err
	})
	if err != nil {
		return Created{}, fmt.Errorf("creating user %s: %w", username, err)
	}
	return res, nil
}

// UpdateUser sends a partial update (PATCH) of the user with this id or
// username. An empty patch sends nothing.
func (c *Client) UpdateUser(ctx context.Context, id string, p UserPatch) error {
	if p.Empty() {
		return nil
	}
	r := request{method: http.MethodPatch, route: routeUser, path: escapedPath("v2", "users", id), body: p.body()}
	if err := c.send(ctx, r, nil); err != nil {
		return fmt.Errorf("updating user %s: %w", id, err)
	}
	return nil
}

// DeleteUser deletes the user with this id or username. A user still
// referenced by a schedule or escalation is refused: IsReferenced holds.
// When an attempt's outcome was unknown and the retry answers 404, the
// delete counts as done.
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	r := request{method: http.MethodDelete, route: routeUser, path: escapedPath("v2", "users", id)}
	if err := c.send(ctx, r, nil); err != nil {
		return fmt.Errorf("deleting user %s: %w", id, err)
	}
	return nil
}

// refList reads a list of {id, name} (extra fields are ignored), sorted by
// name then id.
func (c *Client) refList(ctx context.Context, route, path string, query url.Values) ([]model.Ref, error) {
	var resp struct {
		Data []model.Ref `json:"data"`
	}
	if err := c.send(ctx, request{method: http.MethodGet, route: route, path: path, query: query}, &resp); err != nil {
		return nil, err
	}
	refs := resp.Data
	if refs == nil {
		refs = []model.Ref{}
	}
	slices.SortFunc(refs, func(a, b model.Ref) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return refs, nil
}

// UserTeams returns the teams the user (id or username) is a member of.
func (c *Client) UserTeams(ctx context.Context, userID string) ([]model.Ref, error) {
	refs, err := c.refList(ctx, routeUserTeams, escapedPath("v2", "users", userID, "teams"), nil)
	if err != nil {
		return nil, fmt.Errorf("listing teams of user %s: %w", userID, err)
	}
	return refs, nil
}

// UserSchedules returns the schedules whose rotations name the user.
func (c *Client) UserSchedules(ctx context.Context, userID string) ([]model.Ref, error) {
	refs, err := c.refList(ctx, routeUserSchedules, escapedPath("v2", "users", userID, "schedules"), nil)
	if err != nil {
		return nil, fmt.Errorf("listing schedules of user %s: %w", userID, err)
	}
	return refs, nil
}

// UserEscalations returns the escalations whose rules name the user.
func (c *Client) UserEscalations(ctx context.Context, userID string) ([]model.Ref, error) {
	refs, err := c.refList(ctx, routeUserEscalations, escapedPath("v2", "users", userID, "escalations"), nil)
	if err != nil {
		return nil, fmt.Errorf("listing escalations of user %s: %w", userID, err)
	}
	return refs, nil
}

// Audit gathers, for each user id (or username), what still references the
// user: schedules, escalations and teams. It costs three requests per user,
// run Concurrency at a time. The first failure ends the audit.
func (c *Client) Audit(ctx context.Context, userIDs []string) (map[string]model.References, error) {
	ids := slices.Clone(userIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	refs := make([]model.References, len(ids))
	err := forEach(ctx, len(ids), c.concurrency, func(ctx context.Context, i int) error {
		var r model.References
		var err error
		if r.Schedules, err = c.UserSchedules(ctx, ids[i]); err != nil {
			return err
		}
		if r.Escalations, err = c.UserEscalations(ctx, ids[i]); err != nil {
			return err
		}
		if r.Teams, err = c.UserTeams(ctx, ids[i]); err != nil {
			return err
		}
		refs[i] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("auditing on-call references: %w", err)
	}
	out := make(map[string]model.References, len(ids))
	for i, id := range ids {
		out[id] = refs[i]
	}
	return out, nil
}
