package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/target/atlassian/atlsim"
)

func TestTakeTargetFlag(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		target   string
		rest     []string
		wantsErr bool
	}{
		{nil, "opsgenie", nil, false},
		{[]string{"--apply"}, "opsgenie", []string{"--apply"}, false},
		{[]string{"--target", "atlassian", "--apply"}, "atlassian", []string{"--apply"}, false},
		{[]string{"-target=atlassian"}, "atlassian", nil, false},
		{[]string{"--apply", "--target=opsgenie"}, "opsgenie", []string{"--apply"}, false},
		{[]string{"--target"}, "", nil, true},
		{[]string{"--target", "jira"}, "", nil, true},
		{[]string{"--", "--target", "atlassian"}, "opsgenie", []string{"--", "--target", "atlassian"}, false},
		{[]string{"--seed", "target", "--apply"}, "opsgenie", []string{"--seed", "target", "--apply"}, false},
		{[]string{"--seed", "target", "--target", "atlassian"}, "atlassian", []string{"--seed", "target"}, false},
	} {
		got, rest, err := takeTargetFlag(tc.args)
		if (err != nil) != tc.wantsErr || got != tc.target || !slices.Equal(rest, tc.rest) {
			t.Errorf("takeTargetFlag(%q) = %q, %q, %v", tc.args, got, rest, err)
		}
	}
}

// TestSimAtlassian serves the Atlassian emulator with the demo seed, checks
// that it prints its org and cloud ids and serves the seeded org, and that
// it stops on cancellation without printing the key.
func TestSimAtlassian(t *testing.T) {
	const key = "a7la55-51m-k3y-Hq4Zr8Tn-5150"
	base, stderr, stop := startSim(t, nil, "--target", "atlassian", "--api-key", key, "--org-id", "org-x",
		"--seed", "examples/demo/atlassian-seed.yaml", "--log-format", "json")
	resp, err := http.Get(base + "/_sim/state")
	if err != nil {
		t.Fatal(err)
	}
	var st atlsim.State
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	seed, err := atlsim.LoadSeed("examples/demo/atlassian-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if st.OrgID != "org-x" || st.CloudID == "" || len(st.Users) != len(seed.Users) || len(st.Teams) != len(seed.Teams) {
		t.Errorf("state: org %q cloud %q, %d users, %d teams; want org-x and the seed's %d users, %d teams",
			st.OrgID, st.CloudID, len(st.Users), len(st.Teams), len(seed.Users), len(seed.Teams))
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit %d", code)
	}
	errs := stderr.String()
	if !strings.Contains(errs, "org id org-x\n") || !strings.Contains(errs, "cloud id "+st.CloudID+"\n") {
		t.Errorf("the ids are not printed:\n%s", errs)
	}
	if strings.Contains(strings.ToLower(errs), strings.ToLower(key[:8])) {
		t.Errorf("stderr shows the key:\n%s", errs)
	}

	code, _, errOut := runCLI(t, nil, "sim", "--target", "atlassian", "--listen", "127.0.0.1:0")
	if code != exitError || !strings.Contains(errOut, "--api-key (or ATLASSIAN_API_TOKEN) is required") {
		t.Errorf("without a key: exit %d, %q", code, errOut)
	}
}

// TestDemoAtlassian runs the demo against the embedded Atlassian emulator:
// the dry run plans the drift and writes nothing; --apply applies it and
// the second plan holds only the delete the on-call audit blocks.
func TestDemoAtlassian(t *testing.T) {
	code, out, errs := runCLI(t, nil, "demo", "--target", "atlassian")
	if code != exitOK || !strings.Contains(out, "create user noah.brown@example.com") || !strings.Contains(out, "This was a dry run") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, nil, "demo", "--target", "atlassian", "--apply")
	if code != exitOK {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	_, again, ok := strings.Cut(out, "Planning again:")
	if !ok || !strings.Contains(out, "6 applied, 0 failed, 0 skipped, 1 blocked") ||
		!strings.Contains(again, "Summary: users +0 ~0 -1, teams +0 ~0 -0, memberships +0 ~0 -0; 1 blocked") {
		t.Errorf("apply:\n%s", out)
	}
}
