// Package progress shows how far a long apply has got: a status line on a
// terminal (kept apart from the log lines by StatusWriter) or a log line
// every interval. A *Progress is an engine.ProgressReporter.
package progress

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ogsync/ogsync/engine"
)

// Progress reports the progress of a long apply: on a terminal, a one-line
// bar redrawn in place; otherwise a line every so often, such as
//
//	120/1000 actions done, 2 failed, 1 skipped, eta 40s
//
// The apply engine calls Add once per finished action, from any goroutine,
// and Finish at the end. Output is driven by Add: a line is due when the
// interval has passed since the last one. A nil *Progress reports nothing.
type Progress struct {
	mu       sync.Mutex
	w        io.Writer
	logger   *slog.Logger
	tty      bool
	every    time.Duration
	total    int
	done     int
	applied  int
	failed   int
	skipped  int
	start    time.Time
	last     time.Time
	finished bool

	// now is the clock; tests replace it.
	now func() time.Time
}

// NewProgress returns a Progress writing to w for an apply of total actions:
// a bar redrawn at most every interval when tty is true, else a line every
// interval. On a terminal, pass the *StatusWriter the logger writes to as
// w, so that log lines and the bar never share a line.
func NewProgress(w io.Writer, total int, tty bool, every time.Duration) *Progress {
	return newProgress(w, nil, total, tty, every, time.Now)
}

// NewLogProgress returns a Progress that logs a line at Info every interval,
// for a daemon whose output is a log (journald).
func NewLogProgress(logger *slog.Logger, total int, every time.Duration) *Progress {
	return newProgress(nil, logger, total, false, every, time.Now)
}

func newProgress(w io.Writer, logger *slog.Logger, total int, tty bool, every time.Duration, now func() time.Time) *Progress {
	t := now()
	return &Progress{w: w, logger: logger, tty: tty, every: every, total: total, start: t, last: t, now: now}
}

// Add counts one finished action by its outcome.
func (p *Progress) Add(o engine.ActionOutcome) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.done++
	switch o {
	case engine.ActionApplied:
		p.applied++
	case engine.ActionFailed:
		p.failed++
	case engine.ActionSkipped:
		p.skipped++
	}
	// The last action is left to Finish, which reports the end.
	if now := p.now(); now.Sub(p.last) >= p.every && p.done < p.total {
		p.last = now
		p.emit(now, false)
	}
}

// Finish writes the final line; later calls and Adds do nothing.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	p.emit(p.now(), true)
}

// emit writes one report; the caller holds p.mu.
func (p *Progress) emit(now time.Time, final bool) {
	elapsed := now.Sub(p.start)
	eta := time.Duration(-1)
	if p.done > 0 && p.done < p.total {
		eta = time.Duration(float64(elapsed) / float64(p.done) * float64(p.total-p.done)).Round(time.Second)
	}
	if p.logger != nil {
		attrs := []any{"done", p.done, "total", p.total, "applied", p.applied, "failed", p.failed, "skipped", p.skipped}
		if final {
			p.logger.Info("apply finished", append(attrs, "elapsed", elapsed.Round(time.Millisecond).String())...)
			return
		}
		if eta >= 0 {
			attrs = append(attrs, "eta", eta.String())
		}
		p.logger.Info("apply progress", attrs...)
		return
	}
	var b strings.Builder
	if p.tty {
		const width = 30
		fill := width
		if p.total > 0 {
			fill = min(width*p.done/p.total, width)
		}
		fmt.Fprintf(&b, "[%s%s] ", strings.Repeat("#", fill), strings.Repeat(".", width-fill))
	}
	fmt.Fprintf(&b, "%d/%d actions done", p.done, p.total)
	if p.failed > 0 {
		fmt.Fprintf(&b, ", %d failed", p.failed)
	}
	if p.skipped > 0 {
		fmt.Fprintf(&b, ", %d skipped", p.skipped)
	}
	switch {
	case final:
		fmt.Fprintf(&b, " in %s", elapsed.Round(time.Millisecond))
	case eta >= 0:
		fmt.Fprintf(&b, ", eta %s", eta)
	}
	if p.tty {
		sw, ok := p.w.(*StatusWriter)
		if !ok {
			sw = &StatusWriter{w: p.w} // no log lines share this writer
			p.w = sw
		}
		sw.setStatus(b.String(), final)
		return
	}
	b.WriteString("\n")
	_, _ = io.WriteString(p.w, b.String()) // progress is best effort
}

// clearLine returns the cursor to the start of the line and clears it.
const clearLine = "\r\x1b[K"

// StatusWriter shares a terminal between log lines and one status line
// (the progress bar) kept at the bottom: each Write of a log line first
// clears the status line, then writes the log line and redraws the status
// line below it, all under one lock, so the two never interleave. Give it
// to the logger as its writer and to NewProgress.
type StatusWriter struct {
	mu sync.Mutex
	w  io.Writer
	// status is the status line on screen, "" when none is.
	status string
	// midLine is set when the last log write did not end a line: the status
	// line is not redrawn until one does.
	midLine bool
}

// NewStatusWriter returns a StatusWriter writing to the terminal w.
func NewStatusWriter(w io.Writer) *StatusWriter { return &StatusWriter{w: w} }

// Unwrap returns the terminal, so that callers can tell it is one.
func (s *StatusWriter) Unwrap() io.Writer { return s.w }

// Write writes log output above the status line.
func (s *StatusWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	if s.status != "" && !s.midLine {
		b.WriteString(clearLine)
	}
	b.Write(p)
	s.midLine = len(p) > 0 && p[len(p)-1] != '\n'
	if s.status != "" && !s.midLine {
		b.WriteString(s.status)
	}
	if _, err := io.WriteString(s.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// setStatus draws line as the status line; final leaves it on screen as
// an ordinary line and ends the status line. While a log line is half
// written, the status line waits for its end (Write draws it then).
func (s *StatusWriter) setStatus(line string, final bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out string
	switch {
	case s.midLine && final:
		out, s.midLine = "\n"+line+"\n", false
		s.status = ""
	case s.midLine:
		s.status = line
		return
	case final:
		out = clearLine + line + "\n"
		s.status = ""
	default:
		out = clearLine + line
		s.status = line
	}
	_, _ = io.WriteString(s.w, out) // progress is best effort
}

// Reporter returns what reports an apply of total actions: a bar drawn
// through status when it is not nil (a terminal), else a log line every
// ten seconds.
func Reporter(status *StatusWriter, logger *slog.Logger) func(total int) engine.ProgressReporter {
	return func(total int) engine.ProgressReporter {
		if status != nil {
			return NewProgress(status, total, true, 200*time.Millisecond)
		}
		return NewLogProgress(logger, total, 10*time.Second)
	}
}
