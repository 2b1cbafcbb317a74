package source

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// agreeWithYAML decodes data by the fast path and, when the fast path does
// not give up, by yaml.v3, and fails unless yaml.v3 finds no problem and
// both give the same document, field paths and positions. It reports
// whether the fast path decoded the file.
func agreeWithYAML(t *testing.T, b []byte) bool {
	t.Helper()
	data := string(b)
	tabs, bad := scanText("f.yaml", data, &collector{})
	if bad || tabs > 0 {
		return false // parseFile never tries the fast path on these
	}
	fast, ok := fastParse(data, nil)
	if !ok {
		return false
	}
	c := &collector{}
	slow := parseYAML("f.yaml", data, 0, c)
	if !c.empty() {
		t.Fatalf("the fast path decoded a file in which yaml.v3 finds problems:\n%v\n--- file:\n%s", c.result(), data)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("the fast path and yaml.v3 differ:\nfast: %s\nyaml: %s\n--- file:\n%s", dumpDoc(fast), dumpDoc(slow), data)
	}
	return true
}

// dumpDoc prints a document with its positions and the pointees of its
// optional fields.
func dumpDoc(fd *fileDoc) string {
	if fd == nil {
		return "nil"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "roles %q %v (nil: %v) users-nil %v teams-nil %v\n", fd.Roles, fd.at.roles, fd.Roles == nil, fd.Users == nil, fd.Teams == nil)
	str := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return fmt.Sprintf("%q", *p)
	}
	for _, u := range fd.Users {
		fmt.Fprintf(&b, "user %s %q full %s role %s tz %s loc %s", u.Path, u.Username, str(u.FullName), str(u.Role), str(u.TimeZone), str(u.Locale))
		if u.Tags != nil {
			fmt.Fprintf(&b, " tags %q (nil: %v)", *u.Tags, *u.Tags == nil)
		}
		if u.Details != nil {
			fmt.Fprintf(&b, " details %q", *u.Details)
		}
		fmt.Fprintf(&b, " at %+v\n", u.at)
	}
	for _, tm := range fd.Teams {
		fmt.Fprintf(&b, "team %s %q id %s desc %s at %+v\n", tm.Path, tm.Name, str(tm.ID), str(tm.Description), tm.at)
		if tm.Members != nil {
			fmt.Fprintf(&b, "  members (nil: %v)\n", *tm.Members == nil)
			for _, m := range *tm.Members {
				fmt.Fprintf(&b, "  member %s %q %q at %+v\n", m.Path, m.User, m.Role, m.at)
			}
		}
	}
	return b.String()
}

