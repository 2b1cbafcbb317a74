package atlassian

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target"
)

// maxDescription is the longest team description the Teams API takes (§2.1).
const maxDescription = 360

// batchSize is the most members one add or remove call takes (§2.2).
const batchSize = 50

// Per-member error codes that mean the change is already made.
const (
	codeAlreadyMember = "ALREADY_MEMBER"
	codeNotAMember    = "NOT_A_MEMBER"
)

// Apply makes the calls of one planned action. Requests per action:
// create-user 1 invite + 1 property (+ the directory search pages after an unknown
// outcome); update-user 1 per changed group (role: an invite; profile: a
// PATCH); delete-user 1; create-team 1 create + ⌈adds/50⌉ + 1 if the caller
// is removed + enable-ops attempts + polls (at least 4 in all); update-team
// 1; delete-team 1; add-member and remove-member 1.
func (t *Target) Apply(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	if ids == nil {
		ids = &target.IDs{}
	}
	var note string
	var err error
	switch a.Type {
	case planner.CreateUser:
		note, err = t.createUser(ctx, a, ids)
	case planner.UpdateUser:
		note, err = t.updateUser(ctx, a, ids)
	case planner.DeleteUser:
		note, err = t.deleteUser(ctx, a, ids)
	case planner.CreateTeam:
		note, err = t.createTeam(ctx, a, ids)
	case planner.UpdateTeam:
		note, err = t.updateTeam(ctx, a, ids)
	case planner.DeleteTeam:
		note, err = t.deleteTeam(ctx, a, ids)
	case planner.AddMember, planner.RemoveMember:
		note, err = t.member(ctx, a, ids)
	case planner.ChangeMemberRole:
		err = errors.New("member roles cannot be changed on Atlassian once operations are enabled (no API; JSDCLOUD-17225): the planner must not plan this")
	default:
		err = fmt.Errorf("unknown action type %q", a.Type)
	}
	if err != nil {
		return t.redact(note), t.scrub(fmt.Errorf("%s: %w", a.ID, err))
	}
	return t.redact(note), nil
}

