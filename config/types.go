package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ogsync/ogsync/internal/yamlstrict"
)

var durationType = reflect.TypeFor[time.Duration]()

// checkTypes compares the YAML tree n with the Go type t it will be decoded
// into and reports, with the field and its position, every key t does not
// have and every value of the wrong kind. The YAML decoder would otherwise
// stop at the first one without naming the field, and it silently
// truncates a fraction given for a whole number (burst: 2.5 becomes 2).
func checkTypes(name string, n *yaml.Node, t reflect.Type, field string) Errors {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // left at its default
	}
	bad := func(format string, args ...any) Errors {
		return Errors{{File: name, Line: n.Line, Column: n.Column, Field: field, Msg: fmt.Sprintf(format, args...)}}
	}
	if t == durationType {
		if n.Kind != yaml.ScalarNode {
			return bad("must be a duration such as 30s, not %s", describe(n))
		}
		if n.Tag == "!!int" || n.Tag == "!!float" {
			return bad("%s has no unit: write a duration such as %ss", n.Value, n.Value)
		}
		if _, err := time.ParseDuration(n.Value); err != nil {
			return bad("%q is not a duration such as 30s or 2m", n.Value)
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return bad("must be a mapping, not %s", describe(n))
		}
		fields := yamlFields(t)
		var errs Errors
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				if k.Tag == "!!merge" {
					continue // reported by yamlstrict.CheckNodes
				}
				errs = append(errs, &Error{File: name, Line: k.Line, Column: k.Column, Field: field,
					Msg: fmt.Sprintf("unknown key %q (expected one of: %s)", k.Value, strings.Join(sortedKeys(fields), ", "))})
				continue
			}
			errs = append(errs, checkTypes(name, v, ft, yamlstrict.JoinField(field, k.Value))...)
		}
		return errs
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return bad("must be a list, not %s", describe(n))
		}
		var errs Errors
		for i, c := range n.Content {
			errs = append(errs, checkTypes(name, c, t.Elem(), fmt.Sprintf("%s[%d]", field, i))...)
		}
		return errs
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return bad("must be a string, not %s", describe(n))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			return bad("must be true or false, not %s", describe(n))
		}
	case reflect.Int, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			return bad("must be a whole number, not %s", describe(n))
		}
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			return bad("must be a number, not %s", describe(n))
		}
	}
	return nil
}

// yamlFields maps the YAML keys of a struct to their types; the keys of an
// inline struct are the parent's.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("yaml")
		if tag == "-" || !f.IsExported() {
			continue
		}
		key, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" {
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if key == "" {
			key = strings.ToLower(f.Name)
		}
		out[key] = f.Type
	}
	return out
}

func sortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
