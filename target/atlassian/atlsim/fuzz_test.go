package atlsim

import (
	"strings"
	"testing"
)

// FuzzParseSeed: ParseSeed never panics, every error names the file, and a
// seed it accepts builds a server.
func FuzzParseSeed(f *testing.F) {
	f.Add(testSeed)
	f.Add("users: [{email: a@example.com}]\nteams: [{displayName: T, members: [a@example.com]}]\n")
	f.Add("orgId: o\ncloudId: c\n")
	f.Add("teams: [{displayName: T, operations: true}]\nschedules: [{name: S, team: T, rotations: [{name: r, type: daily, startDate: '2026-01-01T00:00:00Z', participants: [{noone: true}]}]}]\n")
	f.Fuzz(func(t *testing.T, data string) {
		seed, err := ParseSeed("f.yaml", []byte(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if _, err := New(Options{APIKey: "k", Seed: seed}); err != nil {
			t.Fatalf("an accepted seed does not build: %v", err)
		}
	})
}

// FuzzCursor: decodeCursor never panics and reads back what encodeCursor
// wrote.
func FuzzCursor(f *testing.F) {
	f.Add("", 0)
	f.Add(encodeCursor(12), 12)
	f.Add("c2VxOi0x", 3)
	f.Fuzz(func(t *testing.T, c string, n int) {
		decodeCursor(c)
		if n < 0 {
			n = -n
		}
		if n < 0 {
			return
		}
		if got, ok := decodeCursor(encodeCursor(n)); !ok || got != n {
			t.Fatalf("round trip of %d gave %d, %v", n, got, ok)
		}
	})
}
