package atlsim

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
)

// TestCommand: the flags reach the emulator, which says where it listens
// and its ids on stderr, serves, and stops with the context.
func TestCommand(t *testing.T) {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := NewCommand("SIM_KEY")
	c.Register(fs)
	if err := fs.Parse([]string{"--listen", "127.0.0.1:0", "--org-id", "org-1", "--cloud-id", "cloud-1"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	if err := c.Run(context.Background(), simkit.Process{Getenv: func(string) string { return "" }}); err == nil ||
		err.Error() != "--api-key (or SIM_KEY) is required" {
		t.Fatalf("without a key: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := make(chan string, 1)
	var stderr bytes.Buffer
	done := make(chan error, 1)
	p := simkit.Process{Stderr: &lineWriter{w: &stderr, line: addr}, Getenv: func(string) string { return "k3y" }}
	go func() { done <- c.Run(ctx, p) }()
	var base string
	select {
	case base = <-addr:
	case err := <-done:
		t.Fatalf("stopped before listening: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no address on stderr")
	}
	resp, err := http.Get("http://" + base + "/_sim/state")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /_sim/state: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("after cancellation: %v", err)
	}
	if want := "listening on " + base + "\norg id org-1\ncloud id cloud-1\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}

// lineWriter writes to w and sends the address of the first write,
// "listening on ADDR\n...", to line.
type lineWriter struct {
	w    io.Writer
	line chan string
}

func (l *lineWriter) Write(p []byte) (int, error) {
	if first, _, ok := strings.Cut(string(p), "\n"); ok {
		if addr, ok := strings.CutPrefix(first, "listening on "); ok {
			l.line <- addr
		}
	}
	return l.w.Write(p)
}
