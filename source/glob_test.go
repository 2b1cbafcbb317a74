package source

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ogsync/ogsync/model"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*.yaml", "users.yaml", true},
		{"*.yaml", "users/a.yaml", false},
		{"users/*.yaml", "users/a.yaml", true},
		{"users/*.yaml", "users/x/a.yaml", false},
		{"**/*.yaml", "a.yaml", true},
		{"**/*.yaml", "users/a.yaml", true},
		{"**/*.yaml", "a/b/c/d.yaml", true},
		{"**/*.yaml", "a/b/c/d.yml", false},
		{"users/**", "users/a/b.yaml", true},
		{"users/**", "users", true},
		{"users/**/x.yaml", "users/x.yaml", true},
		{"users/**/x.yaml", "users/a/b/x.yaml", true},
		{"users/**/x.yaml", "teams/a/x.yaml", false},
		{"**/**/x.yaml", "a/x.yaml", true},
		{"team?.yaml", "team1.yaml", true},
		{"team[0-9].yaml", "teamx.yaml", false},
		// Wildcards skip hidden names unless the pattern names them.
		{"**/*.yaml", ".github/workflows/ci.yaml", false},
		{"**/*.yaml", "users/.draft.yaml", false},
		{"*", ".hidden", false},
		{".ogsync/*.yaml", ".ogsync/users.yaml", true},
		{"**/.ogsync/*.yaml", "a/.ogsync/users.yaml", true},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+" "+tc.name, func(t *testing.T) {
			if got := Match(tc.pattern, tc.name); got != tc.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
			}
		})
	}
}

func TestCheckPattern(t *testing.T) {
	for _, p := range []string{"", "/etc/*.yaml", "../x.yaml", "a/../b.yaml", "./a.yaml", "a//b.yaml", `a\b.yaml`, "a**.yaml", "[.yaml"} {
		if CheckPattern(p) == nil {
			t.Errorf("CheckPattern(%q) accepted", p)
		}
	}
	for _, p := range []string{"*.yaml", "**/*.yml", "users/**", ".ogsync/*.yaml", "teams/[a-m]*.yaml"} {
		if err := CheckPattern(p); err != nil {
			t.Errorf("CheckPattern(%q) = %v", p, err)
		}
	}
}

func TestFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"z.yaml":              {},
		"a.yml":               {},
		"users/b.yaml":        {},
		"users/a.yaml":        {},
		"users/deep/c.yaml":   {},
		"teams/x.yaml":        {},
		".git/config.yaml":    {},
		".github/ci.yaml":     {},
		"notes.txt":           {},
		"users/.draft.yaml":   {},
		"vendor/.git/x.yaml":  {},
		"vendor/pkg/ok.yaml":  {},
		"users-old/old.yaml":  {},
		"users/deep/more.yml": {},
	}
	tests := []struct {
		patterns []string
		want     []string
	}{
		{nil, []string{"a.yml", "teams/x.yaml", "users-old/old.yaml", "users/a.yaml", "users/b.yaml", "users/deep/c.yaml", "users/deep/more.yml", "vendor/pkg/ok.yaml", "z.yaml"}},
		{[]string{"users/*.yaml", "teams/*.yaml"}, []string{"teams/x.yaml", "users/a.yaml", "users/b.yaml"}},
		{[]string{"users/**/*.yaml", "users/*.yaml"}, []string{"users/a.yaml", "users/b.yaml", "users/deep/c.yaml"}},
		{[]string{"nothing/*.yaml"}, nil},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.patterns, ","), func(t *testing.T) {
			got, err := Files(fsys, tc.patterns)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Files = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestExamples checks that examples/desired is the realistic repository
// the documentation promises.
func TestExamples(t *testing.T) {
	d, err := Load(context.Background(), Options{Dir: "../examples/desired"})
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]int{}
	for _, u := range d.Users {
		if u.Role != nil {
			roles[*u.Role]++
		}
	}
	if len(d.Users) < 15 || len(roles) < 4 || roles[model.RoleOwner] == 0 {
		t.Errorf("%d users with roles %v: want ≥15 users over several roles, an Owner among them", len(d.Users), roles)
	}
	if len(d.CustomRoles) == 0 || roles[d.CustomRoles[0]] == 0 {
		t.Errorf("custom roles %v: want one declared and used", d.CustomRoles)
	}
	withAdmins := 0
	for _, tm := range d.Teams {
		if tm.Members != nil && slices.ContainsFunc(*tm.Members, func(m model.Member) bool { return m.Role == model.MemberRoleAdmin }) {
			withAdmins++
		}
	}
	if withAdmins < 4 {
		t.Errorf("%d teams with an admin, want at least 4", withAdmins)
	}
	files, _ := Files(os.DirFS("../examples/desired"), nil)
	if len(files) < 4 {
		t.Errorf("examples in %d files, want them split over several", len(files))
	}
}

// TestDeepNesting checks that pathological nesting is refused, not a crash.
func TestDeepNesting(t *testing.T) {
	for _, data := range []string{
		"users: " + strings.Repeat("[", 100000),
		"users:\n" + strings.Repeat("- ", 50000) + "x\n",
		"teams: " + strings.Repeat("{a: ", 50000),
	} {
		_, err := LoadFS(context.Background(), fstest.MapFS{"a.yaml": {Data: []byte(data)}}, Options{})
		if err == nil {
			t.Errorf("%.20s… accepted", data)
		}
		var ve *ValidationErrors
		if !errors.As(err, &ve) || len(ve.Errors) != 1 {
			t.Errorf("%.20s…: %v, want one problem", data, err)
		}
	}
}
