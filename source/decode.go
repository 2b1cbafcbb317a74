package source

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/ogsync/ogsync/internal/yamlstrict"
)

// The decoding types below are the schema of a desired-state file. Their yaml
// tags are the only keys accepted; a non-pointer string field is required; a
// pointer field is optional and, when present, managed. The JSON Schema in
// schema/ is kept equal to them by a test.
//
// Path is filled by the decoder: the field path of the value, for errors.
// The positions (at) are filled by the type's locate method once the value
// is decoded: the file:line:col of what validation may cite, so that the
// YAML node tree of a file can be dropped as soon as the file is decoded.

// fileDoc is one desired-state file.
type fileDoc struct {
	// Roles declares the custom role names the users may have.
	Roles []string  `yaml:"roles"`
	Users []userDoc `yaml:"users"`
	Teams []teamDoc `yaml:"teams"`

	Path string `yaml:"-"`
	at   struct {
		roles []pos // of each of Roles
	}
}

func (f *fileDoc) locate(n *yaml.Node) {
	seq := valueNode(n, "roles")
	f.at.roles = itemPositions(seq, len(f.Roles))
}

// userDoc is one user.
type userDoc struct {
	Username string               `yaml:"username"`
	FullName *string              `yaml:"fullName"`
	Role     *string              `yaml:"role"`
	TimeZone *string              `yaml:"timeZone"`
	Locale   *string              `yaml:"locale"`
	Tags     *[]string            `yaml:"tags"`
	Details  *map[string][]string `yaml:"details"`

	Path string `yaml:"-"`
	at   struct {
		line                                                      int32 // of the mapping
		usernameIsString                                          bool
		username, fullName, role, timeZone, locale, tags, details pos
		tagItems                                                  []pos       // of each of Tags
		detailKeys                                                []detailPos // of each key of Details, sorted
	}
}

// detailPos is where one key of a user's details and its values are.
type detailPos struct {
	key        string
	keyAt, seq pos
	items      []pos // of each value
}

func (u *userDoc) locate(n *yaml.Node) {
	u.at.line = int32(n.Line)
	name := valueNode(n, "username")
	u.at.usernameIsString = isString(name)
	u.at.username = posOf(name)
	u.at.fullName = posOf(valueNode(n, "fullName"))
	u.at.role = posOf(valueNode(n, "role"))
	u.at.timeZone = posOf(valueNode(n, "timeZone"))
	u.at.locale = posOf(valueNode(n, "locale"))
	tags := valueNode(n, "tags")
	u.at.tags = posOf(tags)
	if u.Tags != nil {
		u.at.tagItems = itemPositions(tags, len(*u.Tags))
	}
	m := valueNode(n, "details")
	u.at.details = posOf(m)
	if u.Details != nil {
		keys := slices.Sorted(maps.Keys(*u.Details))
		u.at.detailKeys = make([]detailPos, len(keys))
		for i, k := range keys {
			seq := valueNode(m, k)
			u.at.detailKeys[i] = detailPos{key: k, keyAt: posOf(keyNode(m, k)), seq: posOf(seq),
				items: itemPositions(seq, len((*u.Details)[k]))}
		}
	}
}

// teamDoc is one team.
type teamDoc struct {
	ID          *string      `yaml:"id"`
	Name        string       `yaml:"name"`
	Description *string      `yaml:"description"`
	Members     *[]memberDoc `yaml:"members"`

	Path string `yaml:"-"`
	at   struct {
		line                  int32 // of the mapping
		nameIsString          bool
		id, name, description pos
	}
}

func (t *teamDoc) locate(n *yaml.Node) {
	t.at.line = int32(n.Line)
	name := valueNode(n, "name")
	t.at.nameIsString = isString(name)
	t.at.name = posOf(name)
	t.at.id = posOf(valueNode(n, "id"))
	t.at.description = posOf(valueNode(n, "description"))
}

// memberDoc is one membership of a team.
type memberDoc struct {
	User string `yaml:"user"`
	Role string `yaml:"role"`

	Path string `yaml:"-"`
	at   struct {
		line                       int32 // of the mapping
		userIsString, roleIsString bool
		user, role                 pos
	}
}

func (m *memberDoc) locate(n *yaml.Node) {
	m.at.line = int32(n.Line)
	user, role := valueNode(n, "user"), valueNode(n, "role")
	m.at.userIsString, m.at.roleIsString = isString(user), isString(role)
	m.at.user, m.at.role = posOf(user), posOf(role)
}

// locator is a decoding type that keeps the positions of its node.
type locator interface{ locate(n *yaml.Node) }

