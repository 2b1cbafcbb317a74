package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"syscall"

	"sync"
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

// journalWriter is stderr when it is the journal stream. A line written
// without a priority prefix gets "<3>" (error): what ogsync prints on stderr
// outside its logger are error messages (a bad flag, a configuration that
// does not load), which journalctl -p err must show; the logger's lines
// (priorityWriter) and notices carry a prefix of their own.
type journalWriter struct {
	mu  sync.Mutex
	w   io.Writer
	mid bool // the last write ended inside a line
}

// Write prefixes every line of p that starts without a priority with <3>.
func (j *journalWriter) Write(p []byte) (int, error) {
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

// notice writes s to w, at the syslog priority notice (5) when w is the
// journal: a normal outcome worth a line, not an error.
func notice(w io.Writer, s string) {
	if _, ok := w.(*journalWriter); ok {
		s = "<5>" + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n<5>") + "\n"
	}
	_, _ = io.WriteString(w, s)
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
	p.w.prefix = fmt.Appendf(p.w.prefix[:0], "<%d>", syslogPriority(r.Level))
	return p.h.Handle(ctx, r)
}

func (p *priorityHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &priorityHandler{h: p.h.WithAttrs(as), w: p.w}
}

func (p *priorityHandler) WithGroup(name string) slog.Handler {
	return &priorityHandler{h: p.h.WithGroup(name), w: p.w}
}
