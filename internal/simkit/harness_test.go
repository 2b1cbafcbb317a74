package simkit

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLimiterThrottlesPerWindow(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLimiter(Bucket{PerSecond: 2, PerMinute: 3}, func() time.Time { return now })
	for i := range 2 {
		if th, refused := l.Take(); refused || th.NearLimit != (i == 1) {
			t.Fatalf("request %d: refused %v, %+v", i, refused, th)
		}
	}
	if th, refused := l.Take(); !refused || th.PeriodSec != 1 || th.RetryAfter != 1 || th.Limit != 2 {
		t.Errorf("third request in a second: refused %v, %+v; want the second window", refused, th)
	}
	now = now.Add(time.Second)
	l.Take()
	if th, refused := l.Take(); !refused || th.PeriodSec != 60 || th.Limit != 3 || th.RetryAfter != 19 {
		t.Errorf("fourth request in a minute: refused %v, %+v; want the minute window, 19 s to wait", refused, th)
	}
	if NewLimiter(Bucket{}, time.Now) != nil {
		t.Error("a bucket limiting nothing made a limiter")
	}
	if _, refused := (*Limiter)(nil).Take(); refused {
		t.Error("no limiter refused")
	}
	if err := ValidateBuckets(Domain{"ops", Bucket{PerMinute: -1}}); err == nil || !strings.Contains(err.Error(), "ops") {
		t.Errorf("negative limit: %v", err)
	}
}

func TestMatchRoutes(t *testing.T) {
	routes := []Route{NewRoute("GET", "/t/{id}"), NewRoute("DELETE", "/t/{id}/m/{member}")}
	at := func(r *Route) *Route { return r }
	i, ps, name, known := Match(routes, at, "DELETE", "/t/a%2Fb/m/x+y/")
	if i != 1 || name != "DELETE /t/{id}/m/{member}" || !known ||
		!slices.Equal(ps, []Param{{"id", "a/b"}, {"member", "x+y"}}) {
		t.Errorf("match = %d %v %q %v", i, ps, name, known)
	}
	if i, _, name, known := Match(routes, at, "POST", "/t/a"); i != -1 || name != "POST (unmatched)" || !known {
		t.Errorf("other method = %d %q %v; want unmatched, path known", i, name, known)
	}
	if i, _, _, known := Match(routes, at, "GET", "/t//"); i != -1 || known {
		t.Errorf("empty wildcard matched: %d %v", i, known)
	}
}

func TestCounterAndJournal(t *testing.T) {
	c := NewCounter()
	c.Count("GET /a")
	c.Count("GET /a")
	c.CountThrottled()
	c.Tally("pings", "x")
	st := c.Stats()
	if st.Total != 2 || st.Throttled != 1 || st.ByRoute["GET /a"] != 2 || st.Tallies["pings"]["x"] != 1 {
		t.Errorf("stats %+v", st)
	}
	st.ByRoute["GET /a"] = 9
	if c.Stats().ByRoute["GET /a"] != 2 {
		t.Error("Stats shares its map")
	}
	c.Reset()
	if st := c.Stats(); st.Total != 0 || len(st.ByRoute) != 0 || st.Tallies != nil {
		t.Errorf("after reset %+v", st)
	}
	var j Journal
	j.Record(Mutation{Op: "a"})
	j.Reset()
	j.Record(Mutation{Op: "b"})
	if l := j.List(); len(l) != 1 || l[0].Seq != 2 || j.Seq() != 2 {
		t.Errorf("journal %+v", l)
	}
}

// observed is an emulator as the /_sim endpoints see it.
type observed struct{ resets int }

func (o *observed) Stats() map[string]int { return map[string]int{"resets": o.resets} }
func (o *observed) State() []string       { return []string{"s"} }
func (o *observed) Journal() []Mutation   { return nil }
func (o *observed) ResetStats()           { o.resets++ }
func (o *observed) ResetJournal()         {}

func TestServeAdmin(t *testing.T) {
	o := &observed{}
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/_sim/journal", "[]\n"},
		{"POST", "/_sim/reset-stats", "{\n  \"resets\": 1\n}\n"},
		{"POST", "/_sim/state", "{\n  \"message\": \"no POST\"\n}\n"},
		{"GET", "/_sim/nothing", "{\n  \"message\": \"No handler found for url /_sim/nothing\"\n}\n"},
	} {
		w := httptest.NewRecorder()
		if !ServeAdmin[map[string]int, []string](w, httptest.NewRequest(tc.method, tc.path, nil), o, "no %s") || w.Body.String() != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.method, tc.path, w.Body.String(), tc.want)
		}
	}
	if ServeAdmin[map[string]int, []string](httptest.NewRecorder(), httptest.NewRequest("GET", "/v2/users", nil), o, "") {
		t.Error("an API request was taken for an admin one")
	}
}

// closer is a handler whose Close is counted.
type closer struct {
	http.Handler
	closed int
}

func (c *closer) Close() { c.closed++ }

func TestServeStopsWithContext(t *testing.T) {
	em := &closer{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })}
	h := NewHarness(LoggerOr(nil), NewFaulter(FaultOptions{}, 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, "127.0.0.1:0", em, h, func(addr net.Addr) { addrs <- addr }) }()
	resp, err := http.Get("http://" + (<-addrs).String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot {
		t.Errorf("GET = %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil || em.closed != 1 {
		t.Errorf("Serve = %v, closed %d times", err, em.closed)
	}
	if err := Serve(context.Background(), "256.0.0.1:0", em, h, nil); err == nil || !strings.HasPrefix(err.Error(), "listening:") {
		t.Errorf("bad address: %v", err)
	}
}