// userID resolves the accountId of the action's user: the plan's id, one
// created in this apply, or the last read's.
func (t *Target) userID(username, id string, ids *target.IDs) string {
	if id != "" {
		return id
	}
	if id = ids.User(username); id != "" {
		return id
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.accounts[model.NormalizeUsername(username)]
}

func (t *Target) teamID(name, id string, ids *target.IDs) string {
	if id != "" {
		return id
	}
	return ids.Team(name)
}

func (t *Target) jsmResource() string { return "ari:cloud:" + ProductJSM + "::site/" + t.opts.CloudID }

// invite invites e-mail with the JSM role role (also how an existing
// account's JSM role is set: the invite grants the permission rule) and
// returns its accountId. An invite with no answer is looked up in the
// directory before it is sent again.
func (t *Target) invite(ctx context.Context, email, role string) (string, error) {
	body := map[string]any{"emails": []string{email}, "sendNotification": true,
		"permissionRules": []map[string]string{{"resource": t.jsmResource(), "role": "atlassian/" + role}}}
	c := call{api: apiAdmin, method: http.MethodPost, path: "/admin/v2/orgs/" + t.opts.OrgID + "/users/invite",
		route: "/admin/v2/orgs/{orgId}/users/invite", body: body, unsafe: true}
	for try := 0; ; try++ {
		var ans struct {
			Data []struct {
				Email     string `json:"email"`
				AccountID string `json:"accountId"`
			} `json:"data"`
		}
		err := t.sendJSON(ctx, c, &ans)
		if err == nil {
			for _, d := range ans.Data {
				if strings.EqualFold(d.Email, email) && d.AccountID != "" {
					return d.AccountID, nil
				}
			}
			return "", &MalformedError{Method: c.method, Route: c.route, Where: "data", Problem: "no accountId for the invited address"}
		}
		if !errors.Is(err, ErrUnknownOutcome) || try >= t.opts.MaxRetries {
			return "", err
		}
		u, lerr := t.lookupAccount(ctx, email)
		if lerr != nil {
			return "", fmt.Errorf("%w; looking it up: %w", err, lerr)
		}
		if u != nil && u.jsmRole() == role {
			return u.AccountID, nil
		}
		if werr := t.opts.Sleep(ctx, t.backoff(try)); werr != nil {
			return "", werr
		}
	}
}

// callerID returns the accountId of the account ogsync signs in with: from
// the last Read, else looked up in the directory ("" if it has none).
func (t *Target) callerID(ctx context.Context) (string, error) {
	t.mu.Lock()
	caller := t.caller
	t.mu.Unlock()
	if caller != "" {
		return caller, nil
	}
	u, err := t.lookupAccount(ctx, t.opts.Email)
	if err != nil || u == nil {
		return "", err
	}
	t.mu.Lock()
	t.caller = u.AccountID
	t.mu.Unlock()
	return u.AccountID, nil
}

// lookupAccount finds an account of the directory by e-mail; nil if none.
// Every page the search matches is read: a short address is part of
// others, which may fill the first page.
func (t *Target) lookupAccount(ctx context.Context, email string) (*dirUser, error) {
	dir, err := t.readDirectory(ctx, email)
	if err != nil {
		return nil, err
	}
	for i, u := range dir {
		if strings.EqualFold(u.Email, email) {
			return &dir[i], nil
		}
	}
	return nil, nil
}

func (t *Target) createUser(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	if a.After == nil || a.After.User == nil {
		return "", errors.New("create-user without the user")
	}
	u := a.After.User
	id, err := t.invite(ctx, a.User, JSMRole(deref(u.Role)))
	if err != nil {
		return "", err
	}
	ids.SetUser(a.User, id)
	t.mu.Lock()
	t.accounts[model.NormalizeUsername(a.User)], t.emails[id] = id, model.NormalizeUsername(a.User)
	t.mu.Unlock()
	if u.Details != nil {
		if v, ok := (*u.Details)[t.opts.MarkerKey]; ok {
			if err := t.setMarker(ctx, id, v); err != nil {
				return "", fmt.Errorf("invited (accountId %s), but the ownership marker was not set: %w", id, err)
			}
		}
	}
	return "invited with JSM role " + JSMRole(deref(u.Role)) + "; profile fields are the account owner's until the account is managed", nil
}

// setMarker writes the ownership marker property (idempotent: a PUT).
func (t *Target) setMarker(ctx context.Context, accountID string, value []string) error {
	var v any = value
	if len(value) == 1 {
		v = value[0]
	}
	c := call{api: apiJira, method: http.MethodPut, path: "/user/properties/" + UserProperty, route: "/user/properties/{key}",
		query: url.Values{"accountId": {accountID}}, body: map[string]any{t.opts.MarkerKey: v}}
	return t.sendJSON(ctx, c, nil)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (t *Target) updateUser(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	if a.After == nil || a.After.User == nil {
		return "", errors.New("update-user without the fields")
	}
	u := a.After.User
	id := t.userID(a.User, a.UserID, ids)
	if id == "" {
		return "", fmt.Errorf("no accountId for %s", a.User)
	}
	var notes []string
	profile := map[string]string{}
	for _, f := range a.Fields {
		switch f {
		case "role":
			role := JSMRole(deref(u.Role))
			if role != "admin" && t.isCaller(a.User, id) {
				return "", fmt.Errorf("refusing to set the JSM role of the account ogsync itself signs in with to %s: it needs JSM admin", role)
			}
			if _, err := t.invite(ctx, a.User, role); err != nil {
				return "", err
			}
			notes = append(notes, "JSM role set to "+role)
		case "fullName":
			profile["name"] = deref(u.FullName)
		case "timeZone":
			profile["zoneinfo"] = deref(u.TimeZone)
		case "locale":
			profile["locale"] = deref(u.Locale)
		default:
			return "", fmt.Errorf("field %s cannot be managed on Atlassian: the planner must not plan it", f)
		}
	}
	if len(profile) > 0 {
		c := call{api: apiAdmin, method: http.MethodPatch, path: "/users/" + url.PathEscape(id) + "/manage/profile",
			route: "/users/{accountId}/manage/profile", body: profile}
		if err := t.sendJSON(ctx, c, nil); err != nil {
			if StatusOf(err) == http.StatusForbidden {
				return "", fmt.Errorf("the profile of %s belongs to its owner (the org does not manage the account): %w", a.User, err)
			}
			return "", err
		}
		keys := slices.Sorted(maps.Keys(profile))
		notes = append(notes, "profile "+strings.Join(keys, ", ")+" set")
	}
	return strings.Join(notes, "; "), nil
}

// isCaller reports whether the account named by username or accountID is
// the one ogsync signs in with.
func (t *Target) isCaller(username, accountID string) bool {
	t.mu.Lock()
	caller := t.caller
	t.mu.Unlock()
	return (caller != "" && accountID == caller) || model.NormalizeUsername(username) == model.NormalizeUsername(t.opts.Email)
}

// deleteUser removes the account's product access on the site (Jira
// DELETE /user): reversible by a new invite, and the account keeps its
// other sites. The account of the token itself is never removed.
func (t *Target) deleteUser(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	id := t.userID(a.User, a.UserID, ids)
	if id == "" {
		return "", fmt.Errorf("no accountId for %s", a.User)
	}
	if t.isCaller(a.User, id) {
		return "", errors.New("refusing to remove the access of the account ogsync itself signs in with")
	}
	c := call{api: apiJira, method: http.MethodDelete, path: "/user", route: "/user", query: url.Values{"accountId": {id}}}
	if _, _, err := t.do(ctx, c); err != nil {
		if StatusOf(err) == http.StatusNotFound {
			return "already gone from the site", nil
		}
		return "", err
	}
	return "product access on the site removed; the Atlassian account remains", nil
}

// createTeam creates the team, removes the auto-added caller unless
// declared, adds the declared members in batches, enables operations with
// the declared admins (retrying while the team is not yet visible to JSM
// Operations) and polls the request. If a step after the create fails, the
// half-made team is deleted, as the official provider does, so that the
// next cycle starts over.
func (t *Target) createTeam(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	if a.After == nil || a.After.Team == nil {
		return "", errors.New("create-team without the team")
	}
	d := a.After.Team
	desc := WithTeamMarker(deref(d.Description))
	if n := len([]rune(desc)); n > maxDescription {
		return "", fmt.Errorf("the description is %d characters (the ownership marker included); Atlassian takes %d", n, maxDescription)
	}
	var want, admins []string
	if d.Members != nil {
		for _, m := range *d.Members {
			uid := t.userID(m.Username, m.UserID, ids)
			if uid == "" {
				return "", fmt.Errorf("no accountId for member %s", m.Username)
			}
			want = append(want, uid)
			if m.Role == model.MemberRoleAdmin {
				admins = append(admins, uid)
			}
		}
	}
	id, initial, err := t.postTeam(ctx, d.Name, desc)
	if err != nil {
		return "", err
	}
	ids.SetTeam(d.Name, id)
	t.mu.Lock()
	t.marked[id] = true
	t.mu.Unlock()
	note, err := t.fillTeam(ctx, id, want, admins, initial)
	if err != nil {
		derr := t.sendJSON(context.WithoutCancel(ctx), call{api: apiTeams, method: http.MethodDelete, path: "/teams/" + url.PathEscape(id), route: "/teams/{teamId}"}, nil)
		if derr != nil && StatusOf(derr) != http.StatusGone {
			return "", fmt.Errorf("team %s created (id %s) but not completed: %w; deleting it failed too: %w", d.Name, id, err, derr)
		}
		return "", fmt.Errorf("team %s created but not completed, so deleted again: %w", d.Name, err)
	}
	return note, nil
}

// postTeam creates a team and returns its id and initial members. After
// an unknown outcome the team list is searched for it before a re-send;
// a team the last Read saw existed before this create and is never taken
// for it (a failed create deletes the team it returns).
func (t *Target) postTeam(ctx context.Context, name, desc string) (string, []string, error) {
	t.mu.Lock()
	before := maps.Clone(t.marked)
	t.mu.Unlock()
	body := map[string]any{"displayName": name, "description": desc, "teamType": "MEMBER_INVITE", "siteId": t.opts.CloudID}
	c := call{api: apiTeams, method: http.MethodPost, path: "/teams", route: "/teams", body: body, unsafe: true}
	for try := 0; ; try++ {
		var ans struct {
			TeamID  string `json:"teamId"`
			Members []struct {
				AccountID string `json:"accountId"`
			} `json:"members"`
		}
		err := t.sendJSON(ctx, c, &ans)
		if err == nil {
			if ans.TeamID == "" {
				return "", nil, &MalformedError{Method: c.method, Route: c.route, Where: "body", Problem: "teamId is empty"}
			}
			var ms []string
			for _, m := range ans.Members {
				ms = append(ms, m.AccountID)
			}
			return ans.TeamID, ms, nil
		}
		if !errors.Is(err, ErrUnknownOutcome) || try >= t.opts.MaxRetries {
			return "", nil, err
		}
		teams, lerr := t.readTeams(ctx)
		if lerr != nil {
			return "", nil, fmt.Errorf("%w; looking it up: %w", err, lerr)
		}
		for _, tm := range teams {
			if _, seen := before[tm.TeamID]; !seen && strings.EqualFold(tm.DisplayName, name) && HasTeamMarker(tm.Description) {
				ms, merr := t.readMembers(ctx, tm.TeamID)
				// Of the members found, only the caller is the create's
				// doing: whoever else is there was added by someone else
				// since, and is not ours to remove.
				caller, cerr := t.callerID(ctx)
				ms = slices.DeleteFunc(ms, func(id string) bool { return id != caller })
				return tm.TeamID, ms, errors.Join(merr, cerr)
			}
		}
		if werr := t.opts.Sleep(ctx, t.backoff(try)); werr != nil {
			return "", nil, werr
		}
	}
}

func (t *Target) fillTeam(ctx context.Context, id string, want, admins, initial []string) (string, error) {
	var add, remove []string
	for _, w := range want {
		if !slices.Contains(initial, w) {
			add = append(add, w)
		}
	}
	for _, m := range initial {
		if !slices.Contains(want, m) {
			remove = append(remove, m)
		}
	}
	for batch := range slices.Chunk(add, batchSize) {
		if err := t.members(ctx, id, "add", batch); err != nil {
			return "", err
		}
	}
	for batch := range slices.Chunk(remove, batchSize) {
		if err := t.members(ctx, id, "remove", batch); err != nil {
			return "", err
		}
	}
	if err := t.enableOps(ctx, id, admins); err != nil {
		return "", err
	}
	return fmt.Sprintf("created with %d members (%d added, %d auto-added removed); operations enabled with %d admins", len(want), len(add), len(remove), len(admins)), nil
}

// members adds or removes up to 50 members and checks every per-member
// error: ALREADY_MEMBER on an add and NOT_A_MEMBER on a remove mean the
// change is made (a re-sent batch meets them).
func (t *Target) members(ctx context.Context, teamID, op string, accountIDs []string) error {
	ms := make([]map[string]string, len(accountIDs))
	for i, id := range accountIDs {
		ms[i] = map[string]string{"accountId": id}
	}
	c := call{api: apiTeams, method: http.MethodPost, path: "/teams/" + url.PathEscape(teamID) + "/members/" + op,
		route: "/teams/{teamId}/members/" + op, body: map[string]any{"members": ms}}
	var ans struct {
		Errors *[]struct {
			AccountID string `json:"accountId"`
			Code      string `json:"code"`
			Message   string `json:"message"`
		} `json:"errors"`
	}
	if err := t.sendJSON(ctx, c, &ans); err != nil {
		return err
	}
	if ans.Errors == nil {
		return &MalformedError{Method: c.method, Route: c.route, Where: "body", Problem: "no errors list (the per-member outcome is unknown)"}
	}
	var failed []string
	for _, e := range *ans.Errors {
		if (op == "add" && e.Code == codeAlreadyMember) || (op == "remove" && e.Code == codeNotAMember) {
			continue
		}
		failed = append(failed, fmt.Sprintf("%s: %s %s", e.AccountID, t.redact(e.Code), truncate(t.redact(e.Message), 200)))
	}
	if len(failed) > 0 {
		slices.Sort(failed)
		return fmt.Errorf("atlassian teams: POST %s: %d of %d members failed: %s", c.route, len(failed), len(accountIDs), strings.Join(failed, "; "))
	}
	return nil
}

// enableOps enables JSM Operations on a new team. A new team is invisible
// to Operations for a moment (404 or 422): retried with backoff. 409 means
// it is already enabled. Then the request is polled until it succeeds.
func (t *Target) enableOps(ctx context.Context, teamID string, admins []string) error {
	c := call{api: apiOps, method: http.MethodPost, path: "/v1/teams/" + url.PathEscape(teamID) + "/enable-ops",
		route: "/v1/teams/{teamId}/enable-ops", body: map[string]any{"adminAccountIds": orEmpty(admins)}}
	var requestID string
	for try := 0; ; try++ {
		var ans struct {
			RequestID string `json:"requestId"`
		}
		err := t.sendJSON(ctx, c, &ans)
		if err == nil {
			if ans.RequestID == "" {
				return &MalformedError{Method: c.method, Route: c.route, Where: "body", Problem: "requestId is empty"}
			}
			requestID = ans.RequestID
			break
		}
		st := StatusOf(err)
		if st == http.StatusConflict {
			return nil // already enabled (a re-sent enable meets it)
		}
		if (st != http.StatusNotFound && st != http.StatusUnprocessableEntity) || try+1 >= t.opts.EnableOpsAttempts {
			return fmt.Errorf("enabling operations: %w", err)
		}
		if err := t.opts.Sleep(ctx, t.backoff(try)); err != nil {
			return err
		}
	}
	poll := call{api: apiOps, path: "/v1/teams/" + url.PathEscape(teamID) + "/requests/" + url.PathEscape(requestID), route: "/v1/teams/{teamId}/requests/{requestId}"}
	for try := 0; ; try++ {
		var ans struct {
			Status *struct {
				Value string `json:"value"`
			} `json:"status"`
		}
		if err := t.getJSON(ctx, poll, &ans); err != nil {
			return fmt.Errorf("polling the enable-ops request: %w", err)
		}
		if ans.Status == nil {
			return &MalformedError{Method: http.MethodGet, Route: poll.route, Where: "body", Problem: "no status"}
		}
		switch ans.Status.Value {
		case "SUCCESSFUL":
			return nil
		case "FAILED":
			return errors.New("enabling operations: the request FAILED")
		case "IN_PROGRESS":
		default:
			return &MalformedError{Method: http.MethodGet, Route: poll.route, Where: "status.value", Problem: fmt.Sprintf("unknown status %q", ans.Status.Value)}
		}
		if try+1 >= t.opts.EnableOpsAttempts {
			return errors.New("enabling operations: the request is still IN_PROGRESS")
		}
		if err := t.opts.Sleep(ctx, t.backoff(try)); err != nil {
			return err
		}
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (t *Target) updateTeam(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	if a.After == nil || a.After.Team == nil {
		return "", errors.New("update-team without the fields")
	}
	id := t.teamID(a.Team, a.TeamID, ids)
	if id == "" {
		return "", fmt.Errorf("no team id for %s", a.Team)
	}
	body := map[string]string{}
	for _, f := range a.Fields {
		switch f {
		case "name":
			body["displayName"] = a.After.Team.Name
		case "description":
			desc := deref(a.After.Team.Description)
			t.mu.Lock()
			if t.marked[id] {
				desc = WithTeamMarker(desc) // keep the ownership marker
			}
			t.mu.Unlock()
			if n := len([]rune(desc)); n > maxDescription {
				return "", fmt.Errorf("the description is %d characters (the ownership marker included); Atlassian takes %d", n, maxDescription)
			}
			body["description"] = desc
		default:
			return "", fmt.Errorf("team field %s is unknown", f)
		}
	}
	c := call{api: apiTeams, method: http.MethodPatch, path: "/teams/" + url.PathEscape(id), route: "/teams/{teamId}", body: body}
	return "", t.sendJSON(ctx, c, nil)
}

// deleteTeam deletes the team (reversible with /restore). A team already
// deleted (410) or unknown (404) is gone: done.
func (t *Target) deleteTeam(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	id := t.teamID(a.Team, a.TeamID, ids)
	if id == "" {
		return "", fmt.Errorf("no team id for %s", a.Team)
	}
	c := call{api: apiTeams, method: http.MethodDelete, path: "/teams/" + url.PathEscape(id), route: "/teams/{teamId}"}
	if _, _, err := t.do(ctx, c); err != nil {
		if s := StatusOf(err); s == http.StatusGone || s == http.StatusNotFound {
			return "already deleted", nil
		}
		return "", err
	}
	return "deleted (restorable through the Teams API)", nil
}

// member adds or removes one member: one call with a batch of one.
func (t *Target) member(ctx context.Context, a *planner.Action, ids *target.IDs) (string, error) {
	tid := t.teamID(a.Team, a.TeamID, ids)
	uid := t.userID(a.User, a.UserID, ids)
	if tid == "" || uid == "" {
		return "", fmt.Errorf("no team id or accountId (team %q, user %q)", a.Team, a.User)
	}
	op := "add"
	if a.Type == planner.RemoveMember {
		op = "remove"
	}
	if err := t.members(ctx, tid, op, []string{uid}); err != nil {
		return "", err
	}
	if op == "add" && a.After != nil && a.After.Role == model.MemberRoleAdmin {
		return "added as a member: team admins cannot be set after operations are enabled", nil
	}
	return "", nil
}
