package engine

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/target/opsgenie"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// corruptingProxy forwards to the emulator and rewrites the answers of one
// route with edit.
func corruptingProxy(t *testing.T, target string, route string, edit func([]byte) []byte) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method+" "+resp.Request.URL.Path != route {
			return nil
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(resp.Body); err != nil {
			return err
		}
		_ = resp.Body.Close()
		b := edit(buf.Bytes())
		resp.Body = httpNopCloser{bytes.NewReader(b)}
		resp.ContentLength = int64(len(b))
		resp.Header.Del("Content-Length")
		return nil
	}
	ts := httptest.NewServer(rp)
	t.Cleanup(ts.Close)
	return ts.URL
}

type httpNopCloser struct{ *bytes.Reader }

func (httpNopCloser) Close() error { return nil }

// TestMalformedAccountFailsClosed: an account answer ogsync cannot plan
// from (a user without username, a null team) fails the cycle before any
// write, with a message naming the entry; before, a blank username planned
// "delete user " and the create of a user who exists.
func TestMalformedAccountFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		name, route, old, new, want string
	}{
		{"user without username", "GET /v2/users", `"username":"bob@example.com"`, `"username":""`, "has no username"},
		{"null team", "GET /v2/teams", `"data":[`, `"data":[null,`, "data[0]: the entry is null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := newEmulator(t, driftSeed(), ogsim.FaultOptions{})
			proxy := corruptingProxy(t, emu.url, tc.route, func(b []byte) []byte { return bytes.Replace(b, []byte(tc.old), []byte(tc.new), 1) })
			cfg := e2eConfig(t, proxy)
			cfg.Planner.Ownership.Mode = "adopt"
			desired, _ := driftDesired(t)
			e := newTestEngine(t, cfg, newTestClient(t, cfg, false), true, desired)
			emu.sim.ResetStats()
			_, err := e.RunCycle(context.Background())
			var me *opsgenie.MalformedError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a malformed answer saying %q", err, tc.want)
			}
			if w := writes(emu.sim.Stats()); len(w) > 0 {
				t.Errorf("writes after a malformed answer: %v", w)
			}
		})
	}
}
