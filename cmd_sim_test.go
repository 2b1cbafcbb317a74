package main

import (
	"bytes"
	"context"
	"encoding/json"
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

func TestSimHelp(t *testing.T) {
	code, out, errs := runCLI(t, nil, "sim", "--help")
	if code != exitOK || !strings.Contains(out+errs, "Usage: ogsync sim --listen ADDR --api-key KEY") ||
		!strings.Contains(errs, "-fault-drop-rate") || !strings.Contains(errs, "-rate-search-per-second") {
		t.Errorf("help: code %d\n%s%s", code, out, errs)
	}
}

// TestSimFlagErrors: the flags of both emulators and the logging flags are
// checked before anything is served, the emulator's first, and each error
// names its flag; --target atlassian --help shows the Atlassian flags.
func TestSimFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"positional argument", []string{"sim", "extra"}, exitError, `ogsync sim: unexpected argument "extra"` + "\n"},
		{"bad log level", []string{"sim", "--log-level", "loud"}, exitError, "ogsync sim: --log-level=loud: must be debug, info, warn or error\n"},
		{"emulator flags first", []string{"sim", "--log-format", "xml", "--member-readd", "merge"}, exitError,
			"ogsync sim: --member-readd=merge: must be update-role, conflict, keep-role\n"},
		{"atlassian listen", []string{"sim", "--target", "atlassian", "--log-level", "loud", "--listen", "8080"}, exitError,
			"ogsync sim: --listen=8080: must be host:port\n"},
		{"atlassian log format", []string{"sim", "--target=atlassian", "--log-format", "xml"}, exitError,
			"ogsync sim: --log-format=xml: must be auto, text or json\n"},
		{"atlassian has no actor", []string{"sim", "--target", "atlassian", "--actor-every", "1"}, exitError, "-actor-every"},
		{"atlassian help", []string{"sim", "--target", "atlassian", "--help"}, exitOK,
			"Usage: ogsync sim --target atlassian --listen ADDR --api-key KEY [--org-id ID] [--cloud-id ID] [--seed FILE] [flags]\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, nil, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) || out != "" {
				t.Errorf("code %d, stdout %q, stderr %q; want exit %d and %q", code, out, errs, tc.code, tc.want)
			}
		})
	}
	_, _, errs := runCLI(t, nil, "sim", "--target", "atlassian", "--help")
	for _, f := range []string{"-org-id id", "-cloud-id id", "-log-level", "ATLASSIAN_API_TOKEN"} {
		if !strings.Contains(errs, f) {
			t.Errorf("help of the Atlassian emulator lacks %q:\n%s", f, errs)
		}
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
