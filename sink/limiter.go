package sink

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a token bucket: requests per second and a burst. A PerSecond of
// zero (or less) means unlimited.
type Rate struct {
	PerSecond float64
	Burst     int
}

func (r Rate) limit() rate.Limit {
	if r.PerSecond <= 0 {
		return rate.Inf
	}
	return rate.Limit(r.PerSecond)
}

func (r Rate) burst() int {
	if r.Burst < 1 {
		return 1
	}
	return r.Burst
}

// String formats the rate for logs.
func (r Rate) String() string {
	if r.PerSecond <= 0 {
		return "unlimited"
	}
	return fmt.Sprintf("%g/s burst %d", r.PerSecond, r.burst())
}

// Slow-down tuning after a 429.
const (
	// slowFactor divides the domain's rate after a 429.
	slowFactor = 2
	// slowFloor is the smallest fraction of the configured rate a domain is
	// slowed down to.
	slowFloor = 16
	// slowCutEvery spaces two rate cuts, so a burst of concurrent 429s
	// halves the rate once, not once per request.
	slowCutEvery = time.Second
)

// domainLimiter is the client-side limiter of one OpsGenie rate-limit domain,
// shared by every request of that domain. After a 429 it halves its rate
// (down to a floor), drops the burst to 1, and holds every caller until the
// server's window has rolled; after a quiet period with no 429 it returns to
// the configured rate.
type domainLimiter struct {
	name  string
	base  Rate
	lim   *rate.Limiter
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
	quiet time.Duration

	mu        sync.Mutex
	slowed    bool
	lastCut   time.Time
	restoreAt time.Time
	holdUntil time.Time
}

func newDomainLimiter(name string, r Rate, quiet time.Duration, now func() time.Time, sleep func(context.Context, time.Duration) error) *domainLimiter {
	return &domainLimiter{
		name:  name,
		base:  r,
		lim:   rate.NewLimiter(r.limit(), r.burst()),
		now:   now,
		sleep: sleep,
		quiet: quiet,
	}
}

// wait blocks until the domain allows one more request or ctx is done.
func (l *domainLimiter) wait(ctx context.Context) error {
	now := l.now()
	l.mu.Lock()
	if l.slowed && !now.Before(l.restoreAt) {
		l.lim.SetLimitAt(now, l.base.limit())
		l.lim.SetBurstAt(now, l.base.burst())
		l.slowed = false
	}
	hold := l.holdUntil.Sub(now)
	l.mu.Unlock()

	if hold > 0 {
		if err := l.pause(ctx, now, hold); err != nil {
			return err
		}
		now = l.now()
	}
	r := l.lim.ReserveN(now, 1)
	if !r.OK() {
		return fmt.Errorf("%s rate limiter refused the request", l.name)
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if err := l.pause(ctx, now, d); err != nil {
		r.CancelAt(l.now())
		return err
	}
	return nil
}

// pause sleeps d unless ctx ends first or its deadline falls before then.
func (l *domainLimiter) pause(ctx context.Context, now time.Time, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && dl.Before(now.Add(d)) {
		return fmt.Errorf("%s rate limiter: a wait of %s would pass the deadline: %w", l.name, d.Round(time.Millisecond), context.DeadlineExceeded)
	}
	return l.sleep(ctx, d)
}

// throttled records a 429: it holds the domain for hold and slows it down.
func (l *domainLimiter) throttled(hold time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := now.Add(hold); until.After(l.holdUntil) {
		l.holdUntil = until
	}
	// The quiet period starts when the hold ends.
	l.restoreAt = l.holdUntil.Add(l.quiet)
	cur := l.lim.Limit()
	if cur == rate.Inf || (l.slowed && now.Sub(l.lastCut) < slowCutEvery) {
		return
	}
	next := max(cur/slowFactor, l.base.limit()/slowFloor)
	l.lim.SetLimitAt(now, next)
	l.lim.SetBurstAt(now, 1)
	l.slowed = true
	l.lastCut = now
}

// current returns the rate in force (for logs and tests).
func (l *domainLimiter) current() Rate {
	lim := l.lim.Limit()
	if lim == rate.Inf {
		return Rate{Burst: l.lim.Burst()}
	}
	return Rate{PerSecond: float64(lim), Burst: l.lim.Burst()}
}
