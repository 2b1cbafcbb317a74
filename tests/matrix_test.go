package tests

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// The matrix runs the core scenarios of an on-call roster (an import, drift,
// member role changes, team renames, the offboarding of someone still on
// call, an owner handover, team deletes) against every reading of the
// OpsGenie API the wire reference leaves open (the emulator's behaviour
// switches), with and without another actor changing the account and writes
// that land after the client gave up, and asserts after every run:
//
//   - nothing the plans did not name changed: every change the API made for
//     ogsync (the emulator's journal) is named by an action of a plan, and no
//     membership was removed, even for a moment, that a plan did not name;
//   - the account never had fewer Owners than min_owners, at any point of the
//     journal;
//   - no user or team exists twice;
//   - once the disturbance is over, the account converges within two
//     cycles (one when there was none and lists are current: with list lag
//     a demoted Owner waits until the new Owner is listed), leaving only
//     what a safeguard blocks.

// matrixSwitches is one reading of the API and one kind of disturbance.
type matrixSwitches struct {
	ignoreExpand bool
	reAdd        string
	teamPatch    string
	teamDelete   string
	lag          time.Duration
	actor        bool
	late         bool
}

func (s matrixSwitches) String() string {
	parts := []string{"expand=" + map[bool]string{false: "honoured", true: "ignored"}[s.ignoreExpand], "readd=" + s.reAdd, "teampatch=" + s.teamPatch, "teamdelete=" + s.teamDelete}
	if s.lag > 0 {
		parts = append(parts, "lag="+s.lag.String())
	}
	if s.actor {
		parts = append(parts, "actor")
	}
	if s.late {
		parts = append(parts, "late")
	}
	return strings.Join(parts, ",")
}

// disturbed reports whether something besides ogsync changes the account.
func (s matrixSwitches) disturbed() bool { return s.actor || s.late }

// allSwitches is every combination of the switches that matter.
func allSwitches() []matrixSwitches {
	var out []matrixSwitches
	for _, ie := range []bool{false, true} {
		for _, ra := range []string{ogsim.MemberReAddUpdateRole, ogsim.MemberReAddKeepRole, ogsim.MemberReAddConflict} {
			for _, tp := range []string{ogsim.TeamPatchMembersReplace, ogsim.TeamPatchMembersIgnore} {
				for _, td := range []string{ogsim.TeamDeleteCascade, ogsim.TeamDeleteRefuse} {
					for _, lag := range []time.Duration{0, matrixLag} {
						for _, actor := range []bool{false, true} {
							for _, late := range []bool{false, true} {
								out = append(out, matrixSwitches{ie, ra, tp, td, lag, actor, late})
							}
						}
					}
				}
			}
		}
	}
	return out
}

// shortSwitches covers each value of each switch, and each pair of the
// re-add and team-delete answers with a disturbance, in few runs; the team
// PATCH alternates between replacing and ignoring members.
func shortSwitches() []matrixSwitches {
	return []matrixSwitches{
		{false, ogsim.MemberReAddUpdateRole, ogsim.TeamPatchMembersReplace, ogsim.TeamDeleteCascade, 0, false, false},
		{true, ogsim.MemberReAddKeepRole, ogsim.TeamPatchMembersIgnore, ogsim.TeamDeleteRefuse, 0, true, false},
		{false, ogsim.MemberReAddConflict, ogsim.TeamPatchMembersReplace, ogsim.TeamDeleteCascade, matrixLag, false, true},
		{true, ogsim.MemberReAddUpdateRole, ogsim.TeamPatchMembersIgnore, ogsim.TeamDeleteRefuse, matrixLag, true, true},
		{false, ogsim.MemberReAddKeepRole, ogsim.TeamPatchMembersReplace, ogsim.TeamDeleteCascade, 0, true, true},
		{true, ogsim.MemberReAddConflict, ogsim.TeamPatchMembersIgnore, ogsim.TeamDeleteRefuse, 0, false, false},
	}
}

const (
	// matrixLag is how far list reads lag when the lag switch is on.
	matrixLag = 150 * time.Millisecond
	// matrixTimeout is the client's timeout per attempt in the matrix, and
	// matrixLateDelay how long a late write waits: past it.
	matrixTimeout   = 400 * time.Millisecond
	matrixLateDelay = 600 * time.Millisecond
)

