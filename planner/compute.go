package planner

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ogsync/ogsync/model"
)

// Compute returns the plan that makes current equal to desired within the
// scope and policies of opts, checked by the desired-state and plan-sanity
// safeguards (CheckDesired, CheckPlan). It does no I/O and reads no clock:
// the same inputs always give the same plan. The on-call audit needs facts
// from the account and runs separately (Plan.Audit).
//
// It fails only on invalid options or on a desired state that names the
// same user or team twice.
func Compute(desired model.Desired, current model.Current, opts Options) (*Plan, error) {
	c, err := opts.compile()
	if err != nil {
		return nil, err
	}
	caps := FullCapabilities("")
	if opts.Capabilities != nil {
		caps = *opts.Capabilities
	}
	b := &builder{
		opts:     c,
		caps:     caps,
		fullCaps: caps.full(),
		cmp:      newComparer(current.CustomRoles),
		curUsers: make(map[string]*model.User, len(current.Users)),
		desUsers: make(map[string]*model.User, len(desired.Users)),
		desTeams: make(map[string]*model.Team, len(desired.Teams)),
		created:  map[string]string{},
		plan: &Plan{
			FormatVersion: FormatVersion,
			Revision:      desired.Revision,
			Policies:      opts.Policies,
			Ownership:     cmp.Or(opts.Ownership.Mode, OwnershipMarker),
		},
	}
	if err := b.index(desired, current); err != nil {
		return nil, err
	}
	b.users()
	b.teams()
	b.dependencies()
	p := b.plan
	sortPlan(p)
	p.Violations = append(CheckDesired(desired, current, opts), CheckPlan(p, opts.Safeguards)...)
	p.summarize()
	return p, nil
}

// builder holds the indexes of one Compute call.
type builder struct {
	opts     *compiled
	caps     Capabilities
	fullCaps bool
	cmp      *comparer
	curUsers map[string]*model.User // normalised username →
	desUsers map[string]*model.User
	desTeams map[string]*model.Team
	// userNames are the keys of the union of desired and current users, sorted.
	userNames []string
	// teamPairs match each desired team with its current team (by id, then
	// by name) and list the current teams no desired team matches, sorted.
	teamPairs []teamPair
	// memberRefs are the users some desired membership names.
	memberRefs map[string]bool

	plan *Plan
	// created maps a username to the ID of its create-user action.
	created map[string]string
	// promotions are the IDs of actions that add an Owner.
	promotions []string
	// removals maps a username to the IDs of the actions that take it out of a team.
	removals map[string][]string
	// have is members' map of a team's current members, reused.
	have map[string]model.Member
}

func (b *builder) index(desired model.Desired, current model.Current) error {
	for i := range current.Users {
		u := &current.Users[i]
		b.curUsers[model.NormalizeUsername(u.Username)] = u
		if r := u.Role; r != nil && b.cmp.role(*r) == model.RoleOwner {
			b.plan.Baseline.Owners++
		}
		if _, ign := b.opts.ignoredUser(model.NormalizeUsername(u.Username)); !ign {
			b.plan.Baseline.Users++
		}
	}
	for i := range current.Teams {
		t := &current.Teams[i]
		if _, ign := b.opts.ignoredTeam(t.Name); !ign {
			b.plan.Baseline.Teams++
		}
	}
	var dups []string
	for i := range desired.Users {
		u := &desired.Users[i]
		k := model.NormalizeUsername(u.Username)
		if prev, ok := b.desUsers[k]; ok {
			dups = append(dups, fmt.Sprintf("user %s declared at %s and %s", k, orUnknown(prev.Origin), orUnknown(u.Origin)))
			continue
		}
		b.desUsers[k] = u
	}
	refs := 0
	for i := range desired.Teams {
		refs += len(members(&desired.Teams[i]))
	}
	b.memberRefs = make(map[string]bool, min(refs, len(desired.Users))) // most members are declared users
	for i := range desired.Teams {
		t := &desired.Teams[i]
		k := strings.ToLower(t.Name)
		if prev, ok := b.desTeams[k]; ok {
			dups = append(dups, fmt.Sprintf("team %s declared at %s and %s", t.Name, orUnknown(prev.Origin), orUnknown(t.Origin)))
			continue
		}
		b.desTeams[k] = t
		if t.Members != nil {
			for _, m := range *t.Members {
				b.memberRefs[model.NormalizeUsername(m.Username)] = true
			}
		}
	}
	if len(dups) > 0 {
		return fmt.Errorf("planning: desired state is ambiguous: %s", strings.Join(dups, "; "))
	}
	b.userNames = unionKeys(b.desUsers, b.curUsers)
	b.teamPairs = pairTeams(desired.Teams, current.Teams)
	return nil
}

