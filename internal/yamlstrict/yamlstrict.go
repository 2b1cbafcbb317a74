// Package yamlstrict holds what ogsync's strict YAML readers share: the
// positioned error ("file:line:col: field: message"), the parse of a file
// to the node of its one document, the refusal of aliases and merge keys,
// yaml.v3's errors turned into positioned ones, and the lookup of a field's
// node for its position.
package yamlstrict

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a file.
type Error struct {
	// File is the name of the file as it is shown.
	File string
	// Line and Column are 1-based; 0 when the problem concerns the whole file.
	Line, Column int
	// Field is the path of the field, such as "users[3].username"; empty for
	// problems of the file itself (syntax errors, size).
	Field string
	// Msg says what is wrong.
	Msg string
}

// Error formats the problem as "file:line:col: field: message". A file name
// holding control characters is quoted (see QuoteName).
func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(QuoteName(e.File))
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file.
type Errors []*Error

// Error joins the problems, one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Len is the number of problems.
func (es Errors) Len() int { return len(es) }

// Sort sorts the problems by position, then field, keeping the order of
// equals, and returns them.
func (es Errors) Sort() Errors {
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column), cmp.Compare(a.Field, b.Field))
	})
	return es
}

// QuoteName returns a file name as it may be printed: unchanged when it is
// made of printable characters, else Go-quoted ("a\nb.yaml"), so that a
// newline or an escape sequence in a name can neither forge a line of
// output (a "FILE:LINE:COL:" that CI annotations parse) nor drive a
// terminal.
func QuoteName(name string) string {
	for _, r := range name {
		if !unicode.IsPrint(r) || r == '"' || r == '\\' {
			return strconv.Quote(name)
		}
	}
	return name
}

// At returns an Error at the position of n (none when n is nil).
func At(file string, n *yaml.Node, field, format string, args ...any) *Error {
	e := &Error{File: file, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// Parse parses data, a file holding one YAML document, and returns the
// node of its content. An empty file, a syntax error and a second
// document are errors; a parser panic on hostile input is one too.
func Parse(file string, data []byte) (*yaml.Node, *Error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := SafeDecode(dec, &doc)
	if err == io.EOF || err == nil && (len(doc.Content) == 0 || len(bytes.TrimSpace(data)) == 0) {
		return nil, &Error{File: file, Msg: "file is empty"}
	}
	if err != nil {
		return nil, SyntaxError(file, err)
	}
	var next yaml.Node
	switch err := SafeDecode(dec, &next); {
	case err == io.EOF:
	case err != nil:
		return nil, SyntaxError(file, err)
	default:
		return nil, At(file, &next, "", "a second YAML document: a file holds one document")
	}
	return doc.Content[0], nil
}

// SafeDecode decodes one document, turning a panic of the YAML parser on
// hostile input into an error.
func SafeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the parser failed: %v", r)
		}
	}()
	return dec.Decode(n)
}

// SyntaxError turns a yaml.v3 error ("yaml: line 3: ...") into an Error at
// its line. yaml.v3 counts lines from 0 in the errors of its parser (not of
// its scanner) and leaves the line out when it is the first: both are
// corrected. Of a *yaml.TypeError, the first problem is kept.
func SyntaxError(file string, err error) *Error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line = n
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	if isParserError(msg) || line == 0 {
		line++
	}
	return &Error{File: file, Line: line, Column: 1, Msg: msg}
}

// isParserError reports whether msg is one of the yaml.v3 parser's problems.
func isParserError(msg string) bool {
	return strings.HasPrefix(msg, "did not find expected") || strings.HasPrefix(msg, "found duplicate %") ||
		msg == "found incompatible YAML document" || msg == "found undefined tag handle"
}

// CheckNodes refuses the YAML features that hide what a key really holds:
// aliases and merge keys. field is the path of n.
func CheckNodes(file string, n *yaml.Node, field string) Errors {
	var errs Errors
	switch n.Kind {
	case yaml.AliasNode:
		errs = append(errs, At(file, n, field, "aliases are not allowed"))
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.ShortTag() == "!!merge" {
				errs = append(errs, At(file, k, field, "merge keys (<<) are not allowed"))
				continue
			}
			errs = append(errs, CheckNodes(file, v, JoinField(field, k.Value))...)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			errs = append(errs, CheckNodes(file, c, fmt.Sprintf("%s[%d]", field, i))...)
		}
	}
	return errs
}

// JoinField is the path of key under the field path parent.
func JoinField(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// Value returns the value node of key in a mapping node, or nil.
func Value(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// Lookup finds the value node of a dotted field path ("a.b[2].c") under
// doc, or the nearest parent that exists.
func Lookup(doc *yaml.Node, field string) *yaml.Node {
	n := doc
	for _, part := range strings.Split(field, ".") {
		idx := -1
		if i := strings.Index(part, "["); i >= 0 && strings.HasSuffix(part, "]") {
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
			part = part[:i]
		}
		next := Value(n, part)
		if next == nil {
			return n
		}
		n = next
		if idx >= 0 && n.Kind == yaml.SequenceNode && idx < len(n.Content) {
			n = n.Content[idx]
		}
	}
	return n
}

// Written reports whether the field path is written in doc (its own node
// is found, not only a parent's).
func Written(doc *yaml.Node, field string) bool {
	parent, _ := parentField(field)
	return Lookup(doc, field) != Lookup(doc, parent)
}

// parentField splits the last key off a field path.
func parentField(field string) (string, string) {
	if i := strings.LastIndex(field, "."); i >= 0 {
		return field[:i], field[i+1:]
	}
	return "", field
}

// Describe names the kind of a node, for a type error.
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!bool":
		return "a boolean"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	case "!!timestamp":
		return "a date"
	case "!!str":
		return "a string"
	case "!!binary":
		return "binary data"
	}
	return "a value tagged " + n.ShortTag()
}