// pos is the line and column of a node; zero for no node. int32 holds
// every position of a file of at most MaxFileSize bytes.
type pos struct{ line, col int32 }

func posOf(n *yaml.Node) pos {
	if n == nil {
		return pos{}
	}
	return pos{int32(n.Line), int32(n.Column)}
}

// itemPositions returns the positions of the first count items of a
// sequence node, as itemNode finds them.
func itemPositions(seq *yaml.Node, count int) []pos {
	if count == 0 {
		return nil
	}
	ps := make([]pos, count)
	for i := range ps {
		ps[i] = posOf(itemNode(seq, i))
	}
	return ps
}

// structInfo is what the decoder knows of a decoding type.
type structInfo struct {
	keys     []string       // yaml keys, in field order
	index    map[string]int // yaml key → field index
	required []string       // keys of non-pointer string fields
	path     int            // index of the Path field, or -1
}

var structInfos sync.Map // reflect.Type → *structInfo

func infoOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{index: map[string]int{}, path: -1}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		switch {
		case tag == "-" && f.Name == "Path":
			si.path = i
		case tag != "" && tag != "-":
			si.keys = append(si.keys, tag)
			si.index[tag] = i
			if f.Type.Kind() == reflect.String {
				si.required = append(si.required, tag)
			}
		}
	}
	structInfos.Store(t, si)
	return si
}

// decoder decodes YAML nodes into the decoding types strictly, reporting
// every problem it finds instead of stopping at the first.
type decoder struct {
	file string
	c    *collector
}

func (d *decoder) errorf(n *yaml.Node, field, format string, args ...any) {
	e := Error{File: d.file, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.c.add(e)
}

// check refuses the YAML features that hide what a value holds: aliases,
// anchors and custom tags. It reports whether the node may be decoded.
func (d *decoder) check(n *yaml.Node, field string) bool {
	if n.Kind == yaml.AliasNode {
		d.errorf(n, field, "aliases (*%s) are not allowed; write the value out", n.Value)
		return false
	}
	ok := true
	if n.Anchor != "" {
		d.errorf(n, field, "anchors (&%s) are not allowed", n.Anchor)
	}
	// yaml.v3 writes the standard tags short (!!str); a local tag starts
	// with one !, a global one (!<tag:example.com,2000:x>, or one a %TAG
	// directive names) with its URI.
	if n.Tag != "" && !strings.HasPrefix(n.Tag, "!!") {
		d.errorf(n, field, "custom tags (%s) are not allowed", n.Tag)
		ok = false
	}
	return ok
}

// decode decodes n into v and reports whether it succeeded.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, field string) bool {
	if !d.check(n, field) {
		return false
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			hint := "give a value"
			switch v.Type().Elem().Kind() {
			case reflect.Slice:
				hint = "write [] for an empty list"
			case reflect.Map:
				hint = "write {} for an empty mapping"
			}
			d.errorf(n, field, "must not be null: leave the key out to leave the field unmanaged, or %s", hint)
			return false
		}
		p := reflect.New(v.Type().Elem())
		if !d.decode(n, p.Elem(), field) {
			return false
		}
		v.Set(p)
		return true
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			d.typeError(n, field, "a string")
			return false
		}
		v.SetString(n.Value)
		return true
	case reflect.Slice:
		return d.decodeSlice(n, v, field)
	case reflect.Map:
		return d.decodeMap(n, v, field)
	case reflect.Struct:
		return d.decodeStruct(n, v, field)
	}
	panic(fmt.Sprintf("source: cannot decode into %s", v.Type())) // a programming error in the decoding types
}

// plainString decodes n into v when n is a string scalar with no anchor or
// tag of its own and v a string or a *string: the common case, which needs
// no field path (a path is built only for a value that may be wrong). It
// reports whether it did.
func plainString(n *yaml.Node, v reflect.Value) bool {
	if n.Kind != yaml.ScalarNode || n.Anchor != "" || n.ShortTag() != "!!str" {
		return false
	}
	switch {
	case v.Kind() == reflect.String:
		v.SetString(n.Value)
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.String:
		s := n.Value
		v.Set(reflect.ValueOf(&s))
	default:
		return false
	}
	return true
}

