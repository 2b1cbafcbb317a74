package atlassian

import (
	"context"
	"log/slog"

	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogsync/ogsync/internal/testlog"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target"
	"github.com/ogsync/ogsync/target/atlassian/atlsim"
)

const (
	testToken = "ATATT3xFfGF0-Sekr1tT0kenValue-9Zq"
	testKey   = "ATCTT-OrgKeyValueXy7-Secret55"
	testEmail = "ogsync-bot@example.com"
)

// env is an emulator on 127.0.0.1 and a Target talking to it.
type env struct {
	srv   *atlsim.Server
	ts    *httptest.Server
	tg    *Target
	logs  *testlog.Buffer
	waits *waits
}

// waits records the waits a Target asked for instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return ctx.Err()
}

func (w *waits) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.d)
}

// newEnv starts atlsim with the seed (YAML; "" = the empty org) and
// returns a Target on it; mod may change the Target's options.
func newEnv(t *testing.T, seed string, so atlsim.Options, mod func(*Options)) *env {
	t.Helper()
	if seed != "" {
		s, err := atlsim.ParseSeed("seed.yaml", []byte(seed))
		if err != nil {
			t.Fatal(err)
		}
		so.Seed = s
	}
	return startEnv(t, so, mod)
}

func startEnv(t *testing.T, so atlsim.Options, mod func(*Options)) *env {
	t.Helper()
	so.APIKey = testToken
	if so.OrgID == "" {
		so.OrgID = "org-1"
	}
	if so.CloudID == "" {
		so.CloudID = "cloud-1"
	}
	srv, err := atlsim.New(so)
	if err != nil {
		t.Fatal(err)
	}
	// One credential for both: atlsim accepts its APIKey as the token and as the org key.
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(srv.Close)
	e := &env{srv: srv, ts: ts, logs: &testlog.Buffer{}, waits: &waits{}}
	opts := Options{BaseURL: ts.URL, OrgID: srv.OrgID(), CloudID: srv.CloudID(), Email: testEmail,
		APIToken: testToken, OrgAPIKey: testToken, Sleep: e.waits.sleep, Jitter: func(d time.Duration) time.Duration { return d },
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if mod != nil {
		mod(&opts)
	}
	if e.tg, err = New(opts); err != nil {
		t.Fatal(err)
	}
	return e
}

// plan reads, computes with the target's capabilities, as the engine does,
// and audits.
func (e *env) plan(t *testing.T, desired *model.Desired, opts planner.Options) (*model.Current, *planner.Plan) {
	t.Helper()
	ctx := context.Background()
	caps := e.tg.Capabilities()
	opts.Capabilities = &caps
	cur, err := e.tg.Read(ctx, desired)
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.Compute(*desired, *cur, opts)
	if err != nil {
		t.Fatal(err)
	}
	users, teams := p.AuditCandidates()
	facts, err := e.tg.Audit(ctx, users, teams, cur)
	if err != nil {
		t.Fatal(err)
	}
	p.Audit(facts)
	return cur, p
}

// apply applies every runnable action in step order.
func (e *env) apply(t *testing.T, p *planner.Plan) []string {
	t.Helper()
	if p.Refused() {
		t.Fatalf("the plan is refused: %+v", p.Violations)
	}
	ids := &target.IDs{}
	var notes []string
	// The actions of one step run concurrently, as the engine may run them.
	for _, step := range planner.GroupSteps(p.Runnable()) {
		out := make([]string, len(step))
		errs := make([]error, len(step))
		var wg sync.WaitGroup
		for i, a := range step {
			wg.Go(func() {
				note, err := e.tg.Apply(context.Background(), a, ids)
				out[i], errs[i] = a.ID+": "+note, err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("apply %s: %v", step[i].ID, err)
			}
		}
		notes = append(notes, out...)
	}
	return notes
}

func loadDesired(t *testing.T) *model.Desired {
	t.Helper()
	d, err := source.Load(context.Background(), source.Options{Dir: "../../examples/desired"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func syncOptions() planner.Options {
	o := planner.DefaultOptions()
	o.Policies = planner.PolicyNames{Users: planner.PolicySync, Teams: planner.PolicySync, Members: planner.PolicySync}
	o.Safeguards.MaxDeletes = planner.MaxDeletes{Count: 50, Percent: 100}
	return o
}

// noSecret fails when s holds any 8 characters of a credential.
func noSecret(t *testing.T, what, s string) {
	t.Helper()
	low := strings.ToLower(s)
	for _, sec := range []string{testToken, testKey} {
		for i := 0; i+8 <= len(sec); i++ {
			if strings.Contains(low, strings.ToLower(sec[i:i+8])) {
				t.Fatalf("%s holds a piece of a credential: %q", what, s)
			}
		}
	}
}

// countRoute returns the requests the emulator counted under the route.
func (e *env) countRoute(method, pattern string) int {
	return e.srv.Stats().ByRoute[method+" "+pattern]
}
