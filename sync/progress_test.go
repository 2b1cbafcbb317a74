package sync

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestProgressLines(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	var out bytes.Buffer
	p := newProgress(&out, nil, 10, false, 5*time.Second, clock.now)

	// Two actions a second each: no line before five seconds have passed.
	for range 4 {
		clock.advance(time.Second)
		p.Add(ActionApplied)
	}
	if out.Len() != 0 {
		t.Fatalf("line before the interval: %q", out.String())
	}
	clock.advance(time.Second)
	p.Add(ActionFailed) // 5 done in 5s: 5 to go at 1/s
	clock.advance(time.Second)
	p.Add(ActionSkipped)
	for range 4 {
		clock.advance(time.Second)
		p.Add(ActionApplied)
	}
	p.Finish()
	p.Finish()
	p.Add(ActionApplied) // after Finish: ignored

	want := "5/10 actions done, 1 failed, eta 5s\n" +
		"10/10 actions done, 1 failed, 1 skipped in 10s\n"
	if out.String() != want {
		t.Errorf("output:\n%q\nwant:\n%q", out.String(), want)
	}
}

func TestProgressTTY(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	var out bytes.Buffer
	p := newProgress(&out, nil, 4, true, 100*time.Millisecond, clock.now)
	clock.advance(time.Second)
	p.Add(ActionApplied)
	clock.advance(time.Second)
	p.Add(ActionFailed)
	p.Finish()
	lines := strings.Split(out.String(), "\r")
	want := []string{
		"",
		"[#######.......................] 1/4 actions done, eta 3s\x1b[K",
		"[###############...............] 2/4 actions done, 1 failed, eta 2s\x1b[K",
		"[###############...............] 2/4 actions done, 1 failed in 2s\x1b[K\n",
	}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("output:\n%q\nwant:\n%q", lines, want)
	}
}

func TestProgressZeroTotal(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, nil, 0, true, time.Second, time.Now)
	p.Finish()
	if !strings.Contains(out.String(), "[##############################] 0/0 actions done in ") {
		t.Errorf("output = %q", out.String())
	}
}

func TestLogProgress(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{ReplaceAttr: dropTime}))
	p := newProgress(nil, logger, 3, false, time.Second, clock.now)
	clock.advance(2 * time.Second)
	p.Add(ActionApplied)
	p.Finish()
	want := "level=INFO msg=\"apply progress\" done=1 total=3 applied=1 failed=0 skipped=0 eta=4s\n" +
		"level=INFO msg=\"apply finished\" done=1 total=3 applied=1 failed=0 skipped=0 elapsed=2s\n"
	if out.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", out.String(), want)
	}
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

func TestProgressConcurrentAdds(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, 100, false, time.Hour)
	done := make(chan struct{})
	for range 4 {
		go func() {
			for range 25 {
				p.Add(ActionApplied)
			}
			done <- struct{}{}
		}()
	}
	for range 4 {
		<-done
	}
	p.Finish()
	if !strings.HasPrefix(out.String(), "100/100 actions done in ") {
		t.Errorf("output = %q", out.String())
	}
}