func (d *decoder) typeError(n *yaml.Node, field, want string) {
	msg := fmt.Sprintf("must be %s, not %s", want, describe(n))
	if want == "a string" && n.Kind == yaml.ScalarNode && !isNull(n) {
		msg += fmt.Sprintf(" (quote it: %s)", strconv.Quote(n.Value))
	}
	d.errorf(n, field, "%s", msg)
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, field string) bool {
	if n.Kind != yaml.SequenceNode {
		d.typeError(n, field, "a list")
		return false
	}
	structs := v.Type().Elem().Kind() == reflect.Struct
	// Items are decoded in place; k counts the good ones, and a bad item's
	// slot is cleared and reused by the next.
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	k := 0
	ok := true
	for i, c := range n.Content {
		e := s.Index(k)
		if plainString(c, e) || d.decode(c, e, field+"["+strconv.Itoa(i)+"]") {
			k++
			continue
		}
		e.SetZero()
		ok = false
	}
	s = s.Slice(0, k)
	if !ok && !structs {
		// A list of scalars is taken whole or not at all; a list of
		// mappings keeps its good entries so that they are checked too.
		return false
	}
	v.Set(s)
	return true
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, field string) bool {
	if n.Kind != yaml.MappingNode {
		d.typeError(n, field, "a mapping")
		return false
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	seen := map[string]*yaml.Node{}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key, good := d.key(k, field)
		if !good {
			ok = false
			continue
		}
		f := mapField(field, key)
		if prev, dup := seen[key]; dup {
			d.errorf(k, f, "key %s is already defined at line %d", quote(key), prev.Line)
			ok = false
			continue
		}
		seen[key] = k
		e := reflect.New(v.Type().Elem()).Elem()
		if !d.decode(val, e, f) {
			ok = false
			continue
		}
		m.SetMapIndex(reflect.ValueOf(key), e)
	}
	if !ok {
		return false
	}
	v.Set(m)
	return true
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, field string) bool {
	if n.Kind != yaml.MappingNode {
		d.typeError(n, field, "a mapping")
		return false
	}
	si := infoOf(v.Type())
	if si.path >= 0 {
		v.Field(si.path).SetString(field)
	}
	seen := make(map[string]*yaml.Node, len(si.keys))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key, good := d.key(k, field)
		if !good {
			continue
		}
		fi, known := si.index[key]
		if !known {
			d.errorf(k, joinField(field, key), "unknown key%s", suggest(key, si.keys))
			continue
		}
		if prev, dup := seen[key]; dup {
			d.errorf(k, joinField(field, key), "key %s is already defined at line %d", quote(key), prev.Line)
			continue
		}
		seen[key] = k
		if !plainString(val, v.Field(fi)) {
			d.decode(val, v.Field(fi), joinField(field, key))
		}
	}
	for _, key := range si.required {
		if seen[key] == nil {
			d.errorf(n, joinField(field, key), "is required")
		}
	}
	if l, ok := v.Addr().Interface().(locator); ok {
		l.locate(n)
	}
	return true
}

// key returns the text of a mapping key, refusing merge keys and keys that
// are not strings.
func (d *decoder) key(k *yaml.Node, field string) (string, bool) {
	if !d.check(k, field) {
		return "", false
	}
	if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
		d.errorf(k, field, "merge keys (<<) are not allowed; write the keys out")
		return "", false
	}
	if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
		d.errorf(k, field, "a key must be a string, not %s", describe(k))
		return "", false
	}
	return k.Value, true
}

// suggest names the known key the unknown one was probably meant to be, or
// lists the known keys.
func suggest(key string, keys []string) string {
	for _, k := range keys {
		if strings.EqualFold(k, key) || distance(strings.ToLower(k), strings.ToLower(key)) <= 2 {
			return fmt.Sprintf(" %s (did you mean %q?)", quote(key), k)
		}
	}
	return fmt.Sprintf(" %s (expected one of: %s)", quote(key), strings.Join(keys, ", "))
}

// distance is the Levenshtein distance of two short strings.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names the kind of a node for a type error.
func describe(n *yaml.Node) string { return yamlstrict.Describe(n) }

func joinField(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// mapField is the field path of a free-form map key: dotted when the key is
// a plain word, quoted in brackets otherwise.
func mapField(parent, key string) string {
	plain := key != "" && strings.IndexFunc(key, func(r rune) bool {
		return !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0
	if plain {
		return joinField(parent, key)
	}
	return fmt.Sprintf("%s[%s]", parent, quote(key))
}

// valueNode returns the value node of key in a mapping node, or nil.
func valueNode(n *yaml.Node, key string) *yaml.Node { return yamlstrict.Value(n, key) }

// keyNode returns the key node of key in a mapping node, or nil.
func keyNode(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

// itemNode returns the i-th item of a sequence node, or the node itself.
func itemNode(n *yaml.Node, i int) *yaml.Node {
	if n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i]
	}
	return n
}
