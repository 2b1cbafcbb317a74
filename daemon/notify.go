package daemon

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
	"github.com/ogsync/ogsync/engine"
)

// Notifier tells systemd about the daemon through the notify protocol
// (sd_notify(3)) of a Type=notify service: READY=1 once the configuration is
// loaded, STATUS= after every cycle, WATCHDOG=1 keep-alives,
// RELOADING=1/READY=1 around a reload and STOPPING=1. A nil *Notifier, the
// one NewNotifier returns outside systemd, sends nothing, so every method
// may be called on one.
type Notifier struct {
	logger   *slog.Logger
	watchdog time.Duration
	send     func(state string) error

	mu     sync.Mutex
	warned bool
}

// NewNotifier returns a Notifier for the socket in $NOTIFY_SOCKET, with the
// watchdog interval $WATCHDOG_USEC asks for; nil when NOTIFY_SOCKET is not
// set (not started by systemd as Type=notify).
func NewNotifier(logger *slog.Logger) *Notifier {
	if os.Getenv("NOTIFY_SOCKET") == "" {
		return nil
	}
	wd, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		logger.Warn("systemd watchdog: ignoring WATCHDOG_USEC", "err", err)
		wd = 0
	}
	return &Notifier{logger: logger, watchdog: wd, send: func(state string) error {
		_, err := daemon.SdNotify(false, state)
		return err
	}}
}

// WatchdogInterval is how often WATCHDOG=1 should be sent: half the
// service's WatchdogSec=, or 0 when the watchdog is off.
func (n *Notifier) WatchdogInterval() time.Duration {
	if n == nil {
		return 0
	}
	return n.watchdog / 2
}

// Ready sends READY=1 with a status line: the service is up, or a reload is over.
func (n *Notifier) Ready(status string) {
	n.notify(daemon.SdNotifyReady + "\nSTATUS=" + statusLine(status))
}

// Reloading sends RELOADING=1 with the monotonic time systemd 253 and later
// want with it; Ready must follow once the reload is over.
func (n *Notifier) Reloading() {
	n.notify(daemon.SdNotifyReloading + "\n" + strings.TrimSuffix(daemon.SdNotifyMonotonicUsec(), "\n"))
}

// Status sends a status line, shown by systemctl status.
func (n *Notifier) Status(status string) {
	n.notify("STATUS=" + statusLine(status))
}

// Watchdog sends WATCHDOG=1.
func (n *Notifier) Watchdog() {
	n.notify(daemon.SdNotifyWatchdog)
}

// Stopping sends STOPPING=1.
func (n *Notifier) Stopping() {
	n.notify(daemon.SdNotifyStopping)
}

func (n *Notifier) notify(state string) {
	if n == nil {
		return
	}
	if err := n.send(state); err != nil {
		n.mu.Lock()
		warned := n.warned
		n.warned = true
		n.mu.Unlock()
		if !warned { // once: the socket is not going to come back
			n.logger.Warn("systemd notify failed", "err", err)
		}
	}
}

// statusLine keeps a status on one line of bounded length.
func statusLine(s string) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}

// CycleStatus is the one-line summary of a finished cycle that the daemon
// sends as its systemd STATUS=.
func CycleStatus(r *engine.Result) string {
	t := r.Total()
	s := fmt.Sprintf("last cycle %s at %s: %d planned, %d applied, %d failed, %d blocked",
		r.Outcome, r.End.UTC().Format(time.RFC3339), t.Planned, t.Applied, t.Failed, t.Blocked)
	if r.Error != "" {
		s += "; error: " + r.Error
	} else if len(r.Violations) > 0 {
		s += "; refused: " + r.Violations[0]
	}
	return s
}

// oneLine keeps s on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
