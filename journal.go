package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"syscall"

	stdsync "sync"
)

// isJournalStream reports whether w is the stream systemd connected to
// journald: $JOURNAL_STREAM holds the device and inode ("DEV:INO") of that
// stream, and a process whose stderr has been redirected elsewhere must not
// take it for the journal (sd_journal_stream_fd(3)).
func isJournalStream(w io.Writer, getenv func(string) string) bool {
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

// syslogPriority maps a log level to its syslog priority: error 3,
// warning 4, info 6, debug 7.
func syslogPriority(l slog.Level) int {
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

// priorityWriter writes each log line with the "<N>" prefix journald reads
// as the line's priority (SyslogLevelPrefix=, on by default).
type priorityWriter struct {
	mu     stdsync.Mutex // held by priorityHandler.Handle around one record
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
	p.w.prefix = fmt.Appendf(p.w.prefix[:0], "<%d>", syslogPriority(r.Level))
	return p.h.Handle(ctx, r)
}

func (p *priorityHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &priorityHandler{h: p.h.WithAttrs(as), w: p.w}
}

func (p *priorityHandler) WithGroup(name string) slog.Handler {
	return &priorityHandler{h: p.h.WithGroup(name), w: p.w}
}
