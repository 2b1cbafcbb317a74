package source

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/model"
)

// jsonNode is a JSON Schema object, decoded loosely.
type jsonNode = map[string]any

func loadSchema(t *testing.T) jsonNode {
	t.Helper()
	var s jsonNode
	if err := json.Unmarshal(JSONSchema(), &s); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	return s
}

// resolve follows a local "$ref" ("#/$defs/name") and merges the referring
// node's own keywords over the target.
func resolve(t *testing.T, root, n jsonNode) jsonNode {
	t.Helper()
	ref, ok := n["$ref"].(string)
	if !ok {
		return n
	}
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		t.Fatalf("unsupported $ref %q", ref)
	}
	target, ok := root["$defs"].(jsonNode)[name].(jsonNode)
	if !ok {
		t.Fatalf("$ref %q names no definition", ref)
	}
	merged := jsonNode{}
	for k, v := range resolve(t, root, target) {
		merged[k] = v
	}
	for k, v := range n {
		if k != "$ref" {
			merged[k] = v
		}
	}
	return merged
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestSchemaMatchesTypes keeps the JSON Schema equal to the decoding types:
// the same properties, the same required keys, no other property allowed,
// and each property's JSON type equal to its Go type.
func TestSchemaMatchesTypes(t *testing.T) {
	root := loadSchema(t)
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", root["$schema"])
	}
	checkObject(t, root, root, reflect.TypeFor[fileDoc](), "file")
}

func checkObject(t *testing.T, root, n jsonNode, typ reflect.Type, where string) {
	t.Helper()
	n = resolve(t, root, n)
	if n["type"] != "object" || n["additionalProperties"] != false {
		t.Errorf("%s: want type object with additionalProperties false, got %v / %v", where, n["type"], n["additionalProperties"])
	}
	si := infoOf(typ)
	props, _ := n["properties"].(jsonNode)
	var names []string
	for k := range props {
		names = append(names, k)
	}
	if !sameSet(names, si.keys) {
		t.Errorf("%s: schema properties %v, Go keys %v", where, sortedCopy(names), sortedCopy(si.keys))
	}
	var required []string
	if r, ok := n["required"]; ok {
		required = strs(r)
	}
	if !sameSet(required, si.required) {
		t.Errorf("%s: schema requires %v, Go requires %v", where, required, si.required)
	}
	for key, fi := range si.index {
		p, ok := props[key].(jsonNode)
		if !ok {
			continue
		}
		checkType(t, root, p, typ.Field(fi).Type, where+"."+key)
	}
}

func checkType(t *testing.T, root, n jsonNode, typ reflect.Type, where string) {
	t.Helper()
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	n = resolve(t, root, n)
	switch typ.Kind() {
	case reflect.String:
		if !isStringSchema(t, root, n) {
			t.Errorf("%s: Go string, schema %v", where, n)
		}
	case reflect.Slice:
		items, _ := n["items"].(jsonNode)
		if n["type"] != "array" || items == nil {
			t.Errorf("%s: Go list, schema %v", where, n)
			return
		}
		if typ.Elem().Kind() == reflect.Struct {
			checkObject(t, root, items, typ.Elem(), where+"[]")
		} else {
			checkType(t, root, items, typ.Elem(), where+"[]")
		}
	case reflect.Map:
		values, _ := n["additionalProperties"].(jsonNode)
		if n["type"] != "object" || values == nil {
			t.Errorf("%s: Go map, schema %v", where, n)
			return
		}
		checkType(t, root, values, typ.Elem(), where+"{}")
	case reflect.Struct:
		checkObject(t, root, n, typ, where)
	default:
		t.Errorf("%s: unexpected Go type %s", where, typ)
	}
}

// isStringSchema reports whether n accepts only strings: type string, an
// enum of strings, or anyOf such schemas.
func isStringSchema(t *testing.T, root, n jsonNode) bool {
	if n["type"] == "string" {
		return true
	}
	if e, ok := n["enum"].([]any); ok {
		for _, v := range e {
			if _, ok := v.(string); !ok {
				return false
			}
		}
		return true
	}
	if any, ok := n["anyOf"].([]any); ok {
		for _, a := range any {
			if !isStringSchema(t, root, resolve(t, root, a.(jsonNode))) {
				return false
			}
		}
		return true
	}
	return false
}

