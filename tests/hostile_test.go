package tests

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// hostileKey is the API key of the hostile-server tests.
const hostileKey = "h0st1le-k3y-Zq7Wp2Xv-9Rt4Yu6I-0099"

// keyPieces are the lower-cased 8-character pieces of hostileKey.
func keyPieces(key string) []string {
	k := strings.ToLower(key)
	var ps []string
	for i := 0; i+8 <= len(k); i++ {
		ps = append(ps, k[i:i+8])
	}
	return ps
}

// leaked returns the pieces of key found in text, case-insensitively.
func leaked(key, text string) []string {
	low := strings.ToLower(text)
	var found []string
	for _, p := range keyPieces(key) {
		if strings.Contains(low, p) {
			found = append(found, p)
		}
	}
	return found
}

// scanDir returns the pieces of key found in the files under dir.
func scanDir(t *testing.T, key, dir string) []string {
	t.Helper()
	var found []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil {
			for _, f := range leaked(key, string(data)) {
				found = append(found, p+": "+f)
			}
		}
		return nil
	})
	return found
}

// TestHostileServerKeyFragments: a server reflects the key in a user's
// data (another letter case, split in two fields), and echoes it in error
// bodies cut at the 512-byte limit. No 8-character piece of the key
// reaches stdout, stderr, the state directory or a report file.
func TestHostileServerKeyFragments(t *testing.T) {
	seed := ownerSeed()
	seed.Users = append(seed.Users,
		ogsim.SeedUser{Username: "mirror@example.com", FullName: "Mirror " + strings.ToUpper(hostileKey), Role: "User",
			Details: map[string][]string{"a": {hostileKey[:17]}, "b": {hostileKey[17:]}}})
	e := startEmu(t, ogsim.Options{APIKey: hostileKey, Seed: seed})
	// A front that answers the team list with a plain-text 500 echoing the
	// key across the 512-byte cut, once the flag is set.
	var breakTeams atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if breakTeams.Load() && r.URL.Path == "/v2/teams" {
			w.WriteHeader(500)
			_, _ = w.Write([]byte(strings.Repeat("y", 500) + strings.ToLower(hostileKey) + " and " + r.Header.Get("Authorization")))
			return
		}
		proxy(w, r, e.url)
	}))
	t.Cleanup(front.Close)

	base := t.TempDir()
	dir := filepath.Join(base, "desired")
	writeFile(t, filepath.Join(dir, "users.yaml"), goodUsers+"  - username: mirror@example.com\n    fullName: Mirror\n    role: User\n")
	state := filepath.Join(base, "state")
	cfg := filepath.Join(base, "ogsync.yaml")
	writeFile(t, cfg, configYAML(front.URL, dir, state, "ownership: {mode: adopt}\n"))
	out := filepath.Join(base, "reports")
	if err := os.MkdirAll(out, 0o700); err != nil {
		t.Fatal(err)
	}
	env := cliEnv(base, hostileKey)
	runs := [][]string{
		{"plan", "--config", cfg, "--log-level", "debug"},
		{"plan", "--config", cfg, "--format", "json", "--out", filepath.Join(out, "plan.json")},
		{"plan", "--config", cfg, "--format", "markdown", "--out", filepath.Join(out, "plan.md")},
		{"run", "--config", cfg, "--once", "--log-level", "debug", "--log-format", "json"},
		{"export", "--config", cfg, "--out", filepath.Join(out, "export")},
		{"plan", "--config", cfg, "--api-url", "http://127.0.0.1:1/?apiKey=" + hostileKey},
		{"plan", "--config", cfg, "--api-url", "https://" + hostileKey + "@api.opsgenie.com"},
	}
	broken := [][]string{
		{"plan", "--config", cfg, "--log-level", "debug"},
		{"run", "--config", cfg, "--once", "--log-level", "debug", "--log-format", "text"},
	}
	check := func(args []string) {
		r := runCLI(t, env, args...)
		if strings.Contains(r.stderr, "panic:") {
			t.Errorf("%v panicked:\n%s", args, r.stderr)
		}
		if f := leaked(hostileKey, r.stdout+r.stderr); len(f) > 0 {
			t.Errorf("%v: pieces of the key in the output: %v\n%s%s", args, f, r.stdout, r.stderr)
		}
	}
	for _, args := range runs {
		check(args)
	}
	breakTeams.Store(true)
	for _, args := range broken {
		check(args)
	}
	if f := scanDir(t, hostileKey, base); len(f) > 0 {
		t.Errorf("pieces of the key in files: %v", f)
	}
	if _, err := os.Stat(filepath.Join(state, "last-result.json")); err != nil {
		t.Errorf("the run wrote no result: %v", err)
	}
}

