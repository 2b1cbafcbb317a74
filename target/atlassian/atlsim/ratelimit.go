package atlsim

import (
	"time"

	"github.com/ogsync/ogsync/internal/simkit"
)

// Bucket is one API's limits; see simkit.Bucket.
type Bucket = simkit.Bucket

// RateLimitOptions are the limits of the four APIs the emulator serves,
// one token bucket pair per API (the reference suggests one per API and
// credential; the emulator has one credential per API). The zero value is
// off.
type RateLimitOptions struct {
	// Teams limits the Atlassian Teams public API.
	Teams Bucket
	// Ops limits the JSM Operations API.
	Ops Bucket
	// Jira limits the Jira platform user endpoints.
	Jira Bucket
	// Admin limits the organization admin and user management APIs.
	Admin Bucket
}

func (o RateLimitOptions) validate() error {
	return simkit.ValidateBuckets(simkit.Domain{Name: "teams", Bucket: o.Teams}, simkit.Domain{Name: "ops", Bucket: o.Ops},
		simkit.Domain{Name: "jira", Bucket: o.Jira}, simkit.Domain{Name: "admin", Bucket: o.Admin})
}

// limiter holds one simkit.Limiter per API; a nil entry is unlimited.
type limiter struct {
	byAPI [apiCount]*simkit.Limiter
}

func newLimiter(o RateLimitOptions, clock func() time.Time) *limiter {
	l := &limiter{}
	l.byAPI[apiTeams] = simkit.NewLimiter(o.Teams, clock)
	l.byAPI[apiOps] = simkit.NewLimiter(o.Ops, clock)
	l.byAPI[apiJira] = simkit.NewLimiter(o.Jira, clock)
	l.byAPI[apiAdmin] = simkit.NewLimiter(o.Admin, clock)
	return l
}
