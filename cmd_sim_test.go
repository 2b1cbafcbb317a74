package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

func TestParseSimArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		check   func(simOptions) bool
		wantErr string
	}{
		{"defaults", nil, func(o simOptions) bool {
			return o.listen == "127.0.0.1:8080" && o.apiKey == "" && o.seedFile == "" && o.rate == (ogsim.RateLimitOptions{}) &&
				o.faults == (ogsim.FaultOptions{Seed: 1}) && o.log.Level == "info" && o.actor == nil &&
				o.beh == ogsim.Behavior{MemberReAdd: "update-role", TeamPatchMembers: "replace", TeamDelete: "cascade"}
		}, ""},
		{"adversarial", []string{"--ignore-expand-member", "--member-readd", "conflict", "--team-patch-members", "ignore",
			"--team-delete", "refuse", "--list-lag", "30s", "--fault-late-rate", "0.2", "--fault-late-delay", "45s",
			"--actor-every", "7", "--actor-seed", "3", "--actor-users", "a@x.com, b@x.com", "--actor-ops", "add-member,rename-team"}, func(o simOptions) bool {
			return o.beh == ogsim.Behavior{IgnoreExpandMember: true, MemberReAdd: "conflict", TeamPatchMembers: "ignore", TeamDelete: "refuse", ListLag: 30 * time.Second} &&
				o.faults.LateRate == 0.2 && o.faults.LateDelay == 45*time.Second && o.actor != nil && o.actor.Every == 7 && o.actor.Seed == 3 &&
				strings.Join(o.actor.Users, ",") == "a@x.com,b@x.com" && strings.Join(o.actor.Ops, ",") == "add-member,rename-team"
		}, ""},
		{"actor ops default to all", []string{"--actor-every", "1", "--actor-users", "a@x.com"}, func(o simOptions) bool {
			return o.actor != nil && len(o.actor.Ops) == 5 && o.actor.Seed == 1
		}, ""},
		{"actor without add-member needs no users", []string{"--actor-every", "2", "--actor-ops", "rename-team,create-team"}, func(o simOptions) bool {
			return o.actor != nil && len(o.actor.Users) == 0
		}, ""},
		{"everything", []string{"--listen", "127.0.0.1:0", "--api-key", "k", "--seed", "s.yaml", "--id-seed", "9",
			"--rate-config-per-second", "2", "--rate-config-per-minute", "60", "--rate-search-per-second", "1", "--rate-search-per-minute", "30",
			"--fault-seed", "42", "--fault-error-rate", "0.1", "--fault-drop-rate", "0.05", "--fault-latency", "20ms", "--fault-jitter", "5ms",
			"--fault-after-effect", "--log-level", "debug", "--log-format", "json"}, func(o simOptions) bool {
			return o.listen == "127.0.0.1:0" && o.apiKey == "k" && o.seedFile == "s.yaml" && o.idSeed == 9 &&
				o.rate == ogsim.RateLimitOptions{Configuration: ogsim.Bucket{PerSecond: 2, PerMinute: 60}, Search: ogsim.Bucket{PerSecond: 1, PerMinute: 30}} &&
				o.faults == ogsim.FaultOptions{Seed: 42, ErrorRate: 0.1, DropRate: 0.05, Latency: 20 * time.Millisecond, Jitter: 5 * time.Millisecond, AfterEffect: true} &&
				o.log.Level == "debug" && o.log.Format == "json"
		}, ""},
		{"bad listen", []string{"--listen", "8080"}, nil, "--listen=8080: must be host:port"},
		{"negative rate", []string{"--rate-search-per-minute", "-1"}, nil, "--rate-search-per-minute=-1: must not be negative"},
		{"error rate too high", []string{"--fault-error-rate", "1.5"}, nil, "--fault-error-rate=1.5: must be between 0 and 1"},
		{"negative drop rate", []string{"--fault-drop-rate", "-0.1"}, nil, "--fault-drop-rate=-0.1"},
		{"rates add up", []string{"--fault-error-rate", "0.7", "--fault-drop-rate", "0.7"}, nil, "--fault-error-rate=0.7 and --fault-drop-rate=0.7"},
		{"negative latency", []string{"--fault-latency", "-1s"}, nil, "--fault-latency=-1s"},
		{"negative jitter", []string{"--fault-jitter", "-1s"}, nil, "--fault-jitter=-1s"},
		{"bad duration", []string{"--fault-latency", "soon"}, nil, "-fault-latency"},
		{"bad log level", []string{"--log-level", "loud"}, nil, "--log-level=loud"},
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
		{"positional argument", []string{"extra"}, nil, `unexpected argument "extra"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("sim", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			o, err := parseSimArgs(fs, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if !tc.check(o) {
				t.Errorf("options = %+v", o)
			}
		})
	}
}

func TestSimHelp(t *testing.T) {
	code, out, errs := runCLI(t, nil, "sim", "--help")
	if code != exitOK || !strings.Contains(out+errs, "Usage: ogsync sim --listen ADDR --api-key KEY") ||
		!strings.Contains(errs, "-fault-drop-rate") || !strings.Contains(errs, "-rate-search-per-second") {
		t.Errorf("help: code %d\n%s%s", code, out, errs)
	}
}

func TestSimStartupErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("users:\n  - username: nobody\n    fullName: N\n    role: User\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const secret = "5ec4e75e-c4e7-4e75-8c4e-75ec4e75ec4e"
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no key", nil, []string{"sim", "--listen", "127.0.0.1:0"}, "--api-key (or OPSGENIE_API_KEY) is required"},
		{"bad seed", nil, []string{"sim", "--api-key", secret, "--seed", bad}, bad + ":2: users[0].username"},
		{"missing seed", map[string]string{"OPSGENIE_API_KEY": secret}, []string{"sim", "--seed", filepath.Join(dir, "none.yaml")}, "reading seed"},
		{"bad flag", nil, []string{"sim", "--fault-error-rate", "2"}, "--fault-error-rate=2"},
		{"unknown actor user", nil, []string{"sim", "--api-key", secret, "--actor-every", "1", "--actor-users", "ghost@example.com"}, `user "ghost@example.com" does not exist`},
		{"address in use", nil, []string{"sim", "--api-key", secret, "--listen", busy.Addr().String()}, "ogsync sim: listening:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.env, tc.args...)
			if code != exitError || !strings.Contains(errs, tc.want) {
				t.Errorf("code %d, stderr %q; want exit 1 and %q", code, errs, tc.want)
			}
			if strings.Contains(out+errs, secret) {
				t.Errorf("output leaks the API key: %s%s", out, errs)
			}
		})
	}
}

// syncBuffer is a goroutine-safe writer for a command's stderr.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startSim runs "ogsync sim" in-process on 127.0.0.1:0 and returns its base
// URL, its stderr and a stop function returning the exit code.
func startSim(t *testing.T, env map[string]string, args ...string) (base string, stderr *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &syncBuffer{}
	done := make(chan int, 1)
	getenv := func(k string) string { return env[k] }
	go func() {
		done <- run(ctx, append([]string{"sim", "--listen", "127.0.0.1:0"}, args...), stdio{out: io.Discard, err: stderr, getenv: getenv})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for base == "" {
		for _, line := range strings.Split(stderr.String(), "\n") {
			if addr, ok := strings.CutPrefix(line, "listening on "); ok {
				base = "http://" + addr
			}
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("ogsync sim exited with %d before listening: %s", code, stderr)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("ogsync sim did not report its address: %s", stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var once sync.Once
	code := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(10 * time.Second):
				t.Error("ogsync sim did not stop after cancellation")
			}
		})
		return code
	}
	return base, stderr, stop
}

// simGet reads a URL like curl would.
func simGet(t *testing.T, url, key string, into any) int {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "GenieKey "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: decoding: %v", url, err)
	}
	return resp.StatusCode
}

func TestSimServesSeededAccount(t *testing.T) {
	const key = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	base, stderr, stop := startSim(t, nil, "--api-key", key, "--seed", "examples/seed.yaml", "--log-format", "json")

	var users struct {
		TotalCount int `json:"totalCount"`
		Data       []struct {
			Username string `json:"username"`
			Role     struct {
				Name string `json:"name"`
			} `json:"role"`
		} `json:"data"`
		Paging struct {
			First string `json:"first"`
		} `json:"paging"`
	}
	if code := simGet(t, base+"/v2/users?limit=100", key, &users); code != 200 {
		t.Fatalf("list users: %d", code)
	}
	seed, err := ogsim.LoadSeed("examples/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if users.TotalCount != len(seed.Users) || len(users.Data) != len(seed.Users) || !strings.HasPrefix(users.Paging.First, base+"/v2/users?") {
		t.Errorf("users = %+v", users)
	}
	var team struct {
		Data struct {
			Members []struct {
				User struct{ Username string } `json:"user"`
			} `json:"members"`
		} `json:"data"`
	}
	if code := simGet(t, base+"/v2/teams/sre?identifierType=name", key, &team); code != 200 || len(team.Data.Members) != len(seed.Teams[0].Members) {
		t.Errorf("team sre: %d %+v", code, team)
	}
	var unauth map[string]any
	if code := simGet(t, base+"/v2/users", "", &unauth); code != 401 {
		t.Errorf("without a key: %d", code)
	}
	var stats ogsim.Stats
	if code := simGet(t, base+"/_sim/stats", "", &stats); code != 200 || stats.Total != 3 || stats.ByRoute["GET /v2/users"] != 2 {
		t.Errorf("stats: %d %+v", code, stats)
	}

	if code := stop(); code != exitOK {
		t.Errorf("exit code %d after cancellation; stderr %s", code, stderr)
	}
	out := stderr.String()
	if strings.Contains(out, key) {
		t.Errorf("stderr leaks the API key: %s", out)
	}
	if !strings.Contains(out, `"msg":"stopped"`) {
		t.Errorf("no shutdown log: %s", out)
	}
	if _, err := http.Get(base + "/_sim/stats"); err == nil {
		t.Error("still serving after shutdown")
	}
}

func TestSimKeyFromEnvironment(t *testing.T) {
	const key = "7e7e7e7e-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	base, stderr, stop := startSim(t, map[string]string{"OPSGENIE_API_KEY": key},
		"--rate-search-per-minute", "1", "--log-level", "debug", "--log-format", "json")
	defer stop()
	var body map[string]any
	if code := simGet(t, base+"/v2/users", key, &body); code != 200 || body["totalCount"] != 0.0 {
		t.Errorf("empty account via env key: %d %v", code, body)
	}
	if code := simGet(t, base+"/v2/users", key, &body); code != 429 {
		t.Errorf("rate limit flag not applied: %d", code)
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit code %d", code)
	}
	if strings.Contains(stderr.String(), key) {
		t.Errorf("stderr leaks the key")
	}
}

// TestSimAdversarialFlags checks that the switches reach the emulator: a
// re-added member is a conflict, list teams ignores expand=member, the
// actor renames a team before the 2nd request, and /_sim/journal shows it.
func TestSimAdversarialFlags(t *testing.T) {
	const key = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	base, stderr, stop := startSim(t, nil, "--api-key", key, "--seed", "examples/seed.yaml", "--member-readd", "conflict",
		"--ignore-expand-member", "--actor-every", "2", "--actor-ops", "rename-team")
	defer stop()
	var teams struct {
		Data []struct {
			Name    string            `json:"name"`
			Members []json.RawMessage `json:"members"`
		} `json:"data"`
		Expandable []string `json:"expandable"`
	}
	if code := simGet(t, base+"/v2/teams?expand=member", key, &teams); code != 200 || len(teams.Data) == 0 || teams.Expandable != nil {
		t.Fatalf("list teams: %d %+v", code, teams)
	}
	for _, tm := range teams.Data {
		if tm.Members != nil {
			t.Errorf("team %s has members despite --ignore-expand-member", tm.Name)
		}
	}
	req, _ := http.NewRequest("POST", base+"/v2/teams/sre/members?teamIdentifierType=name",
		strings.NewReader(`{"user":{"username":"ken.thompson@example.com"},"role":"admin"}`))
	req.Header.Set("Authorization", "GenieKey "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 409 {
		t.Errorf("re-adding a member with --member-readd conflict: %d", resp.StatusCode)
	}
	var journal []ogsim.Mutation
	if code := simGet(t, base+"/_sim/journal", "", &journal); code != 200 || len(journal) != 1 ||
		journal[0].Source != ogsim.SourceActor || journal[0].Op != ogsim.OpRenameTeam {
		t.Errorf("journal: %d %+v", code, journal)
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit code %d; stderr %s", code, stderr)
	}
}
