package config

import (
	"strings"
	"testing"
)

// The keys of running it as a service: the heartbeat, invitation e-mails
// and the blocked-action health limit.
func TestServiceKeys(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("schedule: \"@hourly\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OpsGenie.Heartbeat != "" || !cfg.Users.SendInvitations || cfg.Health.MaxBlockedCycles != 0 {
		t.Errorf("defaults: heartbeat %q, send_invitations %v, max_blocked_cycles %d", cfg.OpsGenie.Heartbeat, cfg.Users.SendInvitations, cfg.Health.MaxBlockedCycles)
	}
	cfg, err = Parse("c.yaml", []byte("opsgenie: {heartbeat: ogsync-roster}\nusers: {send_invitations: false}\nhealth: {max_blocked_cycles: 6}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OpsGenie.Heartbeat != "ogsync-roster" || cfg.Users.SendInvitations || cfg.Health.MaxBlockedCycles != 6 {
		t.Errorf("set: heartbeat %q, send_invitations %v, max_blocked_cycles %d", cfg.OpsGenie.Heartbeat, cfg.Users.SendInvitations, cfg.Health.MaxBlockedCycles)
	}
	_, err = Parse("c.yaml", []byte("opsgenie:\n  heartbeat: \" roster\"\nhealth:\n  max_blocked_cycles: -1\n"))
	for _, want := range []string{
		`c.yaml:2:14: opsgenie.heartbeat: " roster" is not a heartbeat name`,
		`c.yaml:4:23: health.max_blocked_cycles: must be 0 (off) or more`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	if _, err = Parse("c.yaml", []byte("users:\n  send_invitations: maybe\n")); err == nil || !strings.Contains(err.Error(), `c.yaml:2:21: users.send_invitations: must be true or false`) {
		t.Errorf("error %v", err)
	}
}
