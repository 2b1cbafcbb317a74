package main

import (
	"go/build"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
)

// graphLeftOut are the packages docs/architecture.md's package graph leaves
// out: the emulators, what only they and the tests use, and the tests.
var graphLeftOut = map[string]bool{
	"target/opsgenie/ogsim": true, "target/atlassian/atlsim": true, "internal/simkit": true,
	"internal/golden": true, "internal/testlog": true, "tests": true,
}

// TestArchitectureGraph: the package graph of docs/architecture.md names
// every package of the module but those it leaves out, each with exactly
// the module's packages its non-test files import; no package but main
// imports config.
func TestArchitectureGraph(t *testing.T) {
	const module = "github.com/ogsync/ogsync"
	data, err := os.ReadFile("docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(data), "## Package graph")
	_, block, _ := strings.Cut(rest, "```\n")
	block, _, _ = strings.Cut(block, "```")
	documented := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		from, to, ok := strings.Cut(line, "→")
		if !ok {
			t.Fatalf("graph line without →: %q", line)
		}
		deps := strings.Fields(to)
		if strings.TrimSpace(to) == "(none)" {
			deps = nil
		}
		for _, p := range strings.Split(from, ",") {
			documented[strings.TrimSpace(p)] = deps
		}
	}

	actual := map[string][]string{}
	var walk func(dir string)
	walk = func(dir string) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && e.Name() != "testdata" && e.Name() != "examples" {
				walk(path.Join(dir, e.Name()))
			}
		}
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			return // no Go files, or only tests
		}
		name := strings.TrimPrefix(dir, "./")
		if dir == "." {
			name = "main"
		}
		if graphLeftOut[name] {
			return
		}
		deps := []string{}
		for _, imp := range pkg.Imports {
			if p, ok := strings.CutPrefix(imp, module+"/"); ok && !graphLeftOut[p] {
				deps = append(deps, p)
			}
		}
		actual[name] = deps
	}
	walk(".")

	for _, name := range slices.Sorted(maps.Keys(actual)) {
		want, ok := documented[name]
		if !ok {
			t.Errorf("%s is not in the package graph of docs/architecture.md; it imports %v", name, actual[name])
			continue
		}
		if name != "main" && slices.Contains(actual[name], "config") {
			t.Errorf("%s imports config: only main may", name)
		}
		got := slices.Sorted(slices.Values(actual[name]))
		if !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("docs/architecture.md: %s → %v; it imports %v", name, want, got)
		}
	}
	for name := range documented {
		if _, ok := actual[name]; !ok {
			t.Errorf("docs/architecture.md's graph names %s, which is not a package of the module", name)
		}
	}
}