// Fixed ids of the seeded teams, so the desired state can name them.
const (
	idSRE = "00000000-0000-4000-8000-0000000000a1"
	idWeb = "00000000-0000-4000-8000-0000000000a2"
	idOps = "00000000-0000-4000-8000-0000000000a3"
)

// contractors are users ogsync ignores (ignore_users), whom the other
// actor adds to teams.
var contractors = []string{"x1@contractor.example", "x2@contractor.example"}

// matrixScenario is one job ogsync is asked to do.
type matrixScenario struct {
	name      string
	ownership string
	// seed is the account before the first cycle, besides the owner and
	// the contractors (whom ogsync ignores and the actor adds to teams).
	seed func() *ogsim.Seed
	// yaml is the desired state.
	yaml string
	// tolerated says which actions may remain in the converged plan: only
	// blocked ones, for the reason given, or failing ones the API refuses
	// under a switch.
	tolerated func(s matrixSwitches, a *planner.Action) bool
	// check asserts what the scenario is about on the final account.
	check func(t *testing.T, s matrixSwitches, st ogsim.State)
}

func marked(u ogsim.SeedUser) ogsim.SeedUser {
	u.Details = map[string][]string{"managed-by": {"ogsync"}}
	return u
}

func seedUser(name, role string) ogsim.SeedUser {
	return ogsim.SeedUser{Username: name, FullName: "Person " + strings.Split(name, "@")[0], Role: role}
}

// rosterSeed is the account the desired state of most scenarios describes.
func rosterSeed() *ogsim.Seed {
	s := &ogsim.Seed{Users: []ogsim.SeedUser{
		seedUser("alice@example.com", "Admin"), seedUser("bob@example.com", "User"),
		seedUser("carol@example.com", "User"), seedUser("dave@example.com", "User"),
	}}
	s.Teams = []ogsim.SeedTeam{
		{ID: idSRE, Name: "SRE", Description: "Site reliability", Members: []ogsim.SeedMember{{Username: "alice@example.com", Role: "admin"}, {Username: "bob@example.com", Role: "user"}}},
		{ID: idWeb, Name: "Web", Description: "Web", Members: []ogsim.SeedMember{{Username: "carol@example.com", Role: "admin"}, {Username: "dave@example.com", Role: "user"}}},
	}
	return s
}

// rosterYAML is the desired state of rosterSeed, with team ids when ids is set.
func rosterYAML(ids bool, sreMembers, webName string) string {
	id := func(v string) string {
		if ids {
			return "    id: " + v + "\n"
		}
		return ""
	}
	return `users:
  - {username: owner@example.com, fullName: Account Owner, role: Owner}
  - {username: alice@example.com, fullName: Person alice, role: Admin}
  - {username: bob@example.com, fullName: Person bob, role: User}
  - {username: carol@example.com, fullName: Person carol, role: User}
  - {username: dave@example.com, fullName: Person dave, role: User}
teams:
  - name: SRE
` + id(idSRE) + `    description: Site reliability
    members:
` + sreMembers + `  - name: ` + webName + `
` + id(idWeb) + `    description: Web
    members:
      - {user: carol@example.com, role: admin}
      - {user: dave@example.com, role: user}
`
}

const sreMembers = "      - {user: alice@example.com, role: admin}\n      - {user: bob@example.com, role: user}\n"

func onlyBlocked(reasons ...string) func(matrixSwitches, *planner.Action) bool {
	return func(_ matrixSwitches, a *planner.Action) bool {
		return slices.ContainsFunc(a.Blocked, func(b string) bool {
			return slices.ContainsFunc(reasons, func(r string) bool { return strings.HasPrefix(b, r) })
		})
	}
}

func teamByName(st ogsim.State, name string) *ogsim.StateTeam {
	for i := range st.Teams {
		if strings.EqualFold(st.Teams[i].Name, name) {
			return &st.Teams[i]
		}
	}
	return nil
}

func memberRole(t *ogsim.StateTeam, user string) string {
	for _, m := range t.Members {
		if m.Username == user {
			return m.Role
		}
	}
	return ""
}

