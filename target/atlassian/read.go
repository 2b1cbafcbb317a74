package atlassian

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ogsync/ogsync/model"
)

// Page sizes: the directory's maximum (Q5; the emulator's default), the
// Teams list's documented maximum, the members read's (Q1, what the
// official provider sends) and the Jira list's maximum.
const (
	directoryPage = 100
	teamsPage     = 300
	membersPage   = 50
	jiraPage      = 1000
	// maxPages bounds every paged read: a server that never stops paging
	// fails the read instead of looping.
	maxPages = 10000
)

// ProductJSM is the product key of Jira Service Management.
const ProductJSM = "jira-servicedesk"

// dirUser is a user of the org directory (admin v2).
type dirUser struct {
	AccountID     string `json:"accountId"`
	Name          string `json:"name"`
	Email         string `json:"email"`
	Status        string `json:"status"`
	ClaimStatus   string `json:"claimStatus"`
	ProductAccess *[]struct {
		Product string `json:"product"`
		Role    string `json:"role"`
	} `json:"productAccess"`
}

// jsmRole returns the user's role on JSM ("user", "admin", …), "" without access.
func (u *dirUser) jsmRole() string {
	for _, pa := range *u.ProductAccess {
		if pa.Product == ProductJSM {
			r, _ := strings.CutPrefix(pa.Role, "atlassian/")
			return r
		}
	}
	return ""
}

// JSMRole returns the JSM product role an ogsync account role maps to
// (reference §5): Owner and Admin become "admin", Stakeholder
// "stakeholder", every other role (User, Observer, custom roles) "user".
func JSMRole(role string) string {
	r, _ := model.CanonicalBuiltinRole(role)
	switch r {
	case model.RoleOwner, model.RoleAdmin:
		return "admin"
	case model.RoleStakeholder:
		return "stakeholder"
	}
	return "user"
}

// accountRole is the role Read reports for a JSM role: the declared role
// when it maps to that JSM role (the mapping is many-to-one, so the
// declared spelling is the only faithful one), else the canonical one.
func accountRole(jsm string, declared *string) string {
	if declared != nil && JSMRole(*declared) == jsm {
		return *declared
	}
	switch jsm {
	case "admin":
		return model.RoleAdmin
	case "stakeholder":
		return model.RoleStakeholder
	case "user":
		return model.RoleUser
	}
	return strings.ToUpper(jsm[:1]) + jsm[1:] // a role with no OpsGenie counterpart, shown as is
}

// Read reads the roster. Requests, with N the directory's accounts,
// T_org the org's teams, m_t the members of a declared team t whose
// members are managed, P the JSM users the desired state does not declare
// (ogsync's own account aside) and M the declared managed accounts with a declared time zone or locale:
//
//	⌈N/100⌉ + ⌈T_org/300⌉ + Σ_t max(1, ⌈m_t/50⌉) + P + (M > 0 ? max(1, ⌈N/1000⌉) : 0)
//
// (each list costs at least one request; with Options.AllMembers the sum
// runs over every team of the org). The users are the directory
// accounts with JSM access, except the account ogsync signs in with when
// it is not declared (it must never be planned for deletion); a member who
// is not one is named by e-mail all the same. What cannot be read is reported as declared, so that it never
// shows as a difference: member roles, tags, details other than the marker,
// custom roles, and the profile of accounts the org does not manage.
func (t *Target) Read(ctx context.Context, desired *model.Desired) (*model.Current, error) {
	cur, err := t.read(ctx, desired)
	return cur, t.scrub(err)
}

