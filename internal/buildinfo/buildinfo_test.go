package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestOf(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "-trimpath", Value: "true"}, {Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "58cdcefb2f48a1b2c3d4e5f60718293a4b5c6d7e"
	tests := []struct {
		name     string
		override string
		bi       *debug.BuildInfo
		want     string
		version  string
	}{
		{"no build info", "", nil, "ogsync devel", "devel"},
		{"go install of a tag", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/ogsync/ogsync", Version: "v1.2.3"}},
			"ogsync v1.2.3 (go1.26.0)", "v1.2.3"},
		{"built in a clean checkout", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.0.0-20261129151117-58cdcefb2f48"}, Settings: vcs(rev, "false")},
			"ogsync v0.0.0-20261129151117-58cdcefb2f48 (commit 58cdcefb2f48; go1.26.0)", "v0.0.0-20261129151117-58cdcefb2f48"},
		{"built with uncommitted changes", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")},
			"ogsync devel (commit 58cdcefb2f48, modified; go1.26.0)", "devel"},
		{"-X main.version wins", "v2.0.0-rc1", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: vcs(rev, "true")},
			"ogsync v2.0.0-rc1 (commit 58cdcefb2f48, modified; go1.26.0)", "v2.0.0-rc1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := Of(tc.override, tc.bi)
			if got := b.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if b.Version != tc.version {
				t.Errorf("Version = %q, want %q", b.Version, tc.version)
			}
		})
	}
}
