//go:build unix

package source

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup runs cmd in a process group of its own and makes the
// context's cancellation kill the whole group: git's helpers (ssh,
// git-remote-https, a credential helper) die with it instead of outliving
// the deadline, and the daemon.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
