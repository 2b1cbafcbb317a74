package progress

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogsync/ogsync/engine"
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
		p.Add(engine.ActionApplied)
	}
	if out.Len() != 0 {
		t.Fatalf("line before the interval: %q", out.String())
	}
	clock.advance(time.Second)
	p.Add(engine.ActionFailed) // 5 done in 5s: 5 to go at 1/s
	clock.advance(time.Second)
	p.Add(engine.ActionSkipped)
	for range 4 {
		clock.advance(time.Second)
		p.Add(engine.ActionApplied)
	}
	p.Finish()
	p.Finish()
	p.Add(engine.ActionApplied) // after Finish: ignored

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
	p.Add(engine.ActionApplied)
	clock.advance(time.Second)
	p.Add(engine.ActionFailed)
	p.Finish()
	lines := strings.Split(out.String(), "\r")
	want := []string{
		"",
		"\x1b[K[#######.......................] 1/4 actions done, eta 3s",
		"\x1b[K[###############...............] 2/4 actions done, 1 failed, eta 2s",
		"\x1b[K[###############...............] 2/4 actions done, 1 failed in 2s\n",
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
	p.Add(engine.ActionApplied)
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
				p.Add(engine.ActionApplied)
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

// terminal is a fake terminal: it applies carriage returns, "clear to the
// end of the line" (ESC [K) and newlines to a screen of lines.
type terminal struct {
	mu    sync.Mutex
	lines []string
	cur   []rune
	col   int
}

func (t *terminal) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := string(p)
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, "\x1b[K"):
			t.cur = t.cur[:t.col]
			s = s[3:]
			continue
		case s[0] == '\r':
			t.col = 0
		case s[0] == '\n':
			t.lines = append(t.lines, string(t.cur))
			t.cur, t.col = nil, 0
		default:
			r := []rune(s)[0]
			if t.col < len(t.cur) {
				t.cur[t.col] = r
			} else {
				t.cur = append(t.cur, r)
			}
			t.col++
			s = s[len(string(r)):]
			continue
		}
		s = s[1:]
	}
	return len(p), nil
}

// screen returns the lines on screen, the unfinished last one included.
func (t *terminal) screen() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append(slices.Clone(t.lines), string(t.cur))
}

// TestStatusWriterKeepsLinesApart logs from several goroutines while the
// progress bar is redrawn: on the fake terminal every line is one whole
// log line or the final progress line, and the bar is the last line.
func TestStatusWriterKeepsLinesApart(t *testing.T) {
	term := &terminal{}
	sw := NewStatusWriter(term)
	logger := slog.New(slog.NewTextHandler(sw, &slog.HandlerOptions{ReplaceAttr: dropTime}))
	const total = 200
	p := newProgress(sw, nil, total, true, 0, time.Now)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range total / 4 {
				logger.Info("applied", "worker", g, "i", i)
				p.Add(engine.ActionApplied)
			}
		}()
	}
	wg.Wait()
	// Mid-apply: the bar is the last line, below every log line so far.
	if got := term.screen(); !strings.HasPrefix(got[len(got)-1], "[") || len(got) != total+1 {
		t.Fatalf("%d lines, last %q; want %d log lines and the bar", len(got), got[len(got)-1], total)
	}
	logger.Info("one more")
	p.Finish()
	lines := term.screen()
	if last := lines[len(lines)-1]; last != "" {
		t.Errorf("after Finish the cursor is not on a fresh line: %q", last)
	}
	lines = lines[:len(lines)-1]
	logRE := regexp.MustCompile(`^level=INFO msg=(applied worker=\d i=\d+|"one more")$`)
	for i, l := range lines[:len(lines)-1] {
		if !logRE.MatchString(l) {
			t.Errorf("line %d is not one whole log line: %q", i, l)
		}
	}
	if final := lines[len(lines)-1]; !strings.HasPrefix(final, "[##############################] 200/200 actions done in ") {
		t.Errorf("final line %q", final)
	}
	if len(lines) != total+2 {
		t.Errorf("%d lines, want %d", len(lines), total+2)
	}
}

// TestStatusWriterHalfLine redraws the bar only once a half-written log line ends.
func TestStatusWriterHalfLine(t *testing.T) {
	term := &terminal{}
	sw := NewStatusWriter(term)
	sw.setStatus("[bar 1]", false)
	fmt.Fprint(sw, "half ")
	sw.setStatus("[bar 2]", false)
	fmt.Fprint(sw, "a line\n")
	if got := strings.Join(term.screen(), "|"); got != "half a line|[bar 2]" {
		t.Errorf("screen %q", got)
	}
	if sw.Unwrap() != term {
		t.Error("Unwrap does not return the terminal")
	}
}

// Reporter draws on the status writer when there is one, else logs.
func TestReporter(t *testing.T) {
	var term, log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{ReplaceAttr: dropTime}))
	p := Reporter(NewStatusWriter(&term), logger)(1)
	p.Add(engine.ActionApplied)
	p.Finish()
	if !strings.Contains(term.String(), "1/1") || log.Len() != 0 {
		t.Errorf("terminal: drew %q, logged %q", term.String(), log.String())
	}
	term.Reset()
	p = Reporter(nil, logger)(1)
	p.Add(engine.ActionApplied)
	p.Finish()
	if term.Len() != 0 || !strings.Contains(log.String(), "apply finished") {
		t.Errorf("no terminal: drew %q, logged %q", term.String(), log.String())
	}
}
