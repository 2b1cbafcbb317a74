package source

import (
	"strings"
	"testing"
	"time"
)

func TestOptionsValidate(t *testing.T) {
	o := Options{
		Files:         []string{"users/*.yaml", "**b/*.yaml", "../x.yaml"},
		ExternalUsers: []string{"ext@partner.example", "bob"},
		Git:           GitOptions{Pull: true, Remote: "-x", Branch: "release.lock", Timeout: -time.Second},
	}
	var got []string
	for _, p := range o.Validate() {
		got = append(got, p.Error())
	}
	want := []string{
		`files[1]: pattern "**b/*.yaml": ** must be a whole path segment`,
		`files[2]: pattern "../x.yaml" must stay inside the directory (no empty, . or .. segments)`,
		`external_users[1]: "bob" is not an e-mail address`,
		`git.remote: git remote "-x" is not a valid name`,
		`git.branch: git branch "release.lock" is not a valid name`,
		`git.timeout: must be a positive duration such as 2m`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Validate =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without a pull, the git names are not used and not checked.
	o = Options{Git: GitOptions{Remote: "-x"}}
	if ps := o.Validate(); len(ps) > 0 {
		t.Errorf("no pull: %v", ps)
	}
}

// TestPullRefusesInvalidOptions: Pull checks the options (the only check of
// the remote and branch names it passes to git) before running git.
func TestPullRefusesInvalidOptions(t *testing.T) {
	o := Options{Dir: t.TempDir(), Git: GitOptions{Pull: true, Remote: "--upload-pack=x", Branch: "main"}}
	_, err := Pull(t.Context(), o, nil)
	if err == nil || !strings.Contains(err.Error(), `source options: git.remote: git remote "--upload-pack=x" is not a valid name`) {
		t.Errorf("Pull = %v", err)
	}
}
