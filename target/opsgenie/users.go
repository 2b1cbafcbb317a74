package opsgenie

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
	"strings"

	"github.com/ogsync/ogsync/model"
)

// pageSize is the limit of one list-users page, the largest the API documents.
const pageSize = 100

// UserPages is the number of list requests ListUsers makes for an account
// of u users that does not change while it is read: one up to 100 users,
// then one per 99 more, since each page after the first starts at the last
// user of the one before.
func UserPages(u int) int {
	if u <= pageSize {
		return 1
	}
	return 1 + (u-pageSize+pageSize-2)/(pageSize-1)
}

// Routes, as they appear in errors, logs and Stats.
const (
	routeUsers           = "/v2/users"
	routeUser            = "/v2/users/{id}"
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
// It pages with limit 100, sorted by username. Offset paging has no
// snapshot: a user created or deleted between two pages shifts the rest,
// and the pair "one deleted before the page boundary, one created after it"
// keeps totalCount and every id unique while it slides one user, who was
// there all along, past the boundary unseen. So consecutive pages overlap
// by one user: each page after the first starts at the last user of the one
// before, and that user must come back first. Any shift at the boundary,
// whatever made it, changes that user and is seen. With a steady boundary
// every user present during the whole read is read; one created or deleted
// during it may or may not be, as at any instant of the read. The read
// costs UserPages(U) requests: one more than ceil(U/100) for one account
// size in a hundred or so below 10,000 users (e.g. 200: 3 pages, not 2).
//
// After the first page, which gives totalCount, the other pages are read
// concurrently (Concurrency at a time, within the Search limiter), so that
// latency is paid about once per Concurrency pages, not once per page.
//
// ListUsers also notices when totalCount changes between pages, when an id
// comes twice, when a page comes back empty before the end, or when the
// users read do not add up to totalCount, and then reads the whole list
// again, at most PagingAttempts times before it fails with
// ErrInconsistentPaging. An entry without id or username, a null entry or
// a username twice fails at once with a *MalformedError.
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

// userPage is one answer of GET /v2/users.
type userPage struct {
	TotalCount *int        `json:"totalCount"`
	Data       []*wireUser `json:"data"`
}

// getUserPage reads the page of users at offset.
func (c *Client) getUserPage(ctx context.Context, offset int) (*userPage, error) {
	var page userPage
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
		return nil, &MalformedError{Route: routeUsers, Where: fmt.Sprintf("page at offset %d", offset), Problem: "no totalCount"}
	}
	return &page, nil
}

