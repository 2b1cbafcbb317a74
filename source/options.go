package source

import (
	"fmt"

	"github.com/ogsync/ogsync/internal/problem"
	"github.com/ogsync/ogsync/model"
)

// Validate reports every problem with the options, by field: "files[2]",
// "external_users[0]", "git.remote", "git.branch", "git.timeout". Load,
// LoadFS and Pull refuse options it refuses before they read anything;
// empty fields take their defaults.
func (o Options) Validate() problem.List {
	var ps problem.List
	for i, p := range o.Files {
		if err := CheckPattern(p); err != nil {
			ps.Add(fmt.Sprintf("files[%d]", i), "%v", err)
		}
	}
	for i, u := range o.ExternalUsers {
		if msg := emailProblem(model.NormalizeUsername(u)); msg != "" {
			ps.Add(fmt.Sprintf("external_users[%d]", i), "%s", msg)
		}
	}
	if o.Git.Pull {
		if err := checkRefName("remote", o.Git.Remote); err != nil {
			ps.Add("git.remote", "%v", err)
		}
		if err := checkRefName("branch", o.Git.Branch); err != nil {
			ps.Add("git.branch", "%v", err)
		}
	}
	if o.Git.Timeout < 0 {
		ps.Add("git.timeout", "must be a positive duration such as 2m")
	}
	return ps
}
