// Package atlsim emulates the Atlassian APIs a roster sync needs after
// OpsGenie, on one address, for tests, demos and benchmarks: the Atlassian
// Teams public REST API, the JSM Operations endpoints of operations
// enablement and the on-call audit, the organization admin and user
// management APIs, and the Jira user endpoints. It is an http.Handler over
// an in-memory, concurrency-safe org of accounts, teams with members,
// ops-enabled teams with their schedules, rotations, overrides and
// escalations.
//
// It follows the project's wire reference
// (shared/reference/atlassian-wire.md): paths as there, Basic auth with
// any e-mail and the API key as token on the site APIs and Bearer with the
// API key on the admin APIs, the caller auto-added to a team it creates,
// batches of at most 50 members answered 200 with per-member errors, 410
// for a deleted team, cursor paging on Teams and the directory and
// offset/size paging with links.next on Ops, a new team invisible to Ops
// for a moment, per-API token-bucket rate limiting with the reference's
// 429 headers, seeded fault injection (late writes included), and the
// admin endpoints GET /_sim/stats, GET /_sim/state, GET /_sim/journal,
// POST /_sim/reset-stats and POST /_sim/reset-journal.
//
// Where the reference leaves a question open and its answer changes what a
// client must do, a Behavior field chooses the variant.
//
// Typical test use:
//
//	seed, _ := atlsim.ParseSeed("seed.yaml", data) // or build an *atlsim.Seed
//	srv, err := atlsim.New(atlsim.Options{APIKey: key, Seed: seed})
//	ts := httptest.NewServer(srv)
//	... run the client against ts.URL, with Basic (e-mail, key) and Bearer key ...
//	calls := srv.Stats().ByRoute["GET /gateway/api/public/teams/v1/org/{orgId}/teams"]
//
// Command is the command line ogsync sim --target atlassian runs: its
// flags, their checks, and serving the emulator they describe.
//
// The README beside this file lists every endpoint, the seed file format,
// and every choice made where the reference is silent or unsure.
package atlsim