// teamPair is a desired team and the current team it is matched with;
// either may be nil.
type teamPair struct {
	d, cur *model.Team
}

// name is the pair's team name: the desired one when declared.
func (p teamPair) name() string {
	if p.d != nil {
		return p.d.Name
	}
	return p.cur.Name
}

// pairTeams matches desired teams with current ones. A desired team with an
// id is matched with the current team of that id, whatever its name (so a
// rename on either side is a rename); the others, and those whose id no
// current team has, are matched by name, case-insensitively, with a current
// team no id claimed. The pairs are sorted by name, then current id.
func pairTeams(desired, current []model.Team) []teamPair {
	byID := make(map[string]*model.Team, len(current))
	byName := make(map[string]*model.Team, len(current))
	for i := range current {
		t := &current[i]
		byID[t.ID] = t
		byName[strings.ToLower(t.Name)] = t
	}
	used := make(map[*model.Team]bool, len(current))
	pairs := make([]teamPair, 0, max(len(desired), len(current)))
	seen := make(map[string]bool, len(desired))
	var byNameLater []*model.Team
	for i := range desired {
		d := &desired[i]
		if k := strings.ToLower(d.Name); seen[k] {
			continue // reported by index as ambiguous
		} else {
			seen[k] = true
		}
		if c := byID[d.ID]; d.ID != "" && c != nil && !used[c] {
			used[c] = true
			pairs = append(pairs, teamPair{d: d, cur: c})
			continue
		}
		byNameLater = append(byNameLater, d)
	}
	for _, d := range byNameLater {
		c := byName[strings.ToLower(d.Name)]
		if c != nil && used[c] {
			c = nil
		}
		if c != nil {
			used[c] = true
		}
		pairs = append(pairs, teamPair{d: d, cur: c})
	}
	for i := range current {
		if c := &current[i]; !used[c] {
			pairs = append(pairs, teamPair{cur: c})
		}
	}
	slices.SortFunc(pairs, func(a, b teamPair) int {
		ida, idb := "", ""
		if a.cur != nil {
			ida = a.cur.ID
		}
		if b.cur != nil {
			idb = b.cur.ID
		}
		return cmp.Or(strings.Compare(strings.ToLower(a.name()), strings.ToLower(b.name())), strings.Compare(a.name(), b.name()), strings.Compare(ida, idb))
	})
	return pairs
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := make([]string, 0, max(len(a), len(b)))
	keys = slices.AppendSeq(keys, maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func orUnknown(origin string) string { return cmp.Or(origin, "(unknown)") }

func actionID(t ActionType, parts ...string) string {
	id := string(t)
	for _, p := range parts {
		if p != "" {
			id += ":" + p
		}
	}
	return id
}

func (b *builder) add(a *Action) *Action {
	a.ID = actionID(a.Type, a.Team, a.User)
	if a.Step == stepOfUnknownAction {
		a.Step = defaultStep(a.Type)
	}
	b.plan.Actions = append(b.plan.Actions, a)
	return a
}

func (b *builder) skip(t ActionType, team, user string, fields []string, reason string) {
	b.plan.Skipped = append(b.plan.Skipped, Skip{Type: t, Team: team, User: user, Fields: fields, Reason: reason})
}

func defaultStep(t ActionType) int {
	switch t {
	case CreateUser:
		return StepCreateUsers
	case CreateTeam:
		return StepCreateTeams
	case UpdateUser, UpdateTeam:
		return StepUpdates
	case AddMember:
		return StepAddMembers
	case ChangeMemberRole:
		return StepChangeRoles
	case RemoveMember:
		return StepRemoveMembers
	case DeleteTeam:
		return StepDeleteTeams
	case DeleteUser:
		return StepDeleteUsers
	}
	return stepOfUnknownAction
}

// users plans the user creates, updates and deletes.
func (b *builder) users() {
	for _, name := range b.userNames {
		d, cur := b.desUsers[name], b.curUsers[name]
		pattern, ignored := b.opts.ignoredUser(name)
		switch {
		case d != nil && cur == nil:
			if ignored {
				b.skip(CreateUser, "", name, nil, "matches ignore_users pattern "+pattern)
				continue
			}
			if !b.caps.CreateUsers {
				b.unmanageable(CreateUser, "", name, nil, "create-users")
				continue
			}
			md, dropped := b.manageableUser(d)
			if len(dropped) > 0 {
				b.unmanageable(CreateUser, "", name, dropped, b.whatsOf(dropped, d)...)
			}
			after := b.createBody(name, md)
			b.created[name] = b.add(&Action{
				Type: CreateUser, User: name, After: &Snapshot{User: after},
				Reason: "declared in the desired state, missing from the account", Origin: d.Origin,
			}).ID
			if str(after.Role) == model.RoleOwner {
				b.promotions = append(b.promotions, b.created[name])
			}
		case d != nil && cur != nil:
			md, _ := b.manageableUser(d)
			fields, before, after := b.diffUser(name, md, cur)
			all := fields
			if md != d {
				all, _, _ = b.diffUser(name, d, cur)
			}
			if len(all) == 0 {
				continue
			}
			if ignored {
				b.skip(UpdateUser, "", name, all, "matches ignore_users pattern "+pattern)
				continue
			}
			if b.opts.protected[name] {
				b.skip(UpdateUser, "", name, all, "protected user: never changed or deleted")
				continue
			}
			if un := without(all, fields); len(un) > 0 {
				b.unmanageable(UpdateUser, "", name, un, b.whatsOf(un, d)...)
			}
			if len(fields) == 0 {
				continue
			}
			if !b.opts.users.Allows(OpUpdate) {
				b.skip(UpdateUser, "", name, fields, "policy.users "+b.plan.Policies.Users+" does not update users")
				continue
			}
			a := &Action{
				Type: UpdateUser, User: name, UserID: cur.ID, Fields: fields,
				Before: &Snapshot{User: before}, After: &Snapshot{User: after},
				Reason: "differs from the desired state: " + strings.Join(fields, ", "), Origin: d.Origin,
			}
			wasOwner := b.cmp.role(str(cur.Role)) == model.RoleOwner
			if before.Role != nil && !wasOwner && *after.Role == model.RoleOwner {
				a.Step = StepPromotions
			} else if before.Role != nil && wasOwner {
				a.Step = StepDemotions
			}
			b.add(a)
			if a.Step == StepPromotions {
				b.promotions = append(b.promotions, a.ID)
			}
		case d == nil && cur != nil:
			b.deleteUser(name, cur, ignored)
		}
	}
}

// deleteUser plans the delete of a current user the desired state does not declare.
func (b *builder) deleteUser(name string, cur *model.User, ignored bool) {
	if ignored || b.opts.external[name] || b.memberRefs[name] {
		return
	}
	reason := "not declared; ownership mode adopt"
	if !b.opts.adopt {
		if !b.opts.hasMarker(cur) {
			return
		}
		reason = fmt.Sprintf("not declared; carries the ownership marker %s=%s", b.opts.markerKey, b.opts.markerVal)
	}
	if b.opts.protected[name] {
		b.skip(DeleteUser, "", name, nil, "protected user: never changed or deleted")
		return
	}
	if !b.opts.users.Allows(OpDelete) {
		b.skip(DeleteUser, "", name, nil, "policy.users "+cmp.Or(b.plan.Policies.Users, PolicyUpsertOnly)+" does not delete users")
		return
	}
	if !b.caps.DeleteUsers {
		b.unmanageable(DeleteUser, "", name, nil, "delete-users")
		return
	}
	before := *cur
	b.add(&Action{Type: DeleteUser, User: name, UserID: cur.ID, Before: &Snapshot{User: &before}, Reason: reason})
}

// createBody returns the user to create: the desired fields in canonical
// form, the role defaulting to User and the full name to the username (the
// API requires both), and the ownership marker added to the details.
func (b *builder) createBody(name string, d *model.User) *model.User {
	u := &model.User{Username: name}
	u.FullName = model.Ptr(cmpOr(d.FullName, name))
	u.Role = model.Ptr(b.cmp.role(cmpOr(d.Role, model.RoleUser)))
	if d.TimeZone != nil {
		u.TimeZone = model.Ptr(strings.TrimSpace(*d.TimeZone))
	}
	if d.Locale != nil {
		u.Locale = model.Ptr(strings.TrimSpace(*d.Locale))
	}
	if t := tagSet(d.Tags); t != nil {
		u.Tags = &t
	}
	details := detailMap(d.Details, b.opts.markerKey)
	if details == nil {
		details = map[string][]string{}
	}
	details[b.opts.markerKey] = []string{b.opts.markerVal}
	u.Details = &details
	return u
}

func cmpOr(p *string, def string) string {
	if p == nil || strings.TrimSpace(*p) == "" {
		return def
	}
	return *p
}

// diffUser compares the managed fields of a desired user with the current
// one. It returns the changed fields in a fixed order (fullName, role,
// timeZone, locale, tags, details) and the before and after values of just
// those fields.
func (b *builder) diffUser(name string, d, cur *model.User) (fields []string, before, after *model.User) {
	var role string
	if d.FullName != nil && *d.FullName != str(cur.FullName) {
		fields = append(fields, "fullName")
	}
	if d.Role != nil {
		if role = b.cmp.role(*d.Role); role != b.cmp.role(str(cur.Role)) {
			fields = append(fields, "role")
		}
	}
	if d.TimeZone != nil && !b.cmp.sameZone(*d.TimeZone, str(cur.TimeZone)) {
		fields = append(fields, "timeZone")
	}
	if d.Locale != nil && !sameLocale(*d.Locale, str(cur.Locale)) {
		fields = append(fields, "locale")
	}
	if d.Tags != nil && !sameTags(d.Tags, cur.Tags) {
		fields = append(fields, "tags")
	}
	if d.Details != nil && !sameDetailMaps(d.Details, cur.Details, b.opts.markerKey) {
		fields = append(fields, "details")
	}
	if len(fields) == 0 {
		return nil, nil, nil
	}
	before = &model.User{ID: cur.ID, Username: name}
	after = &model.User{ID: cur.ID, Username: name}
	for _, f := range fields {
		switch f {
		case "fullName":
			before.FullName, after.FullName = model.Ptr(str(cur.FullName)), model.Ptr(*d.FullName)
		case "role":
			before.Role, after.Role = model.Ptr(str(cur.Role)), model.Ptr(role)
		case "timeZone":
			before.TimeZone, after.TimeZone = model.Ptr(str(cur.TimeZone)), model.Ptr(strings.TrimSpace(*d.TimeZone))
		case "locale":
			before.Locale, after.Locale = model.Ptr(str(cur.Locale)), model.Ptr(strings.TrimSpace(*d.Locale))
		case "tags":
			before.Tags, after.Tags = orEmpty(tagSet(cur.Tags)), orEmpty(tagSet(d.Tags))
		case "details":
			full := map[string][]string{}
			if cur.Details != nil {
				maps.Copy(full, *cur.Details)
			}
			before.Details = &full
			next := detailMap(d.Details, b.opts.markerKey)
			if next == nil {
				next = map[string][]string{}
			}
			// The marker key is ogsync's: an update keeps whatever the account has there.
			if cur.Details != nil {
				if v, ok := (*cur.Details)[b.opts.markerKey]; ok {
					next[b.opts.markerKey] = slices.Clone(v)
				}
			}
			after.Details = &next
		}
	}
	return fields, before, after
}

func orEmpty(s []string) *[]string {
	if s == nil {
		s = []string{}
	}
	return &s
}

// teams plans the team creates, updates and deletes, and the membership changes.
func (b *builder) teams() {
	b.removals = map[string][]string{}
	renames := b.probableRenames()
	for _, pr := range b.teamPairs {
		d, cur := pr.d, pr.cur
		name := pr.name()
		pattern, ignored := b.opts.ignoredTeam(name)
		if cur != nil && d != nil && !ignored {
			// A team renamed on either side is in scope if either name is.
			pattern, ignored = b.opts.ignoredTeam(cur.Name)
		}
		switch {
		case d != nil && cur == nil:
			if ignored {
				b.skip(CreateTeam, name, "", nil, "matches ignore_teams pattern "+pattern)
				continue
			}
			a := b.createTeam(d)
			if r, ok := renames[d]; ok {
				a.block(fmt.Sprintf("probable rename: team %s (id %s) has exactly the members declared here and is not declared; "+
					"creating %s would duplicate it. Give this team `id: %s` in the desired state to rename it back, or declare it under its new name",
					r.Name, r.ID, d.Name, r.ID))
			}
		case d != nil && cur != nil:
			if ignored {
				if fields := b.teamFields(d, cur); len(fields) > 0 {
					b.skip(UpdateTeam, name, "", fields, "matches ignore_teams pattern "+pattern)
				}
				continue
			}
			b.updateTeam(d, cur)
			if d.Members != nil {
				b.plan.Baseline.Members += len(members(cur))
				b.members(d, cur)
			}
		case d == nil && cur != nil:
			if ignored || !b.opts.adopt {
				continue
			}
			if !b.opts.teams.Allows(OpDelete) {
				b.skip(DeleteTeam, name, "", nil, "policy.teams "+cmp.Or(b.plan.Policies.Teams, PolicyUpsertOnly)+" does not delete teams")
				continue
			}
			before := *cur
			if cur.Members != nil {
				// Sorted like every list of the plan, whatever order the
				// account gave; none dropped: each one is removed.
				before.Members = model.Ptr(slices.SortedFunc(slices.Values(*cur.Members), func(x, y model.Member) int {
					return cmp.Or(strings.Compare(x.Username, y.Username), strings.Compare(x.UserID, y.UserID))
				}))
			}
			n := len(members(cur))
			b.plan.Baseline.Members += n
			a := b.add(&Action{Type: DeleteTeam, Team: name, TeamID: cur.ID, Before: &Snapshot{Team: &before},
				Reason: fmt.Sprintf("not declared; ownership mode adopt; removes its %d %s with it", n, plural(n, "membership", "memberships"))})
			for d, r := range renames {
				if r == cur {
					a.block(fmt.Sprintf("probable rename: declared team %s has exactly this team's members; a rename is never a delete. "+
						"Give %s `id: %s` in the desired state to rename this team", d.Name, d.Name, cur.ID))
				}
			}
			for _, m := range members(cur) {
				u := model.NormalizeUsername(m.Username)
				b.removals[u] = append(b.removals[u], a.ID)
			}
		}
	}
}

// probableRenames finds the desired teams that match no current team but
// whose declared members are exactly those of one current team that matches
// no desired team (and of no other): most likely a team renamed on one side
// without an id to tell. It maps each such desired team to that current team.
func (b *builder) probableRenames() map[*model.Team]*model.Team {
	var news, olds []teamPair
	for _, p := range b.teamPairs {
		switch {
		case p.d != nil && p.cur == nil && p.d.Members != nil && len(*p.d.Members) > 0:
			news = append(news, p)
		case p.d == nil && p.cur != nil && len(members(p.cur)) > 0:
			olds = append(olds, p)
		}
	}
	if len(news) == 0 || len(olds) == 0 {
		return nil
	}
	// Members out of scope (ignored users, and members the account names by
	// an unknown id) are not compared: others add and remove them freely.
	key := func(ms []model.Member) string {
		names := make([]string, 0, len(ms))
		for _, m := range ms {
			u := model.NormalizeUsername(m.Username)
			if _, ign := b.opts.ignoredUser(u); ign || u == "" {
				continue
			}
			names = append(names, u)
		}
		slices.Sort(names)
		return strings.Join(slices.Compact(names), "\n")
	}
	oldByKey := map[string][]*model.Team{}
	for _, p := range olds {
		if k := key(members(p.cur)); k != "" {
			oldByKey[k] = append(oldByKey[k], p.cur)
		}
	}
	newByKey := map[string]int{}
	for _, p := range news {
		newByKey[key(*p.d.Members)]++
	}
	out := map[*model.Team]*model.Team{}
	for _, p := range news {
		k := key(*p.d.Members)
		if cands := oldByKey[k]; k != "" && len(cands) == 1 && newByKey[k] == 1 {
			out[p.d] = cands[0]
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func members(t *model.Team) []model.Member {
	if t.Members == nil {
		return nil
	}
	return *t.Members
}

// createTeam plans a team create with its members in the create body. A
// member that is neither in the account nor created by the plan gets a
// blocked add-member instead, so the team is still created.
func (b *builder) createTeam(d *model.Team) *Action {
	after := &model.Team{Name: d.Name, Description: d.Description}
	if d.Description != nil && !b.caps.TeamDescription {
		after.Description = nil
		b.unmanageable(CreateTeam, d.Name, "", []string{"description"}, "team-description")
	}
	var missing []model.Member
	if d.Members != nil {
		ms := []model.Member{}
		for _, m := range sortedMembers(*d.Members) {
			u := model.NormalizeUsername(m.Username)
			if pattern, ign := b.opts.ignoredUser(u); ign {
				b.skip(AddMember, d.Name, u, nil, "matches ignore_users pattern "+pattern)
				continue
			}
			if b.curUsers[u] == nil && b.created[u] == "" {
				missing = append(missing, m)
				continue
			}
			mm := model.Member{Username: u, Role: b.memberRole(d.Name, u, m.Role)}
			if cu := b.curUsers[u]; cu != nil {
				mm.UserID = cu.ID
			}
			ms = append(ms, mm)
		}
		after.Members = &ms
	}
	a := b.add(&Action{Type: CreateTeam, Team: d.Name, After: &Snapshot{Team: after},
		Reason: "declared in the desired state, missing from the account", Origin: d.Origin})
	for _, m := range missing {
		u := model.NormalizeUsername(m.Username)
		add := b.add(&Action{Type: AddMember, Team: d.Name, User: u, After: &Snapshot{Role: memberRole(m.Role)},
			Reason: "declared member of team " + d.Name, Origin: cmp.Or(m.Origin, d.Origin), DependsOn: []string{a.ID}})
		add.block(unknownMember(u))
	}
	return a
}

func unknownMember(u string) string {
	return fmt.Sprintf("user %s is neither in the account nor created by this plan", u)
}

func sortedMembers(ms []model.Member) []model.Member {
	if membersSorted(ms) {
		return ms // as a loaded desired state gives them: nothing to copy
	}
	// Each username is normalised once, not twice per comparison.
	type keyed struct {
		user string
		m    model.Member
	}
	seen := make(map[string]bool, len(ms))
	ks := make([]keyed, 0, len(ms))
	for _, m := range ms {
		u := model.NormalizeUsername(m.Username)
		if seen[u] {
			continue // the first declaration wins
		}
		seen[u] = true
		ks = append(ks, keyed{u, m})
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.user, b.user) })
	out := make([]model.Member, len(ks))
	for i, k := range ks {
		out[i] = k.m
	}
	return out
}

// membersSorted reports whether ms is sorted by normalised username without
// a username twice: the order sortedMembers gives. The result of
// sortedMembers is only read, so such a list is returned as it is.
func membersSorted(ms []model.Member) bool {
	prev := ""
	for i, m := range ms {
		u := model.NormalizeUsername(m.Username)
		if i > 0 && u <= prev {
			return false
		}
		prev = u
	}
	return true
}

// memberRole is the role a member is added with: the declared one, or the
// default where the target cannot set member roles (another role is then
// reported unmanageable).
func (b *builder) memberRole(team, user, declared string) string {
	role := memberRole(declared)
	if !b.caps.MemberRoles && role != model.MemberRoleUser {
		b.unmanageable(AddMember, team, user, []string{"role"}, "member-roles")
		return model.MemberRoleUser
	}
	return role
}

// teamFields returns the changed team fields: "name" (spelling; teams match
// case-insensitively) and "description".
func (b *builder) teamFields(d, cur *model.Team) []string {
	var fields []string
	if d.Description != nil && *d.Description != str(cur.Description) {
		fields = append(fields, "description")
	}
	if d.Name != cur.Name {
		fields = append(fields, "name")
	}
	return fields
}

func (b *builder) updateTeam(d, cur *model.Team) {
	fields := b.teamFields(d, cur)
	if slices.Contains(fields, "description") && !b.caps.TeamDescription {
		fields = without(fields, []string{"description"})
		b.unmanageable(UpdateTeam, d.Name, "", []string{"description"}, "team-description")
	}
	if len(fields) == 0 {
		return
	}
	if !b.opts.teams.Allows(OpUpdate) {
		b.skip(UpdateTeam, d.Name, "", fields, "policy.teams "+b.plan.Policies.Teams+" does not update teams")
		return
	}
	before := &model.Team{ID: cur.ID, Name: cur.Name}
	after := &model.Team{ID: cur.ID, Name: d.Name}
	if slices.Contains(fields, "description") {
		before.Description, after.Description = model.Ptr(str(cur.Description)), model.Ptr(*d.Description)
	}
	b.add(&Action{Type: UpdateTeam, Team: d.Name, TeamID: cur.ID, Fields: fields,
		Before: &Snapshot{Team: before}, After: &Snapshot{Team: after},
		Reason: "differs from the desired state: " + strings.Join(fields, ", "), Origin: d.Origin})
}

// members plans the membership changes of an existing team whose members
// the desired state manages: one action per added, re-roled or removed
// member. Members who stay are never touched.
func (b *builder) members(d, cur *model.Team) {
	// One map serves every team (most are small): cleared, not reallocated.
	have := b.have
	if have == nil || len(have) > 1024 {
		have = make(map[string]model.Member, len(members(cur)))
	}
	clear(have)
	defer func() { b.have = have }()
	for _, m := range members(cur) {
		if m.Username == "" {
			// A member the account names by an unknown id cannot be
			// matched with the desired state: leave it alone.
			continue
		}
		have[model.NormalizeUsername(m.Username)] = m
	}
	want := sortedMembers(*d.Members)
	wanted := func(u string) bool { // want is sorted by normalised username
		_, found := slices.BinarySearchFunc(want, u, func(m model.Member, u string) int {
			return strings.Compare(model.NormalizeUsername(m.Username), u)
		})
		return found
	}
	for _, m := range want {
		u := model.NormalizeUsername(m.Username)
		role := memberRole(m.Role)
		h, isMember := have[u]
		if isMember && memberRole(h.Role) == role {
			continue
		}
		t := AddMember
		if isMember {
			t = ChangeMemberRole
		}
		if pattern, ign := b.opts.ignoredUser(u); ign {
			b.skip(t, d.Name, u, nil, "matches ignore_users pattern "+pattern)
			continue
		}
		origin := cmp.Or(m.Origin, d.Origin)
		if isMember {
			if !b.caps.MemberRoles {
				b.unmanageable(ChangeMemberRole, d.Name, u, []string{"role"}, "member-roles")
				continue
			}
			if !b.opts.members.Allows(OpUpdate) {
				b.skip(t, d.Name, u, nil, "policy.members "+b.plan.Policies.Members+" does not change member roles")
				continue
			}
			b.add(&Action{Type: ChangeMemberRole, Team: d.Name, TeamID: cur.ID, User: u, UserID: cmp.Or(h.UserID, b.userID(u)),
				Before: &Snapshot{Role: memberRole(h.Role)}, After: &Snapshot{Role: role},
				Reason: fmt.Sprintf("declared role %s, current role %s; sent as a re-add of this member with the new role (a remove and re-add where the API keeps the old role)", role, memberRole(h.Role)), Origin: origin})
			continue
		}
		a := b.add(&Action{Type: AddMember, Team: d.Name, TeamID: cur.ID, User: u, UserID: b.userID(u),
			After: &Snapshot{Role: b.memberRole(d.Name, u, m.Role)}, Reason: "declared member of team " + d.Name, Origin: origin})
		if b.curUsers[u] == nil && b.created[u] == "" {
			a.block(unknownMember(u))
		}
	}
	var gone []model.Member
	for u, m := range have {
		if !wanted(u) {
			gone = append(gone, m)
		}
	}
	for _, m := range sortedMembers(gone) {
		u := model.NormalizeUsername(m.Username)
		if _, ign := b.opts.ignoredUser(u); ign {
			continue
		}
		if !b.opts.members.Allows(OpDelete) {
			b.skip(RemoveMember, d.Name, u, nil, "policy.members "+cmp.Or(b.plan.Policies.Members, PolicyUpsertOnly)+" does not remove members")
			continue
		}
		a := b.add(&Action{Type: RemoveMember, Team: d.Name, TeamID: cur.ID, User: u, UserID: cmp.Or(m.UserID, b.userID(u)),
			Before: &Snapshot{Role: memberRole(m.Role)}, Reason: "not a declared member of team " + d.Name, Origin: d.Origin})
		b.removals[u] = append(b.removals[u], a.ID)
	}
}

func (b *builder) userID(u string) string {
	if cu := b.curUsers[u]; cu != nil {
		return cu.ID
	}
	return ""
}

// dependencies links each action to the actions it needs:
//   - create-team and add-member need the create-user of each member created by the plan;
//   - a demotion, or the delete of an Owner, needs every promotion and Owner create;
//   - delete-user needs the removals of the user from teams (member removes, team deletes).
func (b *builder) dependencies() {
	for _, a := range b.plan.Actions {
		var deps []string
		switch a.Type {
		case CreateTeam:
			if a.After.Team.Members != nil {
				for _, m := range *a.After.Team.Members {
					if id := b.created[m.Username]; id != "" {
						deps = append(deps, id)
					}
				}
			}
		case AddMember:
			if id := b.created[a.User]; id != "" {
				deps = append(deps, id)
			}
		case UpdateUser:
			if a.Step == StepDemotions {
				deps = append(deps, b.promotions...)
			}
		case DeleteUser:
			deps = append(deps, b.removals[a.User]...)
			if b.cmp.role(str(a.Before.User.Role)) == model.RoleOwner {
				deps = append(deps, b.promotions...)
			}
		}
		a.DependsOn = append(a.DependsOn, deps...)
		slices.Sort(a.DependsOn)
		a.DependsOn = slices.Compact(a.DependsOn)
	}
}

// sortPlan orders actions by step then ID, and skips and unmanageable
// changes by type, team, user and fields.
func sortPlan(p *Plan) {
	slices.SortFunc(p.Actions, func(a, b *Action) int {
		return cmp.Or(cmp.Compare(a.Step, b.Step), strings.Compare(a.ID, b.ID))
	})
	bySkip := func(a, b Skip) int {
		return cmp.Or(strings.Compare(string(a.Type), string(b.Type)), strings.Compare(a.Team, b.Team), strings.Compare(a.User, b.User),
			slices.Compare(a.Fields, b.Fields))
	}
	slices.SortFunc(p.Skipped, bySkip)
	slices.SortFunc(p.Unmanageable, bySkip)
}
