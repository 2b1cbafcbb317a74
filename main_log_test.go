package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

// TestJSONLogDurations: every duration of a JSON log is a duration string,
// whether the program passes a time.Duration or a string.
func TestJSONLogDurations(t *testing.T) {
	var buf bytes.Buffer
	l := (&logFlags{level: "debug", format: "json"}).logger(stdio{err: &buf})
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
