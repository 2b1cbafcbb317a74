package ogsim

import (
	"fmt"
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

// RateLimitOptions are the limits of the two rate-limiting domains the
// emulated endpoints fall in. Search holds GET /v2/users (list users);
// Configuration holds every other endpoint. The zero value is off.
type RateLimitOptions struct {
	Configuration Bucket
	Search        Bucket
}

func (o RateLimitOptions) validate() error {
	for _, b := range []struct {
		name string
		b    Bucket
	}{{"configuration", o.Configuration}, {"search", o.Search}} {
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

// take spends a token from each bucket, or none when one is empty; it then
// returns the period of the exhausted window in seconds (1 or 60).
func (d *domainLimiter) take() (periodSec int, throttled bool) {
	if d == nil {
		return 0, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clock()
	if d.sec != nil {
		d.sec.refill(now)
		if d.sec.tokens < 1 {
			return 1, true
		}
	}
	if d.min != nil {
		d.min.refill(now)
		if d.min.tokens < 1 {
			return 60, true
		}
	}
	if d.sec != nil {
		d.sec.tokens--
	}
	if d.min != nil {
		d.min.tokens--
	}
	return 0, false
}

type limiter struct {
	configuration *domainLimiter
	search        *domainLimiter
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
	return &limiter{configuration: mk(o.Configuration), search: mk(o.Search)}
}