func matrixScenarios() []matrixScenario {
	return []matrixScenario{
		{
			name: "import", ownership: config.OwnershipMarker,
			seed: func() *ogsim.Seed { return &ogsim.Seed{} },
			yaml: rosterYAML(false, sreMembers, "Web"),
			// Without ids, a team the actor renamed right after its create
			// is a probable rename: blocked, never duplicated.
			tolerated: onlyBlocked("probable rename"),
			check: func(t *testing.T, s matrixSwitches, st ogsim.State) {
				if !s.actor && (teamByName(st, "SRE") == nil || teamByName(st, "Web") == nil) {
					t.Errorf("teams after the import: %+v", st.Teams)
				}
			},
		},
		{
			name: "drift", ownership: config.OwnershipMarker,
			seed: func() *ogsim.Seed {
				s := rosterSeed()
				s.Users[1].Role = "Admin"                                                                            // bob should be a User
				s.Teams[0].Members = append(s.Teams[0].Members, ogsim.SeedMember{Username: "dave@example.com"})      // dave is not in SRE
				s.Teams[1].Members = s.Teams[1].Members[1:]                                                          // carol is missing from Web
				s.Teams[1].Members = append(s.Teams[1].Members, ogsim.SeedMember{Username: "x1@contractor.example"}) // ignored: stays
				return s
			},
			yaml:      rosterYAML(true, sreMembers, "Web"),
			tolerated: onlyBlocked(),
			check: func(t *testing.T, _ matrixSwitches, st ogsim.State) {
				if web := teamByName(st, "Web"); web == nil || memberRole(web, "x1@contractor.example") == "" {
					t.Error("the ignored contractor was removed from Web")
				}
			},
		},
		{
			name: "role-change", ownership: config.OwnershipMarker,
			seed:      rosterSeed,
			yaml:      rosterYAML(true, "      - {user: alice@example.com, role: user}\n      - {user: bob@example.com, role: admin}\n", "Web"),
			tolerated: onlyBlocked(),
			check: func(t *testing.T, _ matrixSwitches, st ogsim.State) {
				sre := teamByName(st, "SRE")
				if sre == nil || memberRole(sre, "alice@example.com") != "user" || memberRole(sre, "bob@example.com") != "admin" {
					t.Errorf("SRE after the role change: %+v", sre)
				}
			},
		},
		{
			name: "team-rename", ownership: config.OwnershipAdopt,
			seed: func() *ogsim.Seed {
				s := rosterSeed()
				s.Teams[0].Name = "SRE-renamed-in-the-UI" // the YAML's id renames it back
				// Renamed in the UI from "Ops", and the YAML has no id for it.
				s.Teams = append(s.Teams, ogsim.SeedTeam{ID: idOps, Name: "Operations", Members: []ogsim.SeedMember{{Username: "bob@example.com", Role: "admin"}}})
				return s
			},
			yaml: rosterYAML(true, sreMembers, "Frontend") + "  - name: Ops\n    members:\n      - {user: bob@example.com, role: admin}\n",
			// The rename without id is never applied as a delete and a create.
			tolerated: onlyBlocked("probable rename"),
			check: func(t *testing.T, _ matrixSwitches, st ogsim.State) {
				for name, id := range map[string]string{"SRE": idSRE, "Frontend": idWeb, "Operations": idOps} {
					if tm := teamByName(st, name); tm == nil || tm.ID != id {
						t.Errorf("team %s: %+v, want id %s", name, tm, id)
					}
				}
				if tm := teamByName(st, "Ops"); tm != nil {
					t.Errorf("team Ops was created beside Operations: %+v", tm)
				}
			},
		},
		{
			name: "offboarding", ownership: config.OwnershipMarker,
			seed: func() *ogsim.Seed {
				s := rosterSeed()
				s.Users = append(s.Users, marked(seedUser("leaver@example.com", "User")), marked(seedUser("gone@example.com", "User")))
				s.Teams[0].Members = append(s.Teams[0].Members, ogsim.SeedMember{Username: "leaver@example.com"}, ogsim.SeedMember{Username: "gone@example.com"})
				s.Schedules = []ogsim.SeedSchedule{{Name: "primary", OwnerTeam: "SRE", Rotations: []ogsim.SeedRotation{{
					Name: "weekly", Type: "weekly", StartDate: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
					Participants: []ogsim.SeedRecipient{{User: "leaver@example.com"}, {User: "alice@example.com"}},
				}}}}
				return s
			},
			yaml:      rosterYAML(true, sreMembers, "Web"),
			tolerated: onlyBlocked("on-call audit"),
			check: func(t *testing.T, _ matrixSwitches, st ogsim.State) {
				have := map[string]bool{}
				for _, u := range st.Users {
					have[u.Username] = true
				}
				if !have["leaver@example.com"] || have["gone@example.com"] {
					t.Errorf("leaver kept %v (on call), gone deleted %v", have["leaver@example.com"], !have["gone@example.com"])
				}
			},
		},
		{
			name: "owner-handover", ownership: config.OwnershipMarker,
			seed: rosterSeed,
			yaml: strings.Replace(strings.Replace(rosterYAML(true, sreMembers, "Web"),
				"{username: owner@example.com, fullName: Account Owner, role: Owner}", "{username: owner@example.com, fullName: Account Owner, role: Admin}", 1),
				"{username: alice@example.com, fullName: Person alice, role: Admin}", "{username: alice@example.com, fullName: Person alice, role: Owner}", 1),
			tolerated: onlyBlocked(),
			check: func(t *testing.T, _ matrixSwitches, st ogsim.State) {
				for _, u := range st.Users {
					if (u.Username == "alice@example.com") != (u.Role == "Owner") {
						t.Errorf("%s is %s after the handover", u.Username, u.Role)
					}
				}
			},
		},
		{
			name: "team-delete", ownership: config.OwnershipAdopt,
			seed: func() *ogsim.Seed {
				s := rosterSeed()
				s.Teams = append(s.Teams,
					ogsim.SeedTeam{Name: "Legacy", Members: []ogsim.SeedMember{{Username: "dave@example.com"}}},
					ogsim.SeedTeam{Name: "Pager", Members: []ogsim.SeedMember{{Username: "carol@example.com"}}})
				s.Schedules = []ogsim.SeedSchedule{{Name: "pager-rota", OwnerTeam: "Pager", Rotations: []ogsim.SeedRotation{{
					Name: "daily", Type: "daily", StartDate: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
					Participants: []ogsim.SeedRecipient{{User: "carol@example.com"}},
				}}}}
				return s
			},
			yaml: rosterYAML(true, sreMembers, "Web"),
			// Pager holds on-call data: its delete is blocked. Legacy owns
			// only its empty defaults; where the API refuses to delete a team
			// that owns any schedule, its delete fails every cycle.
			tolerated: func(s matrixSwitches, a *planner.Action) bool {
				return onlyBlocked("on-call audit")(s, a) || (s.teamDelete == ogsim.TeamDeleteRefuse && a.ID == "delete-team:Legacy")
			},
			check: func(t *testing.T, s matrixSwitches, st ogsim.State) {
				if teamByName(st, "Pager") == nil {
					t.Error("team Pager, on call, was deleted")
				}
				if legacy := teamByName(st, "Legacy"); (legacy == nil) != (s.teamDelete == ogsim.TeamDeleteCascade) {
					t.Errorf("team Legacy: %+v under team delete %s", legacy, s.teamDelete)
				}
			},
		},
	}
}

