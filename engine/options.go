package engine

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/ogsync/ogsync/internal/problem"
)

// MaxConcurrency bounds EngineOptions.Concurrency: more writes in flight
// than this only queue behind the target's rate limiter.
const MaxConcurrency = 64

// maxHeartbeatName bounds the length of a heartbeat name, in bytes.
const maxHeartbeatName = 200

// Validate reports every problem with the options' settings, by field:
// "concurrency" and "heartbeat". A zero Concurrency applies one action at
// a time. NewEngine refuses what Validate refuses.
func (o EngineOptions) Validate() problem.List {
	var ps problem.List
	if o.Concurrency != 0 {
		if err := CheckConcurrency(o.Concurrency); err != nil {
			ps.Add("concurrency", "%v", err)
		}
	}
	if err := CheckHeartbeat(o.Heartbeat); err != nil {
		ps.Add("heartbeat", "%v", err)
	}
	return ps
}

// CheckConcurrency checks a number of actions applied at once: between 1
// and MaxConcurrency.
func CheckConcurrency(n int) error {
	if n < 1 || n > MaxConcurrency {
		return fmt.Errorf("must be between 1 and %d, not %d", MaxConcurrency, n)
	}
	return nil
}

// CheckHeartbeat checks a heartbeat name ("" is none): no surrounding
// spaces or control characters, at most 200 bytes.
func CheckHeartbeat(name string) error {
	if name != "" && (strings.TrimSpace(name) != name || strings.ContainsFunc(name, unicode.IsControl) || len(name) > maxHeartbeatName) {
		return fmt.Errorf("%q is not a heartbeat name (no surrounding spaces or control characters, at most %d bytes)", name, maxHeartbeatName)
	}
	return nil
}
