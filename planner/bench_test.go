package planner

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/ogsync/ogsync/model"
)

// bigWorld builds an account of nUsers users and nTeams teams of ten
// members, and a desired state that keeps most of it and changes 1% of
// each kind: user updates, creates and deletes, team description changes,
// member adds, role changes and removes, team creates and deletes.
func bigWorld(nUsers, nTeams int) (model.Desired, model.Current) {
	zones := []string{"Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "UTC"}
	var d model.Desired
	var c model.Current
	c.Users = make([]model.User, 0, nUsers)
	d.Users = make([]model.User, 0, nUsers)
	for i := range nUsers {
		name := fmt.Sprintf("user%06d@example.com", i)
		z := zones[i%len(zones)]
		c.Users = append(c.Users, model.User{ID: fmt.Sprint("u", i), Username: name, FullName: model.Ptr("User " + fmt.Sprint(i)),
			Role: model.Ptr(model.RoleUser), TimeZone: model.Ptr(z), Locale: model.Ptr("en_US"), Tags: &[]string{"staff", "emea"},
			Details: &map[string][]string{"costCenter": {fmt.Sprint(i % 97)}, "managed-by": {"ogsync"}}})
		if i%100 == 99 {
			continue // 1% deleted
		}
		du := model.User{Username: name, FullName: model.Ptr("User " + fmt.Sprint(i)), Role: model.Ptr("user"), TimeZone: model.Ptr(z),
			Locale: model.Ptr("en-US"), Tags: &[]string{"emea", "staff"}, Details: &map[string][]string{"costCenter": {fmt.Sprint(i % 97)}},
			Origin: fmt.Sprintf("users/%03d.yaml:%d", i/1000, i%1000*8+1)}
		if i%100 == 7 {
			du.FullName = model.Ptr("Renamed " + fmt.Sprint(i)) // 1% updated
		}
		if z == "America/Los_Angeles" && i%2 == 1 {
			du.TimeZone = model.Ptr("US/Pacific") // alias, no diff
		}
		d.Users = append(d.Users, du)
	}
	for i := range nUsers / 100 {
		d.Users = append(d.Users, model.User{Username: fmt.Sprintf("new%06d@example.com", i), FullName: model.Ptr("New"), Origin: "users/new.yaml:1"})
	}
	c.Teams = make([]model.Team, 0, nTeams)
	d.Teams = make([]model.Team, 0, nTeams)
	for t := range nTeams {
		name := fmt.Sprintf("team-%05d", t)
		var cm, dm []model.Member
		for k := range 10 {
			i := (t*10 + k) % nUsers
			u := fmt.Sprintf("user%06d@example.com", i)
			cm = append(cm, model.Member{Username: u, UserID: fmt.Sprint("u", i), Role: "user"})
			role := "user"
			if t%100 == 3 && k == 0 {
				role = "admin" // role change
			}
			if t%100 == 5 && k == 1 {
				continue // removal
			}
			if i%100 == 99 {
				continue // the user is deleted: removed from the team first
			}
			dm = append(dm, model.Member{Username: u, Role: role})
		}
		if t%100 == 9 {
			dm = append(dm, model.Member{Username: fmt.Sprintf("new%06d@example.com", t%(nUsers/100)), Role: "user"}) // add
		}
		if t%100 != 42 { // 1% of teams deleted
			c.Teams = append(c.Teams, model.Team{ID: fmt.Sprint("t", t), Name: name, Description: model.Ptr("Team " + name), Members: &cm})
		}
		desc := "Team " + name
		if t%100 == 11 {
			desc = "Changed"
		}
		d.Teams = append(d.Teams, model.Team{Name: name, Description: &desc, Members: &dm, Origin: "teams.yaml:1"})
	}
	for t := range nTeams / 100 {
		c.Teams = append(c.Teams, model.Team{ID: fmt.Sprint("old", t), Name: fmt.Sprintf("old-%04d", t), Description: model.Ptr(""), Members: &[]model.Member{}})
	}
	return d, c
}

// BenchmarkCompute100k plans 100k users and 10k teams (100k memberships).
//
//	go test -run '^$' -bench Compute100k -benchmem -benchtime 5x ./planner/
func BenchmarkCompute100k(b *testing.B) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	empty := ms.HeapAlloc
	d, c := bigWorld(100_000, 10_000)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	inputMB := float64(ms.HeapAlloc-empty) / (1 << 20)
	o := DefaultOptions()
	o.Policies = PolicyNames{Users: PolicySync, Teams: PolicySync, Members: PolicySync}
	o.Ownership.Mode = OwnershipAdopt
	o.Safeguards.MaxDeletes = MaxDeletes{Count: 1 << 20, Percent: 100}
	o.Safeguards.MinOwners = 0
	var p *Plan
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var err error
		if p, err = Compute(d, c, o); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if p.Refused() || len(p.Actions) < 3000 {
		b.Fatalf("unexpected plan: %d actions, violations %v", len(p.Actions), p.Violations)
	}
	b.ReportMetric(float64(len(p.Actions)), "actions")
	// The heap one Compute call needs at most: its peak over the inputs.
	p = nil
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	debug.SetGCPercent(-1)
	p, _ = Compute(d, c, o)
	runtime.ReadMemStats(&ms)
	debug.SetGCPercent(100)
	b.ReportMetric(float64(ms.HeapAlloc-base)/(1<<20), "alloc-no-GC-MB")
	b.ReportMetric(inputMB, "input-MB")
	runtime.KeepAlive(p)
}
