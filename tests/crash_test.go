package tests

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ogsync/ogsync/statedir"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// TestCrashDuringApply kills a separate `ogsync apply` process with SIGKILL
// at 20 seeded random points of an import, against an emulator in this
// process (which outlives it): two in three while the k-th write request is
// in flight (half of those then take effect, half never reach the
// emulator), one in three after a random delay from the start (reading,
// planning, the lock). After each kill the lock the dead process held must
// be free (flock is released by the kernel), and the next `ogsync apply`
// run, in the same state directory, must converge with no user or team
// twice. OGSYNC_LONG=1 runs 100 kill points.
func TestCrashDuringApply(t *testing.T) {
	trials := 20
	if longRun() {
		trials = 100
	}
	bin := ogsyncBinary(t)
	w := newWorld(200, 8)
	dir := t.TempDir()
	w.writeYAML(t, dir)
	base := t.TempDir()
	stateDir := filepath.Join(base, "state")
	env := cliEnv(base, testKey)
	rng := rand.New(rand.NewPCG(20, 26))
	writesOfImport := (w.userCount() - 1) + len(w.teams)
	killed, lockChecked := 0, 0

	for trial := range trials {
		e := startEmu(t, ogsim.Options{Seed: ownerSeed(), IDSeed: uint64(trial),
			Faults: ogsim.FaultOptions{Latency: 2 * time.Millisecond, Jitter: 6 * time.Millisecond}})
		cfgFile := filepath.Join(base, fmt.Sprintf("ogsync-%02d.yaml", trial))
		writeFile(t, cfgFile, configYAML(e.url, dir, stateDir, ""))

		cmd := exec.Command(bin, "apply", "--config", cfgFile, "--log-format", "json")
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Armed after Start, before the first write (which follows the reads).
		proc := cmd.Process
		heldWhileRunning := make(chan int, 1)
		var point string
		// Killed at a write, the apply holds the lock for sure; killed at a
		// time, it may not have taken it yet, and the lock file still names
		// the run before.
		atWrite := rng.IntN(3) < 2
		if atWrite {
			k := 1 + rng.IntN(writesOfImport)
			applied := rng.IntN(2) == 0
			point = fmt.Sprintf("write %d of %d in flight (applied: %t)", k, writesOfImport, applied)
			e.setOnWrite(func(n int, r *http.Request) {
				if n == 1 && k > 1 {
					// While it runs, the process holds the lock: the check
					// after the kill is not vacuous.
					heldWhileRunning <- lockHolder(filepath.Join(stateDir, statedir.LockFile))
				}
				if n != k {
					return
				}
				_ = proc.Signal(syscall.SIGKILL)
				if !applied {
					panic(http.ErrAbortHandler)
				}
			})
		} else {
			d := time.Duration(rng.IntN(350)) * time.Millisecond
			point = fmt.Sprintf("%s after the start", d)
			time.AfterFunc(d, func() { _ = proc.Signal(syscall.SIGKILL) })
		}
		pid := cmd.Process.Pid
		err := cmd.Wait()
		e.setOnWrite(nil)
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL:
			killed++
		case err == nil:
			t.Logf("trial %d: the import ended before the kill point (%s)", trial, point)
		default:
			t.Fatalf("trial %d: the killed apply ended with %v (not SIGKILL):\n%s", trial, err, out.String())
		}

		select {
		case holder := <-heldWhileRunning:
			if holder != pid {
				t.Errorf("trial %d: while apply (pid %d) ran, the lock was held by %d", trial, pid, holder)
			}
			lockChecked++
		default:
		}
		// The dead process's lock is free: taken and dropped here.
		lockPath := filepath.Join(stateDir, statedir.LockFile)
		if data, err := os.ReadFile(lockPath); err == nil {
			if holder, _ := strconv.Atoi(strings.TrimSpace(string(data))); atWrite && holder != 0 && holder != pid {
				t.Errorf("trial %d: the lock file names pid %d, not the killed %d", trial, holder, pid)
			}
		}
		if _, err := os.Stat(stateDir); err == nil {
			l, err := acquireAfterKill(lockPath)
			if err != nil {
				t.Fatalf("trial %d: the lock of the killed process is still held: %v", trial, err)
			}
			if err := l.Release(); err != nil {
				t.Fatal(err)
			}
		}

		res := runCLI(t, env, "apply", "--config", cfgFile, "--log-format", "json")
		st := e.sim.State()
		if res.code != 0 {
			t.Fatalf("trial %d (killed at %s): the next apply exited %d:\n%s\n%s", trial, point, res.code, res.stdout, res.stderr)
		}
		if d := differences(st, w, nil, 10); len(d) > 0 {
			t.Fatalf("trial %d (killed at %s): not converged after the next apply:\n  %s", trial, point, strings.Join(d, "\n  "))
		}
		if n := duplicates(st); n != 0 {
			t.Fatalf("trial %d: %d duplicate users or teams", trial, n)
		}
		if tmp, _ := filepath.Glob(filepath.Join(stateDir, ".*.tmp-*")); len(tmp) > 0 {
			t.Errorf("trial %d: temporary files left in the state directory: %v", trial, tmp)
		}
	}
	if lockChecked == 0 {
		t.Error("the lock was never checked while an apply ran")
	}
	if killed < trials*3/4 {
		t.Errorf("only %d of %d runs were killed mid-way; the kill points miss the import", killed, trials)
	}
	t.Logf("%d of %d apply runs killed with SIGKILL; every next run converged; the lock was held by the running apply in %d checks", killed, trials, lockChecked)
}

// lockHolder tries the lock at path: the pid a *statedir.LockedError names,
// -1 when the lock was free (it is then dropped again), -2 on another error.
func lockHolder(path string) int {
	l, err := statedir.AcquireLock(path)
	if err == nil {
		_ = l.Release()
		return -1
	}
	var le *statedir.LockedError
	if errors.As(err, &le) {
		return le.PID
	}
	return -2
}

// acquireAfterKill takes the lock a killed process held. A child the
// process was forking when it died (git, at the start of a cycle) holds a
// copy of the lock's descriptor until its exec closes it (close-on-exec), a
// few milliseconds at most on a loaded machine; so the lock is retried for
// up to two seconds before it counts as still held.
func acquireAfterKill(path string) (*statedir.Lock, error) {
	var err error
	for range 200 {
		var l *statedir.Lock
		if l, err = statedir.AcquireLock(path); err == nil {
			return l, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil, err
}
