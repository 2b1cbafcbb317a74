package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ogsync/ogsync/statedir"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// TestLearnedRatesE2E: the daemon starts from the rates learned by earlier
// runs (state_dir/learned-rates.json), falls back to the defaults with a
// log line when the file is corrupt, and saves the rate a 429 taught it.
func TestLearnedRatesE2E(t *testing.T) {
	sim, err := ogsim.New(ogsim.Options{APIKey: cliKey, Seed: driftedSeed()})
	if err != nil {
		t.Fatal(err)
	}
	var throttle atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/v2/teams" && throttle.CompareAndSwap(true, false) {
			w.Header().Set("X-RateLimit-Period-In-Sec", "1")
			http.Error(w, `{"message":"TooManyRequests","took":0.001,"requestId":"x"}`, http.StatusTooManyRequests)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	desired, stateDir := filepath.Join(dir, "desired"), filepath.Join(dir, "state")
	if err := os.Mkdir(desired, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range desiredYAML {
		if err := os.WriteFile(filepath.Join(desired, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfgFile := filepath.Join(dir, "ogsync.yaml")
	// No rate_limit: the defaults, under the default ceiling.
	cfgBody := fmt.Sprintf("opsgenie: {url: %s, max_retries: 2}\nsource: {path: %s}\nstate_dir: %s\n", ts.URL, desired, stateDir)
	if err := os.WriteFile(cfgFile, []byte(cfgBody), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OPSGENIE_API_KEY": cliKey}
	ratesFile := filepath.Join(stateDir, statedir.RatesFile)
	runOnce := func() string {
		t.Helper()
		code, _, errs := runCLI(t, env, "run", "--config", cfgFile, "--once", "--log-format", "json")
		if code != exitOK {
			t.Fatalf("run --once: exit %d:\n%s", code, errs)
		}
		noKey(t, errs)
		return errs
	}

	// First run: no file yet; nothing learned (the reads never waited).
	if logs := runOnce(); !strings.Contains(logs, "no learned request rates yet") {
		t.Errorf("first run: no line about the missing file:\n%s", logs)
	}
	if _, err := os.Stat(ratesFile); err == nil {
		t.Errorf("%s written though no rate changed", statedir.RatesFile)
	}

	// A corrupt file: the defaults, with a warning.
	if err := os.WriteFile(ratesFile, []byte(`{"rates": {"configuration": "x"`), 0o600); err != nil {
		t.Fatal(err)
	}
	if logs := runOnce(); !strings.Contains(logs, "ignoring the learned request rates; starting from the defaults") {
		t.Errorf("corrupt file: no warning:\n%s", logs)
	}

	// A learned file: the run starts from it, and a 429 halves the
	// Configuration rate, which is saved for the next run.
	if err := os.WriteFile(ratesFile, []byte(`{"rates": {"configuration": 30, "search": 12}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	throttle.Store(true)
	logs := runOnce()
	if !strings.Contains(logs, `"msg":"starting from the learned request rates","rates":{"configuration":30,"search":12}`) {
		t.Errorf("learned file not used:\n%s", logs)
	}
	data, err := os.ReadFile(ratesFile)
	if err != nil {
		t.Fatal(err)
	}
	var saved struct{ Rates map[string]float64 }
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	if saved.Rates["configuration"] != 15 || saved.Rates["search"] != 12 {
		t.Errorf("saved %s, want configuration 15 (30 halved) and search 12", data)
	}
}
