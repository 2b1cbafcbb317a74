// Package journal writes to the systemd journal through stderr: it tells
// whether stderr is the journal stream, and prefixes each line with the
// syslog priority journald reads (SyslogLevelPrefix=, on by default), so
// that journalctl -p filters by level.
package journal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
)

// IsStream reports whether w is the stream systemd connected to journald:
// $JOURNAL_STREAM holds the device and inode ("DEV:INO") of that stream, and
// a process whose stderr has been redirected elsewhere must not take it for
// the journal (sd_journal_stream_fd(3)).
func IsStream(w io.Writer, getenv func(string) string) bool {
	js := getenv("JOURNAL_STREAM")
	f, ok := w.(*os.File)
	if js == "" || !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	return js == fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

// Writer is stderr when it is the journal stream. A line written without a
// priority prefix gets "<3>" (error): what a program prints on stderr outside
// its logger are error messages (a bad flag, a configuration that does not
// load), which journalctl -p err must show; the lines of a Handler and
// notices carry a prefix of their own.
type Writer struct {
	mu  sync.Mutex
	w   io.Writer
	mid bool // the last write ended inside a line
}

// NewWriter returns a Writer that writes the prefixed lines to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Wrap puts wrap(w) in place of the stream w the prefixed lines go to,
// such as a filter, while the Writer stays on top where loggers see it.
func (j *Writer) Wrap(wrap func(io.Writer) io.Writer) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.w = wrap(j.w)
}

// Filter returns w with filter applied to what is written to it: below the
// priority prefixes when w is a Writer, which stays on top where loggers
// see it, else around w.
func Filter(w io.Writer, filter func(io.Writer) io.Writer) io.Writer {
	if j, ok := w.(*Writer); ok {
		j.Wrap(filter)
		return j
	}
	return filter(w)
}

// Write prefixes every line of p that starts without a priority with <3>.
func (j *Writer) Write(p []byte) (int, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]byte, 0, len(p)+8)
	for rest := p; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		rest = rest[len(line):]
		if !j.mid && !hasPriority(line) {
			out = append(out, "<3>"...)
		}
		out = append(out, line...)
		j.mid = line[len(line)-1] != '\n'
	}
	if _, err := j.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// hasPriority reports whether line starts with a syslog priority "<N>".
func hasPriority(line []byte) bool {
	return len(line) >= 3 && line[0] == '<' && line[1] >= '0' && line[1] <= '7' && line[2] == '>'
}

// Notice writes s to w, at the syslog priority notice (5) when w is a
// Writer: a normal outcome worth a line, not an error.
func Notice(w io.Writer, s string) {
	if _, ok := w.(*Writer); ok {
		s = "<5>" + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n<5>") + "\n"
	}
	_, _ = io.WriteString(w, s)
}

// Priority maps a log level to its syslog priority: error 3, warning 4,
// info 6, debug 7.
func Priority(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return 3
	case l >= slog.LevelWarn:
		return 4
	case l >= slog.LevelInfo:
		return 6
	default:
		return 7
	}
}

// Handler returns the handler that build makes on w, with each record's
// line prefixed by its level's syslog priority.
func Handler(w io.Writer, build func(io.Writer) slog.Handler) slog.Handler {
	pw := &priorityWriter{w: w}
	return &priorityHandler{h: build(pw), w: pw}
}

// priorityWriter writes each log line with the "<N>" prefix journald reads
// as the line's priority.
type priorityWriter struct {
	mu     sync.Mutex // held by priorityHandler.Handle around one record
	w      io.Writer
	prefix []byte
}

// Write writes p, one log line, after the current record's prefix.
func (p *priorityWriter) Write(b []byte) (int, error) {
	line := make([]byte, 0, len(p.prefix)+len(b))
	line = append(append(line, p.prefix...), b...)
	if _, err := p.w.Write(line); err != nil {
		return 0, err
	}
	return len(b), nil
}

// priorityHandler sets the priority prefix of each record before the
// handler it wraps writes the record's line.
type priorityHandler struct {
	h slog.Handler
	w *priorityWriter
}

func (p *priorityHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return p.h.Enabled(ctx, l)
}

func (p *priorityHandler) Handle(ctx context.Context, r slog.Record) error {
	p.w.mu.Lock()
	defer p.w.mu.Unlock()
	p.w.prefix = fmt.Appendf(p.w.prefix[:0], "<%d>", Priority(r.Level))
	return p.h.Handle(ctx, r)
}

func (p *priorityHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &priorityHandler{h: p.h.WithAttrs(as), w: p.w}
}

func (p *priorityHandler) WithGroup(name string) slog.Handler {
	return &priorityHandler{h: p.h.WithGroup(name), w: p.w}
}
