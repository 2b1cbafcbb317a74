package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	goldenfile "github.com/ogsync/ogsync/internal/golden"
	"github.com/ogsync/ogsync/model"
)

// fixtureExternal is the external user every bad-input fixture may use.
var fixtureExternal = []string{"contractor@partner.example"}

// TestBadInputs loads every directory under testdata/bad and compares the
// error with the golden file next to it.
func TestBadInputs(t *testing.T) {
	dirs, err := filepath.Glob("testdata/bad/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			d, err := Load(context.Background(), Options{Dir: dir, ExternalUsers: fixtureExternal})
			if err == nil {
				t.Fatalf("Load accepted bad input: %d users, %d teams", len(d.Users), len(d.Teams))
			}
			var ve *ValidationErrors
			if !errors.As(err, &ve) {
				t.Fatalf("error is %T, not *ValidationErrors: %v", err, err)
			}
			for _, e := range ve.Errors {
				if e.File == "" || e.Msg == "" {
					t.Errorf("problem without file or message: %#v", e)
				}
			}
			golden(t, dir+".golden", err.Error()+"\n")
		})
	}
	if n < 30 {
		t.Errorf("only %d bad-input fixtures, want at least 30", n)
	}
}

// golden compares got with the file, or rewrites the file under UPDATE=1.
func golden(t *testing.T, file, got string) {
	t.Helper()
	goldenfile.Check(t, file, []byte(got))
}