func TestMatrix(t *testing.T) {
	switches := shortSwitches()
	if longRun() {
		switches = allSwitches()
	}
	for _, sc := range matrixScenarios() {
		for _, sw := range switches {
			t.Run(sc.name+"/"+sw.String(), func(t *testing.T) {
				t.Parallel()
				runMatrix(t, sc, sw)
			})
		}
	}
}

func runMatrix(t *testing.T, sc matrixScenario, sw matrixSwitches) {
	seed := sc.seed()
	seed.Users = append([]ogsim.SeedUser{seedUser(owner, "Owner"), seedUser(contractors[0], "User"), seedUser(contractors[1], "User")}, seed.Users...)
	opts := ogsim.Options{Seed: seed, IDSeed: 11, Behavior: ogsim.Behavior{
		IgnoreExpandMember: sw.ignoreExpand, MemberReAdd: sw.reAdd, TeamPatchMembers: sw.teamPatch, TeamDelete: sw.teamDelete, ListLag: sw.lag,
	}}
	if sw.actor {
		opts.Actor = &ogsim.ActorOptions{Seed: 5, Every: 3, Users: contractors, Ops: ogsim.ActorOps}
	}
	lateWrites := &countingHandler{msg: "injected fault: late write"}
	if sw.late {
		opts.Faults = ogsim.FaultOptions{Seed: 3, LateRate: 0.15, LateDelay: matrixLateDelay}
		opts.Logger = slog.New(lateWrites)
	}
	e := startEmu(t, opts)
	// The emulator draws late writes among all requests, and a scenario
	// sends few writes: the first write of every late run is held past the
	// client's timeout here, so that each late run has one for sure.
	var heldLate atomic.Bool
	if sw.late {
		e.setOnWrite(func(n int, r *http.Request) {
			if n != 1 {
				return
			}
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			time.Sleep(matrixLateDelay)
			heldLate.Store(true)
		})
	}
	initialRoles := map[string]string{}
	for _, u := range seed.Users {
		initialRoles[u.Username] = u.Role
	}

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "roster.yaml"), sc.yaml)
	cfg := baseConfig(e.url, dir, 1000, 100)
	cfg.OpsGenie.Timeout = matrixTimeout
	cfg.OpsGenie.MaxRetries = 3
	cfg.Ownership.Mode = sc.ownership
	cfg.Safeguards.IgnoreUsers = []string{"*@contractor.example"}
	cfg.Safeguards.IgnoreTeams = []string{"actor-team-*"}
	cfg.Safeguards.MinOwners = 1
	engine, _ := newEngine(t, cfg, true, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	named := namedChanges{}
	var last *planner.Plan
	// Cycle 1 runs in the disturbance; then it ends, the late writes land
	// and the lists catch up, and the account must converge.
	maxCycles := 1
	if sw.lag > 0 {
		maxCycles = 2
	}
	if sw.disturbed() {
		maxCycles = 3
	}
	for cycle := 1; cycle <= maxCycles+1; cycle++ {
		if cycle == 2 {
			e.sim.Calm()
			if sw.late {
				time.Sleep(matrixLateDelay + 100*time.Millisecond)
			}
		}
		if cycle > 1 && sw.lag > 0 {
			time.Sleep(sw.lag + 50*time.Millisecond)
		}
		res, _ := engine.RunCycle(ctx)
		p := res.Plan
		if p == nil {
			t.Fatalf("cycle %d: no plan: %s", cycle, res.Error)
		}
		named.add(p)
		last = p
		if pending := pendingActions(sc, sw, p); len(pending) == 0 {
			break
		} else if cycle == maxCycles+1 {
			t.Errorf("not converged: cycle %d still plans %v", cycle, pending)
		}
	}
	if sw.late {
		time.Sleep(matrixLateDelay) // a late write of the last cycle
	}
	st := e.sim.State()
	if n := duplicates(st); n != 0 {
		t.Errorf("%d users or teams exist twice", n)
	}
	journal := e.sim.Journal()
	api, actors := 0, 0
	for _, m := range journal {
		if m.Source == ogsim.SourceActor {
			actors++
		}
		if m.Source == ogsim.SourceAPI {
			api++
			if !named.covers(m) {
				t.Errorf("a change no plan named: %+v", m)
			}
		}
	}
	if sw.late && !heldLate.Load() {
		t.Error("no write was held past the client's timeout: the run had no late write")
	}
	if sw.actor && actors == 0 {
		t.Error("the other actor changed nothing: the run had no disturbance by it")
	}
	t.Logf("late writes: %d injected by the emulator, held here: %t; changes by the other actor: %d", lateWrites.count(), heldLate.Load(), actors)
	if api == 0 {
		t.Error("the journal holds no change by the API: every scenario changes the account")
	}
	if low := lowestOwners(initialRoles, journal); low < cfg.Safeguards.MinOwners {
		t.Errorf("the account had %d Owners at one point; min_owners is %d", low, cfg.Safeguards.MinOwners)
	}
	for _, a := range last.Actions {
		if a.IsBlocked() && !sc.tolerated(sw, a) {
			t.Errorf("blocked: %s: %v", a.ID, a.Blocked)
		}
	}
	sc.check(t, sw, st)
	if t.Failed() {
		for _, m := range journal {
			t.Logf("journal: %+v", m)
		}
	}
}

