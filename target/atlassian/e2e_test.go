package atlassian

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target/atlassian/atlsim"
)

// demoEnv is the demo org (examples/demo/atlassian-seed.yaml).
func demoEnv(t *testing.T, so atlsim.Options, mod func(*Options)) *env {
	t.Helper()
	seed, err := atlsim.LoadSeed("../../examples/demo/atlassian-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	so.Seed = seed
	return startEnv(t, so, mod)
}

// TestConvergesOnDemo applies examples/desired to the demo org and checks
// that the next plan has nothing left to do but what the on-call audit
// blocks, and that the org holds the declared roster.
func TestConvergesOnDemo(t *testing.T) {
	e := demoEnv(t, atlsim.Options{}, nil)
	desired := loadDesired(t)
	_, p := e.plan(t, desired, syncOptions())
	if !p.HasChanges() {
		t.Fatal("the demo org differs from examples/desired, but nothing is planned")
	}
	notes := e.apply(t, p)
	for _, n := range notes {
		noSecret(t, "note", n)
	}

	_, p2 := e.plan(t, desired, syncOptions())
	for _, a := range p2.Actions {
		if !a.IsBlocked() {
			t.Errorf("second plan still has %s (%s)", a.ID, a.Reason)
		}
	}
	// alex.leaver is on the "SRE primary" schedule: the audit blocks the delete.
	blocked := slices.ContainsFunc(p2.Actions, func(a *planner.Action) bool {
		return a.Type == planner.DeleteUser && a.User == "alex.leaver@example.com" && a.IsBlocked()
	})
	if !blocked {
		t.Error("the delete of alex.leaver@example.com (on call) is not blocked by the audit")
	}

	st := e.srv.State()
	byEmail := map[string]atlsim.StateUser{}
	for _, u := range st.Users {
		byEmail[u.Email] = u
	}
	if u := byEmail["noah.brown@example.com"]; u.Access[atlsim.ProductJSM] == "" || string(u.Properties[UserProperty]) == "" {
		t.Errorf("noah.brown was not invited with JSM access and the marker: %+v", u)
	}
	if u := byEmail["ben.former@example.com"]; u.Access[atlsim.ProductJSM] != "" {
		t.Errorf("ben.former (marked, undeclared, referenced by nothing) still has JSM access: %+v", u.Access)
	}
	if u := byEmail["it-admin@example.com"]; u.Access[atlsim.ProductJSM] == "" {
		t.Error("it-admin (no marker) lost its access")
	}
	for _, d := range desired.Teams {
		i := slices.IndexFunc(st.Teams, func(s atlsim.StateTeam) bool { return strings.EqualFold(s.DisplayName, d.Name) && !s.Deleted })
		if i < 0 {
			t.Errorf("team %s missing", d.Name)
			continue
		}
		tm := st.Teams[i]
		if !tm.Operations {
			t.Errorf("team %s has no operations", d.Name)
		}
		if d.Members == nil {
			continue
		}
		var want, got []string
		for _, m := range *d.Members {
			want = append(want, byEmail[model.NormalizeUsername(m.Username)].AccountID)
		}
		got = slices.Clone(tm.Members)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("team %s members = %v, want %v", d.Name, got, want)
		}
	}
}

// TestConvergesFromEmpty applies examples/desired to an empty org.
func TestConvergesFromEmpty(t *testing.T) {
	e := startEnv(t, atlsim.Options{}, nil)
	desired := loadDesired(t)
	_, p := e.plan(t, desired, syncOptions())
	e.apply(t, p)
	_, p2 := e.plan(t, desired, syncOptions())
	if rest := p2.Actions; len(rest) > 0 {
		t.Errorf("second plan has %d actions, first %s", len(rest), rest[0].ID)
	}
	for _, tm := range e.srv.State().Teams {
		if !tm.Deleted && !HasTeamMarker(tm.Description) {
			t.Errorf("team %s lacks the ownership marker", tm.DisplayName)
		}
		if slices.Contains(tm.Members, e.tg.caller) {
			t.Errorf("team %s kept the auto-added caller", tm.DisplayName)
		}
	}
}

