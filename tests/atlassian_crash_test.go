package tests

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/ogsync/ogsync/target/atlassian/atlsim"
)

// TestAtlassianCrashDuringApply kills `ogsync apply` of examples/desired to
// an empty Atlassian emulator with SIGKILL while its k-th write request is
// in flight (half of those take effect, half never reach the emulator), at
// 8 seeded points. The next apply, in the same state directory, must
// converge (`plan --detailed-exitcode` exits 0) with no account invited
// twice and no team of the same name twice.
func TestAtlassianCrashDuringApply(t *testing.T) {
	bin := ogsyncBinary(t)
	desired, err := filepath.Abs("../examples/desired")
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	state := filepath.Join(base, "state")
	env := atlEnv(base, "")
	rng := rand.New(rand.NewPCG(15, 20))
	killed := 0
	const trials = 8
	for trial := range trials {
		srv, err := atlsim.New(atlsim.Options{APIKey: atlKey, OrgID: "org-1", CloudID: "cloud-1", IDSeed: uint64(trial)})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		writes := 0
		var onWrite func(n int)
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The members read is a POST that only reads.
			if r.Method != http.MethodGet && !strings.HasPrefix(r.URL.Path, "/_sim/") && !strings.HasSuffix(r.URL.Path, "/members") {
				mu.Lock()
				writes++
				n, hook := writes, onWrite
				mu.Unlock()
				if hook != nil {
					hook(n)
				}
			}
			srv.ServeHTTP(w, r)
		}))
		cfg := filepath.Join(base, fmt.Sprintf("ogsync-%d.yaml", trial))
		writeFile(t, cfg, atlConfigYAML(ts.URL, desired, state, ""))

		cmd := exec.Command(bin, "apply", "--config", cfg, "--log-format", "json")
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		proc := cmd.Process
		k := 1 + rng.IntN(40)
		applied := rng.IntN(2) == 0
		point := fmt.Sprintf("write %d in flight (applied: %t)", k, applied)
		mu.Lock()
		onWrite = func(n int) {
			if n != k {
				return
			}
			_ = proc.Signal(syscall.SIGKILL)
			if !applied {
				panic(http.ErrAbortHandler)
			}
		}
		mu.Unlock()
		err = cmd.Wait()
		mu.Lock()
		onWrite = nil
		mu.Unlock()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL:
			killed++
		case err == nil:
			t.Logf("trial %d: the apply ended before %s", trial, point)
		default:
			t.Fatalf("trial %d: the killed apply ended with %v:\n%s", trial, err, out.String())
		}

		if r := runCLI(t, env, "apply", "--config", cfg, "--log-format", "json"); r.code != 0 {
			t.Fatalf("trial %d (killed at %s): the next apply exited %d:\n%s%s", trial, point, r.code, r.stdout, r.stderr)
		}
		if r := runCLI(t, env, "plan", "--config", cfg, "--detailed-exitcode"); r.code != 0 {
			t.Errorf("trial %d (killed at %s): not converged, plan exits %d:\n%s%s", trial, point, r.code, r.stdout, r.stderr)
		}
		st := srv.State()
		emails, names := map[string]int{}, map[string]int{}
		for _, u := range st.Users {
			emails[strings.ToLower(u.Email)]++
		}
		var noOps []string
		for _, tm := range st.Teams {
			if !tm.Deleted {
				names[strings.ToLower(tm.DisplayName)]++
				if !tm.Operations {
					noOps = append(noOps, tm.DisplayName)
				}
			}
		}
		for e, n := range emails {
			if n > 1 {
				t.Errorf("trial %d: account %s %d times", trial, e, n)
			}
		}
		for name, n := range names {
			if n > 1 {
				t.Errorf("trial %d: team %s %d times", trial, name, n)
			}
		}
		if len(noOps) > 0 {
			// A team created but killed before enable-ops stays without
			// operations (target/atlassian README, Limits).
			t.Logf("trial %d (killed at %s): teams without operations: %v", trial, point, noOps)
		}
		ts.Close()
		srv.Close()
	}
	if killed < trials/2 {
		t.Errorf("only %d of %d runs were killed mid-way", killed, trials)
	}
	t.Logf("%d of %d apply runs killed with SIGKILL; every next run converged", killed, trials)
}
