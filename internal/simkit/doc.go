// Package simkit holds what the API emulators (target/opsgenie/ogsim and
// target/atlassian/atlsim) share: seeded fault injection and seeded
// UUID-shaped ids. It serves tests and demos; ogsync itself never uses it.
package simkit
