package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkLoad loads a desired state of 10,000 users and 1,000 teams of 10
// members each, spread over 20 user files and 10 team files.
//
//	go test -run '^$' -bench BenchmarkLoad -benchmem -benchtime 5x ./source/
//
// decode decodes every time; cached gives a Cache that has seen the files.
// retained-MB is the heap a loaded state holds once the load is done
// (measured around one more load, after a garbage collection).
func BenchmarkLoad(b *testing.B) {
	b.Run("decode", func(b *testing.B) { benchLoad(b, nil) })
	// The daemon's cycles after the first: the files have not changed.
	b.Run("cached", func(b *testing.B) { benchLoad(b, &Cache{}) })
}

func benchLoad(b *testing.B, cache *Cache) {
	const users, teams = 10000, 1000
	dir := b.TempDir()
	writeBenchFiles(b, dir, users, teams)
	var size int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, _ error) error {
		if fi != nil && !fi.IsDir() {
			size += fi.Size()
		}
		return nil
	})
	if cache != nil {
		if _, err := Load(context.Background(), Options{Dir: dir, Cache: cache}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		d, err := Load(context.Background(), Options{Dir: dir, Cache: cache})
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Users) != users || len(d.Teams) != teams {
			b.Fatalf("loaded %d users and %d teams", len(d.Users), len(d.Teams))
		}
	}
	if cache == nil {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		d, err := Load(context.Background(), Options{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(d)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "retained-MB")
	}
}

// writeBenchFiles writes a desired state of users and teams of 10 members
// each, spread over 20 user files and 10 team files.
func writeBenchFiles(tb testing.TB, dir string, users, teams int) {
	const members, userFiles, teamFiles = 10, 20, 10
	roles := []string{"Owner", "Admin", "User", "Observer", "Stakeholder", "Incident Commander"}
	writeBench(tb, dir, "roles.yaml", "roles: [Incident Commander]\n")
	for f := range userFiles {
		var s strings.Builder
		s.WriteString("users:\n")
		for i := f; i < users; i += userFiles {
			fmt.Fprintf(&s, "  - username: user%05d@example.com\n    fullName: User Number %d\n    role: %s\n"+
				"    timeZone: Europe/Berlin\n    locale: en_US\n    tags: [team%d, oncall]\n"+
				"    details:\n      costCenter: [\"%d\"]\n", i, i, roles[i%len(roles)], i%teams, 4000+i%50)
		}
		writeBench(tb, dir, fmt.Sprintf("users/u%02d.yaml", f), s.String())
	}
	for f := range teamFiles {
		var s strings.Builder
		s.WriteString("teams:\n")
		for i := f; i < teams; i += teamFiles {
			fmt.Fprintf(&s, "  - name: team %d\n    description: Team number %d\n    members:\n", i, i)
			for m := range members {
				role := "user"
				if m == 0 {
					role = "admin"
				}
				fmt.Fprintf(&s, "      - user: user%05d@example.com\n        role: %s\n", (i*members+m)%users, role)
			}
		}
		writeBench(tb, dir, fmt.Sprintf("teams/t%02d.yaml", f), s.String())
	}
}

func writeBench(tb testing.TB, dir, name, content string) {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}
