package atlsim

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// Bucket is one domain's limits: token buckets refilled continuously at
// PerSecond tokens a second (capacity PerSecond) and PerMinute tokens a
// minute (capacity PerMinute). A request takes one token from each; 0
// leaves that window unlimited.
type Bucket struct {
	PerSecond int
	PerMinute int
}

// RateLimitOptions are the limits of the four APIs the emulator serves,
// one token bucket pair per API (the reference suggests one per API and
// credential; the emulator has one credential per API). The zero value is
// off.
type RateLimitOptions struct {
	// Teams limits the Atlassian Teams public API.
	Teams Bucket
	// Ops limits the JSM Operations API.
	Ops Bucket
	// Jira limits the Jira platform user endpoints.
	Jira Bucket
	// Admin limits the organization admin and user management APIs.
	Admin Bucket
}

func (o RateLimitOptions) validate() error {
	for _, b := range []struct {
		name string
		b    Bucket
	}{{"teams", o.Teams}, {"ops", o.Ops}, {"jira", o.Jira}, {"admin", o.Admin}} {
		if b.b.PerSecond < 0 || b.b.PerMinute < 0 {
			return fmt.Errorf("rate limit: %s limits must not be negative", b.name)
		}
	}
	return nil
}

// tokenBucket refills at rate tokens a second up to capacity.
type tokenBucket struct {
	capacity float64
	rate     float64
	tokens   float64
	last     time.Time
}

func newTokenBucket(n int, per time.Duration, now time.Time) *tokenBucket {
	if n <= 0 {
		return nil
	}
	return &tokenBucket{capacity: float64(n), rate: float64(n) / per.Seconds(), tokens: float64(n), last: now}
}

func (b *tokenBucket) refill(now time.Time) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.capacity, b.tokens+d.Seconds()*b.rate)
		b.last = now
	}
}

// domainLimiter holds one domain's per-second and per-minute buckets.
type domainLimiter struct {
	mu    sync.Mutex
	clock func() time.Time
	sec   *tokenBucket
	min   *tokenBucket
}

// throttle describes a refused request: how long until the exhausted
// bucket holds a token again (whole seconds, at least 1) and that bucket's
// capacity; on an admitted request, nearLimit tells whether a bucket has
// less than 20 % of its capacity left.
type throttle struct {
	retryAfter int
	limit      int
	nearLimit  bool
}

// take spends a token from each bucket, or none when one is empty; the
// per-second bucket is checked first.
func (d *domainLimiter) take() (throttle, bool) {
	if d == nil {
		return throttle{}, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clock()
	for _, b := range []*tokenBucket{d.sec, d.min} {
		if b == nil {
			continue
		}
		b.refill(now)
		if b.tokens < 1 {
			wait := int(math.Ceil((1-b.tokens)/b.rate - 1e-9))
			return throttle{retryAfter: max(wait, 1), limit: int(b.capacity)}, true
		}
	}
	var th throttle
	for _, b := range []*tokenBucket{d.sec, d.min} {
		if b != nil {
			b.tokens--
			th.nearLimit = th.nearLimit || b.tokens < 0.2*b.capacity
		}
	}
	return th, false
}

// limiter holds one domainLimiter per API; a nil entry is unlimited.
type limiter struct {
	byAPI [apiCount]*domainLimiter
}

func newLimiter(o RateLimitOptions, clock func() time.Time) *limiter {
	mk := func(b Bucket) *domainLimiter {
		if b.PerSecond == 0 && b.PerMinute == 0 {
			return nil
		}
		now := clock()
		return &domainLimiter{clock: clock, sec: newTokenBucket(b.PerSecond, time.Second, now),
			min: newTokenBucket(b.PerMinute, time.Minute, now)}
	}
	l := &limiter{}
	l.byAPI[apiTeams] = mk(o.Teams)
	l.byAPI[apiOps] = mk(o.Ops)
	l.byAPI[apiJira] = mk(o.Jira)
	l.byAPI[apiAdmin] = mk(o.Admin)
	return l
}
