package config

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const schemaFile = "schema/config.schema.json"

func loadConfigSchema(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s is not JSON: %v", schemaFile, err)
	}
	return s
}

// deref follows a local "$ref" to its definition; the referring node's
// own keywords win.
func deref(t *testing.T, root, n map[string]any) map[string]any {
	t.Helper()
	ref, ok := n["$ref"].(string)
	if !ok {
		return n
	}
	name, _ := strings.CutPrefix(ref, "#/$defs/")
	target, ok := root["$defs"].(map[string]any)[name].(map[string]any)
	if !ok {
		t.Fatalf("$ref %q names no definition", ref)
	}
	out := map[string]any{}
	for k, v := range target {
		out[k] = v
	}
	for k, v := range n {
		if k != "$ref" {
			out[k] = v
		}
	}
	return out
}

// TestConfigSchemaMatchesTypes walks the Config struct's yaml keys and the
// schema's properties both ways: the same keys at every level, no other
// property allowed, and each key's JSON type fitting its Go type. A key
// added to the Go types without the schema (or the reverse) fails here.
func TestConfigSchemaMatchesTypes(t *testing.T) {
	root := loadConfigSchema(t)
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" || root["$id"] != SchemaURL {
		t.Errorf("$schema %v, $id %v; want draft 2020-12 and %s", root["$schema"], root["$id"], SchemaURL)
	}
	compareObject(t, root, root, reflect.TypeFor[Config](), "config")
	if rel, ok := strings.CutPrefix(SchemaURL, "https://raw.githubusercontent.com/ogsync/ogsync/main/"); !ok || "../"+rel != "../config/"+schemaFile {
		t.Errorf("SchemaURL %s does not name %s", SchemaURL, schemaFile)
	}
}

func compareObject(t *testing.T, root, n map[string]any, typ reflect.Type, where string) {
	t.Helper()
	n = deref(t, root, n)
	if n["type"] != "object" || n["additionalProperties"] != false {
		t.Errorf("%s: want an object with additionalProperties false", where)
	}
	props, _ := n["properties"].(map[string]any)
	fields := yamlFields(typ)
	for key, ft := range fields {
		p, ok := props[key].(map[string]any)
		if !ok {
			t.Errorf("%s.%s: in the Go types, not in the schema", where, key)
			continue
		}
		if d, _ := deref(t, root, p)["description"].(string); d == "" {
			t.Errorf("%s.%s: no description", where, key)
		}
		compareValue(t, root, p, ft, where+"."+key)
	}
	for key := range props {
		if _, ok := fields[key]; !ok {
			t.Errorf("%s.%s: in the schema, not in the Go types", where, key)
		}
	}
}

func compareValue(t *testing.T, root, p map[string]any, ft reflect.Type, where string) {
	t.Helper()
	for ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	p = deref(t, root, p)
	want := ""
	switch {
	case ft == reflect.TypeFor[time.Duration]():
		want = "string"
		if p["pattern"] == nil {
			t.Errorf("%s: a duration without a pattern", where)
		}
	case ft.Kind() == reflect.Struct:
		compareObject(t, root, p, ft, where)
		return
	case ft.Kind() == reflect.Slice:
		want = "array"
		if items, ok := p["items"].(map[string]any); ok {
			compareValue(t, root, items, ft.Elem(), where+"[]")
		} else {
			t.Errorf("%s: an array without items", where)
		}
	case ft.Kind() == reflect.String:
		want = "string"
	case ft.Kind() == reflect.Bool:
		want = "boolean"
	case ft.Kind() == reflect.Int:
		want = "integer"
	case ft.Kind() == reflect.Float64:
		want = "number"
	default:
		t.Fatalf("%s: Go kind %s not handled", where, ft.Kind())
	}
	got, _ := p["type"].(string)
	if enum, ok := p["enum"].([]any); ok && got == "" {
		for _, e := range enum {
			if _, ok := e.(string); !ok || want != "string" {
				t.Errorf("%s: enum value %v does not fit %s", where, e, want)
			}
		}
		return
	}
	if got != want {
		t.Errorf("%s: schema type %q, Go wants %q", where, got, want)
	}
}

// TestConfigSchemaEnums keeps the schema's enums equal to what Validate accepts.
func TestConfigSchemaEnums(t *testing.T) {
	root := loadConfigSchema(t)
	props := root["properties"].(map[string]any)
	enum := func(n map[string]any) []string {
		var out []string
		for _, e := range deref(t, root, n)["enum"].([]any) {
			out = append(out, e.(string))
		}
		slices.Sort(out)
		return out
	}
	policy := props["policy"].(map[string]any)["properties"].(map[string]any)["users"].(map[string]any)
	if got := enum(policy); !slices.Equal(got, []string{PolicyCreateOnly, PolicySync, PolicyUpsertOnly}) {
		t.Errorf("policy enum = %v", got)
	}
	mode := props["ownership"].(map[string]any)["properties"].(map[string]any)["mode"].(map[string]any)
	if got := enum(mode); !slices.Equal(got, []string{OwnershipAdopt, OwnershipMarker}) {
		t.Errorf("ownership.mode enum = %v", got)
	}
}

// TestExampleConfigFollowsSchema checks examples/ogsync.yaml names the
// schema on its first line and uses only keys the schema has, with values
// of the schema's types.
func TestExampleConfigFollowsSchema(t *testing.T) {
	raw, err := os.ReadFile("../examples/ogsync.yaml")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(raw), "\n")
	if first != SchemaModeline {
		t.Errorf("first line %q, want %q", first, SchemaModeline)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	root := loadConfigSchema(t)
	var walk func(n *yaml.Node, s map[string]any, where string)
	walk = func(n *yaml.Node, s map[string]any, where string) {
		s = deref(t, root, s)
		switch s["type"] {
		case "object":
			if n.Kind != yaml.MappingNode {
				t.Errorf("%s: not a mapping", where)
				return
			}
			props := s["properties"].(map[string]any)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				p, ok := props[k].(map[string]any)
				if !ok {
					t.Errorf("%s.%s (line %d): not in the schema", where, k, n.Content[i].Line)
					continue
				}
				walk(n.Content[i+1], p, where+"."+k)
			}
		case "array":
			if n.Kind != yaml.SequenceNode {
				t.Errorf("%s: not a list", where)
				return
			}
			for _, c := range n.Content {
				walk(c, s["items"].(map[string]any), where+"[]")
			}
		case "integer", "number", "boolean", "string":
			tags := map[any]string{"integer": "!!int", "number": "!!float", "boolean": "!!bool", "string": "!!str"}
			if n.Tag != tags[s["type"]] && !(s["type"] == "number" && n.Tag == "!!int") {
				t.Errorf("%s: %s is %s, the schema wants %s", where, n.Value, n.Tag, s["type"])
			}
		}
	}
	walk(doc.Content[0], root, "config")
}
