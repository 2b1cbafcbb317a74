// Package ogsim emulates the OpsGenie REST API v2 for tests, demos and
// benchmarks: an http.Handler over an in-memory, concurrency-safe account
// of users, teams with members, schedules with rotations, escalations with
// rules and custom roles.
//
// It reproduces the JSON shapes, status codes and headers described in the
// project's wire reference (shared/reference/opsgenie-api-wire.md): GenieKey
// authentication with rights per key, the user and team APIs with their
// validation, conflicts and preconditions, absolute paging links built from
// the request's own host, took/requestId and the X-Request-Id,
// X-Response-Time and X-RateLimit-State headers on every answer, per-domain
// token-bucket rate limiting, seeded fault injection (late writes
// included), and the admin endpoints GET /_sim/stats, GET /_sim/state,
// GET /_sim/journal, POST /_sim/reset-stats and POST /_sim/reset-journal.
//
// Where the open questions of the wire reference change what a client must
// do, Behavior switches choose the variant (expand=member ignored, member
// re-add, team PATCH members, team delete, list lag); Options.Actor adds
// another actor changing the account; Journal lists every change made.
//
// Typical test use:
//
//	seed, _ := ogsim.ParseSeed("seed.yaml", data) // or build an *ogsim.Seed
//	srv, err := ogsim.New(ogsim.Options{APIKey: key, Seed: seed})
//	ts := httptest.NewServer(srv)
//	... run the client against ts.URL ...
//	calls := srv.Stats().ByRoute["GET /v2/users"]
//
// Command is the command line ogsync sim runs: its flags, their checks,
// and serving the emulator they describe.
//
// The README beside this file lists every endpoint, the seed file format,
// the ogsync sim flags, and each choice made where the wire reference leaves
// a question open, with the Options.Behavior field that changes it where
// that is cheap.
package ogsim