func (t *Target) read(ctx context.Context, desired *model.Desired) (*model.Current, error) {
	if desired == nil {
		desired = &model.Desired{}
	}
	declared := map[string]*model.User{}
	for i := range desired.Users {
		declared[model.NormalizeUsername(desired.Users[i].Username)] = &desired.Users[i]
	}
	dir, err := t.readDirectory(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("reading the org directory: %w", err)
	}
	emails := make(map[string]string, len(dir))
	accounts := make(map[string]string, len(dir))
	for _, u := range dir {
		e := model.NormalizeUsername(u.Email)
		emails[u.AccountID], accounts[e] = e, u.AccountID
	}
	users, err := t.readUsers(ctx, dir, declared)
	if err != nil {
		return nil, err
	}
	teams, marked, err := t.readRosterTeams(ctx, desired.Teams, emails)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(users, func(a, b model.User) int { return strings.Compare(a.Username, b.Username) })
	slices.SortFunc(teams, func(a, b model.Team) int { return strings.Compare(a.Name, b.Name) })
	t.mu.Lock()
	t.emails, t.accounts, t.marked = emails, accounts, marked
	t.caller = accounts[model.NormalizeUsername(t.opts.Email)]
	t.mu.Unlock()
	return &model.Current{Users: users, Teams: teams, CustomRoles: slices.Clone(desired.CustomRoles)}, nil
}

// readUsers turns the directory's JSM users into the current users (see
// Read), reading the Jira profiles when a managed account declares a time
// zone or locale, and the ownership marker of every undeclared user.
func (t *Target) readUsers(ctx context.Context, dir []dirUser, declared map[string]*model.User) ([]model.User, error) {
	var jira map[string]jiraUser
	for _, u := range dir {
		d := declared[model.NormalizeUsername(u.Email)]
		if d != nil && u.ClaimStatus == "managed" && (d.TimeZone != nil || d.Locale != nil) && u.jsmRole() != "" {
			var err error
			if jira, err = t.readJiraUsers(ctx); err != nil {
				return nil, fmt.Errorf("reading the Jira users: %w", err)
			}
			break
		}
	}
	users := []model.User{}
	for _, u := range dir {
		jsm := u.jsmRole()
		if jsm == "" {
			continue // not on the JSM roster: no access, or access removed
		}
		name := model.NormalizeUsername(u.Email)
		d := declared[name]
		if d == nil && name == model.NormalizeUsername(t.opts.Email) {
			continue // ogsync's own account: never a candidate for deletion
		}
		cu := currentUser(u, jsm, d, jira)
		if d == nil {
			details, err := t.readMarker(ctx, u.AccountID)
			if err != nil {
				return nil, fmt.Errorf("reading the ownership marker of %s: %w", name, err)
			}
			if details != nil {
				cu.Details = &details
			}
		}
		users = append(users, cu)
	}
	return users, nil
}

// currentUser is a directory user with JSM role jsm as Read reports it:
// what cannot be read (the profile of an account the org does not manage,
// tags, details) is taken from its declaration d, if any.
func currentUser(u dirUser, jsm string, d *model.User, jira map[string]jiraUser) model.User {
	cu := model.User{ID: u.AccountID, Username: model.NormalizeUsername(u.Email), Blocked: u.Status != "active", Verified: true}
	cu.Role = model.Ptr(accountRole(jsm, field(d, func(d *model.User) *string { return d.Role })))
	cu.FullName = model.Ptr(u.Name)
	if u.ClaimStatus == "managed" {
		if j, ok := jira[u.AccountID]; ok {
			cu.TimeZone, cu.Locale = model.Ptr(j.TimeZone), model.Ptr(j.Locale)
		}
	} else if d != nil {
		// The account's owner controls its profile: report the declared values.
		cu.FullName = cmpPtr(d.FullName, cu.FullName)
		cu.TimeZone, cu.Locale = d.TimeZone, d.Locale
	}
	if d != nil {
		if d.Tags != nil {
			cu.Tags = model.Ptr(slices.Clone(*d.Tags))
		}
		if d.Details != nil {
			cu.Details = model.Ptr(maps.Clone(*d.Details))
		}
	}
	return cu
}