// pendingActions are the actions of p that are not tolerated at the end.
func pendingActions(sc matrixScenario, sw matrixSwitches, p *planner.Plan) []string {
	var out []string
	for _, a := range p.Actions {
		if !sc.tolerated(sw, a) {
			out = append(out, a.ID)
		}
	}
	return out
}

// namedChanges are the changes the plans so far named and may have run:
// "op team user" keys, teams by id and by name.
type namedChanges map[string]bool

func (n namedChanges) add(p *planner.Plan) {
	for _, a := range p.Runnable() {
		teams := []string{a.TeamID, strings.ToLower(a.Team)}
		for _, team := range teams {
			if team == "" {
				continue
			}
			switch a.Type {
			case planner.CreateTeam:
				n["create-team "+team] = true
				n["add-member "+team+" *"] = true
			case planner.UpdateTeam:
				n["update-team "+team] = true
				n["rename-team "+team] = true
			case planner.DeleteTeam:
				n["delete-team "+team] = true
				n["remove-member "+team+" *"] = true
			case planner.AddMember:
				n["add-member "+team+" "+a.User] = true
				n["set-member-role "+team+" "+a.User] = true
			case planner.ChangeMemberRole:
				n["set-member-role "+team+" "+a.User] = true
				n["remove-member "+team+" "+a.User] = true
				n["add-member "+team+" "+a.User] = true
			case planner.RemoveMember:
				n["remove-member "+team+" "+a.User] = true
			}
		}
		switch a.Type {
		case planner.CreateUser:
			n["create-user "+a.User] = true
		case planner.UpdateUser:
			n["update-user "+a.User] = true
		case planner.DeleteUser:
			n["delete-user "+a.User] = true
			n["remove-member * "+a.User] = true
		}
	}
}