// TestNoOpReadCost checks the request count of a no-op read against the
// documented formula, with teams of more than 50 members and users of
// more than one directory page.
func TestNoOpReadCost(t *testing.T) {
	e := demoEnv(t, atlsim.Options{}, nil)
	desired := loadDesired(t)
	_, p := e.plan(t, desired, syncOptions())
	e.apply(t, p)

	e.srv.ResetStats()
	cur, err := e.tg.Read(context.Background(), desired)
	if err != nil {
		t.Fatal(err)
	}
	st := e.srv.State()
	n, pUndeclared := 0, 0
	declared := map[string]bool{}
	for _, u := range desired.Users {
		declared[model.NormalizeUsername(u.Username)] = true
	}
	for _, u := range st.Users {
		if u.Removed {
			continue
		}
		n++
		if u.Access[atlsim.ProductJSM] != "" && !declared[u.Email] && u.Email != testEmail {
			pUndeclared++
		}
	}
	tOrg, members := 0, 0
	managed := map[string]bool{}
	for _, d := range desired.Teams {
		if d.Members != nil {
			managed[strings.ToLower(d.Name)] = true
		}
	}
	for _, tm := range st.Teams {
		if tm.Deleted {
			continue
		}
		tOrg++
		if managed[strings.ToLower(tm.DisplayName)] {
			members += max(1, (len(tm.Members)+49)/50)
		}
	}
	want := (n+99)/100 + (tOrg+299)/300 + members + pUndeclared
	if got := e.srv.Stats().Total; got != want {
		t.Errorf("no-op read: %d requests, want ⌈%d/100⌉ + ⌈%d/300⌉ + %d + %d = %d", got, n, tOrg, members, pUndeclared, want)
	}
	if want != 9 {
		t.Errorf("the demo's no-op read should cost 9 requests (README), the formula gives %d", want)
	}
	if got := e.tg.Stats().Total; got < want {
		t.Errorf("Target.Stats().Total = %d, fewer than the emulator counted", got)
	}
	if len(cur.Users) == 0 || len(cur.Teams) == 0 {
		t.Fatal("empty read")
	}
}

// TestConvergesUnderSwitches runs the demo convergence under the
// emulator's behaviour switches for the open questions, then deletes a
// team without on-call data (adopt mode), which the audit lets through.
func TestConvergesUnderSwitches(t *testing.T) {
	for name, b := range map[string]atlsim.Behavior{
		"ops errors envelope":    {OpsErrors: "errors"},
		"site-scoped teams":      {SiteScopedTeams: true},
		"delete answers 200":     {TeamDeleteStatus: 200},
		"add existing ignored":   {AddExistingMember: "ignore"},
		"small pages":            {MembersPageMax: 2, DirectoryPageMax: 3},
		"no forwarding":          {ForwardingNotInPlan: true},
		"no default resources":   {NoDefaultOpsResources: true},
		"ops list all teams":     {OpsTeamsListAll: true},
		"enable again ok":        {EnableAgain: atlsim.EnableAgainOK},
		"enable again 422":       {EnableAgain: atlsim.EnableAgainUnprocessable},
		"over-max pages refused": {RejectOverMax: true},
		"ops delete scope":       {OpsDeleteScopeMismatch: true},
		"hidden e-mails (Jira)":  {JiraHideEmail: true},
		"no Retry-After":         {NoRetryAfterTeamsOps: true},
		"slow ops":               {OpsInvisibleCalls: 4, EnablePendingPolls: 3},
	} {
		t.Run(name, func(t *testing.T) {
			e := demoEnv(t, atlsim.Options{Behavior: b}, nil)
			desired := loadDesired(t)
			_, p := e.plan(t, desired, syncOptions())
			e.apply(t, p)
			_, p2 := e.plan(t, desired, syncOptions())
			for _, a := range p2.Actions {
				if !a.IsBlocked() {
					t.Errorf("second plan still has %s", a.ID)
				}
			}
			// Drop a declared team without on-call data: adopt deletes it.
			d := *desired
			d.Teams = slices.DeleteFunc(slices.Clone(desired.Teams), func(tm model.Team) bool { return tm.Name == "Incident Command" })
			opts := syncOptions()
			opts.Ownership.Mode = planner.OwnershipAdopt
			opts.Scope.IgnoreUsers = []string{"*"}
			_, p3 := e.plan(t, &d, opts)
			del := slices.IndexFunc(p3.Actions, func(a *planner.Action) bool { return a.Type == planner.DeleteTeam })
			if del < 0 {
				t.Fatal("no delete-team planned")
			}
			a := p3.Actions[del]
			if a.IsBlocked() {
				t.Fatalf("delete of %s blocked: %v (its schedules hold no participant)", a.Team, a.Blocked)
			}
			if _, err := e.tg.Apply(context.Background(), a, nil); err != nil {
				t.Fatal(err)
			}
			_, p4 := e.plan(t, &d, opts)
			if slices.ContainsFunc(p4.Actions, func(a *planner.Action) bool { return a.Type == planner.DeleteTeam }) {
				t.Error("the team is planned for deletion again")
			}
		})
	}
}
