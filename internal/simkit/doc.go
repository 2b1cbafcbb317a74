// Package simkit holds what the API emulators (target/opsgenie/ogsim and
// target/atlassian/atlsim) share: the request harness (seeded fault
// injection, late writes, request counters, the /_sim endpoints, serving),
// route matching, the token-bucket rate limiter, the journal, the strict
// seed decoder, seeded UUID-shaped ids, and what their command lines
// share (ServeFlags, Start, Process). Each emulator keeps its wire
// format: error envelopes, 429 headers, authentication. It serves tests,
// demos and ogsync sim; the sync itself never uses it.
package simkit
