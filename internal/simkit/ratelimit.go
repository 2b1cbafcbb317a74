package simkit

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

// Domain names a Bucket for ValidateBuckets.
type Domain struct {
	Name   string
	Bucket Bucket
}

// ValidateBuckets refuses negative limits, naming the domain.
func ValidateBuckets(ds ...Domain) error {
	for _, d := range ds {
		if d.Bucket.PerSecond < 0 || d.Bucket.PerMinute < 0 {
			return fmt.Errorf("rate limit: %s limits must not be negative", d.Name)
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

// Limiter holds one domain's per-second and per-minute buckets; it is safe
// for concurrent use. A nil *Limiter admits every request.
type Limiter struct {
	mu    sync.Mutex
	clock func() time.Time
	sec   *tokenBucket
	min   *tokenBucket
}

// NewLimiter returns the limiter of b, or nil when b limits nothing.
func NewLimiter(b Bucket, clock func() time.Time) *Limiter {
	if b.PerSecond == 0 && b.PerMinute == 0 {
		return nil
	}
	now := clock()
	return &Limiter{clock: clock, sec: newTokenBucket(b.PerSecond, time.Second, now),
		min: newTokenBucket(b.PerMinute, time.Minute, now)}
}

// Throttle describes a refused request: the period of the exhausted
// window (1 or 60 seconds), how long until its bucket holds a token again
// (whole seconds, at least 1) and that bucket's capacity. On an admitted
// request, NearLimit tells whether a bucket has less than 20 % of its
// capacity left.
type Throttle struct {
	PeriodSec  int
	RetryAfter int
	Limit      int
	NearLimit  bool
}

// Take spends a token from each bucket, or none when one is empty; the
// per-second bucket is checked first.
func (l *Limiter) Take() (Throttle, bool) {
	if l == nil {
		return Throttle{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	for i, b := range []*tokenBucket{l.sec, l.min} {
		if b == nil {
			continue
		}
		b.refill(now)
		if b.tokens < 1 {
			wait := int(math.Ceil((1-b.tokens)/b.rate - 1e-9))
			return Throttle{PeriodSec: []int{1, 60}[i], RetryAfter: max(wait, 1), Limit: int(b.capacity)}, true
		}
	}
	var th Throttle
	for _, b := range []*tokenBucket{l.sec, l.min} {
		if b != nil {
			b.tokens--
			th.NearLimit = th.NearLimit || b.tokens < 0.2*b.capacity
		}
	}
	return th, false
}
