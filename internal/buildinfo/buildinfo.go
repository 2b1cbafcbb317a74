// Package buildinfo tells what the running binary knows of its build:
// version, VCS commit and Go version.
package buildinfo

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Info is what the binary knows of its build.
type Info struct {
	// Version is the override set at build time (-X main.version), else the
	// module version (set by go install MODULE@VERSION, or a pseudo-version
	// when built in a checkout), else "devel".
	Version string
	// Revision is the VCS commit the binary was built from, if recorded.
	Revision string
	// Modified is true when the checkout had uncommitted changes.
	Modified bool
	// Go is the Go version that built the binary.
	Go string
}

// Read reads the build information of the running binary; override, when
// not empty, is the version.
func Read(override string) Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return Of(override, bi)
}

// Of derives the build information from the version override and the
// runtime's build info (nil when there is none).
func Of(override string, bi *debug.BuildInfo) Info {
	var b Info
	if bi != nil {
		b.Go = bi.GoVersion
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			b.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Revision = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if override != "" {
		b.Version = override
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	return b
}

// String is the one-line form ogsync version prints, such as
// "ogsync v1.2.3 (commit 0123456789ab, modified; go1.26.0)".
func (b Info) String() string {
	var extra []string
	if b.Revision != "" {
		rev := b.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		c := "commit " + rev
		if b.Modified {
			c += ", modified"
		}
		extra = append(extra, c)
	}
	if b.Go != "" {
		extra = append(extra, b.Go)
	}
	if len(extra) == 0 {
		return "ogsync " + b.Version
	}
	return fmt.Sprintf("ogsync %s (%s)", b.Version, strings.Join(extra, "; "))
}