// TestSchemaMatchesRules keeps the schema's enums, patterns and limits equal
// to the ones the validator applies.
func TestSchemaMatchesRules(t *testing.T) {
	root := loadSchema(t)
	defs := root["$defs"].(jsonNode)
	prop := func(def, key string) jsonNode {
		d, _ := defs[def].(jsonNode)
		props, _ := d["properties"].(jsonNode)
		p, ok := props[key].(jsonNode)
		if !ok {
			t.Fatalf("schema has no $defs.%s.properties.%s", def, key)
		}
		return resolve(t, root, p)
	}
	num := func(n jsonNode, k string) int {
		f, _ := n[k].(float64)
		return int(f)
	}
	user, team := "user", "team"
	tags, details := prop(user, "tags"), prop(user, "details")
	detailValues := details["additionalProperties"].(jsonNode)
	tests := []struct {
		name      string
		got, want any
	}{
		{"username maxLength", num(prop(user, "username"), "maxLength"), MaxUsernameLen},
		{"member user maxLength", num(prop("member", "user"), "maxLength"), MaxUsernameLen},
		{"fullName maxLength", num(prop(user, "fullName"), "maxLength"), MaxFullNameLen},
		{"role maxLength", num(resolve(t, root, defs["roleName"].(jsonNode)), "maxLength"), MaxRoleLen},
		{"built-in roles", sortedCopy(strs(prop(user, "role")["anyOf"].([]any)[0].(jsonNode)["enum"])), sortedCopy(model.BuiltinRoles)},
		{"locale pattern", prop(user, "locale")["pattern"], localePattern},
		{"tags maxItems", num(tags, "maxItems"), MaxTags},
		{"tag maxLength", num(tags["items"].(jsonNode), "maxLength"), MaxTagLen},
		{"details maxProperties", num(details, "maxProperties"), MaxDetails},
		{"details key maxLength", num(details["propertyNames"].(jsonNode), "maxLength"), MaxDetailKeyLen},
		{"details values maxItems", num(detailValues, "maxItems"), MaxDetailValues},
		{"details value maxLength", num(detailValues["items"].(jsonNode), "maxLength"), MaxDetailValueLen},
		{"team name maxLength", num(prop(team, "name"), "maxLength"), MaxTeamNameLen},
		{"team name pattern", prop(team, "name")["pattern"], teamNamePattern},
		{"description maxLength", num(prop(team, "description"), "maxLength"), MaxDescriptionLen},
		{"member roles", sortedCopy(strs(prop("member", "role")["enum"])), []string{model.MemberRoleAdmin, model.MemberRoleUser}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("schema has %v, Go has %v", tc.got, tc.want)
			}
		})
	}
	// The e-mail pattern of the schema must accept what the validator accepts.
	re := regexp.MustCompile(prop(user, "username")["pattern"].(string))
	for _, s := range []string{"alice@example.com", "o'connor+x@mail.example.co.uk", "Bob@x", "a b@example.com", "a@b@example.com"} {
		if re.MatchString(s) != (emailProblem(s) == "") {
			t.Errorf("schema e-mail pattern and validator disagree on %q", s)
		}
	}
}

// TestExamplesReferenceSchema checks that every example file starts with
// the one modeline form, SchemaModeline, whose URL names this repository's
// schema file and the schema's own $id.
func TestExamplesReferenceSchema(t *testing.T) {
	const dir = "../examples/desired"
	files, err := Files(os.DirFS(dir), nil)
	if err != nil || len(files) == 0 {
		t.Fatalf("listing examples: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(string(data), "\n"); first != SchemaModeline {
			t.Errorf("%s: first line %q, want %q", f, first, SchemaModeline)
		}
	}
	rel, ok := strings.CutPrefix(SchemaURL, "https://raw.githubusercontent.com/ogsync/ogsync/main/")
	if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(rel))); !ok || err != nil {
		t.Errorf("SchemaURL %s does not name a file of the repository: %v", SchemaURL, err)
	}
	if id := loadSchema(t)["$id"]; id != SchemaURL {
		t.Errorf("$id = %v, want %s", id, SchemaURL)
	}
}

func sameSet(a, b []string) bool { return slices.Equal(sortedCopy(a), sortedCopy(b)) }

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
