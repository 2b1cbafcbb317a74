package simkit

import (
	"maps"
	"sync"
)

// Stats counts the API requests an emulator received. Admin endpoints
// (/_sim/...) are not counted.
type Stats struct {
	// Total is every API request received, answered or not.
	Total int
	// Throttled is the number answered 429 by the rate limiter.
	Throttled int
	// ByRoute counts requests per route: method + " " + path pattern. A
	// trailing-slash variant counts under its route; a request matching no
	// route counts under method + " (unmatched)".
	ByRoute map[string]int
	// Tallies holds further counters by group and key (nil until one is
	// counted).
	Tallies map[string]map[string]int
}

// Counter keeps Stats; it is safe for concurrent use.
type Counter struct {
	mu sync.Mutex
	st Stats
}

// NewCounter returns a Counter at zero.
func NewCounter() *Counter { return &Counter{st: Stats{ByRoute: map[string]int{}}} }

// Count counts one request to route.
func (c *Counter) Count(route string) {
	c.mu.Lock()
	c.st.Total++
	c.st.ByRoute[route]++
	c.mu.Unlock()
}

// CountThrottled counts one request answered 429.
func (c *Counter) CountThrottled() {
	c.mu.Lock()
	c.st.Throttled++
	c.mu.Unlock()
}

// Tally counts one event of key in group.
func (c *Counter) Tally(group, key string) {
	c.mu.Lock()
	if c.st.Tallies == nil {
		c.st.Tallies = map[string]map[string]int{}
	}
	if c.st.Tallies[group] == nil {
		c.st.Tallies[group] = map[string]int{}
	}
	c.st.Tallies[group][key]++
	c.mu.Unlock()
}

// Stats returns a copy of the counters.
func (c *Counter) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := Stats{Total: c.st.Total, Throttled: c.st.Throttled, ByRoute: maps.Clone(c.st.ByRoute)}
	for g, m := range c.st.Tallies {
		if out.Tallies == nil {
			out.Tallies = map[string]map[string]int{}
		}
		out.Tallies[g] = maps.Clone(m)
	}
	return out
}

// Reset zeroes the counters.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.st = Stats{ByRoute: map[string]int{}}
}
