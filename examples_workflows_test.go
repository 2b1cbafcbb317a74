package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// workflow is the part of a GitHub Actions workflow the rules below read.
type workflow struct {
	Permissions map[string]string `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]struct {
		If          string            `yaml:"if"`
		Permissions map[string]string `yaml:"permissions"`
		Steps       []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
			With map[string]any    `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// pinnedRE is an action pinned by a full commit SHA, with its release in a comment.
var pinnedRE = regexp.MustCompile(`^\s*(- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$`)

// TestExampleWorkflows checks the rules the example workflows promise:
// actions pinned by SHA, a pinned ogsync (never @latest), least-privilege
// permissions, no secret in a job that runs for pull requests from forks,
// the full plan as the artifact and no cutting of the Markdown.
func TestExampleWorkflows(t *testing.T) {
	files, err := filepath.Glob("examples/github-actions/*.yml")
	if err != nil || len(files) != 2 {
		t.Fatalf("workflows: %v %v", files, err)
	}
	writeScopes := map[string]bool{"pull-requests": true}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var w workflow
		if err := yaml.Unmarshal(raw, &w); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for i, line := range strings.Split(string(raw), "\n") {
			if strings.Contains(line, "uses:") && !pinnedRE.MatchString(line) {
				t.Errorf("%s:%d: action not pinned by a full SHA with its release in a comment: %s", file, i+1, strings.TrimSpace(line))
			}
			if strings.Contains(line, "@latest") && !strings.HasPrefix(strings.TrimSpace(line), "#") {
				t.Errorf("%s:%d: @latest", file, i+1)
			}
		}
		if !regexp.MustCompile(`^v\d+\.\d+\.\d+$`).MatchString(w.Env["OGSYNC_VERSION"]) {
			t.Errorf("%s: OGSYNC_VERSION = %q, want a pinned release", file, w.Env["OGSYNC_VERSION"])
		}
		if len(w.Permissions) != 1 || w.Permissions["contents"] != "read" {
			t.Errorf("%s: top-level permissions = %v, want contents: read only", file, w.Permissions)
		}
		for name, job := range w.Jobs {
			if job.Permissions == nil {
				t.Errorf("%s: job %s declares no permissions", file, name)
			}
			for scope, level := range job.Permissions {
				if level == "write" && !writeScopes[scope] {
					t.Errorf("%s: job %s may write %s", file, name, scope)
				}
			}
			usesSecret, installs := false, false
			for _, s := range job.Steps {
				for _, v := range s.Env {
					usesSecret = usesSecret || strings.Contains(v, "secrets.")
				}
				if strings.Contains(s.Run, "go install") {
					installs = true
					if !strings.Contains(s.Run, "@${OGSYNC_VERSION}") {
						t.Errorf("%s: job %s installs ogsync without the pinned version", file, name)
					}
				}
				if strings.Contains(s.Uses, "actions/checkout@") && s.With["persist-credentials"] != false {
					t.Errorf("%s: job %s keeps the checkout's credentials", file, name)
				}
				script, _ := s.With["script"].(string)
				if strings.Contains(s.Run+script, "60000") || strings.Contains(script, ".slice(0, max)") {
					t.Errorf("%s: job %s cuts the Markdown", file, name)
				}
			}
			if !installs {
				t.Errorf("%s: job %s does not install ogsync", file, name)
			}
			if usesSecret && strings.HasSuffix(file, "plan.yml") && !strings.Contains(job.If, "github.event.pull_request.head.repo.full_name == github.repository") {
				t.Errorf("%s: job %s uses a secret and runs for pull requests from forks", file, name)
			}
		}
	}

	var plan workflow
	raw, _ := os.ReadFile("examples/github-actions/ogsync-plan.yml")
	if err := yaml.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	// The fork-safe job validates and diffs, with no secret.
	var runs []string
	for _, s := range plan.Jobs["desired"].Steps {
		runs = append(runs, s.Run)
		for _, v := range s.Env {
			if strings.Contains(v, "secrets.") {
				t.Error("the desired job uses a secret")
			}
		}
	}
	all := strings.Join(runs, "\n")
	for _, want := range []string{"ogsync validate", "ogsync diff", "GITHUB_STEP_SUMMARY"} {
		if !strings.Contains(all, want) {
			t.Errorf("the desired job lacks %q", want)
		}
	}
	if plan.Jobs["desired"].If != "" {
		t.Error("the desired job must run for every pull request")
	}
	// The plan job keeps the whole plan (text and JSON), not the capped comment.
	var artifact string
	all = ""
	for _, s := range plan.Jobs["plan"].Steps {
		all += s.Run
		if strings.Contains(s.Uses, "upload-artifact") {
			artifact, _ = s.With["path"].(string)
		}
	}
	if !strings.Contains(artifact, "plan.txt") || !strings.Contains(artifact, "plan.json") || strings.Contains(artifact, "plan.md") {
		t.Errorf("plan artifact = %q, want plan.txt and plan.json only", artifact)
	}
	if !strings.Contains(all, "GITHUB_STEP_SUMMARY") {
		t.Error("the plan job does not write the step summary")
	}
}
