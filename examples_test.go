package main

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/config"
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
	if cfg.Schedule != "*/10 * * * *" || cfg.OpsGenie.RateLimit.SearchRate().PerSecond != 1 || !cfg.Source.Git.Pull {
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
