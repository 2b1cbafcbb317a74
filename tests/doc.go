// Package tests holds ogsync's whole-system proofs: benchmarks against the
// API-call lower bound, fault storms, crash (kill -9) tests, bad inputs and
// the secret scan. They drive the real engine, and the built binary, against
// the emulator (target/opsgenie/ogsim) on loopback. Nothing here is imported by the
// program; the package has tests only.
//
// The default variants are small enough for `go test -race ./...`; the long
// ones run with OGSYNC_LONG=1 (see BENCHMARKS.md).
package tests
