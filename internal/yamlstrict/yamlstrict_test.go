package yamlstrict

import (
	"errors"
	"strings"
	"testing"
)

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "c.yaml", Line: 3, Column: 5, Field: "a.b", Msg: "bad"}, "c.yaml:3:5: a.b: bad"},
		{Error{File: "c.yaml", Msg: "file is empty"}, "c.yaml: file is empty"},
		{Error{File: "a\nb.yaml", Line: 1, Column: 1, Msg: "x"}, `"a\nb.yaml":1:1: x`},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	es := Errors{{File: "f", Line: 9, Column: 1, Msg: "late"}, {File: "f", Line: 2, Column: 4, Field: "b", Msg: "early"}}
	if got, want := es.Sort().Error(), "f:2:4: b: early\nf:9:1: late"; got != want {
		t.Errorf("sorted = %q, want %q", got, want)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"empty", "", "c.yaml: file is empty"},
		{"comment only", "# nothing\n", "c.yaml: file is empty"},
		{"two documents", "a: 1\n---\nb: 2\n", "c.yaml:2:1: a second YAML document: a file holds one document"},
		{"unclosed flow", "a:\n  b: [\n", "c.yaml:3:1: did not find expected node content"},
		{"scanner error", "a: 1\nb: '\n", "c.yaml:2:1: found unexpected end of stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tc.data))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	n, err := Parse("c.yaml", []byte("a:\n  b: [x, y]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := Lookup(n, "a.b[1]"); got == nil || got.Value != "y" || got.Line != 2 || got.Column != 10 {
		t.Errorf("Lookup(a.b[1]) = %+v", got)
	}
	if got := Lookup(n, "a.c"); got != Value(n, "a") {
		t.Errorf("Lookup of a missing key is not its parent: %+v", got)
	}
	if !Written(n, "a.b") || Written(n, "a.c") || Written(n, "z") {
		t.Error("Written is wrong")
	}
}

func TestCheckNodes(t *testing.T) {
	n, err := Parse("c.yaml", []byte("base: &b {x: 1}\nuse: *b\nmerged:\n  <<: {y: 2}\nlist: [1, *b]\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := CheckNodes("c.yaml", n, "").Error()
	want := "c.yaml:2:6: use: aliases are not allowed\nc.yaml:4:3: merged: merge keys (<<) are not allowed\nc.yaml:5:11: list[1]: aliases are not allowed"
	if got != want {
		t.Errorf("CheckNodes =\n%s\nwant\n%s", got, want)
	}
}

func TestSyntaxError(t *testing.T) {
	err := SyntaxError("c.yaml", errors.New("yaml: line 4: mapping values are not allowed in this context"))
	if got := err.Error(); got != "c.yaml:4:1: mapping values are not allowed in this context" {
		t.Errorf("got %q", got)
	}
}
