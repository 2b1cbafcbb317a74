package opsgenie

import (
	"cmp"
	"slices"
	"sync"
)

// Stats is a snapshot of the requests a Client has sent.
type Stats struct {
	// Total counts HTTP attempts, retries included.
	Total int
	// Throttled counts attempts answered 429.
	Throttled int
	// Retries counts attempts after the first of a request.
	Retries int
	// ByRoute counts attempts per "METHOD /route/pattern", e.g. "GET /v2/users".
	ByRoute map[string]int
	// Calls counts attempts per route and status (status 0: no answer),
	// sorted by method, route and status.
	Calls []CallCount
}

// CallCount is the number of attempts of one route that ended with one status.
type CallCount struct {
	Method string
	Route  string
	// Status is the HTTP status, or 0 when no answer came.
	Status int
	Count  int
}

type callKey struct {
	method, route string
	status        int
}

type statsRecorder struct {
	mu        sync.Mutex
	total     int
	throttled int
	retries   int
	calls     map[callKey]int
}

func (s *statsRecorder) add(method, route string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = make(map[callKey]int)
	}
	s.total++
	if status == 429 {
		s.throttled++
	}
	s.calls[callKey{method, route, status}]++
}

func (s *statsRecorder) retried() {
	s.mu.Lock()
	s.retries++
	s.mu.Unlock()
}

// RequestStats returns a snapshot of the requests sent so far, per route
// and status; Stats (the target.Target method) is its summary.
func (c *Client) RequestStats() Stats {
	s := &c.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Total: s.total, Throttled: s.throttled, Retries: s.retries, ByRoute: make(map[string]int)}
	for k, n := range s.calls {
		st.ByRoute[k.method+" "+k.route] += n
		st.Calls = append(st.Calls, CallCount{Method: k.method, Route: k.route, Status: k.status, Count: n})
	}
	slices.SortFunc(st.Calls, func(a, b CallCount) int {
		return cmp.Or(cmp.Compare(a.Method, b.Method), cmp.Compare(a.Route, b.Route), cmp.Compare(a.Status, b.Status))
	})
	return st
}

// Sub returns the requests counted in s but not in before: the cost of what
// happened between two snapshots.
func (s Stats) Sub(before Stats) Stats {
	d := Stats{Total: s.Total - before.Total, Throttled: s.Throttled - before.Throttled, Retries: s.Retries - before.Retries, ByRoute: make(map[string]int)}
	for k, n := range s.ByRoute {
		if m := n - before.ByRoute[k]; m != 0 {
			d.ByRoute[k] = m
		}
	}
	prev := make(map[callKey]int, len(before.Calls))
	for _, c := range before.Calls {
		prev[callKey{c.Method, c.Route, c.Status}] = c.Count
	}
	for _, c := range s.Calls {
		if m := c.Count - prev[callKey{c.Method, c.Route, c.Status}]; m != 0 {
			c.Count = m
			d.Calls = append(d.Calls, c)
		}
	}
	return d
}
