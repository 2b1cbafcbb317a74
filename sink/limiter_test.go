package sink

import (
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
		{"2/s burst 4", Rate{PerSecond: 2, Burst: 4}, 10, 3 * time.Second},
		{"burst 0 means 1", Rate{PerSecond: 10}, 3, 200 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			l := newDomainLimiter("test", tc.rate, time.Minute, clock.Now, clock.Sleep)
			for range tc.calls {
				if err := l.wait(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			if got := clock.Total(); got != tc.want {
				t.Errorf("waited %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLimiterSlowDownAndRestore(t *testing.T) {
	clock := newFakeClock()
	base := Rate{PerSecond: 8, Burst: 4}
	l := newDomainLimiter("test", base, time.Minute, clock.Now, clock.Sleep)

	l.throttled(time.Second)
	if got := l.current(); got != (Rate{PerSecond: 4, Burst: 1}) {
		t.Fatalf("after one 429: %v, want 4/s burst 1", got)
	}
	// A second 429 within a second (a concurrent caller) does not cut again.
	l.throttled(time.Second)
	if got := l.current(); got.PerSecond != 4 {
		t.Fatalf("after a concurrent 429: %v, want still 4/s", got)
	}
	// The hold applies to the next caller.
	if err := l.wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if clock.Total() < time.Second {
		t.Errorf("waited %v, want the 1s hold", clock.Total())
	}
	// Further 429s, a second apart, halve down to the floor of 1/16.
	for range 10 {
		_ = clock.Sleep(t.Context(), time.Second)
		l.throttled(0)
	}
	if got := l.current(); got.PerSecond != 0.5 {
		t.Fatalf("after a storm: %v, want the floor 0.5/s", got)
	}
	// Still slowed within the quiet period...
	_ = clock.Sleep(t.Context(), 59*time.Second)
	if err := l.wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := l.current(); got.PerSecond != 0.5 {
		t.Fatalf("59s after the last 429: %v, want still slowed", got)
	}
	// ...and back to the configured rate after it.
	_ = clock.Sleep(t.Context(), 2*time.Second)
	if err := l.wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := l.current(); got != base {
		t.Fatalf("after the quiet period: %v, want %v", got, base)
	}
}

func TestLimiterUnlimitedHolds(t *testing.T) {
	clock := newFakeClock()
	l := newDomainLimiter("test", Rate{}, time.Minute, clock.Now, clock.Sleep)
	l.throttled(5 * time.Second)
	if err := l.wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := clock.Total(); got != 5*time.Second {
		t.Errorf("waited %v, want the 5s hold even when unlimited", got)
	}
	if got := l.current(); got.PerSecond != 0 {
		t.Errorf("rate = %v, want still unlimited", got)
	}
}