// readRosterTeams reads the org's teams, and the members of those whose
// members are managed (every team with Options.AllMembers), named by the
// e-mails of the directory. It returns which teams carry the ogsync marker.
func (t *Target) readRosterTeams(ctx context.Context, desired []model.Team, emails map[string]string) ([]model.Team, map[string]bool, error) {
	teams, err := t.readTeams(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the teams: %w", err)
	}
	wantMembers := map[string]*model.Team{}
	for i := range desired {
		if desired[i].Members != nil {
			wantMembers[strings.ToLower(desired[i].Name)] = &desired[i]
		}
	}
	managed := func(tm team) bool { return t.opts.AllMembers || wantMembers[strings.ToLower(tm.DisplayName)] != nil }
	memberIDs, err := t.readMemberIDs(ctx, teams, managed)
	if err != nil {
		return nil, nil, err
	}
	out := []model.Team{}
	marked := map[string]bool{}
	for i, tm := range teams {
		ct := model.Team{ID: tm.TeamID, Name: tm.DisplayName, Description: model.Ptr(StripTeamMarker(tm.Description))}
		marked[tm.TeamID] = HasTeamMarker(tm.Description)
		if managed(tm) {
			ct.Members = currentMembers(memberIDs[i], wantMembers[strings.ToLower(tm.DisplayName)], emails)
		}
		out = append(out, ct)
	}
	return out, marked, nil
}

