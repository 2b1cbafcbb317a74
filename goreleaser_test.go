package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestGoreleaserConfig checks the release targets and flags of
// .goreleaser.yaml: linux and darwin on amd64 and arm64, static
// (CGO_ENABLED=0), -trimpath, the version stamped into main.version, and
// SHA-256 checksums. (`goreleaser check`, run by CI where goreleaser is
// installed, checks the rest of the file against goreleaser itself.)
func TestGoreleaserConfig(t *testing.T) {
	raw, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Main    string   `yaml:"main"`
			Binary  string   `yaml:"binary"`
			Env     []string `yaml:"env"`
			Flags   []string `yaml:"flags"`
			Ldflags []string `yaml:"ldflags"`
			Goos    []string `yaml:"goos"`
			Goarch  []string `yaml:"goarch"`
		} `yaml:"builds"`
		Archives []struct {
			Files []string `yaml:"files"`
		} `yaml:"archives"`
		Checksum struct {
			Algorithm string `yaml:"algorithm"`
		} `yaml:"checksum"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if c.Version != 2 || len(c.Builds) != 1 {
		t.Fatalf("version %d, %d builds; want version 2 and one build", c.Version, len(c.Builds))
	}
	b := c.Builds[0]
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	if !slices.Equal(sorted(b.Goos), []string{"darwin", "linux"}) || !slices.Equal(sorted(b.Goarch), []string{"amd64", "arm64"}) {
		t.Errorf("targets %v × %v, want linux, darwin × amd64, arm64", b.Goos, b.Goarch)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") || !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("env %v, flags %v: want CGO_ENABLED=0 and -trimpath", b.Env, b.Flags)
	}
	if len(b.Ldflags) != 1 || !strings.Contains(b.Ldflags[0], "-X main.version=") {
		t.Errorf("ldflags %v: want -X main.version", b.Ldflags)
	}
	if b.Main != "." || b.Binary != "ogsync" {
		t.Errorf("main %q, binary %q", b.Main, b.Binary)
	}
	if c.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum algorithm %q, want sha256", c.Checksum.Algorithm)
	}
	for _, a := range c.Archives {
		for _, f := range a.Files {
			if m, _ := filepath.Glob(f); len(m) == 0 {
				t.Errorf("archive file %q matches nothing", f)
			}
		}
	}
}