// fastPathCases are files in the form the fast path handles, and files
// just outside it; the first field says whether the fast path must decode
// the file (else it must give it up to yaml.v3).
var fastPathCases = []struct {
	fast bool
	text string
}{
	{true, "users:\n  - username: a@example.com\n    fullName: Ann Example\n    role: User\n    timeZone: Europe/Berlin\n    locale: en_US\n    tags: [staff, site1]\n"},
	{true, "users:\n- username: a@example.com\n  tags:\n  - x\n  - 'y z'\n  details:\n    costCenter: [\"4000\"]\n    b key:\n      - one\n      - \"two\"\n- username: b@example.com\n  details: {}\n  tags: []\n"},
	{true, "# head\nroles: [Incident Commander, 'Night ''Shift''']\n\n# users\nusers: []\nteams: []\n"},
	{true, "roles:\n  - Incident Commander   # comment\n  - \"Quoted Role\"\n"},
	{true, "teams:\n  - name: team-1\n    id: 4a5b6c7d-0000-4000-8000-000000000001\n    description: Team number 1\n    members:\n      - user: a@example.com\n        role: admin\n      - user: 'b@example.com'\n        role: user\n  - name: team-2\n    members:\n      []\n  - name: team 3\n    members: []\n    description: \"The third\"\n"},
	{true, "teams:\n- name: x\n  members:\n  - user: a@example.com\n    role: user\n  description: after the members\n"},
	{true, "users:\n  -   username: wide@example.com\n      fullName: José Müller-Łukasz\n      tags: [ ünïcode , b ]\n"},
	{true, "users:\n  - username: a@example.com # trailing comment\n    fullName: 'a # not a comment'\n    role: \"x: y\"\n# between\n    locale: de_DE\n"},
	{true, "users:\n  - fullName: Ann\n    username: a@example.com\n    details:\n      k:\n        [v]\n"},
	{true, "users:\n  - username: a@example.com\n    fullName: Ann   \n    tags: [a,b ,  c]   \n"},
	{true, "users:\n  - username: a@example.com\n    role: yes\n    fullName: no\n    locale: on\n"},
	{true, "users:\n  - username: a@example.com\n    fullName: ''\n    tags: ['', \"\"]\n"},
	{true, "teams:\n  - name: Snow ☃\n    description: 日本語 with ümlauts ok\n"},
	{true, "users:\n  - username  : a@example.com\n    tags: # the tags\n      - a\n    fullName: a   # b\n"},
	{true, "users:\n  - username: a@example.com\n    tags: ['a,b', \"c]\", 'd''e' , f g]\n    fullName: Ü\n    details: {  }\n"},
	{true, "users:\n  - username: a@example.com\n    fullName: Ü Ö\n    tags: [ä, b, 'ç']\n    details:\n      ключ: [значение]\n      k:\n      - v\n      - w"},
	{true, "users:\n\n  - username: a@example.com\n   \n\n  -  username: b@example.com\n     role: User\n"},
	{true, "roles:\n- A\n-   B   \n- 'C'\nusers:\n- username: a@example.com\n"},

	// Outside: yaml.v3 decides (and may report a problem).
	{false, "users:\n  - username: a@example.com\n    fullName: Ann\n      Example\n"},
	{false, "users:\n  - username: a@example.com\n    fullName: |\n      Ann\n"},
	{false, "users:\n  - username: &a a@example.com\n"},
	{false, "users:\n  - username: a@example.com\n    role: *a\n"},
	{false, "users:\n  - username: !custom a@example.com\n"},
	{false, "users:\n  - username: a@example.com\n    fullName: true\n"},
	{false, "users:\n  - username: a@example.com\n    fullName: 123\n"},
	{false, "teams:\n  - name: x\n    id: 2024-01-02\n"},
	{false, "teams:\n  - name: x\n    id: 12345678-1234-1234-1234-12345678901\n"},
	{true, "teams:\n  - name: x\n    id: 12345678-1234-1234-1234-123456789012\n"},
	{false, "users:\n  - username: a@example.com\n    fullName: null\n"},
	{false, "users:\n  - username: a@example.com\n    fullName:\n"},
	{false, "users:\n  - username: a@example.com\n    fullname: Ann\n"},
	{false, "users:\n  - username: a@example.com\n    username: b@example.com\n"},
	{false, "users:\n  - fullName: Ann\n"},
	{false, "users:\n  - username: a@example.com\n    details:\n      k: []\n      k: [v]\n"},
	{false, "users:\n  - username: a@example.com\n    tags: {a: b}\n"},
	{false, "users:\n  - username: a@example.com\n    tags: [a, [b]]\n"},
	{false, "users:\n  - username: a@example.com\n    tags: [a,\n      b]\n"},
	{false, "users:\n  - username: a@example.com\n    tags: [a, ]\n"},
	{false, "users:\n  - username: a@example.com\n    tags: [a?]\n"},
	{true, "users:\n  - username: a@example.com\n    fullName: Who? Me!\n"},
	{false, "users:\n  - username: \"a\\u0040example.com\"\n"},
	{false, "users:\n  - username: 'a@example.com\n      continued'\n"},
	{false, "users:\n  - username: a@example.com\n   fullName: Ann\n"},
	{false, "users:\n  - username: a@example.com\n     fullName: Ann\n"},
	{false, "users:\n  - username: a@example.com\n---\nusers: []\n"},
	{false, "---\nusers: []\n"},
	{false, "users: []\n...\n"},
	{false, "%YAML 1.2\n---\nusers: []\n"},
	{false, "  users: []\n"},
	{false, "users:\n\t- username: a@example.com\n"},
	{false, "users:\r\n  - username: a@example.com\r\n"},
	{false, "\ufeffusers: []\n"},
	{false, "users: [{username: a@example.com}]\n"},
	{false, "users:\n  - username: a@example.com\n    fullName: a:b\n"},
	{false, "users:\n  - username: a@example.com\n    fullName: a#b\n"},
	{false, "users:\n  - username: a@example.com\n    fullName: 'a'b\n"},
	{false, "users:\n  - username: a@example.com\n    fullName: 'a'#b\n"},
	{false, "users:\n  - username: a@example.com\n    <<: {role: User}\n"},
	{false, "users:\n  - username: a@example.com\n    ? fullName\n    : Ann\n"},
	{false, "users:\n  -\n    username: a@example.com\n"},
	{false, "users:\n  - - a\n"},
	{false, "users:\n  - username: a@example.com\n    fullName: Ann\u2028Example\n"},
	{false, "users:\n  - username: a@example.com\n    fullName: Ann\u0085Example\n"},
	{false, "users:\n  - username: a@example.com\n  - a\n"},
	{false, "users: x\n"},
	{false, "users:\nteams: []\n"},
	{false, "roles: []\nroles: []\n"},
	{false, "other: []\n"},
	{false, "# only a comment\n"},
	{false, ""},
	{false, "{}\n"},
	{false, "users:\n  - username: a@example.com\n    tags:\n    - -x\n"},
	{false, "teams:\n  - name: x\n    members:\n      - user: a@example.com\n"},
	{false, "teams:\n  - name: x\n    members:\n   - user: a@example.com\n     role: user\n"},

	// YAML 1.1 words are strings in yaml.v3 (1.2); 1.2's null and booleans
	// and anything starting with a digit, a dot, a sign or ~ are not.
	{true, "users:\n  - username: a@example.com\n    tags: [y, n, Y, N, off, NO, On, yes]\n    details:\n      yes: [on]\n      y:\n      - n\n"},
	{false, "roles: [tRUE, true]\n"},
	{false, "roles:\n  - Null\n"},
	{false, "users:\n  - username: a@example.com\n    details:\n      null: [v]\n"},
	{false, "users:\n  - username: a@example.com\n    details:\n      true: [v]\n"},
	{false, "roles: [~]\n"},
	{false, "roles: [0x1F]\n"},
	{false, "roles: [0o17]\n"},
	{false, "roles: [1_000]\n"},
	{false, "roles: [.inf]\n"},
	{false, "roles: [.nan]\n"},
	{false, "roles: [1e3]\n"},
	{false, "roles: [+1]\n"},
	{false, "roles: [-1]\n"},
	{false, "roles: [2001-12-14]\n"},
	{false, "teams:\n  - name: x\n    id: 1e345678-1234-1234-1234-123456789012x\n"},
	{true, "teams:\n  - name: x\n    id: 0b123456-1234-1234-1234-123456789012\n  - name: y\n    id: 1e345678-1234-1234-1234-123456789012\n"},

	// Indicators: not at the start of a plain scalar; inside it, yaml.v3
	// reads them as text (in a flow list, , ] end it and ? [ { } are left
	// to yaml.v3).
	{true, "roles: [a!b, c&d, e*f, g|h, i>j, k%l, m@n, o`p, q~, r-, s., t=u, v<<w, x\"y, z'a, b\\]\n"},
	{true, "roles:\n- a ! b\n- a & b\n- a * b\n- a | b\n- a > b\n- a % b\n- a @ b\n- a ` b\n- a ' b\n- a \" b\n- a - b\n- a ?\n- a [b]\n- a {b}\n- a, b\n"},
	{false, "roles: [-a]\n"},
	{false, "roles:\n- ?a\n"},
	{false, "roles:\n- :a\n"},
	{false, "roles: [,a]\n"},
	{false, "roles:\n- '%a'\n- %a\n"},
	{false, "roles:\n- @a\n"},
	{false, "roles:\n- `a\n"},
	{false, "roles:\n- |a\n"},
	{false, "roles:\n- >a\n"},
	{false, "roles:\n- !a\n"},
	{false, "roles: [a?b]\n"},
	{false, "roles: [a,,b]\n"},
	{false, "roles: [a,b,]\n"},
	{false, "roles: [a]]\n"},
	{false, "roles: [a]#c\n"},
	{true, "roles: [a] #c\n"},
	{true, "roles: ['', \"\", ' ', '  a  ', \"  b  \"]\n"},

	// Unicode: letters start a plain scalar; spaces other than U+0020,
	// format characters, characters outside the BMP and letter-like
	// numbers are left to yaml.v3, except in comments.
	{true, "users: [] # 😀 \u00a0\u200b\n# 😀\n"},
	{true, "roles:\n- ª\n- µ\n- ǅ\n- ﬁ\n- ᴬ\n- a١\n- à\n- a\ufffc\n"},
	{false, "roles:\n- Ⅻ\n"},
	{false, "roles:\n- ١\n"},
	{false, "roles:\n- \u0300a\n"},
	{false, "roles:\n- a😀\n"},
	{false, "roles:\n- a\u00a0\n"},
	{false, "roles:\n- 'a'\u00a0\n"},
	{false, "roles: [a,\u00a0b]\n"},
	{false, "roles:\u00a0[a]\n"},
	{false, "roles: [a]\n\u00a0\n"},
	{false, "roles:\n- a\u3000#c\n"},
	{false, "roles:\n- a\u200e\n"},
	{false, "roles:\n- a\u2029b\n"},
	{false, "roles:\n- a\ufeffb\n"},

	// Long lines, long keys (yaml.v3 allows 1024 characters before the
	// colon), a last line without a newline.
	{true, "users:\n  - username: a@example.com\n    details:\n      " + strings.Repeat("k", 255) + ": [v]\n"},
	{false, "users:\n  - username: a@example.com\n    details:\n      " + strings.Repeat("k", 256) + ": [v]\n"},
	{true, "users:\n  - username: a" + strings.Repeat("x", 5000) + "\n    tags: ['" + strings.Repeat("é", 3000) + "', b]\n"},
	{true, "roles: [" + strings.Repeat("r, ", 3000) + "s]\n"},
	{true, "users:\n" + strings.Repeat(" ", 3000) + "- username: x\n"},
	{true, "\n\n\nroles: [a]\n   "},
	{true, "users:\n- username: x\n  fullName: ''"},
	{false, "users:\n- username: x\n  tags: "},

	// Indentation: a list at its key's indentation, a mapping's first key
	// holding a list, items more indented than their key.
	{true, "users:\n- tags:\n  - a\n  username: x@example.com\n  details:\n      k:\n        [v]\nteams:\n- name: t\n  members:\n  - user: a\n    role: b\n"},
	{false, "users:\n-   tags:\n  - a\n    username: x@example.com\n"},
	{false, "roles:\n  - a\n - b\n"},
	{false, "roles:\n- a\n  b\n"},
	{false, "users:\n- username: x\n  details:\n  k: [v]\n"},
}

