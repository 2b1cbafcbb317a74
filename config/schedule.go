package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// MinInterval is the shortest time allowed between two scheduled cycles:
// the resolution of the scheduler, which would silently round a shorter
// interval (0s, -1h) up to it. Cycles never overlap (a tick that finds a
// cycle running is skipped), but each reads the whole account: intervals
// under a minute spend most of the API rate limit on reads.
const MinInterval = time.Second

// MinPerSecond is the slowest client-side rate allowed: below it one cycle
// of a large account would take hours, and a rate such as 1e-300 would
// never send the next request.
const MinPerSecond = 0.01

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