// covers reports whether a plan named the change m.
func (n namedChanges) covers(m ogsim.Mutation) bool {
	switch m.Op {
	case ogsim.OpCreateUser, ogsim.OpUpdateUser, ogsim.OpDeleteUser:
		return n[m.Op+" "+m.User]
	case ogsim.OpCreateTeam, ogsim.OpUpdateTeam, ogsim.OpRenameTeam, ogsim.OpDeleteTeam:
		return n[m.Op+" "+m.TeamID] || n[m.Op+" "+strings.ToLower(m.Team)]
	case ogsim.OpAddMember, ogsim.OpRemoveMember, ogsim.OpSetMemberRole:
		for _, team := range []string{m.TeamID, strings.ToLower(m.Team)} {
			if n[m.Op+" "+team+" "+m.User] || n[m.Op+" "+team+" *"] {
				return true
			}
		}
		return m.Op == ogsim.OpRemoveMember && n["remove-member * "+m.User]
	case ogsim.OpCreateSchedule, ogsim.OpCreateEscalation:
		// The default resources of a team created by a plan.
		return n["create-team "+m.TeamID] || n["create-team "+strings.ToLower(m.Team)]
	case ogsim.OpDeleteSchedule, ogsim.OpDeleteEscalation:
		return n["delete-team "+m.TeamID] || n["delete-team "+strings.ToLower(m.Team)]
	}
	return false
}

// lowestOwners replays the journal's user changes over the users' roles at
// its start and returns the lowest number of Owners seen.
func lowestOwners(roles map[string]string, journal []ogsim.Mutation) int {
	roles = maps.Clone(roles)
	count := func() int {
		n := 0
		for _, r := range roles {
			if r == "Owner" {
				n++
			}
		}
		return n
	}
	low := count()
	for _, m := range journal {
		switch m.Op {
		case ogsim.OpCreateUser, ogsim.OpUpdateUser:
			roles[m.User] = m.Role
		case ogsim.OpDeleteUser:
			delete(roles, m.User)
		default:
			continue
		}
		low = min(low, count())
	}
	return low
}

// countingHandler is a slog.Handler that counts the records with message msg.
type countingHandler struct {
	msg string
	n   atomic.Int64
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.n.Add(1)
	}
	return nil
}

func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h *countingHandler) WithGroup(string) slog.Handler { return h }

func (h *countingHandler) count() int { return int(h.n.Load()) }