func TestFastPathAgreesWithYAML(t *testing.T) {
	for i, tc := range fastPathCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			used := agreeWithYAML(t, []byte(tc.text))
			if tc.fast && !used {
				t.Fatalf("the fast path gave up on a file in its form:\n%s", tc.text)
			}
			if !tc.fast && used {
				t.Fatalf("the fast path decoded a file outside its form:\n%s", tc.text)
			}
		})
	}
}

// TestFastPathOnFiles runs the comparison on every fixture and example, and
// checks that the examples and the benchmark's generated files take the
// fast path.
func TestFastPathOnFiles(t *testing.T) {
	for _, root := range []string{"testdata/bad", "../examples/desired"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".yml") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if used := agreeWithYAML(t, data); !used && strings.Contains(p, "examples") {
				t.Errorf("%s: the fast path gave up on an example", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	writeBenchFiles(t, dir, 200, 20)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !agreeWithYAML(t, data) {
			t.Errorf("%s: the fast path gave up on a generated file", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzFastPath checks, on arbitrary bytes, that wherever the fast path
// decodes a file yaml.v3 decodes it without a problem and to the same
// document, field paths and positions.
//
//	go test -run '^$' -fuzz FuzzFastPath -fuzztime 60s ./source/
func FuzzFastPath(f *testing.F) {
	for _, tc := range fastPathCases {
		f.Add([]byte(tc.text))
	}
	for _, text := range mutationBases {
		f.Add([]byte(text))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 30 {
		f.Add([]byte(randomForm(rng)))
	}
	addFixtures(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		agreeWithYAML(t, data)
	})
}

// TestFastPathRandomForms writes random files in the form the fast path
// handles (key orders, indentations, scalar styles, flow and block lists,
// comments and blank lines) and checks that the fast path decodes each one
// and agrees with yaml.v3.
func TestFastPathRandomForms(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		text := randomForm(rng)
		if !agreeWithYAML(t, []byte(text)) {
			t.Fatalf("file %d: the fast path gave up on a file in its form:\n%s", i, text)
		}
	}
}

// randomForm writes one random file in the fast path's form.
func randomForm(rng *rand.Rand) string {
	var b strings.Builder
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	values := []string{"a@example.com", "Ann Example", "Europe/Berlin", "en_US", "x", "Jürgen Ünal", "名前", "O'Brien",
		`say "hi"`, "4000", "yes", "true", "null", "a,b", "c]d", "e # f", "g: h", "  spaced  ", "", "Incident Commander",
		"a-b_c.d/e+f(g)", "12345678-1234-4234-8234-123456789abc", "Who? Me!", "x!&*|>%@`y"}
	// scalar writes v in a style that keeps it a string, in a flow list when flow is set.
	scalar := func(v string, flow bool) string {
		plainOK := v != "" && startsPlain(v, 0) && !notString(v) && !strings.ContainsAny(v, ":#'\"") &&
			strings.TrimSpace(v) == v && !(flow && strings.ContainsAny(v, ",[]{}?"))
		if isUUID(v) {
			plainOK = true
		}
		switch {
		case plainOK && rng.IntN(3) > 0:
			return v
		case !strings.Contains(v, `"`) && rng.IntN(2) == 0:
			return `"` + v + `"`
		default:
			return "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
	}
	comment := func() string {
		if rng.IntN(4) == 0 {
			return pick(" # note", "   #x", " #")
		}
		return ""
	}
	filler := func(indent int) {
		switch rng.IntN(8) {
		case 0:
			b.WriteString("\n")
		case 1:
			b.WriteString(strings.Repeat(" ", rng.IntN(indent+3)) + "# a comment line\n")
		case 2:
			b.WriteString(strings.Repeat(" ", rng.IntN(4)) + "\n")
		}
	}
	// list writes a list of strings as the value of a key indented by m (the key is written).
	list := func(m int, n int) {
		vs := make([]string, n)
		for i := range vs {
			vs[i] = values[rng.IntN(len(values))]
		}
		switch {
		case n == 0 || rng.IntN(2) == 0:
			items := make([]string, n)
			for i, v := range vs {
				items[i] = scalar(v, true)
			}
			sep := pick(", ", ",", " , ")
			if rng.IntN(4) == 0 {
				fmt.Fprintf(&b, "%s\n%s[%s]%s\n", comment(), strings.Repeat(" ", m+2), strings.Join(items, sep), comment())
			} else {
				fmt.Fprintf(&b, " [%s]%s\n", strings.Join(items, sep), comment())
			}
		default:
			b.WriteString(comment() + "\n")
			si := m + 2*rng.IntN(2)
			for _, v := range vs {
				filler(si)
				fmt.Fprintf(&b, "%s-%s%s%s\n", strings.Repeat(" ", si), strings.Repeat(" ", 1+rng.IntN(2)), scalar(v, false), comment())
			}
		}
	}
	// mapping writes a mapping's keys; first is already on the line (after "- "), mi its indentation.
	type field struct {
		key   string
		write func(mi int)
	}
	mapping := func(mi int, fields []field) {
		rng.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
		for i, f := range fields {
			if i > 0 {
				filler(mi)
				b.WriteString(strings.Repeat(" ", mi))
			}
			b.WriteString(f.key + pick(":", ":", " :"))
			f.write(mi)
		}
	}
	str := func(mi int) {
		fmt.Fprintf(&b, " %s%s\n", scalar(values[rng.IntN(len(values))], false), comment())
	}
	// items writes a list of mappings as the value of a key indented by m.
	items := func(m, n int, fields func() []field) {
		if n == 0 {
			if rng.IntN(2) == 0 {
				fmt.Fprintf(&b, " []%s\n", comment())
			} else {
				fmt.Fprintf(&b, "\n%s[]\n", strings.Repeat(" ", m+2+rng.IntN(2)))
			}
			return
		}
		b.WriteString(comment() + "\n")
		si := m + 2*rng.IntN(2)
		for range n {
			filler(si)
			pad := 1 + rng.IntN(3)
			fmt.Fprintf(&b, "%s-%s", strings.Repeat(" ", si), strings.Repeat(" ", pad))
			mapping(si+1+pad, fields())
		}
	}
	var top []field
	if rng.IntN(2) == 0 {
		top = append(top, field{"roles", func(mi int) { list(mi, rng.IntN(3)) }})
	}
	if rng.IntN(3) > 0 || len(top) == 0 {
		top = append(top, field{"users", func(mi int) {
			items(mi, rng.IntN(4), func() []field {
				fs := []field{{"username", str}}
				for _, k := range []string{"fullName", "role", "timeZone", "locale"} {
					if rng.IntN(2) == 0 {
						fs = append(fs, field{k, str})
					}
				}
				if rng.IntN(2) == 0 {
					fs = append(fs, field{"tags", func(mi int) { list(mi, rng.IntN(4)) }})
				}
				if rng.IntN(2) == 0 {
					fs = append(fs, field{"details", func(mi int) {
						n := rng.IntN(3)
						if n == 0 {
							fmt.Fprintf(&b, " {}%s\n", comment())
							return
						}
						b.WriteString(comment() + "\n")
						di := mi + 2 + 2*rng.IntN(2)
						for k := range n {
							filler(di)
							fmt.Fprintf(&b, "%s%s:", strings.Repeat(" ", di), pick("costCenter", "site", "Küche", "a b")+strconv.Itoa(k))
							list(di, rng.IntN(3))
						}
					}})
				}
				return fs
			})
		}})
	}
	if rng.IntN(2) == 0 {
		top = append(top, field{"teams", func(mi int) {
			items(mi, rng.IntN(3), func() []field {
				fs := []field{{"name", str}}
				if rng.IntN(2) == 0 {
					fs = append(fs, field{"id", str})
				}
				if rng.IntN(2) == 0 {
					fs = append(fs, field{"description", str})
				}
				if rng.IntN(2) == 0 {
					fs = append(fs, field{"members", func(mi int) {
						items(mi, rng.IntN(3), func() []field { return []field{{"user", str}, {"role", str}} })
					}})
				}
				return fs
			})
		}})
	}
	if rng.IntN(3) == 0 {
		b.WriteString("# head\n")
	}
	mapping(0, top)
	return b.String()
}

// mutationBases are files in the fast path's form that
// TestFastPathMutations changes line by line.
var mutationBases = []string{
	"roles:\n  - Incident Commander\n  - 'Night Shift'\nusers:\n  - username: a@example.com\n    fullName: Ann Example\n    role: User\n    timeZone: Europe/Berlin\n    locale: en_US\n    tags: [staff, site1]\n    details:\n      costCenter: [\"4000\"]\n      site:\n        - one\n        - two\n  - username: b@example.com\n    tags:\n    - x\nteams:\n  - name: team-1\n    id: 4a5b6c7d-0000-4000-8000-000000000001\n    description: Team number 1\n    members:\n      - user: a@example.com\n        role: admin\n      - user: b@example.com\n        role: user\n  - name: team-2\n    members: []\n",
	"users:\n- username: a@example.com\n  tags:\n  - x\n  details:\n    k:\n    - v\n    j: []\n- username: b@example.com\nteams:\n- name: t\n  members:\n  - user: a@example.com\n    role: user\nroles:\n- R\n",
	"users:\n  -   username: a@example.com\n      fullName: José Müller\n      tags: [ ünï , 'b''c' ]\n      details: {}\nroles: [a, b]\n",
	"users:\n- tags:\n  - a\n  username: x@example.com\n  details:\n      k:\n        [v]\n",
}

// trickyScalars are written where a base has a value: the words YAML 1.1
// and 1.2 resolve, numbers, timestamps, indicators, quotes, comments, flow
// lists and mappings, and Unicode that is not plain text.
var trickyScalars = []string{"yes", "no", "on", "off", "y", "n", "Y", "N", "true", "True", "TRUE", "tRUE", "false",
	"null", "Null", "NULL", "nULL", "~", "", "''", `""`, "0x1F", "0o17", "017", "1_000", ".inf", "-.inf", "+.inf", ".nan",
	".NaN", "1e3", "+1", "-1", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "<<", "a:b", "a: b", "a :b", "a #b", "a#b",
	"'a''b'", "'a'''", "''''", "'''", `"a\"b"`, `"a\\b"`, "-a", "- a", "?a", "? a", ":a", ",a", "[a]", "{a}", "{}", "[]",
	"#a", "&a", "*a", "!a", "!!str a", "|a", ">a", "'a", `"a`, "%a", "@a", "`a", "a'b", `a"b`, "é", "日本", "a\u00a0b",
	"\u00a0a", "a  b", "a\U0001F600", "a\u0085b", "a\u2028b", "a\ufeffb", "a,b", "a[b]", "a{b}", "a]", "a?", "a - b",
	"a -b", "a !b", "a &b", "a *b", "a |", "a >", "ａ", "Ⅻ", "ǅ", "a\u200bb", "a\u0301", `a\b`, "a/b", "a=b", "a ",
	"'a' ", "'a'#c", "'a' #c", `"a" #c`, `"a"#c`, "a #", "'a' b", `"a" b`, "[a", "[a,", "[a,]", "[a, ]", "[ a ]", "[a] ",
	"[a]#c", "[a] #c", "[a,,b]", "[,a]", "[a b]", "[a'b]", "['a'b]", "['a' ]", `["a",'b']`, "[a:b]", "[a: b]", "[a #c]",
	"[a#c]", "[[a]]", "[{a}]", "[a]]", "[-a]", "[- a]", "[a-]", "[a, -]", "[yes]", "[null]", "[~]", "['']", `[""]`,
	"[a ,b]", "[a , b ]", "[a,b,]", "[a?]", "[a?b]", "[a ?b]", "[ ]", "{ }", "{a: [b]}", "{a: b}", "{a}", "-", "---", "...", "a...", "O'Brien",
	"12345678-1234-1234-1234-123456789012", "1234567a-1234-1234-1234-123456789012",
	"0b123456-1234-1234-1234-123456789012", "1e345678-1234-1234-1234-123456789012"}

// mutations returns the files made by changing one line of text: its
// indentation off by up to 4; a comment, blank line, document marker, item
// or key inserted before it at every indentation; a comment or stray
// character appended; the line doubled, joined to the next or dropped; its
// value moved to the next line at every indentation, or replaced by each
// of trickyScalars; its key replaced by one YAML reads otherwise.
func mutations(text string) []string {
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var out []string
	for i := 0; i <= len(lines); i++ {
		for ind := 0; ind <= 10; ind++ {
			sp := strings.Repeat(" ", ind)
			for _, s := range []string{"# c", "#", "", "---", "...", "- z", "z", "role: User", "- username: z@example.com", "- user: z", "k: [v]"} {
				out = append(out, strings.Join(slices.Concat(lines[:i], []string{sp + s + "\n"}, lines[i:]), ""))
			}
		}
		if i == len(lines) {
			break
		}
		body := strings.TrimSuffix(lines[i], "\n")
		trim := strings.TrimLeft(body, " ")
		ind := len(body) - len(trim)
		set := func(s string) {
			out = append(out, strings.Join(slices.Concat(lines[:i], []string{s}, lines[i+1:]), ""))
		}
		for d := -4; d <= 4; d++ {
			if d != 0 && ind+d >= 0 {
				set(strings.Repeat(" ", ind+d) + trim + "\n")
			}
		}
		for _, s := range []string{" # c", "#c", "  ", " #", " : x", ":", " :", " x", ",", "]", "'", `"`} {
			set(body + s + "\n")
		}
		set(body)
		set(body + "\n" + body + "\n")
		if i+1 < len(lines) {
			set(body + " " + strings.TrimLeft(lines[i+1], " "))
			set("")
		}
		if k := strings.Index(body, ": "); k >= 0 {
			for _, v := range trickyScalars {
				set(body[:k+2] + v + "\n")
				set(body[:k+1] + "\n" + strings.Repeat(" ", ind+2) + v + "\n")
			}
			for nd := 0; nd <= ind+4; nd++ {
				set(body[:k+1] + "\n" + strings.Repeat(" ", nd) + body[k+2:] + "\n")
			}
			for _, key := range []string{"yes", "true", "null", "~", "<<", "a  b", "ключ", `"username"`, "'username'",
				"? username", "username ", "a?", "a!", "a'b", "y", "NULL", "a#b", "a #b", "-"} {
				set(body[:ind] + key + body[k:] + "\n")
			}
		}
		if strings.HasPrefix(trim, "- ") {
			for _, v := range trickyScalars {
				set(body[:ind+2] + v + "\n")
			}
			set(body[:ind] + "-  " + body[ind+2:] + "\n")
			set(body[:ind] + "-\n" + strings.Repeat(" ", ind+2) + body[ind+2:] + "\n")
		}
	}
	return out
}

// TestFastPathMutations checks, for every file made from mutationBases by
// mutations that the fast path decodes, that yaml.v3 decodes it without a
// problem and the same.
func TestFastPathMutations(t *testing.T) {
	decoded := 0
	for _, base := range mutationBases {
		if !agreeWithYAML(t, []byte(base)) {
			t.Fatalf("the fast path gave up on a file in its form:\n%s", base)
		}
		for _, text := range mutations(base) {
			if agreeWithYAML(t, []byte(text)) {
				decoded++
			}
		}
	}
	if decoded < 2000 {
		t.Fatalf("only %d changed files took the fast path: the test checks little", decoded)
	}
}