// proxy forwards r to the emulator at url.
func proxy(w http.ResponseWriter, r *http.Request, url string) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, url+r.URL.RequestURI(), r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, "proxy", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// TestKeyWithoutDeleteRight: a key that may read, create and update but not
// delete. The apply stops at the first refused write with a message naming
// the missing right and the key to create; no write is sent after it.
func TestKeyWithoutDeleteRight(t *testing.T) {
	const limited = "l1m1ted-k3y-no-delete-0001"
	seed := ownerSeed()
	seed.Keys = []ogsim.SeedKey{{Name: "no-delete", Key: limited, Rights: []string{"read", "create-update", "configuration"}}}
	seed.Users = append(seed.Users, ogsim.SeedUser{Username: "ada@example.com", FullName: "Ada Lovelace", Role: "Admin"})
	for _, n := range []string{"a", "b", "c"} {
		seed.Users = append(seed.Users, ogsim.SeedUser{Username: n + "@example.com", FullName: n, Role: "User"})
	}
	seed.Teams = []ogsim.SeedTeam{{Name: "sre", Description: "Site reliability", Members: []ogsim.SeedMember{
		{Username: "ada@example.com", Role: "admin"}, {Username: "a@example.com"}, {Username: "b@example.com"}, {Username: "c@example.com"}}}}
	e := startEmu(t, ogsim.Options{Seed: seed})
	base := t.TempDir()
	dir := filepath.Join(base, "desired")
	writeFile(t, filepath.Join(dir, "users.yaml"), goodUsers)
	writeFile(t, filepath.Join(dir, "teams.yaml"), goodTeams)
	cfg := filepath.Join(base, "ogsync.yaml")
	writeFile(t, cfg, configYAML(e.url, dir, filepath.Join(base, "state"), "apply: {concurrency: 1}\n"))

	r := runCLI(t, cliEnv(base, limited), "apply", "--config", cfg)
	t.Logf("stderr:\n%s", r.stderr)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, want := range []string{"the API key lacks a right this plan needs", "lacks the right to delete (Delete)", "Settings > API key management", "the apply stopped there"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	result, err := os.ReadFile(filepath.Join(base, "state", "last-result.json"))
	if err != nil || !strings.Contains(string(result), "the apply stopped at the first write refused with 403") {
		t.Errorf("last-result.json does not say why the other actions did not start (%v):\n%s", err, result)
	}
	var deletes int
	for _, w := range e.writeLog() {
		if strings.HasPrefix(w, "DELETE ") {
			deletes++
		}
	}
	if deletes != 1 {
		t.Errorf("%d DELETE requests, want 1 (none after the first 403): %v", deletes, e.writeLog())
	}
}

// TestKeyWithoutReadRight: a key that cannot read the users (a team's key)
// gets a message saying which key to create, and nothing is written.
func TestKeyWithoutReadRight(t *testing.T) {
	const teamKey = "t3am-k3y-read-nothing-0002"
	seed := ownerSeed()
	seed.Keys = []ogsim.SeedKey{{Name: "team", Key: teamKey, Rights: []string{"create-update"}}}
	e := startEmu(t, ogsim.Options{Seed: seed})
	base := t.TempDir()
	dir := filepath.Join(base, "desired")
	writeFile(t, filepath.Join(dir, "users.yaml"), goodUsers)
	cfg := filepath.Join(base, "ogsync.yaml")
	writeFile(t, cfg, configYAML(e.url, dir, filepath.Join(base, "state"), ""))
	r := runCLI(t, cliEnv(base, teamKey), "apply", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "lacks the right to read (Read)") || !strings.Contains(r.stderr, "Settings > API key management") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if w := e.writeLog(); len(w) > 0 {
		t.Errorf("writes: %v", w)
	}
}
