package tests

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target/opsgenie"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// testKey is the emulator's API key in the tests that do not hunt for it.
const testKey = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

// emu is the emulator on loopback, with a record of the write requests it
// received (method and path), whatever their fate.
type emu struct {
	sim *ogsim.Server
	url string

	mu     sync.Mutex
	writes []string // "METHOD /path"
	// onWrite, when set, is called for every write request before the
	// emulator sees it (the crash test kills the client from here).
	onWrite func(n int, r *http.Request)
}

// startEmu serves an emulator built from opts on 127.0.0.1 until the test ends.
func startEmu(tb testing.TB, opts ogsim.Options) *emu {
	tb.Helper()
	if opts.APIKey == "" {
		opts.APIKey = testKey
	}
	sim, err := ogsim.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	e := &emu{sim: sim}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && !strings.HasPrefix(r.URL.Path, "/_sim/") {
			e.mu.Lock()
			e.writes = append(e.writes, r.Method+" "+r.URL.Path)
			n, hook := len(e.writes), e.onWrite
			e.mu.Unlock()
			if hook != nil {
				hook(n, r)
			}
		}
		// The writer is passed on as it is: the emulator hijacks it to drop
		// connections.
		sim.ServeHTTP(w, r)
	}))
	tb.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

// writeLog returns the write requests received so far.
func (e *emu) writeLog() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.writes)
}

// setOnWrite installs the write hook.
func (e *emu) setOnWrite(f func(n int, r *http.Request)) {
	e.mu.Lock()
	e.onWrite = f
	e.mu.Unlock()
}

// ownerSeed is an account with one Owner, as a fresh OpsGenie account is.
func ownerSeed() *ogsim.Seed {
	return &ogsim.Seed{Users: []ogsim.SeedUser{{Username: owner, FullName: "Account Owner", Role: "Owner"}}}
}

// baseConfig is the configuration of the in-process engines: sync policies,
// adopt nothing (marker mode), the given rate, desired state in dir.
func baseConfig(url, dir string, perSecond float64, burst int) *config.Config {
	cfg := config.Default()
	cfg.OpsGenie.URL = url
	cfg.OpsGenie.RateLimit = config.RateLimit{Rate: config.Rate{PerSecond: perSecond, Burst: burst}}
	cfg.Source.Path = dir
	cfg.Policy = config.Policy{Users: config.PolicySync, Teams: config.PolicySync, Members: config.PolicySync}
	cfg.Safeguards.MaxDeletes = config.MaxDeletes{Count: 1000, Percent: 100}
	return &cfg
}

// newEngine wires an engine as the CLI does (wiring.go): the client from the
// config, the desired state from cfg.Source.Path.
func newEngine(tb testing.TB, cfg *config.Config, apply bool, logger *slog.Logger) (*engine.Engine, *opsgenie.Client) {
	tb.Helper()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	o := cfg.OpsGenie.ClientOptions(testKey, "ogsync-tests")
	o.Logger = logger
	o.ReadOnly = !apply
	o.Concurrency = cfg.Apply.Concurrency
	client, err := opsgenie.New(o)
	if err != nil {
		tb.Fatal(err)
	}
	src := source.Options{Dir: cfg.Source.Path, Files: cfg.Source.Files, ExternalUsers: cfg.Source.ExternalUsers}
	e, err := engine.NewEngine(engine.EngineOptions{
		Planner: cfg.PlannerOptions(), Concurrency: cfg.Apply.Concurrency, Heartbeat: cfg.OpsGenie.Heartbeat,
		Target: client,
		Desired: func(ctx context.Context) (*model.Desired, error) {
			return source.Load(ctx, src)
		},
		Apply:  apply,
		Logger: logger,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return e, client
}

// testLogger logs to the test's log at warn level (retries, failures).
func testLogger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tbWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

var _ io.Writer = tbWriter{}

// differences compares the emulator's account with the world: every desired
// user with its fields, every desired team with its exact member set, and
// no user or team twice. extraUsers are usernames that may exist besides the
// desired ones. It returns the differences, at most max of them.
func differences(st ogsim.State, w world, extraUsers []string, limit int) []string {
	var diffs []string
	add := func(format string, args ...any) {
		if len(diffs) < limit {
			diffs = append(diffs, fmt.Sprintf(format, args...))
		}
	}
	users := map[string]ogsim.StateUser{}
	for _, u := range st.Users {
		k := strings.ToLower(u.Username)
		if _, dup := users[k]; dup {
			add("user %s exists twice", k)
		}
		users[k] = u
	}
	want := map[string]bool{}
	for _, u := range w.users {
		want[u.username] = true
		got, ok := users[u.username]
		switch {
		case !ok:
			add("user %s missing", u.username)
		case got.FullName != u.fullName || !strings.EqualFold(got.Role, u.role):
			add("user %s is %q/%s, want %q/%s", u.username, got.FullName, got.Role, u.fullName, u.role)
		case u.timeZone != "" && (got.TimeZone != u.timeZone || got.Locale != u.locale):
			add("user %s is in %s/%s, want %s/%s", u.username, got.TimeZone, got.Locale, u.timeZone, u.locale)
		case len(u.tags) > 0 && !slices.Equal(model.SortedCopy(got.Tags), model.SortedCopy(u.tags)):
			add("user %s has tags %v, want %v", u.username, got.Tags, u.tags)
		}
	}
	for _, e := range extraUsers {
		want[e] = true
	}
	for k := range users {
		if !want[k] {
			add("user %s should not exist", k)
		}
	}
	teams := map[string]ogsim.StateTeam{}
	for _, t := range st.Teams {
		k := strings.ToLower(t.Name)
		if _, dup := teams[k]; dup {
			add("team %s exists twice", k)
		}
		teams[k] = t
	}
	for _, t := range w.teams {
		got, ok := teams[t.name]
		if !ok {
			add("team %s missing", t.name)
			continue
		}
		if got.Description != t.description {
			add("team %s has description %q, want %q", t.name, got.Description, t.description)
		}
		have := map[string]string{}
		for _, m := range got.Members {
			if _, dup := have[m.Username]; dup {
				add("team %s lists %s twice", t.name, m.Username)
			}
			have[m.Username] = m.Role
		}
		for _, m := range t.members {
			if r, ok := have[m.username]; !ok || r != m.role {
				add("team %s: member %s has role %q, want %q", t.name, m.username, r, m.role)
			}
			delete(have, m.username)
		}
		for u := range have {
			add("team %s: %s should not be a member", t.name, u)
		}
	}
	return diffs
}

// duplicates counts the users and teams whose name occurs more than once.
func duplicates(st ogsim.State) int {
	n := 0
	seen := map[string]bool{}
	for _, u := range st.Users {
		k := "user " + strings.ToLower(u.Username)
		if seen[k] {
			n++
		}
		seen[k] = true
	}
	for _, t := range st.Teams {
		k := "team " + strings.ToLower(t.Name)
		if seen[k] {
			n++
		}
		seen[k] = true
	}
	return n
}
