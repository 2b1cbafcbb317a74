package opsgenie

import (
	"context"
	"testing"
	"time"
)

func TestLimiterSpacing(t *testing.T) {
	tests := []struct {
		name  string
		rate  Rate
		calls int
		want  time.Duration // total wait
	}{
		{"unlimited", Rate{}, 50, 0},
		{"within the burst", Rate{PerSecond: 2, Burst: 4}, 4, 0},
		// The ceiling is the start: no increase above it.
		{"2/s burst 4", Rate{PerSecond: 2, Burst: 4}, 10, 3 * time.Second},
		{"burst 0 means 1", Rate{PerSecond: 10}, 3, 200 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			l := newDomainLimiter("test", tc.rate, 0, nil, clock.Now, clock.Sleep)
			for range tc.calls {
				if _, err := l.wait(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			if got := clock.Total(); (got - tc.want).Abs() > time.Millisecond {
				t.Errorf("waited %v, want %v", got, tc.want)
			}
		})
	}
}

// busy makes n sequential requests through l and returns the rate after them.
func busy(t *testing.T, l *domainLimiter, n int) float64 {
	t.Helper()
	for range n {
		if _, err := l.wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	return l.current().PerSecond
}

func TestLimiterAdditiveIncrease(t *testing.T) {
	clock := newFakeClock()
	l := newDomainLimiter("test", Rate{PerSecond: 50, Burst: 5}, 10, nil, clock.Now, clock.Sleep)
	if got := l.current().PerSecond; got != 10 {
		t.Fatalf("start = %g, want 10", got)
	}
	// A caller faster than the limiter: the rate grows by RateStep a second.
	var rates []float64
	for range 5 {
		start := clock.Elapsed()
		for clock.Elapsed()-start < time.Second {
			busy(t, l, 1)
		}
		rates = append(rates, l.current().PerSecond)
	}
	for i := 1; i < len(rates); i++ {
		if d := rates[i] - rates[i-1]; d != RateStep {
			t.Fatalf("rates by second = %v, want +%g each second", rates, RateStep)
		}
	}
	// An idle domain does not grow: nothing proves a higher rate works.
	before := l.current().PerSecond
	_ = clock.Sleep(t.Context(), time.Minute)
	if got := busy(t, l, 1); got != before {
		t.Errorf("after an idle minute: %g, want still %g", got, before)
	}
}

func TestLimiterCeiling(t *testing.T) {
	clock := newFakeClock()
	l := newDomainLimiter("test", Rate{PerSecond: 12, Burst: 2}, 10, nil, clock.Now, clock.Sleep)
	if got := busy(t, l, 500); got != 12 {
		t.Fatalf("after 500 busy requests: %g, want the ceiling 12", got)
	}
	// A start above the ceiling is cut to it.
	l = newDomainLimiter("test", Rate{PerSecond: 3, Burst: 2}, 40, nil, clock.Now, clock.Sleep)
	if got := l.current().PerSecond; got != 3 {
		t.Fatalf("start 40 under a ceiling of 3: %g", got)
	}
	// No start: the ceiling.
	l = newDomainLimiter("test", Rate{PerSecond: 7, Burst: 2}, 0, nil, clock.Now, clock.Sleep)
	if got := l.current().PerSecond; got != 7 {
		t.Fatalf("no start: %g, want the ceiling 7", got)
	}
}

func TestLimiterMultiplicativeDecrease(t *testing.T) {
	clock := newFakeClock()
	var changes []float64
	l := newDomainLimiter("test", Rate{PerSecond: 50, Burst: 4}, 16, nil, clock.Now, clock.Sleep)
	l.onChange = func(_ string, r float64) { changes = append(changes, r) }

	l.throttled(time.Second)
	if got := l.current(); got != (Rate{PerSecond: 8, Burst: 1}) {
		t.Fatalf("after one 429: %v, want 8/s burst 1", got)
	}
	// A second 429 within a second (a concurrent caller) does not cut again.
	l.throttled(time.Second)
	if got := l.current(); got.PerSecond != 8 {
		t.Fatalf("after a concurrent 429: %v, want still 8/s", got)
	}
	// The hold applies to the next caller, and is what it reports waiting.
	waited, err := l.wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if waited != time.Second {
		t.Errorf("waited %v, want the 1s hold", waited)
	}
	// Further 429s, a second apart, halve down to the floor.
	for range 10 {
		_ = clock.Sleep(t.Context(), time.Second)
		l.throttled(0)
	}
	if got := l.current(); got.PerSecond != RateFloor {
		t.Fatalf("after a storm: %v, want the floor %g/s", got, RateFloor)
	}
	if changes[0] != 8 || changes[len(changes)-1] != RateFloor {
		t.Errorf("observed rates %v", changes)
	}
	// Busy again without a 429: it grows back additively, burst restored.
	got := busy(t, l, 20)
	if got <= RateFloor || got > RateFloor+10*RateStep {
		t.Errorf("after 20 busy requests: %g, want a few steps above the floor", got)
	}
	if b := l.current().Burst; b != 4 {
		t.Errorf("burst = %d, want 4 restored", b)
	}
}

func TestLimiterUnlimitedHolds(t *testing.T) {
	clock := newFakeClock()
	l := newDomainLimiter("test", Rate{}, 0, nil, clock.Now, clock.Sleep)
	l.throttled(5 * time.Second)
	if _, err := l.wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := clock.Total(); got != 5*time.Second {
		t.Errorf("waited %v, want the 5s hold even when unlimited", got)
	}
	if got := l.current(); got.PerSecond != 0 {
		t.Errorf("rate = %v, want still unlimited", got)
	}
}

// TestLimiterWaitOutlastsA429: a caller whose token comes due while a 429
// holds the domain waits for the hold and takes a new token at the cut
// rate, instead of following the 429 into the same window.
func TestLimiterWaitOutlastsA429(t *testing.T) {
	clock := newFakeClock()
	var l *domainLimiter
	first := true
	sleep := func(ctx context.Context, d time.Duration) error {
		if first {
			// Another caller's request is answered 429 meanwhile.
			first = false
			l.throttled(3 * time.Second)
		}
		return clock.Sleep(ctx, d)
	}
	l = newDomainLimiter("test", Rate{PerSecond: 10, Burst: 1}, 0, nil, clock.Now, sleep)
	busy(t, l, 1) // the burst
	waited, err := l.wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// 100 ms for the token, then the rest of the 3 s hold; the hold ends
	// with a full bucket (burst 1 at 5/s), so no more.
	if waited != 3*time.Second {
		t.Errorf("waited %v (sleeps %v), want the 3 s hold", waited, clock.Slept())
	}
}
