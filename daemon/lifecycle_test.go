package daemon

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ogsync/ogsync/engine"
)

// RunAndServe runs the cycles, serves /healthz on the listener, reloads on
// each request from the channel, and returns nil once its context ends.
func TestRunAndServe(t *testing.T) {
	cfg := testConfig(t, yearly)
	fc := newFakeCycle(func(context.Context, int) (engine.Result, error) { return engine.Result{}, nil })
	loads := make(chan struct{}, 4)
	load := func() (*Settings, error) {
		loads <- struct{}{}
		c := *cfg
		return &c, nil
	}
	f := newDaemon(t, cfg, func(*Settings) (engine.Cycle, error) { return fc.cycle, nil }, load)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reload := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- f.d.RunAndServe(ctx, ln, f.reg, reload) }()

	fc.wait(t, 1, 10*time.Second) // the cycle at start
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", resp.StatusCode)
	}
	reload <- struct{}{}
	select {
	case <-loads:
	case <-time.After(10 * time.Second):
		t.Fatal("a reload request did not reload the configuration")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunAndServe = %v, want nil after the context ended", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("RunAndServe did not return after its context ended")
	}
}
