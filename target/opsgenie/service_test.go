package opsgenie

import (
	"testing"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// With DisableInvitations, creates send invitationDisabled and the emulator
// records it; without, they do not.
func TestCreateUserInvitations(t *testing.T) {
	seed := &ogsim.Seed{Users: []ogsim.SeedUser{{Username: "owner@example.com", FullName: "The Owner", Role: "Owner"}}}
	for _, disable := range []bool{false, true} {
		e := startEmulator(t, seed, ogsim.Options{}, func(o *Options) { o.DisableInvitations = disable })
		if _, err := e.client.CreateUser(t.Context(), model.User{Username: "new@example.com"}); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, u := range e.sim.State().Users {
			if u.Username == "new@example.com" {
				found = true
				if u.InvitationDisabled != disable {
					t.Errorf("DisableInvitations %v: the emulator recorded invitationDisabled %v", disable, u.InvitationDisabled)
				}
			}
		}
		if !found {
			t.Error("the user was not created")
		}
	}
}

// A heartbeat ping is a GET: the read-only client of a dry run sends it.
func TestPingHeartbeatReadOnly(t *testing.T) {
	e := startEmulator(t, nil, ogsim.Options{}, func(o *Options) { o.ReadOnly = true })
	if err := e.client.PingHeartbeat(t.Context(), "ogsync roster"); err != nil {
		t.Fatal(err)
	}
	if got := e.sim.Stats().Heartbeats; got["ogsync roster"] != 1 {
		t.Errorf("pings: %v", got)
	}
}
