package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/internal/logging"
	"github.com/ogsync/ogsync/statedir"
)

func TestParseRunArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    runOptions
		wantErr string
	}{
		{name: "config only", args: []string{"--config", "c.yaml"}, want: runOptions{accountFlags: accountFlags{config: "c.yaml", log: logging.Flags{Level: "info", Format: "auto"}}}},
		{name: "every flag", args: []string{"--config=c.yaml", "--once", "--apply", "--api-url", "http://127.0.0.1:8080", "--log-level", "debug", "--log-format", "json"},
			want: runOptions{accountFlags: accountFlags{config: "c.yaml", apiURL: "http://127.0.0.1:8080", log: logging.Flags{Level: "debug", Format: "json"}}, once: true, apply: true}},
		{name: "no config", args: []string{"--once"}, wantErr: "--config is required"},
		{name: "bad api url", args: []string{"--config", "c.yaml", "--api-url", "http://api.opsgenie.com"}, wantErr: "--api-url: "},
		{name: "bad log level", args: []string{"--config", "c.yaml", "--log-level", "loud"}, wantErr: "--log-level=loud"},
		{name: "bad log format", args: []string{"--config", "c.yaml", "--log-format", "xml"}, wantErr: "--log-format=xml"},
		{name: "positional argument", args: []string{"--config", "c.yaml", "now"}, wantErr: `unexpected argument "now"`},
		{name: "unknown flag", args: []string{"--config", "c.yaml", "--dry-run"}, wantErr: "flag provided but not defined: -dry-run"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("run", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			got, err := parseRunArgs(fs, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("options = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// writeConfig writes a configuration file whose state_dir is a fresh
// directory, with extra YAML appended, and returns its path and state dir.
func writeConfig(t *testing.T, extra string) (file, stateDir string) {
	t.Helper()
	dir := t.TempDir()
	stateDir = filepath.Join(dir, "state")
	file = filepath.Join(dir, "ogsync.yaml")
	body := "state_dir: " + stateDir + "\n" + extra
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return file, stateDir
}

// lockedBuffer is a goroutine-safe writer for the command's stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func fixedCycle(res engine.Result, err error) cycleBuilder {
	return func(*config.Config, cycleEnv) (engine.Cycle, error) {
		return func(context.Context) (engine.Result, error) { return res, err }, nil
	}
}

func TestRunOnce(t *testing.T) {
	dryRun := engine.Result{DryRun: true, Commit: "abc", Actions: []engine.ActionResult{{Action: "create user a@example.com", Kind: "user", Op: "create", Outcome: engine.ActionPlanned}}}
	tests := []struct {
		name     string
		build    cycleBuilder
		code     int
		outcome  engine.Outcome
		contains string
	}{
		{name: "dry run", build: fixedCycle(dryRun, nil), code: exitOK, outcome: engine.OutcomeDryRun, contains: `"outcome":"dry-run"`},
		{name: "failed cycle", build: fixedCycle(engine.Result{}, errors.New("listing users: 401 Unauthorized")), code: exitError, outcome: engine.OutcomeFailed, contains: "listing users: 401 Unauthorized"},
		{name: "refused plan", build: fixedCycle(engine.Result{Violations: []string{"too many deletes"}}, nil), code: exitError, outcome: engine.OutcomeRefused, contains: "too many deletes"},
		{name: "only blocked actions", build: fixedCycle(engine.Result{Actions: []engine.ActionResult{{Action: "delete user a@example.com", Kind: "user", Op: "delete", Outcome: engine.ActionBlocked, Error: "on-call audit"}}}, nil), code: exitOK, outcome: engine.OutcomeOK, contains: "1 action blocked by safeguards"},
		{name: "failed action", build: fixedCycle(engine.Result{Actions: []engine.ActionResult{{Action: "create user a@example.com", Kind: "user", Op: "create", Outcome: engine.ActionFailed, Error: "422"}}}, nil), code: exitError, outcome: engine.OutcomeFailed, contains: "cycle failed: 0 applied, 1 failed"},
		{name: "cycle cannot be built", build: func(*config.Config, cycleEnv) (engine.Cycle, error) { return nil, errors.New("no API key") }, code: exitError, contains: "ogsync run: building the sync cycle: no API key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file, state := writeConfig(t, "")
			var out, errb lockedBuffer
			code := runSync(context.Background(), stdio{out: &out, err: &errb, getenv: func(string) string { return "" }}, []string{"--config", file, "--once", "--log-format", "json"}, tc.build)
			if code != tc.code {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tc.code, errb.String())
			}
			if !strings.Contains(errb.String(), tc.contains) {
				t.Errorf("stderr lacks %q:\n%s", tc.contains, errb.String())
			}
			if tc.outcome == "" {
				return
			}
			data, err := os.ReadFile(filepath.Join(state, statedir.ResultFile))
			if err != nil {
				t.Fatal(err)
			}
			var r engine.Result
			if err := json.Unmarshal(data, &r); err != nil {
				t.Fatal(err)
			}
			if r.Outcome != tc.outcome {
				t.Errorf("last result outcome = %q, want %q", r.Outcome, tc.outcome)
			}
		})
	}
}

func TestRunPassesOptionsToTheCycle(t *testing.T) {
	file, _ := writeConfig(t, "")
	var got cycleEnv
	var gotURL string
	build := func(cfg *config.Config, env cycleEnv) (engine.Cycle, error) {
		got, gotURL = env, cfg.OpsGenie.URL
		return func(context.Context) (engine.Result, error) { return engine.Result{}, nil }, nil
	}
	var errb lockedBuffer
	env := func(k string) string { return map[string]string{"OPSGENIE_API_KEY": "k"}[k] }
	code := runSync(context.Background(), stdio{out: io.Discard, err: &errb, getenv: env}, []string{"--config", file, "--once", "--apply", "--api-url", "http://127.0.0.1:9"}, build)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !got.apply || got.metrics == nil || got.logger == nil || got.getenv("OPSGENIE_API_KEY") != "k" || gotURL != "http://127.0.0.1:9" {
		t.Errorf("cycle got apply=%v metrics=%v url=%q", got.apply, got.metrics != nil, gotURL)
	}
	if p := got.progress(10); p == nil {
		t.Error("no progress reporter")
	}
}

func TestRunLockContention(t *testing.T) {
	file, state := writeConfig(t, "")
	if err := os.MkdirAll(state, 0o750); err != nil {
		t.Fatal(err)
	}
	lock, err := statedir.AcquireLock(filepath.Join(state, statedir.LockFile))
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	var ran atomic.Bool
	build := func(*config.Config, cycleEnv) (engine.Cycle, error) {
		ran.Store(true)
		return nil, errors.New("unreachable")
	}
	var errb lockedBuffer
	code := runSync(context.Background(), stdio{out: io.Discard, err: &errb, getenv: os.Getenv}, []string{"--config", file, "--once"}, build)
	want := "ogsync run: another ogsync (pid " + strconv.Itoa(os.Getpid()) + ") holds " + filepath.Join(state, statedir.LockFile)
	if code != exitError || !strings.Contains(errb.String(), want) {
		t.Errorf("exit %d, stderr %q, want %q", code, errb.String(), want)
	}
	if ran.Load() {
		t.Error("the cycle was built while another run held the lock")
	}
}

func TestRunBadConfig(t *testing.T) {
	file, _ := writeConfig(t, "schedule: every tuesday\n")
	var errb lockedBuffer
	code := runSync(context.Background(), stdio{out: io.Discard, err: &errb, getenv: os.Getenv}, []string{"--config", file}, fixedCycle(engine.Result{}, nil))
	if code != exitError || !strings.Contains(errb.String(), file+":2:11: schedule:") {
		t.Errorf("exit %d, stderr:\n%s", code, errb.String())
	}
}

func TestRunMissingAPIKey(t *testing.T) {
	file, _ := writeConfig(t, "")
	code, _, errs := runCLI(t, nil, "run", "--config", file, "--once")
	if code != exitError || !strings.Contains(errs, "no API key: set OPSGENIE_API_KEY or opsgenie.api_key_file") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
}

// logLines reads the JSON log lines written so far.
func logLines(s string) []map[string]any {
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			lines = append(lines, m)
		}
	}
	return lines
}

