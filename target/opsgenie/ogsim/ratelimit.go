package ogsim

import (
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
)

// Bucket is one domain's limits; see simkit.Bucket.
type Bucket = simkit.Bucket

// RateLimitOptions are the limits of the two rate-limiting domains the
// emulated endpoints fall in. Search holds GET /v2/users (list users);
// Configuration holds every other endpoint. The zero value is off.
type RateLimitOptions struct {
	Configuration Bucket
	Search        Bucket
}

func (o RateLimitOptions) validate() error {
	return simkit.ValidateBuckets(simkit.Domain{Name: "configuration", Bucket: o.Configuration}, simkit.Domain{Name: "search", Bucket: o.Search})
}

type limiter struct {
	configuration *simkit.Limiter
	search        *simkit.Limiter
}

func newLimiter(o RateLimitOptions, clock func() time.Time) *limiter {
	return &limiter{configuration: simkit.NewLimiter(o.Configuration, clock), search: simkit.NewLimiter(o.Search, clock)}
}
