package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// binDir holds the ogsync binary the CLI tests run; removed by TestMain.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// ogsyncBinary builds the ogsync binary once per test process (go build of
// the module root, without -race: it is the program under test, not the
// test) and returns its path.
func ogsyncBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ogsync-tests-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binDir = dir
		binPath = filepath.Join(dir, "ogsync")
		cmd := exec.Command("go", "build", "-o", binPath, "..")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out.String())
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// cliEnv is the environment of an ogsync process: the API key and nothing
// else of the test's environment but PATH.
func cliEnv(home, key string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
	if key != "" {
		env = append(env, "OPSGENIE_API_KEY="+key)
	}
	return env
}

// cliResult is how one ogsync process ended.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs ogsync with args to its end.
func runCLI(tb testing.TB, env []string, args ...string) cliResult {
	tb.Helper()
	return runCLIIn(tb, "", env, args...)
}

// runCLIIn runs ogsync with args in the directory dir to its end.
func runCLIIn(tb testing.TB, dir string, env []string, args ...string) cliResult {
	tb.Helper()
	cmd := exec.Command(ogsyncBinary(tb), args...)
	cmd.Env = env
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			tb.Fatalf("running ogsync %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return cliResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// configYAML is a configuration file for the CLI tests: the emulator at url,
// the desired state in dir, sync policies, the state directory, and extra
// YAML appended.
func configYAML(url, dir, stateDir, extra string) string {
	return fmt.Sprintf(`opsgenie:
  url: %s
  timeout: 5s
  rate_limit: {per_second: 500, burst: 50}
source:
  path: %s
policy: {users: sync, teams: sync, members: sync}
safeguards:
  max_deletes: {count: 1000, percent: 100}
state_dir: %s
%s`, url, dir, stateDir, extra)
}
