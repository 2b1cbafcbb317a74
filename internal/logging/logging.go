// Package logging builds the process logger: colour text on a terminal,
// JSON otherwise, with each line's syslog priority when stderr is the
// systemd journal (a *journal.Writer).
package logging

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"slices"

	"github.com/lmittmann/tint"
	"github.com/ogsync/ogsync/internal/journal"
)

// Log formats: FormatAuto is FormatText on a terminal, FormatJSON otherwise.
const (
	FormatAuto = "auto"
	FormatText = "text"
	FormatJSON = "json"
)

// ParseLevel parses a level name: debug, info, warn or error.
func ParseLevel(s string) (slog.Level, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(s)); err != nil {
		return 0, errors.New("must be debug, info, warn or error")
	}
	return lv, nil
}

// CheckFormat checks a format name: auto, text or json.
func CheckFormat(s string) error {
	if !slices.Contains([]string{FormatAuto, FormatText, FormatJSON}, s) {
		return errors.New("must be auto, text or json")
	}
	return nil
}

// New builds a logger on w at level lv in format (FormatAuto, FormatText or
// FormatJSON): tint text, without colour off a terminal, or JSON. When w is
// the journal (a *journal.Writer), each line starts with its level's syslog
// priority, so that journalctl -p filters by level.
func New(w io.Writer, lv slog.Level, format string) *slog.Logger {
	if format == FormatAuto {
		format = FormatJSON
		if IsTerminal(w) {
			format = FormatText
		}
	}
	build := func(w io.Writer) slog.Handler {
		if format == FormatJSON {
			return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv, ReplaceAttr: durationString})
		}
		return tint.NewTextHandler(w, &tint.Options{Level: lv, NoColor: !IsTerminal(w)})
	}
	if _, ok := w.(*journal.Writer); ok {
		return slog.New(journal.Handler(w, build))
	}
	return slog.New(build(w))
}

// durationString writes every duration of a JSON log in one form, the Go
// duration string ("1.5s", "250ms") that the fields formatted by the
// program already use, instead of slog's integer nanoseconds.
func durationString(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().String())
	}
	return a
}

// IsTerminal reports whether w is a terminal, looking through a writer that
// has an Unwrap method (a progress.StatusWriter on the terminal).
func IsTerminal(w io.Writer) bool {
	if u, ok := w.(interface{ Unwrap() io.Writer }); ok {
		w = u.Unwrap()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
