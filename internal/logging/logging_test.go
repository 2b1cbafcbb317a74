package logging

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/internal/journal"
)

// TestJSONLogDurations: every duration of a JSON log is a duration string,
// whether the program passes a time.Duration or a string.
func TestJSONLogDurations(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, slog.LevelDebug, FormatJSON)
	l.Debug("git", "took", 1500*time.Millisecond, slog.Group("g", "wait", 2*time.Second), "elapsed", (250 * time.Millisecond).String())
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	g, _ := rec["g"].(map[string]any)
	if rec["took"] != "1.5s" || g["wait"] != "2s" || rec["elapsed"] != "250ms" {
		t.Errorf("durations: took=%#v wait=%#v elapsed=%#v", rec["took"], g["wait"], rec["elapsed"])
	}
}

// On the journal every log line starts with its syslog priority, which
// journald takes as the entry's priority (journalctl -p err shows the
// errors); anywhere else, lines are left alone.
func TestLoggerJournalPriorities(t *testing.T) {
	for _, format := range []string{FormatJSON, FormatText, FormatAuto} {
		for _, onJournal := range []bool{true, false} {
			var buf bytes.Buffer
			var w io.Writer = &buf
			if onJournal {
				w = journal.NewWriter(&buf)
			}
			l := New(w, slog.LevelDebug, format)
			l = l.With("component", "test")
			l.Debug("d")
			l.Info("i")
			l.Warn("w")
			l.Error("e", "err", "boom")
			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if len(lines) != 4 {
				t.Fatalf("%s: %d lines:\n%s", format, len(lines), buf.String())
			}
			for i, prio := range []string{"<7>", "<6>", "<4>", "<3>"} {
				if strings.HasPrefix(lines[i], prio) != onJournal || (!onJournal && strings.HasPrefix(lines[i], "<")) {
					t.Errorf("%s, journal %v: line %q (priority %s expected: %v)", format, onJournal, lines[i], prio, onJournal)
				}
				if !strings.Contains(lines[i], "component") {
					t.Errorf("%s: line %q lost its attributes", format, lines[i])
				}
			}
		}
	}
}

func TestParse(t *testing.T) {
	if lv, err := ParseLevel("warn"); err != nil || lv != slog.LevelWarn {
		t.Errorf("warn: %v, %v", lv, err)
	}
	if _, err := ParseLevel("loud"); err == nil || err.Error() != "must be debug, info, warn or error" {
		t.Errorf("loud: %v", err)
	}
	if CheckFormat(FormatText) != nil || CheckFormat("xml") == nil {
		t.Error("CheckFormat accepts xml or refuses text")
	}
}
