//go:build !unix

package source

import "os/exec"

// ownProcessGroup is a no-op where process groups do not exist; the
// context's cancellation kills git alone.
func ownProcessGroup(*exec.Cmd) {}
