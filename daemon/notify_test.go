package daemon

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/engine"
)

// notifySocket listens on a unixgram socket at a temporary path, set as
// NOTIFY_SOCKET for the test, and returns the next-message function.
func notifySocket(t *testing.T) func() string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	return func() string {
		t.Helper()
		buf := make([]byte, 4096)
		if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no notify message: %v", err)
		}
		return string(buf[:n])
	}
}

func TestNewNotifierOutsideSystemd(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	logger, _ := testLogger()
	n := NewNotifier(logger)
	if n != nil {
		t.Fatalf("a notifier without NOTIFY_SOCKET: %+v", n)
	}
	n.Ready("x") // a nil notifier sends nothing and does not panic
	if n.WatchdogInterval() != 0 {
		t.Error("watchdog interval without systemd")
	}
}

// TestDaemonNotify runs the daemon with NOTIFY_SOCKET and WATCHDOG_USEC set
// and reads what it tells systemd: READY=1 with a status at start, STATUS=
// with each cycle's outcome, WATCHDOG=1 from the scheduler, RELOADING=1 with
// MONOTONIC_USEC then READY=1 around a reload (good or refused), and
// STOPPING=1.
func TestDaemonNotify(t *testing.T) {
	next := notifySocket(t)
	t.Setenv("WATCHDOG_USEC", "2000000") // 2s: a keep-alive every second
	t.Setenv("WATCHDOG_PID", "")
	logger, _ := testLogger()
	n := NewNotifier(logger)
	if n.WatchdogInterval() != time.Second {
		t.Fatalf("watchdog interval %s, want 1s", n.WatchdogInterval())
	}
	cfg := testConfig(t, yearly)
	fc := newFakeCycle(func(ctx context.Context, n int) (engine.Result, error) {
		if n == 1 {
			return engine.Result{Actions: []engine.ActionResult{{Action: "delete user a@x.io", Kind: "user", Op: "delete", Outcome: engine.ActionBlocked}}}, nil
		}
		return engine.Result{}, errors.New("listing users: 503")
	})
	var loadErr error
	load := func() (*Settings, error) {
		if loadErr != nil {
			return nil, loadErr
		}
		return testConfig(t, yearly), nil
	}
	d, err := NewDaemon(Options{Settings: *cfg, Cycle: fc.cycle, Load: loader(func(*Settings) (engine.Cycle, error) { return fc.cycle, nil }, load), Logger: logger, Notifier: n, ShutdownTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- d.Run(ctx) }()

	// expect reads messages until one matches, skipping keep-alives unless asked for.
	expect := func(re string) string {
		t.Helper()
		rx := regexp.MustCompile(re)
		for range 20 {
			m := next()
			if rx.MatchString(m) {
				return m
			}
			if m != "WATCHDOG=1" {
				t.Fatalf("notify message %q, want %s", m, re)
			}
		}
		t.Fatalf("no notify message matching %s", re)
		return ""
	}
	expect(`^READY=1\nSTATUS=started; the first cycle is running$`)
	expect(`^STATUS=last cycle ok at \S+: 1 planned, 0 applied, 0 failed, 1 blocked$`)
	expect(`^WATCHDOG=1$`)

	if err := d.Reload(); err != nil {
		t.Fatal(err)
	}
	expect(`^RELOADING=1\nMONOTONIC_USEC=[0-9]+$`)
	expect(`^READY=1\nSTATUS=configuration reloaded at \S+; last cycle ok at `)

	loadErr = errors.New("ogsync.yaml:3:1: schedule: bad")
	if err := d.Reload(); err == nil {
		t.Fatal("a bad configuration reloaded")
	}
	expect(`^RELOADING=1\n`)
	m := expect(`^READY=1\nSTATUS=configuration reload failed; keeping the configuration in force: `)
	if !strings.Contains(m, "ogsync.yaml:3:1") {
		t.Errorf("status does not say why: %q", m)
	}

	d.job.Run() // a failed cycle
	expect(`^STATUS=last cycle failed at \S+: 0 planned, 0 applied, 0 failed, 0 blocked; error: listing users: 503$`)

	cancel()
	expect(`^STOPPING=1$`)
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
}
