package main

import (
	"bytes"
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

// stderr is the journal only when JOURNAL_STREAM names its device and inode.
func TestIsJournalStream(t *testing.T) {
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
	if !isJournalStream(journal, getenv) {
		t.Error("the stream JOURNAL_STREAM names is not taken for the journal")
	}
	if isJournalStream(other, getenv) {
		t.Error("a redirected stderr is taken for the journal")
	}
	if isJournalStream(&bytes.Buffer{}, getenv) || isJournalStream(journal, func(string) string { return "" }) {
		t.Error("journal without a file or without JOURNAL_STREAM")
	}
}

// On the journal every log line starts with its syslog priority, which
// journald takes as the entry's priority (journalctl -p err shows the
// errors); anywhere else, lines are left alone.
func TestLoggerJournalPriorities(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		for _, journal := range []bool{true, false} {
			var buf bytes.Buffer
			io := stdio{err: &buf, getenv: func(string) string { return "" }}
			if journal {
				io.err = &journalWriter{w: &buf}
			}
			l := (&logFlags{level: "debug", format: format}).logger(io)
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
				if strings.HasPrefix(lines[i], prio) != journal || (!journal && strings.HasPrefix(lines[i], "<")) {
					t.Errorf("%s, journal %v: line %q (priority %s expected: %v)", format, journal, lines[i], prio, journal)
				}
				if !strings.Contains(lines[i], "component") {
					t.Errorf("%s: line %q lost its attributes", format, lines[i])
				}
			}
		}
	}
}

// What the commands print on stderr outside the logger is an error: on the
// journal each of its lines gets <3>, a notice <5>; lines that carry a
// priority keep it.
func TestJournalWriter(t *testing.T) {
	var buf bytes.Buffer
	j := &journalWriter{w: &buf}
	fmt.Fprintf(j, "ogsync run: reading API key file: no such file\n")
	fmt.Fprintf(j, "a.yaml:1:2: x\nb.yaml:3:4: y\n")
	fmt.Fprint(j, "partial ")
	fmt.Fprint(j, "line\n")
	fmt.Fprint(j, "<6>already prefixed\n")
	notice(j, "ogsync run: cycle ok; 1 action blocked by safeguards\n")
	want := "<3>ogsync run: reading API key file: no such file\n<3>a.yaml:1:2: x\n<3>b.yaml:3:4: y\n<3>partial line\n<6>already prefixed\n<5>ogsync run: cycle ok; 1 action blocked by safeguards\n"
	if buf.String() != want {
		t.Errorf("journal got:\n%s\nwant:\n%s", buf.String(), want)
	}
	var plain bytes.Buffer
	notice(&plain, "n\n")
	if plain.String() != "n\n" {
		t.Errorf("a notice off the journal: %q", plain.String())
	}
}