// listUsersOnce reads the list once: the first page, which gives totalCount
// and the page size, then every other page at once (Concurrency at a time,
// within the Search limiter), each starting at the last user of the one
// before. The pages are then chained in order: each boundary must hold the
// same user in both pages, whichever was read first, since any shift at a
// boundary between the two reads puts another user there.
func (c *Client) listUsersOnce(ctx context.Context) ([]model.User, error) {
	first, err := c.getUserPage(ctx, 0)
	if err != nil {
		return nil, err
	}
	total, size := *first.TotalCount, len(first.Data)
	pages := []*userPage{first}
	if size < total {
		if size < 2 {
			return nil, &pageShiftError{fmt.Sprintf("a page of %d users for %d in all", size, total)}
		}
		step := size - 1
		n := 1 + (total-size+step-1)/step
		pages = append(pages, make([]*userPage, n-1)...)
		err := forEach(ctx, n-1, c.concurrency, func(ctx context.Context, k int) error {
			p, err := c.getUserPage(ctx, (k+1)*step)
			pages[k+1] = p
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	seen := make(map[string]bool, total)
	names := make(map[string]string, total) // username → id
	users := make([]model.User, 0, total)
	for k, page := range pages {
		offset := k * max(size-1, 1)
		if *page.TotalCount != total {
			return nil, &pageShiftError{fmt.Sprintf("totalCount changed from %d to %d at offset %d", total, *page.TotalCount, offset)}
		}
		data := page.Data
		if k > 0 {
			prev := pages[k-1].Data
			if len(prev) != size || len(data) == 0 || data[0] == nil || prev[size-1] == nil || data[0].ID != prev[size-1].ID {
				return nil, &pageShiftError{fmt.Sprintf("the page at offset %d does not start with the last user of the page before: the list shifted", offset)}
			}
			data = data[1:]
		}
		for i, w := range data {
			where := fmt.Sprintf("page at offset %d, data[%d]", offset, i+len(page.Data)-len(data))
			if err := checkWireUser(w, where); err != nil {
				return nil, err
			}
			if seen[w.ID] {
				return nil, &pageShiftError{fmt.Sprintf("user %s came twice (page at offset %d)", w.ID, offset)}
			}
			u := w.user()
			if other, dup := names[u.Username]; dup {
				return nil, &MalformedError{Route: routeUsers, Where: where, Problem: fmt.Sprintf("username %q is also the username of user %s", u.Username, other)}
			}
			seen[w.ID] = true
			names[u.Username] = w.ID
			users = append(users, u)
		}
	}
	if len(users) != total {
		return nil, &pageShiftError{fmt.Sprintf("read %d users, totalCount says %d", len(users), total)}
	}
	return users, nil
}

// checkWireUser refuses a user entry ogsync cannot plan from.
func checkWireUser(w *wireUser, where string) error {
	switch {
	case w == nil:
		return &MalformedError{Route: routeUsers, Where: where, Problem: "the entry is null"}
	case strings.TrimSpace(w.ID) == "":
		return &MalformedError{Route: routeUsers, Where: where, Problem: "the user has no id"}
	case model.NormalizeUsername(w.Username) == "":
		return &MalformedError{Route: routeUsers, Where: where, Problem: fmt.Sprintf("user %s has no username", w.ID)}
	}
	return nil
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

// LiveOwners returns the ids of the account's Owners as the API has them
// now, sorted: the users a search for role Owner lists
// (GET /v2/users?query=role:Owner, paged), each confirmed by a read of the
// user (GET /v2/users/{id}), since a search may lag behind a role change.
// A lagging search can only leave out an Owner made a moment ago, so the
// count errs low: what a guard against too few Owners wants.
func (c *Client) LiveOwners(ctx context.Context) ([]string, error) {
	var listed []string
	for offset := 0; ; {
		var page struct {
			TotalCount int         `json:"totalCount"`
			Data       []*wireUser `json:"data"`
		}
		q := url.Values{"query": {"role:" + model.RoleOwner}, "limit": {strconv.Itoa(pageSize)}, "offset": {strconv.Itoa(offset)}}
		r := request{method: http.MethodGet, route: routeUsers, path: routeUsers, query: q, search: true}
		if err := c.send(ctx, r, &page); err != nil {
			return nil, fmt.Errorf("counting owners: %w", err)
		}
		for i, w := range page.Data {
			if err := checkWireUser(w, fmt.Sprintf("owner search at offset %d, data[%d]", offset, i)); err != nil {
				return nil, fmt.Errorf("counting owners: %w", err)
			}
			listed = append(listed, w.ID)
		}
		offset += len(page.Data)
		if len(page.Data) == 0 || offset >= page.TotalCount {
			break
		}
	}
	slices.Sort(listed)
	listed = slices.Compact(listed)
	owners := make([]bool, len(listed))
	err := forEach(ctx, len(listed), c.concurrency, func(ctx context.Context, i int) error {
		u, err := c.GetUser(ctx, listed[i])
		if IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		owners[i] = u.ID == listed[i] && u.Role != nil && *u.Role == model.RoleOwner
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("counting owners: %w", err)
	}
	var out []string
	for i, id := range listed {
		if owners[i] {
			out = append(out, id)
		}
	}
	return out, nil
}
