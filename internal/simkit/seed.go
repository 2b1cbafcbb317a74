package simkit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError rewrites the YAML library's "line N: msg" into "file:N: msg".
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, e := range te.Errors {
			msgs[i] = lineMsg(name, e)
		}
		return errors.New(strings.Join(msgs, "\n"))
	}
	return errors.New(lineMsg(name, err.Error()))
}

func lineMsg(name, msg string) string {
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		return name + ":" + m[1] + ": " + m[2]
	}
	return name + ": " + strings.TrimPrefix(msg, "yaml: ")
}

// SeedError is a semantic seed error at a path such as users[3].role.
type SeedError struct {
	// Path holds string keys and int indexes.
	Path []any
	// Msg says what is wrong there.
	Msg string
}

// Error renders the path and the message, e.g. "users[3].email: …".
func (e *SeedError) Error() string {
	var sb strings.Builder
	for i, p := range e.Path {
		switch p := p.(type) {
		case int:
			sb.WriteString("[" + strconv.Itoa(p) + "]")
		case string:
			if i > 0 {
				sb.WriteByte('.')
			}
			sb.WriteString(p)
		}
	}
	return sb.String() + ": " + e.Msg
}

// SeedErr returns a *SeedError at path.
func SeedErr(msg string, path ...any) error { return &SeedError{Path: path, Msg: msg} }

// DecodeSeed decodes the YAML or JSON seed data into seed, strictly
// (unknown keys are errors), then runs check, the emulator's build of an
// account from it. Every error names the file and line: "name:line: …".
func DecodeSeed(name string, data []byte, seed any, check func() error) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return yamlError(name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(seed); err != nil && !errors.Is(err, io.EOF) {
		return yamlError(name, err)
	}
	if err := check(); err != nil {
		var se *SeedError
		if errors.As(err, &se) {
			return fmt.Errorf("%s:%d: %w", name, nodeLine(&root, se.Path), err)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// nodeLine finds the line of the deepest node along path.
func nodeLine(root *yaml.Node, path []any) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, p := range path {
		var next *yaml.Node
		switch p := p.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == p {
						next = n.Content[i+1]
						line = n.Content[i].Line
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && p < len(n.Content) {
				next = n.Content[p]
			}
		}
		if next == nil {
			break
		}
		n = next
		if n.Kind != yaml.MappingNode || line == 0 {
			line = n.Line
		}
		if n.Kind == yaml.MappingNode && line < n.Line {
			line = n.Line
		}
	}
	return line
}

// LoadSeed reads a seed file and parses it with parse, which names the
// file in its errors.
func LoadSeed[S any](file string, parse func(name string, data []byte) (*S, error)) (*S, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading seed: %w", err)
	}
	return parse(file, data)
}
