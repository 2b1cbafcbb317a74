package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// streamID returns the "DEV:INO" of f, as systemd sets JOURNAL_STREAM.
func streamID(t *testing.T, f *os.File) string {
	t.Helper()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

// When stderr is the journal stream, every line starts with its syslog
// priority, which journald takes as the entry's priority (journalctl -p err
// shows the errors); anywhere else, lines are left alone.
func TestLoggerJournalPriorities(t *testing.T) {
	dir := t.TempDir()
	journal, err := os.Create(filepath.Join(dir, "journal"))
	if err != nil {
		t.Fatal(err)
	}
	defer journal.Close()
	other, err := os.Create(filepath.Join(dir, "other"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	env := map[string]string{"JOURNAL_STREAM": streamID(t, journal)}
	getenv := func(k string) string { return env[k] }

	for _, format := range []string{"json", "text"} {
		for _, f := range []*os.File{journal, other} {
			if err := f.Truncate(0); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Seek(0, 0); err != nil {
				t.Fatal(err)
			}
			l := (&logFlags{level: "debug", format: format}).logger(stdio{err: f, getenv: getenv})
			l = l.With("component", "test")
			l.Debug("d")
			l.Info("i")
			l.Warn("w")
			l.Error("e", "err", "boom")
			data, err := os.ReadFile(f.Name())
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			if len(lines) != 4 {
				t.Fatalf("%s: %d lines:\n%s", format, len(lines), data)
			}
			for i, prio := range []string{"<7>", "<6>", "<4>", "<3>"} {
				if has := strings.HasPrefix(lines[i], prio); has != (f == journal) {
					t.Errorf("%s, journal %v: line %q, priority prefix %s expected: %v", format, f == journal, lines[i], prio, f == journal)
				}
				if !strings.Contains(lines[i], "component") {
					t.Errorf("%s: line %q lost its attributes", format, lines[i])
				}
			}
		}
	}
}
