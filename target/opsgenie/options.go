package opsgenie

import (
	"fmt"
	"math"

	"github.com/ogsync/ogsync/internal/problem"
)

// Bounds of the client's options.
const (
	// MinPerSecond is the slowest configured rate: below it one cycle of a
	// large account would take hours, and a rate such as 1e-300 would never
	// send the next request.
	MinPerSecond = 0.01
	// MaxPerSecond is the fastest configured rate, far above any account's.
	MaxPerSecond = 1000
	// MaxBurst bounds a configured burst.
	MaxBurst = 1000
	// RetryCeiling bounds Options.MaxRetries, the retries of one request.
	RetryCeiling = 20
)

// Validate reports every problem with the options, by field: "base_url",
// "timeout", "max_retries", "rate.per_second", "rate.burst",
// "search_rate.per_second", "search_rate.burst". Zero values take their
// defaults (no ceiling, the default burst). New refuses what it refuses.
// The API key is not checked here (New does, without showing it).
func (o Options) Validate() problem.List {
	var ps problem.List
	if o.BaseURL != "" {
		if err := CheckURL(o.BaseURL); err != nil {
			ps.Add("base_url", "%v", err)
		}
	}
	if o.Timeout < 0 {
		ps.Add("timeout", "must be a positive duration such as 30s")
	}
	if o.MaxRetries < 0 || o.MaxRetries > RetryCeiling {
		ps.Add("max_retries", "must be between 0 and %d, not %d", RetryCeiling, o.MaxRetries)
	}
	ps.Append("rate", o.Rate.validate())
	if o.SearchRate != nil {
		ps.Append("search_rate", o.SearchRate.validate())
	}
	return ps
}

// validate checks a rate; zero fields are unset.
func (r Rate) validate() problem.List {
	var ps problem.List
	if r.PerSecond != 0 {
		if err := CheckPerSecond(r.PerSecond); err != nil {
			ps.Add("per_second", "%v", err)
		}
	}
	if r.Burst != 0 {
		if err := CheckBurst(r.Burst); err != nil {
			ps.Add("burst", "%v", err)
		}
	}
	return ps
}

// CheckPerSecond checks a configured rate: between MinPerSecond and
// MaxPerSecond requests per second.
func CheckPerSecond(v float64) error {
	if math.IsNaN(v) || v < MinPerSecond || v > MaxPerSecond {
		return fmt.Errorf("must be between %g and %g, not %g", float64(MinPerSecond), float64(MaxPerSecond), v)
	}
	return nil
}

// CheckBurst checks a configured burst: between 1 and MaxBurst requests.
func CheckBurst(n int) error {
	if n < 1 || n > MaxBurst {
		return fmt.Errorf("must be between 1 and %d, not %d", MaxBurst, n)
	}
	return nil
}