func TestLoadGood(t *testing.T) {
	fsys := fstest.MapFS{
		"roles.yaml": {Data: []byte("roles: [Incident Commander]\n")},
		"users/b.yaml": {Data: []byte(`users:
  - username: Zoe@Example.com
    fullName: Zoë Zed
    role: incident COMMANDER
    timeZone: Europe/Berlin
    locale: de_DE
    tags: [sre, oncall]
    details:
      costCenter: ["42", "43"]
  - username: adam@example.com
    role: owner
    tags: []
    details: {}
`)},
		"teams.yaml": {Data: []byte(`teams:
  - name: sre
    description: Site reliability
    members:
      - user: ZOE@example.com
        role: admin
      - user: contractor@partner.example
        role: user
      - user: adam@example.com
        role: user
  - name: Empty
    members: []
  - name: Unmanaged
`)},
		// Not matched by the default patterns, or hidden.
		"README.md":               {Data: []byte("# not yaml\n")},
		".github/workflows/x.yml": {Data: []byte("on: push\n")},
	}
	got, err := LoadFS(context.Background(), fsys, Options{ExternalUsers: []string{"Contractor@Partner.Example"}})
	if err != nil {
		t.Fatal(err)
	}
	want := &model.Desired{
		Users: []model.User{
			{Username: "adam@example.com", Role: model.Ptr("Owner"), Tags: &[]string{},
				Details: &map[string][]string{}, Origin: "users/b.yaml:10"},
			{Username: "zoe@example.com", FullName: model.Ptr("Zoë Zed"), Role: model.Ptr("Incident Commander"),
				TimeZone: model.Ptr("Europe/Berlin"), Locale: model.Ptr("de_DE"), Tags: &[]string{"oncall", "sre"},
				Details: &map[string][]string{"costCenter": {"42", "43"}}, Origin: "users/b.yaml:2"},
		},
		Teams: []model.Team{
			{Name: "Empty", Members: &[]model.Member{}, Origin: "teams.yaml:11"},
			{Name: "sre", Description: model.Ptr("Site reliability"), Origin: "teams.yaml:2", Members: &[]model.Member{
				{Username: "adam@example.com", Role: "user", Origin: "teams.yaml:9"},
				{Username: "contractor@partner.example", Role: "user", Origin: "teams.yaml:7"},
				{Username: "zoe@example.com", Role: "admin", Origin: "teams.yaml:5"},
			}},
			{Name: "Unmanaged", Origin: "teams.yaml:13"},
		},
		CustomRoles: []string{"Incident Commander"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadFS:\n got %+v\nwant %+v", dump(got), dump(want))
	}
}

func dump(d *model.Desired) string {
	var b strings.Builder
	for _, u := range d.Users {
		fmt.Fprintf(&b, "\nuser %s fullName=%v role=%v tz=%v locale=%v tags=%v details=%v origin=%s",
			u.Username, deref(u.FullName), deref(u.Role), deref(u.TimeZone), deref(u.Locale), deref(u.Tags), deref(u.Details), u.Origin)
	}
	for _, t := range d.Teams {
		fmt.Fprintf(&b, "\nteam %s desc=%v members=%v origin=%s", t.Name, deref(t.Description), deref(t.Members), t.Origin)
	}
	fmt.Fprintf(&b, "\nroles %v revision %+v", d.CustomRoles, d.Revision)
	return b.String()
}

func deref[T any](p *T) any {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestLoadErrors(t *testing.T) {
	big := make([]byte, MaxFileSize+1)
	copy(big, "users: []\n#")
	for i := 11; i < len(big); i++ {
		big[i] = 'x'
	}
	tests := []struct {
		name string
		fsys fstest.MapFS
		opts Options
		want string
	}{
		{"no file", fstest.MapFS{"a.txt": {}}, Options{}, "no desired-state file matches **/*.yaml, **/*.yml"},
		{"no file for the patterns", fstest.MapFS{"a.yaml": {}}, Options{Files: []string{"users/*.yaml"}}, "no desired-state file matches users/*.yaml"},
		{"bad pattern", fstest.MapFS{}, Options{Files: []string{"../*.yaml"}}, `pattern "../*.yaml" must stay inside the directory`},
		{"bad external user", fstest.MapFS{"a.yaml": {Data: []byte("users: []\n")}}, Options{ExternalUsers: []string{"bob"}}, `source options: external_users[0]: "bob" is not an e-mail address`},
		{"file too large", fstest.MapFS{"a.yaml": {Data: big}}, Options{}, "a.yaml: file is larger than the 8388608 bytes allowed"},
		{"symlink", fstest.MapFS{"a.yaml": {Data: []byte("x"), Mode: os.ModeSymlink}}, Options{}, "a.yaml: a symbolic link, which is not followed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFS(context.Background(), tc.fsys, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := LoadFS(ctx, fstest.MapFS{"a.yaml": {Data: []byte("users: []\n")}}, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestLoadDir(t *testing.T) {
	if _, err := Load(context.Background(), Options{Dir: "testdata/does-not-exist"}); err == nil {
		t.Error("Load of a missing directory succeeded")
	}
	d, err := Load(context.Background(), Options{Dir: "../examples/desired"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Revision.Dir != "../examples/desired" || d.Revision.Commit != "" {
		t.Errorf("Revision = %+v, want only Dir", d.Revision)
	}
}

func TestValidationErrorsBound(t *testing.T) {
	var b strings.Builder
	b.WriteString("users:\n")
	for i := range 300 {
		fmt.Fprintf(&b, "  - username: u%d@x\n", i)
	}
	_, err := LoadFS(context.Background(), fstest.MapFS{"a.yaml": {Data: []byte(b.String())}}, Options{})
	var ve *ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want *ValidationErrors", err)
	}
	if len(ve.Errors) != MaxReported || ve.Omitted != 100 || ve.Len() != 300 {
		t.Errorf("listed %d, omitted %d, want %d and 100", len(ve.Errors), ve.Omitted, MaxReported)
	}
	if !strings.HasSuffix(err.Error(), "\nand 100 more problems") {
		t.Errorf("error does not end with the count of the others: ...%s", err.Error()[len(err.Error())-60:])
	}
	if ve.Errors[0].Line != 2 || ve.Errors[MaxReported-1].Line != MaxReported+1 {
		t.Errorf("problems are not the first ones in file order: lines %d..%d", ve.Errors[0].Line, ve.Errors[MaxReported-1].Line)
	}
}

func TestEmailProblem(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"alice@example.com", true},
		{"Alice.Smith+oncall@mail.example.co.uk", true},
		{"o'connor@example.ie", true},
		{"a@xn--bcher-kva.example", true},
		{"a@example.x", false},
		{"a@example.123", false},
		{"Bob@x", false},
		{"a@@example.com", false},
		{"a@b@example.com", false},
		{"a b@example.com", false},
		{".a@example.com", false},
		{"a.@example.com", false},
		{"a..b@example.com", false},
		{"a@-example.com", false},
		{"a@example-.com", false},
		{"a@exa_mple.com", false},
		{"é@example.com", false},
		{"<a@example.com>", false},
		{"Alice <a@example.com>", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := emailProblem(tc.in) == ""; got != tc.ok {
				t.Errorf("emailProblem(%q) ok = %v, want %v", tc.in, got, tc.ok)
			}
		})
	}
}