// waitLog waits for a log line with msg and returns it.
func waitLog(t *testing.T, logs *lockedBuffer, msg string, after int) (map[string]any, int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		lines := logLines(logs.String())
		for i := after; i < len(lines); i++ {
			if lines[i]["msg"] == msg {
				return lines[i], i + 1
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log %q within 10s:\n%s", msg, logs.String())
	return nil, 0
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRunDaemon runs the daemon in-process: the cycle at start, /healthz and
// /metrics, SIGHUP reloads (a good config, then a bad one that is refused),
// and a clean stop.
func TestRunDaemon(t *testing.T) {
	// Catch SIGHUP for the whole test, so the process never dies of one even
	// before the command installs its own handler.
	guard := make(chan os.Signal, 10)
	signal.Notify(guard, syscall.SIGHUP)
	defer signal.Stop(guard)

	// systemd's notify socket: the daemon says when it is ready and reloading.
	sock := filepath.Join(t.TempDir(), "notify.sock")
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	notified := func(prefix string) {
		t.Helper()
		buf := make([]byte, 4096)
		for range 10 {
			_ = notify.SetReadDeadline(time.Now().Add(10 * time.Second))
			n, err := notify.Read(buf)
			if err != nil {
				t.Fatalf("waiting for %q on NOTIFY_SOCKET: %v", prefix, err)
			}
			if strings.HasPrefix(string(buf[:n]), prefix) {
				return
			}
		}
		t.Fatalf("no %q on NOTIFY_SOCKET", prefix)
	}

	file, state := writeConfig(t, "schedule: \"0 0 1 1 *\"\nlisten: 127.0.0.1:0\nhealth:\n  max_failed_cycles: 1\n")
	var calls atomic.Int32
	build := func(cfg *config.Config, env cycleEnv) (engine.Cycle, error) {
		return func(context.Context) (engine.Result, error) {
			calls.Add(1)
			env.metrics.ObserveRequest("GET", "/v2/users", 200, 10*time.Millisecond)
			return engine.Result{APICalls: 1, Commit: "c0ffee"}, nil
		}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- runSync(ctx, stdio{out: io.Discard, err: &errb, getenv: os.Getenv}, []string{"--config", file, "--log-format", "json"}, build)
	}()

	serving, next := waitLog(t, &errb, "serving /healthz and /metrics", 0)
	addr, _ := serving["addr"].(string)
	_, next = waitLog(t, &errb, "cycle finished", next)
	notified("READY=1\nSTATUS=started")
	notified("STATUS=last cycle ok")

	code, body := get(t, "http://"+addr+"/healthz")
	if code != 200 || !strings.Contains(body, "last_cycle: ok") || !strings.Contains(body, "last_cycle_commit: c0ffee") {
		t.Errorf("/healthz %d:\n%s", code, body)
	}
	code, body = get(t, "http://"+addr+"/metrics")
	for _, want := range []string{`ogsync_cycles_total{outcome="ok"} 1`, `ogsync_api_requests_total{method="GET",route="/v2/users",status="200"} 1`, "go_goroutines ", "ogsync_build_info{version="} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics %d lacks %q", code, want)
		}
	}
	if _, err := os.Stat(filepath.Join(state, statedir.LockFile)); err != nil {
		t.Errorf("no lock file: %v", err)
	}

	// A good config: reloaded.
	cfgText, _ := os.ReadFile(file)
	if err := os.WriteFile(file, bytes.Replace(cfgText, []byte("max_failed_cycles: 1"), []byte("max_failed_cycles: 4"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	_, next = waitLog(t, &errb, "configuration reloaded", next)
	notified("RELOADING=1\nMONOTONIC_USEC=")
	notified("READY=1\nSTATUS=configuration reloaded")

	// A bad config: refused, the old one stays.
	if err := os.WriteFile(file, []byte("schedule: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	line, _ := waitLog(t, &errb, "configuration reload failed; keeping the configuration in force", next)
	if errText, _ := line["err"].(string); !strings.Contains(errText, file+":") {
		t.Errorf("reload error does not name the file: %q", errText)
	}
	if code, _ := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Errorf("/healthz %d after a refused reload", code)
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit code %d; stderr:\n%s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("ogsync run did not stop")
	}
	if calls.Load() != 1 {
		t.Errorf("%d cycles, want the one at start", calls.Load())
	}
	// The lock is released: a one-shot run can take it.
	if err := os.WriteFile(file, cfgText, 0o600); err != nil {
		t.Fatal(err)
	}
	var errOnce lockedBuffer
	if code := runSync(context.Background(), stdio{out: io.Discard, err: &errOnce, getenv: os.Getenv}, []string{"--config", file, "--once"}, build); code != exitOK {
		t.Errorf("one-shot run after the daemon stopped: exit %d:\n%s", code, errOnce.String())
	}
}
