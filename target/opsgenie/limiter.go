package opsgenie

import (
	"context"
	"fmt"
	"log/slog"
	"math"
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

// Names of the OpsGenie rate-limit domains ogsync uses.
const (
	// DomainConfiguration holds every request but list users.
	DomainConfiguration = "configuration"
	// DomainSearch holds list users (GET /v2/users).
	DomainSearch = "search"
)

// The adaptive limiter's defaults. OpsGenie publishes no numbers: its
// limits are per account, per domain and per plan, each a per-second and a
// per-minute token bucket (opsgenie-api-wire.md §7). So ogsync starts at a
// pace that is safe for a small account, learns upwards while the API
// accepts it, halves on the first 429 and remembers what it learned.
//
//   - DefaultStartConfiguration, 10/s: one write every 100 ms. Terraform's
//     provider sends up to 10 requests at once with no limiter (its
//     default parallelism), so an account that serves Terraform serves this;
//     a small change of 20 writes then takes about 2.4 s in all, against
//     Terraform's 9 s.
//   - DefaultStartSearch, 5/s: list users shares its domain with every tool
//     that lists alerts on the account, so ogsync starts with half the pace.
//     A no-op over 1,000 users is 10 pages: about 1 s at 5/s burst 5,
//     against Terraform's 8.3 s; 5,000 users (50 pages) take about 6 s as
//     the rate grows, against 34 s.
//   - DefaultCeiling, 50/s: never exceeded without a configured
//     opsgenie.rate_limit. It bounds what a learned rate can reach (3,000
//     requests a minute); a no-op over 10,000 users is 101 requests, two
//     seconds at that pace.
//   - DefaultBurst 5: a sequential page reader gets its first pages at
//     once; small enough that it cannot empty a 10/s server bucket alone.
//   - RateStep, +1/s per second in which the domain was the bottleneck (a
//     request waited for it) and no 429 came: from 10/s to 20/s in ten
//     seconds of steady demand; an idle domain does not grow, so the
//     learned rate is always one the API accepted.
//   - RateCut, ×0.5 on a 429, once per second however many concurrent
//     requests were refused, after holding the domain for the window the
//     server names (X-RateLimit-Period-In-Sec). Against a 10/s account the
//     rate saws between about 5 and 11/s, an average near 8/s
//     (BENCHMARKS.md: 200 users and 10 teams imported in 27 s with three
//     429s).
//   - RateFloor, 0.5/s: the least a domain is cut to, so a storm of 429s
//     never makes one request wait more than 2 s for its token.
const (
	// DefaultStartConfiguration is the first rate of the Configuration domain.
	DefaultStartConfiguration = 10.0
	// DefaultStartSearch is the first rate of the Search domain.
	DefaultStartSearch = 5.0
	// DefaultCeiling is the most a domain reaches without a configured rate.
	DefaultCeiling = 50.0
	// DefaultBurst is the burst without a configured one.
	DefaultBurst = 5
	// RateStep is the additive increase, per busy second without a 429.
	RateStep = 1.0
	// RateCut multiplies the rate on a 429.
	RateCut = 0.5
	// RateFloor is the least rate a cut leaves.
	RateFloor = 0.5
	// rateStepEvery is the interval of the additive increase.
	rateStepEvery = time.Second
	// slowCutEvery spaces two rate cuts, so a burst of concurrent 429s
	// halves the rate once, not once per request.
	slowCutEvery = time.Second
)

// domainLimiter is the client-side limiter of one OpsGenie rate-limit domain,
// shared by every request of that domain. Its rate adapts: it grows by
// RateStep each second in which a request had to wait for it and no 429
// came, up to the ceiling; on a 429 it holds every caller until the server's
// window has rolled, and is cut by RateCut (down to RateFloor) with a burst
// of 1 until it grows again.
type domainLimiter struct {
	name     string
	ceiling  Rate // a PerSecond of 0: no ceiling
	lim      *rate.Limiter
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	log      *slog.Logger
	onChange func(domain string, perSecond float64)

	mu        sync.Mutex
	lastCut   time.Time
	holdUntil time.Time
	nextStep  time.Time // earliest time of the next increase
	lastBound time.Time // when the last request that waited for a token got it
}

// newDomainLimiter returns the limiter of one domain: start is its first
// rate (clamped to [RateFloor, ceiling]; 0 starts at the ceiling).
func newDomainLimiter(name string, ceiling Rate, start float64, log *slog.Logger, now func() time.Time, sleep func(context.Context, time.Duration) error) *domainLimiter {
	first := ceiling.limit()
	if start > 0 && !math.IsInf(start, 0) && !math.IsNaN(start) {
		first = rate.Limit(max(start, min(RateFloor, float64(ceiling.limit()))))
		if ceiling.PerSecond > 0 {
			first = min(first, rate.Limit(ceiling.PerSecond))
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &domainLimiter{
		name:    name,
		ceiling: ceiling,
		lim:     rate.NewLimiter(first, ceiling.burst()),
		now:     now,
		sleep:   sleep,
		log:     log,
	}
}

// maxRewaits bounds how often one wait starts over because a 429 came
// while it slept.
const maxRewaits = 8

// wait blocks until the domain allows one more request or ctx is done. It
// returns how long it waited. A caller whose token came due while a 429
// was holding the domain waits for the hold and takes a new token at the
// rate cut: requests queued before the 429 do not follow it into the same
// window.
func (l *domainLimiter) wait(ctx context.Context) (time.Duration, error) {
	start := l.now()
	now := start
	for range maxRewaits {
		l.mu.Lock()
		raised := l.stepLocked(now)
		hold := l.holdUntil.Sub(now)
		l.mu.Unlock()
		if raised {
			l.changed("raised", 0)
		}
		if hold > 0 {
			if err := l.pause(ctx, now, hold); err != nil {
				return l.now().Sub(start), err
			}
			now = l.now()
		}
		r := l.lim.ReserveN(now, 1)
		if !r.OK() {
			return 0, fmt.Errorf("%s rate limiter refused the request", l.name)
		}
		d := r.DelayFrom(now)
		if d <= 0 {
			return now.Sub(start), nil
		}
		l.mu.Lock()
		// Bound until the token comes.
		l.lastBound = now.Add(d)
		l.mu.Unlock()
		if err := l.pause(ctx, now, d); err != nil {
			r.CancelAt(l.now())
			return l.now().Sub(start), err
		}
		now = l.now()
		l.mu.Lock()
		held := now.Before(l.holdUntil)
		l.mu.Unlock()
		if !held {
			break
		}
	}
	return now.Sub(start), nil
}

// stepLocked applies the additive increase when one is due: the domain was
// the bottleneck within the last interval and no 429 came since the last
// change. It reports whether the rate changed.
func (l *domainLimiter) stepLocked(now time.Time) bool {
	cur := l.lim.Limit()
	if cur == rate.Inf || now.Before(l.nextStep) {
		return false
	}
	if l.lastBound.IsZero() || now.Sub(l.lastBound) > rateStepEvery {
		return false
	}
	l.nextStep = now.Add(rateStepEvery)
	next := cur + RateStep
	if l.ceiling.PerSecond > 0 {
		next = min(next, rate.Limit(l.ceiling.PerSecond))
	}
	burst := l.ceiling.burst()
	if next == cur && l.lim.Burst() == burst {
		return false
	}
	l.lim.SetLimitAt(now, next)
	l.lim.SetBurstAt(now, burst)
	return next != cur
}

// pause sleeps d unless ctx ends first or its deadline falls before then.
func (l *domainLimiter) pause(ctx context.Context, now time.Time, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && dl.Before(now.Add(d)) {
		return fmt.Errorf("%s rate limiter: a wait of %s would pass the deadline: %w", l.name, d.Round(time.Millisecond), context.DeadlineExceeded)
	}
	return l.sleep(ctx, d)
}

// throttled records a 429: it holds the domain for hold and cuts its rate.
func (l *domainLimiter) throttled(hold time.Duration) {
	now := l.now()
	l.mu.Lock()
	if until := now.Add(hold); until.After(l.holdUntil) {
		l.holdUntil = until
	}
	// No increase before a full interval after the hold.
	l.nextStep = l.holdUntil.Add(rateStepEvery)
	l.lastBound = time.Time{}
	cur := l.lim.Limit()
	if cur == rate.Inf || (!l.lastCut.IsZero() && now.Sub(l.lastCut) < slowCutEvery) {
		l.mu.Unlock()
		return
	}
	floor := rate.Limit(RateFloor)
	if l.ceiling.PerSecond > 0 {
		floor = min(floor, rate.Limit(l.ceiling.PerSecond))
	}
	next := max(cur*RateCut, floor)
	l.lim.SetLimitAt(now, next)
	l.lim.SetBurstAt(now, 1)
	l.lastCut = now
	l.mu.Unlock()
	l.changed("lowered after a 429", hold)
}

// changed logs the rate in force and tells the observer.
func (l *domainLimiter) changed(how string, hold time.Duration) {
	r := l.current()
	if hold > 0 {
		l.log.Info("opsgenie rate "+how, "domain", l.name, "rate", r.PerSecond, "hold", hold.Round(time.Millisecond).String())
	} else {
		l.log.Debug("opsgenie rate "+how, "domain", l.name, "rate", r.PerSecond)
	}
	if l.onChange != nil {
		l.onChange(l.name, r.PerSecond)
	}
}

// current returns the rate in force.
func (l *domainLimiter) current() Rate {
	lim := l.lim.Limit()
	if lim == rate.Inf {
		return Rate{Burst: l.lim.Burst()}
	}
	return Rate{PerSecond: float64(lim), Burst: l.lim.Burst()}
}
