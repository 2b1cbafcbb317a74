package opsgenie

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff tuning.
const (
	// backoffBase is the first retry's wait before jitter; it doubles per retry.
	backoffBase = 200 * time.Millisecond
	// backoffCap caps the exponential part of the wait.
	backoffCap = 30 * time.Second
	// maxServerWait caps a wait the server asks for (Retry-After,
	// X-RateLimit-Period-In-Sec), so a wild header cannot stall a cycle.
	maxServerWait = 2 * time.Minute
)

// backoff returns the wait before retry n (0 for the first retry):
// 2^n × 200 ms capped at 30 s, passed through jitter.
func backoff(n int, jitter func(time.Duration) time.Duration) time.Duration {
	d := backoffCap
	if n < 16 {
		d = min(backoffBase<<n, backoffCap)
	}
	return jitter(d)
}

// equalJitter returns a wait drawn uniformly from [d/2, d].
func equalJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// throttleWait is the wait after a 429: the backoff, but at least until the
// server's window has rolled (X-RateLimit-Period-In-Sec) and at least its
// Retry-After, if it sent one.
func throttleWait(n int, h http.Header, now time.Time, jitter func(time.Duration) time.Duration) time.Duration {
	d := backoff(n, jitter)
	if p, ok := headerSeconds(h.Get("X-RateLimit-Period-In-Sec")); ok {
		d = max(d, min(p, maxServerWait))
	}
	if ra, ok := retryAfter(h.Get("Retry-After"), now); ok {
		d = max(d, min(ra, maxServerWait))
	}
	return d
}

// headerSeconds parses a non-negative integer number of seconds.
func headerSeconds(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// retryAfter parses Retry-After: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if d, ok := headerSeconds(v); ok {
		return d, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// retryable reports whether a status means "try again": 5xx except 501.
// (429 is handled on its own: the request was refused, not applied.)
func retryableStatus(status int) bool {
	return status >= 500 && status != http.StatusNotImplemented
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
