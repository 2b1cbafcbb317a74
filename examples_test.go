package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/model"
	"gopkg.in/yaml.v3"
)

// TestExampleConfig checks that examples/ogsync.yaml is valid and sets every
// key the configuration has, so the example stays the complete reference.
func TestExampleConfig(t *testing.T) {
	const file = "examples/ogsync.yaml"
	cfg, err := config.LoadFile(file)
	if err != nil {
		t.Fatalf("loading %s: %v", file, err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	present := keyPaths("", doc)
	for _, key := range configKeys("", reflect.TypeFor[config.Config]()) {
		if !slices.Contains(present, key) {
			t.Errorf("%s does not set %s", file, key)
		}
	}
	if cfg.Schedule != "*/10 * * * *" || cfg.OpsGenie.RateLimit.SearchRate().PerSecond != 10 || !cfg.OpsGenie.RateLimit.IsAdaptive() || !cfg.Source.Git.Pull {
		t.Errorf("unexpected values: %+v", cfg)
	}
}

// configKeys lists the dotted YAML keys of a configuration struct type.
func configKeys(prefix string, typ reflect.Type) []string {
	var keys []string
	for f := range typ.Fields() {
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if opts == "inline" {
			keys = append(keys, configKeys(prefix, ft)...)
			continue
		}
		key := prefix + name
		keys = append(keys, key)
		if ft.Kind() == reflect.Struct && ft.PkgPath() == typ.PkgPath() {
			keys = append(keys, configKeys(key+".", ft)...)
		}
	}
	return keys
}

// keyPaths lists the dotted keys of a decoded YAML mapping.
func keyPaths(prefix string, m map[string]any) []string {
	var keys []string
	for k, v := range m {
		keys = append(keys, prefix+k)
		if sub, ok := v.(map[string]any); ok {
			keys = append(keys, keyPaths(prefix+k+".", sub)...)
		}
	}
	return keys
}

// TestExampleLocales checks that every locale in the examples, the demo and
// example seeds and the export test data is one OpsGenie supports
// (model.CheckLocale), so no example leads to a refused change.
func TestExampleLocales(t *testing.T) {
	seen := map[string]int{} // file -> locales found
	for _, dir := range []string{"examples", "source/testdata/export"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || (filepath.Ext(path) != ".yaml" && filepath.Ext(path) != ".yml") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(data, &doc); err != nil {
				return err
			}
			for _, loc := range localeNodes(&doc) {
				seen[path]++
				switch model.CheckLocale(loc.Value) {
				case model.LocaleUnsupported:
					t.Errorf("%s:%d: locale %q is not one OpsGenie supports", path, loc.Line, loc.Value)
				case model.LocaleUnverified:
					t.Logf("%s:%d: locale %q is beyond the known part of OpsGenie's table", path, loc.Line, loc.Value)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The files known to hold locales must have been read.
	for _, f := range []string{"examples/seed.yaml", "examples/demo/seed.yaml", "examples/desired/users/platform.yaml", "source/testdata/export/users.yaml"} {
		if seen[filepath.FromSlash(f)] == 0 {
			t.Errorf("no locale found in %s", f)
		}
	}
}

// localeNodes returns the scalar values of every "locale" key in a YAML tree.
func localeNodes(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k, v := n.Content[i], n.Content[i+1]; k.Value == "locale" && v.Kind == yaml.ScalarNode {
				out = append(out, v)
			}
		}
	}
	for _, c := range n.Content {
		out = append(out, localeNodes(c)...)
	}
	return out
}
