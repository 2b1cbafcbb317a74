package source

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/ogsync/ogsync/model"
)

// FuzzLoad feeds arbitrary bytes to the loader as one file next to a valid
// one. It must never panic, and its answer must be either a well-formed
// desired state or a *ValidationErrors whose problems all name a file.
//
//	go test -run '^$' -fuzz FuzzLoad -fuzztime 60s ./source/
func FuzzLoad(f *testing.F) {
	// Seeds: every bad-input fixture and every example file.
	addFixtures(f)
	f.Add([]byte("users: [{username: a@example.com, role: Incident Commander}]\nteams: [{name: x, members: [{user: base@example.com, role: admin}]}]\n"))
	base := []byte("roles: [Incident Commander]\nusers:\n  - username: base@example.com\n    role: User\n")

	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"base.yaml": {Data: base},
			"fuzz.yaml": {Data: data},
		}
		d, err := LoadFS(context.Background(), fsys, Options{ExternalUsers: []string{"ext@example.com"}})
		if err != nil {
			var ve *ValidationErrors
			if !errors.As(err, &ve) {
				t.Fatalf("error is %T, not *ValidationErrors: %v", err, err)
			}
			if len(ve.Errors) == 0 || len(ve.Errors) > MaxReported {
				t.Fatalf("%d problems listed", len(ve.Errors))
			}
			for _, e := range ve.Errors {
				if e.File != "fuzz.yaml" && e.File != "base.yaml" || e.Msg == "" || !utf8.ValidString(e.Error()) {
					t.Fatalf("malformed problem %#v", e)
				}
			}
			return
		}
		if !slices.IsSortedFunc(d.Users, func(a, b model.User) int { return strings.Compare(a.Username, b.Username) }) {
			t.Fatal("users are not sorted")
		}
		for _, u := range d.Users {
			if u.Username != strings.ToLower(u.Username) || emailProblem(u.Username) != "" {
				t.Fatalf("username %q is not a normalised e-mail address", u.Username)
			}
		}
		for _, tm := range d.Teams {
			if teamNameProblem(tm.Name) != "" {
				t.Fatalf("team name %q accepted", tm.Name)
			}
		}
	})
}

// addFixtures adds every bad-input fixture and every example file as a seed.
func addFixtures(f *testing.F) {
	for _, root := range []string{"testdata/bad", "../examples/desired"} {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				if data, err := os.ReadFile(p); err == nil && len(data) < 64<<10 {
					f.Add(data)
				}
			}
			return nil
		})
	}
}
