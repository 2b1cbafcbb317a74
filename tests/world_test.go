package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// owner is the account's one Owner before an import; the desired state
// declares it too, so the min_owners safeguard holds.
const owner = "owner@example.com"

// longRun reports whether the long variants were asked for (OGSYNC_LONG=1).
func longRun() bool { return os.Getenv("OGSYNC_LONG") == "1" }

// wUser is one desired user of a generated world.
type wUser struct {
	username, fullName, role, timeZone, locale string
	tags                                       []string
}

// wMember is one desired membership.
type wMember struct{ username, role string }

// wTeam is one desired team.
type wTeam struct {
	name, description string
	members           []wMember
}

// world is a generated desired state: the owner plus n users, and teams
// whose members are the users i with i%teams == t (the first an admin).
type world struct {
	users []wUser
	teams []wTeam
}

var (
	worldZones   = []string{"Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "UTC"}
	worldLocales = []string{"en_US", "en_GB", "de_DE", "fr_FR"}
	worldRoles   = []string{"User", "User", "User", "Admin", "Observer"}
)

func newWorld(nUsers, nTeams int) world {
	w := world{users: make([]wUser, 0, nUsers+1), teams: make([]wTeam, nTeams)}
	w.users = append(w.users, wUser{username: owner, fullName: "Account Owner", role: "Owner"})
	for i := range nUsers {
		w.users = append(w.users, wUser{
			username: fmt.Sprintf("user%06d@example.com", i),
			fullName: fmt.Sprintf("User %d", i),
			role:     worldRoles[i%len(worldRoles)],
			timeZone: worldZones[i%len(worldZones)],
			locale:   worldLocales[i%len(worldLocales)],
			tags:     []string{"staff", fmt.Sprintf("site%d", i%7)},
		})
	}
	for t := range nTeams {
		w.teams[t] = wTeam{name: fmt.Sprintf("team-%05d", t), description: fmt.Sprintf("Team number %d", t)}
	}
	if nTeams > 0 {
		for i := range nUsers {
			t := &w.teams[i%nTeams]
			role := "user"
			if len(t.members) == 0 {
				role = "admin"
			}
			t.members = append(t.members, wMember{username: fmt.Sprintf("user%06d@example.com", i), role: role})
		}
	}
	return w
}

// userCount is the number of desired users, the owner included.
func (w world) userCount() int { return len(w.users) }

// writeYAML writes the world as desired-state files under dir: users in
// files of at most 5,000, teams in files of at most 500.
func (w world) writeYAML(tb testing.TB, dir string) {
	tb.Helper()
	const usersPerFile, teamsPerFile = 5000, 500
	for f := 0; f*usersPerFile < len(w.users); f++ {
		var b strings.Builder
		b.WriteString("users:\n")
		for _, u := range w.users[f*usersPerFile : min((f+1)*usersPerFile, len(w.users))] {
			fmt.Fprintf(&b, "  - username: %s\n    fullName: %s\n    role: %s\n", u.username, u.fullName, u.role)
			if u.timeZone != "" {
				fmt.Fprintf(&b, "    timeZone: %s\n    locale: %s\n", u.timeZone, u.locale)
			}
			if len(u.tags) > 0 {
				fmt.Fprintf(&b, "    tags: [%s]\n", strings.Join(u.tags, ", "))
			}
		}
		writeFile(tb, filepath.Join(dir, "users", fmt.Sprintf("users-%03d.yaml", f)), b.String())
	}
	for f := 0; f*teamsPerFile < len(w.teams); f++ {
		var b strings.Builder
		b.WriteString("teams:\n")
		for _, t := range w.teams[f*teamsPerFile : min((f+1)*teamsPerFile, len(w.teams))] {
			fmt.Fprintf(&b, "  - name: %s\n    description: %s\n    members:\n", t.name, t.description)
			if len(t.members) == 0 {
				b.WriteString("      []\n")
			}
			for _, m := range t.members {
				fmt.Fprintf(&b, "      - user: %s\n        role: %s\n", m.username, m.role)
			}
		}
		writeFile(tb, filepath.Join(dir, "teams", fmt.Sprintf("teams-%03d.yaml", f)), b.String())
	}
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}