// readMemberIDs reads the member account ids of the teams managed says,
// concurrently (Options.Concurrency bounds the requests in flight); the
// result is indexed like teams. Every error is returned.
func (t *Target) readMemberIDs(ctx context.Context, teams []team, managed func(team) bool) ([][]string, error) {
	memberIDs := make([][]string, len(teams))
	errs := make([]error, len(teams))
	var wg sync.WaitGroup
	for i, tm := range teams {
		if !managed(tm) {
			continue
		}
		wg.Go(func() {
			memberIDs[i], errs[i] = t.readMembers(ctx, tm.TeamID)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("reading the members of team %s: %w", tm.DisplayName, errs[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return memberIDs, nil
}

// currentMembers names a team's member ids by e-mail. Member roles cannot
// be read (§3.3): a member declared in d is reported with its declared
// role, any other as a user.
func currentMembers(ids []string, d *model.Team, emails map[string]string) *[]model.Member {
	roles := map[string]string{}
	if d != nil {
		for _, m := range *d.Members {
			roles[model.NormalizeUsername(m.Username)] = m.Role
		}
	}
	ms := make([]model.Member, 0, len(ids))
	for _, id := range ids {
		e := emails[id]
		role := model.MemberRoleUser
		if r, ok := roles[e]; ok && e != "" && r != "" {
			role = r
		}
		ms = append(ms, model.Member{Username: e, UserID: id, Role: role})
	}
	return &ms
}

func field(d *model.User, f func(*model.User) *string) *string {
	if d == nil {
		return nil
	}
	return f(d)
}

func cmpPtr(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

// readDirectory reads every account of the org directory with its product
// access; with a search term, every account it matches.
func (t *Target) readDirectory(ctx context.Context, searchTerm string) ([]dirUser, error) {
	const route = "/admin/v2/orgs/{orgId}/directories/-/users"
	var out []dirUser
	seenID, seenEmail, seenCursor := map[string]bool{}, map[string]bool{}, map[string]bool{}
	cursor := ""
	for page := 1; ; page++ {
		q := url.Values{"limit": {strconv.Itoa(directoryPage)}, "expand": {"productAccess"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if searchTerm != "" {
			q.Set("searchTerm", searchTerm)
		}
		var ans struct {
			Data  *[]dirUser `json:"data"`
			Links *struct {
				Next *string `json:"next"`
			} `json:"links"`
		}
		c := call{api: apiAdmin, path: "/admin/v2/orgs/" + t.opts.OrgID + "/directories/-/users", route: route, query: q}
		if err := t.getJSON(ctx, c, &ans); err != nil {
			return nil, err
		}
		bad := func(where, problem string) error {
			return &MalformedError{Method: http.MethodGet, Route: route, Where: fmt.Sprintf("page %d%s", page, where), Problem: problem}
		}
		if ans.Data == nil || ans.Links == nil {
			return nil, bad("", "no data or no links")
		}
		for i, u := range *ans.Data {
			where := fmt.Sprintf(", data[%d]", i)
			e := model.NormalizeUsername(u.Email)
			switch {
			case u.AccountID == "":
				return nil, bad(where, "accountId is empty")
			case e == "" || !strings.Contains(e, "@"):
				return nil, bad(where, "email is empty or not an e-mail address (the org API key must be an org admin's)")
			case u.ProductAccess == nil:
				return nil, bad(where, "productAccess is missing although it was expanded")
			case seenID[u.AccountID]:
				return nil, bad(where, "accountId "+u.AccountID+" listed twice")
			case seenEmail[e]:
				return nil, bad(where, "email "+e+" listed twice")
			}
			seenID[u.AccountID], seenEmail[e] = true, true
			out = append(out, u)
		}
		if ans.Links.Next == nil || *ans.Links.Next == "" {
			return out, nil
		}
		if seenCursor[*ans.Links.Next] || page >= maxPages {
			return nil, bad("", "links.next repeats a cursor")
		}
		cursor = *ans.Links.Next
		seenCursor[cursor] = true
	}
}

// team is a team of the Teams list.
type team struct {
	TeamID      string `json:"teamId"`
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
	State       string `json:"state"`
}

// readTeams reads every team of the org (on this site).
func (t *Target) readTeams(ctx context.Context) ([]team, error) {
	const route = "/teams"
	var out []team
	seenID, seenName, seenCursor := map[string]bool{}, map[string]string{}, map[string]bool{}
	cursor := ""
	for page := 1; ; page++ {
		q := url.Values{"siteId": {t.opts.CloudID}, "size": {strconv.Itoa(teamsPage)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var ans struct {
			Cursor   *string `json:"cursor"`
			Entities *[]team `json:"entities"`
		}
		if err := t.getJSON(ctx, call{api: apiTeams, path: "/teams", route: route, query: q}, &ans); err != nil {
			return nil, err
		}
		bad := func(where, problem string) error {
			return &MalformedError{Method: http.MethodGet, Route: route, Where: fmt.Sprintf("page %d%s", page, where), Problem: problem}
		}
		if ans.Entities == nil {
			return nil, bad("", "no entities")
		}
		for i, tm := range *ans.Entities {
			where := fmt.Sprintf(", entities[%d]", i)
			key := strings.ToLower(tm.DisplayName)
			switch {
			case tm.TeamID == "":
				return nil, bad(where, "teamId is empty")
			case strings.TrimSpace(tm.DisplayName) == "":
				return nil, bad(where, "displayName is empty")
			case seenID[tm.TeamID]:
				return nil, bad(where, "teamId "+tm.TeamID+" listed twice")
			case seenName[key] != "":
				return nil, bad(where, fmt.Sprintf("two teams are named %q (%s and %s): rename one, teams are matched by name", tm.DisplayName, seenName[key], tm.TeamID))
			}
			seenID[tm.TeamID], seenName[key] = true, tm.TeamID
			out = append(out, tm)
		}
		if ans.Cursor == nil || *ans.Cursor == "" {
			return out, nil
		}
		if seenCursor[*ans.Cursor] || page >= maxPages {
			return nil, bad("", "cursor repeats")
		}
		cursor = *ans.Cursor
		seenCursor[cursor] = true
	}
}

// readMembers reads the accountIds of a team's members, in pages of 50.
func (t *Target) readMembers(ctx context.Context, teamID string) ([]string, error) {
	const route = "/teams/{teamId}/members"
	var out []string
	seen, seenCursor := map[string]bool{}, map[string]bool{}
	var after *string
	for page := 1; ; page++ {
		var ans struct {
			Results  *[]struct{ AccountID string } `json:"results"`
			PageInfo *struct {
				EndCursor   *string `json:"endCursor"`
				HasNextPage *bool   `json:"hasNextPage"`
			} `json:"pageInfo"`
		}
		c := call{api: apiTeams, method: http.MethodPost, path: "/teams/" + url.PathEscape(teamID) + "/members", route: route, read: true,
			query: url.Values{"siteId": {t.opts.CloudID}}, body: map[string]any{"first": membersPage, "after": after}}
		if err := t.sendJSON(ctx, c, &ans); err != nil {
			return nil, err
		}
		bad := func(where, problem string) error {
			return &MalformedError{Method: http.MethodPost, Route: route, Where: fmt.Sprintf("page %d%s", page, where), Problem: problem}
		}
		if ans.Results == nil || ans.PageInfo == nil || ans.PageInfo.HasNextPage == nil {
			return nil, bad("", "no results or no pageInfo.hasNextPage")
		}
		for i, m := range *ans.Results {
			switch {
			case m.AccountID == "":
				return nil, bad(fmt.Sprintf(", results[%d]", i), "accountId is empty")
			case seen[m.AccountID]:
				return nil, bad(fmt.Sprintf(", results[%d]", i), "accountId "+m.AccountID+" listed twice")
			}
			seen[m.AccountID] = true
			out = append(out, m.AccountID)
		}
		if !*ans.PageInfo.HasNextPage {
			return out, nil
		}
		next := ans.PageInfo.EndCursor
		if next == nil || *next == "" || seenCursor[*next] || page >= maxPages {
			return nil, bad("", "hasNextPage without a new endCursor")
		}
		seenCursor[*next] = true
		after = next
	}
}

// jiraUser is a Jira user: the only place a time zone and locale are read.
type jiraUser struct {
	AccountID string `json:"accountId"`
	TimeZone  string `json:"timeZone"`
	Locale    string `json:"locale"`
}

// readJiraUsers lists every Jira user (1000 a page), by accountId.
func (t *Target) readJiraUsers(ctx context.Context) (map[string]jiraUser, error) {
	const route = "/users/search"
	out := map[string]jiraUser{}
	for page := 0; page < maxPages; page++ {
		var ans []jiraUser
		q := url.Values{"startAt": {strconv.Itoa(page * jiraPage)}, "maxResults": {strconv.Itoa(jiraPage)}}
		if err := t.getJSON(ctx, call{api: apiJira, path: "/users/search", route: route, query: q}, &ans); err != nil {
			return nil, err
		}
		for i, u := range ans {
			if u.AccountID == "" {
				return nil, &MalformedError{Method: http.MethodGet, Route: route, Where: fmt.Sprintf("page %d, [%d]", page+1, i), Problem: "accountId is empty"}
			}
			out[u.AccountID] = u
		}
		if len(ans) < jiraPage {
			return out, nil
		}
	}
	return nil, &MalformedError{Method: http.MethodGet, Route: route, Where: "every page", Problem: "the list never ends"}
}

// readMarker reads the ownership marker property of an account as Details; nil when absent.
func (t *Target) readMarker(ctx context.Context, accountID string) (map[string][]string, error) {
	const route = "/user/properties/{key}"
	var ans struct {
		Value json.RawMessage `json:"value"`
	}
	c := call{api: apiJira, path: "/user/properties/" + UserProperty, route: route, query: url.Values{"accountId": {accountID}}}
	if err := t.getJSON(ctx, c, &ans); err != nil {
		if StatusOf(err) == http.StatusNotFound {
			return nil, nil
		}
		return nil, err
	}
	d, ok := PropertyDetails(ans.Value)
	if !ok {
		t.log.WarnContext(ctx, "the ownership property is not an object of strings; ignored", "property", UserProperty)
		return nil, nil
	}
	return d, nil
}
