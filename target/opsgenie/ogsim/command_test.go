package ogsim

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// parseCommand parses args as ogsync sim does and checks them.
func parseCommand(args []string) (*Command, error) {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := NewCommand("OPSGENIE_API_KEY")
	c.Register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c, c.Check()
}

// TestCommandFlags: the defaults and the values of every flag of ogsync
// sim, and the errors of the checks, which name the flag.
func TestCommandFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		check   func(*Command) bool
		wantErr string
	}{
		{"defaults", nil, func(c *Command) bool {
			return c.serve.Listen == "127.0.0.1:8080" && c.serve.APIKey == "" && c.serve.SeedFile == "" && c.rate == (RateLimitOptions{}) &&
				c.faults == (FaultOptions{Seed: 1}) && c.actor == nil &&
				c.beh == Behavior{MemberReAdd: "update-role", TeamPatchMembers: "replace", TeamDelete: "cascade"}
		}, ""},
		{"adversarial", []string{"--ignore-expand-member", "--member-readd", "conflict", "--team-patch-members", "ignore",
			"--team-delete", "refuse", "--list-lag", "30s", "--fault-late-rate", "0.2", "--fault-late-delay", "45s",
			"--actor-every", "7", "--actor-seed", "3", "--actor-users", "a@x.com, b@x.com", "--actor-ops", "add-member,rename-team"}, func(c *Command) bool {
			return c.beh == Behavior{IgnoreExpandMember: true, MemberReAdd: "conflict", TeamPatchMembers: "ignore", TeamDelete: "refuse", ListLag: 30 * time.Second} &&
				c.faults.LateRate == 0.2 && c.faults.LateDelay == 45*time.Second && c.actor != nil && c.actor.Every == 7 && c.actor.Seed == 3 &&
				strings.Join(c.actor.Users, ",") == "a@x.com,b@x.com" && strings.Join(c.actor.Ops, ",") == "add-member,rename-team"
		}, ""},
		{"actor ops default to all", []string{"--actor-every", "1", "--actor-users", "a@x.com"}, func(c *Command) bool {
			return c.actor != nil && len(c.actor.Ops) == 5 && c.actor.Seed == 1
		}, ""},
		{"actor without add-member needs no users", []string{"--actor-every", "2", "--actor-ops", "rename-team,create-team"}, func(c *Command) bool {
			return c.actor != nil && len(c.actor.Users) == 0
		}, ""},
		{"everything", []string{"--listen", "127.0.0.1:0", "--api-key", "k", "--seed", "s.yaml", "--id-seed", "9",
			"--rate-config-per-second", "2", "--rate-config-per-minute", "60", "--rate-search-per-second", "1", "--rate-search-per-minute", "30",
			"--fault-seed", "42", "--fault-error-rate", "0.1", "--fault-drop-rate", "0.05", "--fault-latency", "20ms", "--fault-jitter", "5ms",
			"--fault-after-effect"}, func(c *Command) bool {
			return c.serve.Listen == "127.0.0.1:0" && c.serve.APIKey == "k" && c.serve.SeedFile == "s.yaml" && c.idSeed == 9 &&
				c.rate == RateLimitOptions{Configuration: Bucket{PerSecond: 2, PerMinute: 60}, Search: Bucket{PerSecond: 1, PerMinute: 30}} &&
				c.faults == FaultOptions{Seed: 42, ErrorRate: 0.1, DropRate: 0.05, Latency: 20 * time.Millisecond, Jitter: 5 * time.Millisecond, AfterEffect: true}
		}, ""},
		{"bad listen", []string{"--listen", "8080"}, nil, "--listen=8080: must be host:port"},
		{"negative rate", []string{"--rate-search-per-minute", "-1"}, nil, "--rate-search-per-minute=-1: must not be negative"},
		{"error rate too high", []string{"--fault-error-rate", "1.5"}, nil, "--fault-error-rate=1.5: must be between 0 and 1"},
		{"negative drop rate", []string{"--fault-drop-rate", "-0.1"}, nil, "--fault-drop-rate=-0.1"},
		{"rates add up", []string{"--fault-error-rate", "0.7", "--fault-drop-rate", "0.7"}, nil, "--fault-error-rate=0.7 and --fault-drop-rate=0.7"},
		{"negative latency", []string{"--fault-latency", "-1s"}, nil, "--fault-latency=-1s"},
		{"negative jitter", []string{"--fault-jitter", "-1s"}, nil, "--fault-jitter=-1s"},
		{"bad duration", []string{"--fault-latency", "soon"}, nil, "-fault-latency"},
		{"bad member-readd", []string{"--member-readd", "merge"}, nil, "--member-readd=merge: must be update-role, conflict, keep-role"},
		{"bad team-patch-members", []string{"--team-patch-members", "merge"}, nil, "--team-patch-members=merge: must be replace, ignore"},
		{"bad team-delete", []string{"--team-delete", "orphan"}, nil, "--team-delete=orphan: must be cascade, refuse"},
		{"negative list lag", []string{"--list-lag", "-1s"}, nil, "--list-lag=-1s: must not be negative"},
		{"late rate too high", []string{"--fault-late-rate", "2"}, nil, "--fault-late-rate=2: must be between 0 and 1"},
		{"three rates add up", []string{"--fault-error-rate", "0.5", "--fault-drop-rate", "0.3", "--fault-late-rate", "0.3"}, nil,
			"--fault-error-rate=0.5, --fault-drop-rate=0.3 and --fault-late-rate=0.3: together must not exceed 1"},
		{"negative late delay", []string{"--fault-late-delay", "-1s"}, nil, "--fault-late-delay=-1s"},
		{"negative actor every", []string{"--actor-every", "-1"}, nil, "--actor-every=-1: must not be negative"},
		{"actor flags without every", []string{"--actor-ops", "rename-team"}, nil, "--actor-users and --actor-ops need --actor-every"},
		{"unknown actor op", []string{"--actor-every", "1", "--actor-ops", "rename-team,nuke"}, nil, `--actor-ops=rename-team,nuke: unknown op "nuke"`},
		{"empty actor user", []string{"--actor-every", "1", "--actor-users", "a@x.com,,b@x.com"}, nil, "--actor-users=a@x.com,,b@x.com: empty entry"},
		{"add-member without users", []string{"--actor-every", "1", "--actor-ops", "add-member"}, nil, "--actor-users: the add-member op needs at least one username"},
		{"unknown flag", []string{"--port", "1"}, nil, "-port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseCommand(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if !tc.check(c) {
				t.Errorf("command = %+v", c)
			}
		})
	}
}
