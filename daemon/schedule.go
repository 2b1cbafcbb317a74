package daemon

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/ogsync/ogsync/internal/problem"
)

// Settings are what the daemon takes from the configuration, and what a
// reload may change: when cycles run, when the daemon counts as unhealthy
// and where it keeps its state.
type Settings struct {
	// Schedule is the cron schedule of the cycles (see CheckSchedule).
	Schedule string
	// TimeZone is the IANA time zone of the schedule.
	TimeZone string
	// MaxFailedCycles consecutive failed cycles make /healthz unhealthy.
	MaxFailedCycles int
	// MaxBlockedCycles: an action blocked this many cycles in a row makes
	// /healthz unhealthy; 0 turns this off.
	MaxBlockedCycles int
	// StateDir is the state directory; a reload cannot move it.
	StateDir string
	// Listen is the host:port of /healthz and /metrics, empty for none; the
	// caller listens, so a reload cannot move it.
	Listen string
	// Origin names where the settings come from (the configuration file),
	// for logs.
	Origin string
}

// Validate reports every problem with the settings, by field: "schedule",
// "time_zone", "max_failed_cycles", "max_blocked_cycles", "listen".
// NewDaemon and a reload refuse what it refuses.
func (s Settings) Validate() problem.List {
	var ps problem.List
	if err := CheckSchedule(s.Schedule); err != nil {
		ps.Add("schedule", "%v", err)
	}
	if strings.HasPrefix(s.Schedule, "CRON_TZ=") || strings.HasPrefix(s.Schedule, "TZ=") {
		ps.Add("schedule", "set the zone with time_zone, not in the schedule")
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		ps.Add("time_zone", "%q is not an IANA time zone", s.TimeZone)
	}
	if s.MaxFailedCycles < 1 {
		ps.Add("max_failed_cycles", "must be at least 1")
	}
	if s.MaxBlockedCycles < 0 {
		ps.Add("max_blocked_cycles", "must be 0 (off) or more")
	}
	if s.Listen != "" {
		if _, _, err := net.SplitHostPort(s.Listen); err != nil {
			ps.Add("listen", "%q is not host:port", s.Listen)
		}
	}
	return ps
}

// MinInterval is the shortest time allowed between two scheduled cycles:
// the resolution of the scheduler, which would silently round a shorter
// interval (0s, -1h) up to it. Cycles never overlap (a tick that finds a
// cycle running is skipped), but each reads the whole account: intervals
// under a minute spend most of the API rate limit on reads.
const MinInterval = time.Second

// CheckSchedule accepts a standard cron expression (5 fields, or a
// descriptor such as @hourly or @every 10m) that fires again and again, at
// least MinInterval apart. It refuses "@every 0s" and "@every -1h" (which
// the cron library would quietly turn into every second) and a date that
// never comes ("0 0 30 2 *").
func CheckSchedule(spec string) error {
	if rest, ok := strings.CutPrefix(strings.TrimSpace(spec), "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return fmt.Errorf("%q: %q is not a duration such as 10m", spec, strings.TrimSpace(rest))
		}
		if d < MinInterval {
			return fmt.Errorf("%q: the interval must be at least %v", spec, MinInterval)
		}
		return nil
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("%q is not a cron schedule: %v", spec, err)
	}
	// The library gives up (a zero time) after five years without a match.
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	next := sched.Next(from)
	if next.IsZero() {
		return fmt.Errorf("%q never fires: no date matches it", spec)
	}
	// Two firings closer than MinInterval (a 6-field seconds schedule is
	// refused by ParseStandard, so this guards what the library may add).
	for i := 0; i < 3; i++ {
		after := sched.Next(next)
		if after.IsZero() {
			return errors.New("the schedule stops firing")
		}
		if after.Sub(next) < MinInterval {
			return fmt.Errorf("%q fires every %v: the interval must be at least %v", spec, after.Sub(next), MinInterval)
		}
		next = after
	}
	return nil
}
