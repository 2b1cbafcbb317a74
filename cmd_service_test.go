package main

import (
	"testing"

	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// users.send_invitations reaches the API: false creates users with
// invitationDisabled, the default does not.
func TestApplySendInvitations(t *testing.T) {
	for _, tc := range []struct {
		extra    string
		disabled bool
	}{{"", false}, {"users: {send_invitations: false}\n", true}} {
		f := newCLIFixture(t, &ogsim.Seed{Users: []ogsim.SeedUser{{Username: "owner@example.com", FullName: "The Owner", Role: "Owner"}}}, tc.extra)
		if code, _, errs := f.run(t, "apply", "--config", f.config); code != exitOK {
			t.Fatalf("apply: exit %d:\n%s", code, errs)
		}
		created := 0
		for _, u := range f.sim.State().Users {
			if u.Username == "owner@example.com" {
				continue
			}
			created++
			if u.InvitationDisabled != tc.disabled {
				t.Errorf("%q: %s created with invitationDisabled %v", tc.extra, u.Username, u.InvitationDisabled)
			}
		}
		if created != 3 {
			t.Errorf("%q: %d users created, want 3", tc.extra, created)
		}
	}
}
