package source

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The fast path decodes the common form of a desired-state file without
// building a yaml.v3 node tree: block mappings and sequences indented with
// spaces, single-line plain, single-quoted and double-quoted (without
// escapes) scalars, comments, and flow sequences of such scalars on one
// line ([] and {} for empty lists and mappings). It gives exactly the
// fileDoc, field paths and positions the yaml.v3 path (parseYAML and the
// decoder) gives for the same text, and only for files that path decodes
// without a problem: on anything else (another YAML feature, a problem the
// decoder would report such as an unknown or duplicate key, a missing
// required key, a value of the wrong kind, a plain scalar that is not a
// string) it gives up and the file is decoded by yaml.v3, which reports
// what is wrong. TestFastPathAgreesWithYAML, TestFastPathRandomForms,
// TestFastPathMutations and FuzzFastPath check both claims against yaml.v3.

// maxShared bounds the distinct values a load's fast path shares.
const maxShared = 4096

// bailOut is what the fast path panics with to give up a file.
type bailOut struct{}

// fastParse decodes data by the fast path; ok is false when the file is
// outside what it handles (then nothing is known about the file). Values
// that repeat are shared through shared, which may serve several files.
func fastParse(data string, shared map[string]string) (fd *fileDoc, ok bool) {
	if len(data) == 0 || strings.IndexByte(data, '\r') >= 0 || strings.IndexByte(data, '\t') >= 0 ||
		strings.Contains(data, "\xc2\x85") || strings.Contains(data, "\xe2\x80\xa8") ||
		strings.Contains(data, "\xe2\x80\xa9") || strings.Contains(data, "\xef\xbb\xbf") {
		return nil, false // line breaks yaml.v3 knows besides \n, tabs, byte order marks
	}
	defer func() {
		if r := recover(); r != nil {
			if _, bail := r.(bailOut); !bail {
				panic(r)
			}
			fd, ok = nil, false
		}
	}()
	if shared == nil {
		shared = map[string]string{}
	}
	p := &fastParser{text: data, shared: shared}
	return p.file(), true
}

// fastParser reads one file line by line. Its current line is the next
// significant one: not blank and not only a comment.
type fastParser struct {
	text string
	// The current line: its number, where it starts and ends (before the
	// newline), its indentation and where its content starts. eof is set
	// after the last line.
	line             int
	start, end       int
	indent, content  int
	eof              bool
	next, nextNumber int // where the line after it starts, and its number
	colAt, col       int // an offset on the line and its column, 0-based (see posAt)

	shared  map[string]string // see keep
	strs    []string          // slab of the strings optional fields point to
	members []memberDoc       // slab of the teams' members, one after the other
	strList []string          // slab of lists of strings
	posList []pos             // slab of lists of positions
	scratch []string
	scrPos  []pos
}

func bail() { panic(bailOut{}) }

// advance moves to the next significant line.
func (p *fastParser) advance() {
	for p.next < len(p.text) {
		start := p.next
		end := strings.IndexByte(p.text[start:], '\n')
		if end < 0 {
			end = len(p.text)
		} else {
			end += start
		}
		p.nextNumber++
		p.next = end + 1
		i := start
		for i < end && p.text[i] == ' ' {
			i++
		}
		if i == end || p.text[i] == '#' {
			continue
		}
		p.line, p.start, p.end, p.indent, p.content = p.nextNumber, start, end, i-start, i
		p.colAt, p.col = start, 0
		return
	}
	p.eof, p.indent = true, -1
}

// posAt is the position of the byte at offset o of the current line;
// yaml.v3 counts columns in characters. It counts on from the offset it
// was last asked for on the line, so that a long line costs once.
func (p *fastParser) posAt(o int) pos {
	if o < p.colAt {
		p.colAt, p.col = p.start, 0
	}
	col := p.col + o - p.colAt
	for i := p.colAt; i < o; i++ {
		if p.text[i] >= utf8.RuneSelf {
			col = p.col + utf8.RuneCountInString(p.text[p.colAt:o])
			break
		}
	}
	p.colAt, p.col = o, col
	return pos{int32(p.line), int32(col + 1)}
}

// isItem reports whether the current line starts a block sequence item.
func (p *fastParser) isItem() bool {
	return !p.eof && p.text[p.content] == '-' && (p.content+1 == p.end || p.text[p.content+1] == ' ')
}

// skipSpaces returns the first offset from o on the current line that is
// not a space.
func (p *fastParser) skipSpaces(o int) int {
	for o < p.end && p.text[o] == ' ' {
		o++
	}
	return o
}

// lineDone checks that nothing but spaces and a comment follows offset o on
// the current line, and moves to the next line.
func (p *fastParser) lineDone(o int) {
	i := p.skipSpaces(o)
	if i < p.end && (p.text[i] != '#' || i == o) {
		bail()
	}
	p.advance()
}

// inlineEmpty reports whether nothing but spaces and a comment follows
// offset o: the value of a key is then on the next lines.
func (p *fastParser) inlineEmpty(o int) bool {
	i := p.skipSpaces(o)
	return i == p.end || p.text[i] == '#' && i > o
}

// key reads the plain key of a block mapping at offset o and returns it,
// its position and the offset after its colon.
func (p *fastParser) key(o int) (string, pos, int) {
	if !startsPlain(p.text, o) {
		bail()
	}
	i := o
	for i < p.end && i-o < 256 {
		c := p.text[i]
		if c == ':' {
			if i+1 < p.end && p.text[i+1] != ' ' {
				bail()
			}
			k := strings.TrimRight(p.text[o:i], " ")
			if notString(k) {
				bail()
			}
			return k, p.posAt(o), i + 1
		}
		if c == '#' || c == ',' || c == '[' || c == ']' || c == '{' || c == '}' || c == '"' || c == '\'' {
			bail()
		}
		i = p.printable(i)
	}
	bail()
	return "", pos{}, 0
}

// printable returns the offset after the character at i, giving up on
// one yaml.v3 might read otherwise than as itself.
func (p *fastParser) printable(i int) int {
	c := p.text[i]
	if c < utf8.RuneSelf {
		if c < ' ' || c == 0x7f {
			bail()
		}
		return i + 1
	}
	r, size := utf8.DecodeRuneInString(p.text[i:])
	if r == utf8.RuneError || r > 0xffff || !unicode.IsPrint(r) {
		bail()
	}
	return i + size
}

// startsPlain reports whether a plain scalar at o starts with a letter,
// which no YAML indicator is and which yaml.v3 resolves by its table only.
func startsPlain(s string, o int) bool {
	if o >= len(s) {
		return false
	}
	c := s[o]
	if c < utf8.RuneSelf {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(s[o:])
	return unicode.IsLetter(r)
}

// notString reports whether yaml.v3 resolves a plain scalar starting with
// a letter to something else than a string.
func notString(s string) bool {
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return true
	}
	return false
}

// isUUID reports whether s has the form of a UUID (OpsGenie's team ids,
// as export writes them): yaml.v3 resolves it to a string although it may
// start with a digit, since it is neither a number nor a timestamp.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// scalar reads a scalar at offset o of the current line, in a flow
// sequence when flow is set, and returns its value and the offset after it.
func (p *fastParser) scalar(o int, flow bool) (string, int) {
	switch p.text[o] {
	case '\'':
		escaped := false
		for i := o + 1; i < p.end; {
			if p.text[i] == '\'' {
				if i+1 < p.end && p.text[i+1] == '\'' {
					escaped = true
					i += 2
					continue
				}
				s := p.text[o+1 : i]
				if escaped {
					s = strings.ReplaceAll(s, "''", "'")
				}
				return s, i + 1
			}
			i = p.printable(i)
		}
	case '"':
		for i := o + 1; i < p.end; {
			switch p.text[i] {
			case '"':
				return p.text[o+1 : i], i + 1
			case '\\':
				bail()
			}
			i = p.printable(i)
		}
	default:
		digit := p.text[o] >= '0' && p.text[o] <= '9'
		if !digit && !startsPlain(p.text, o) {
			bail()
		}
		i := o
		for i < p.end {
			c := p.text[i]
			if c == ' ' && i+1 < p.end && p.text[i+1] == '#' {
				break
			}
			if flow && (c == ',' || c == ']') {
				break
			}
			if c == ':' || c == '#' || flow && (c == '[' || c == '{' || c == '}' || c == '?') {
				bail()
			}
			i = p.printable(i)
		}
		s := strings.TrimRight(p.text[o:i], " ")
		if notString(s) || digit && !isUUID(s) {
			bail()
		}
		return s, i
	}
	bail() // a quoted scalar that goes on past the line
	return "", 0
}

// stringValue reads the string value of a key whose colon ends at r.
func (p *fastParser) stringValue(r int) (string, pos) {
	o := p.skipSpaces(r)
	if p.inlineEmpty(r) {
		bail() // null, or a value on the next lines
	}
	s, end := p.scalar(o, false)
	at := p.posAt(o)
	p.lineDone(end)
	return s, at
}

// ptr returns a pointer to a copy of s, from a slab.
func (p *fastParser) ptr(s string) *string {
	if len(p.strs) == cap(p.strs) {
		p.strs = make([]string, 0, 256)
	}
	p.strs = append(p.strs, s)
	return &p.strs[len(p.strs)-1]
}

// valueStart finds the value of a key of a block mapping indented by m
// whose colon ends at r, when it is a collection: on the same line (flow,
// at the returned offset) or on the next lines (block, the current line
// then being its first; or flow, on the next line).
func (p *fastParser) valueStart(m, r int, seq bool) (flowAt int, block bool) {
	if !p.inlineEmpty(r) {
		return p.skipSpaces(r), false
	}
	p.advance()
	switch {
	case p.eof:
		bail() // null
	case p.indent > m && (p.text[p.content] == '[' || p.text[p.content] == '{'):
		return p.content, false
	case seq && p.isItem() && p.indent >= m, !seq && p.indent > m && !p.isItem():
		return 0, true
	}
	bail()
	return 0, false
}

// emptyFlow reads the empty flow collection ([] or {}, as open and close
// say) at offset o and returns its position.
func (p *fastParser) emptyFlow(o int, open, close byte) pos {
	if p.text[o] != open {
		bail()
	}
	at := p.posAt(o)
	i := p.skipSpaces(o + 1)
	if i >= p.end || p.text[i] != close {
		bail()
	}
	p.lineDone(i + 1)
	return at
}

// stringSeq reads a list of strings, the value of a key of a block mapping
// indented by m whose colon ends at r. It returns the strings, their
// positions (nil for none) and the list's position.
func (p *fastParser) stringSeq(m, r int) ([]string, []pos, pos) {
	o, block := p.valueStart(m, r, true)
	var at pos
	p.scratch, p.scrPos = p.scratch[:0], p.scrPos[:0]
	if block {
		at = p.posAt(p.content)
		si := p.indent
		for p.indent == si && p.isItem() {
			o := p.skipSpaces(p.content + 1)
			if o == p.end || p.text[o] == '#' || p.text[o] == '[' || p.text[o] == '-' {
				bail()
			}
			s, end := p.scalar(o, false)
			p.scratch, p.scrPos = append(p.scratch, p.keep(s, true)), append(p.scrPos, p.posAt(o))
			p.lineDone(end)
		}
	} else {
		if p.text[o] != '[' {
			bail()
		}
		at = p.posAt(o)
		i := p.skipSpaces(o + 1)
		if i < p.end && p.text[i] == ']' {
			p.lineDone(i + 1)
		} else {
			for {
				if i >= p.end {
					bail()
				}
				s, end := p.scalar(i, true)
				p.scratch, p.scrPos = append(p.scratch, p.keep(s, true)), append(p.scrPos, p.posAt(i))
				i = p.skipSpaces(end)
				if i >= p.end {
					bail()
				}
				if p.text[i] == ']' {
					p.lineDone(i + 1)
					break
				}
				if p.text[i] != ',' {
					bail()
				}
				i = p.skipSpaces(i + 1)
			}
		}
	}
	n := len(p.scratch)
	if n == 0 {
		return []string{}, nil, at
	}
	if len(p.strList)+n > cap(p.strList) {
		p.strList = make([]string, 0, max(n, 1024))
		p.posList = make([]pos, 0, max(n, 1024))
	}
	k := len(p.strList)
	p.strList = append(p.strList, p.scratch...)
	p.posList = append(p.posList, p.scrPos...)
	return p.strList[k : k+n : k+n], p.posList[k : k+n : k+n], at
}

// items reads a block sequence of mappings, or [], the value of a key of a
// block mapping indented by m whose colon ends at r. item reads one
// mapping: index i, its first key at offset o of the current line, its
// keys indented by mi.
func (p *fastParser) items(m, r int, item func(i, o, mi int)) {
	o, block := p.valueStart(m, r, true)
	if !block {
		p.emptyFlow(o, '[', ']')
		return
	}
	si := p.indent
	for i := 0; p.indent == si && p.isItem(); i++ {
		o := p.skipSpaces(p.content + 1)
		if o == p.end || p.text[o] == '#' {
			bail()
		}
		item(i, o, o-p.start)
	}
}

// mapping reads the keys of a block mapping whose first key is at offset o
// of the current line and whose keys are indented by mi; each calls value
// with a key and the offset after its colon, once per key.
func (p *fastParser) mapping(o, mi int, value func(key string, at pos, r int)) {
	for {
		k, at, r := p.key(o)
		value(k, at, r)
		if p.indent != mi {
			return
		}
		o = p.content
	}
}

// optional reads the string value of an optional key, number k of its
// mapping, whose colon ends at r, into dst and its position into at.
// Values that repeat (a role, a time zone) are shared when shared is set.
func (p *fastParser) optional(seen *uint8, k uint, r int, shared bool, dst **string, at *pos) {
	seenKey(seen, k)
	s, where := p.stringValue(r)
	*dst, *at = p.ptr(p.keep(s, shared)), where
}

// keep returns a copy of s, a part of the file's text, so that what is
// decoded does not keep the whole text alive. With shared, equal values
// share one copy (up to a bound on the distinct values remembered).
func (p *fastParser) keep(s string, shared bool) string {
	if !shared {
		return strings.Clone(s)
	}
	if v, ok := p.shared[s]; ok {
		return v
	}
	v := strings.Clone(s)
	if len(p.shared) < maxShared {
		p.shared[v] = v
	}
	return v
}

// maxEstimate bounds estimate, so that a file of keys in comments cannot
// make the fast path reserve much more memory than its size.
const maxEstimate = 1 << 14

// estimate is about how many times a key occurs in text (it may occur in
// comments and values too): the capacity to reserve for what it starts.
func estimate(text, key string) int { return min(strings.Count(text, key), maxEstimate) }

// seenKey records key number k of a mapping, giving up on a duplicate.
func seenKey(seen *uint8, k uint) {
	if *seen&(1<<k) != 0 {
		bail()
	}
	*seen |= 1 << k
}

func (p *fastParser) file() *fileDoc {
	p.advance()
	if p.eof || p.indent != 0 {
		bail()
	}
	fd := &fileDoc{}
	var seen uint8
	p.mapping(p.content, 0, func(key string, _ pos, r int) {
		switch key {
		case "roles":
			seenKey(&seen, 0)
			fd.Roles, fd.at.roles, _ = p.stringSeq(0, r)
		case "users":
			seenKey(&seen, 1)
			fd.Users = make([]userDoc, 0, estimate(p.text, "username:"))
			p.items(0, r, func(i, o, mi int) { fd.Users = append(fd.Users, p.user(i, o, mi)) })
		case "teams":
			seenKey(&seen, 2)
			fd.Teams = make([]teamDoc, 0, max(0, estimate(p.text, "name:")-estimate(p.text, "username:")))
			p.items(0, r, func(i, o, mi int) { fd.Teams = append(fd.Teams, p.team(i, o, mi)) })
		default:
			bail()
		}
	})
	if !p.eof {
		bail()
	}
	return fd
}

func (p *fastParser) user(i, o, mi int) userDoc {
	u := userDoc{Path: "users[" + strconv.Itoa(i) + "]"}
	u.at.line = int32(p.line)
	u.at.usernameIsString = true
	var seen uint8
	p.mapping(o, mi, func(key string, _ pos, r int) {
		switch key {
		case "username":
			seenKey(&seen, 0)
			s, at := p.stringValue(r)
			u.Username, u.at.username = p.keep(s, false), at
		case "fullName":
			p.optional(&seen, 1, r, false, &u.FullName, &u.at.fullName)
		case "role":
			p.optional(&seen, 2, r, true, &u.Role, &u.at.role)
		case "timeZone":
			p.optional(&seen, 3, r, true, &u.TimeZone, &u.at.timeZone)
		case "locale":
			p.optional(&seen, 4, r, true, &u.Locale, &u.at.locale)
		case "tags":
			seenKey(&seen, 5)
			tags, items, at := p.stringSeq(mi, r)
			u.Tags, u.at.tagItems, u.at.tags = &tags, items, at
		case "details":
			seenKey(&seen, 6)
			p.details(&u, mi, r)
		default:
			bail()
		}
	})
	if seen&1 == 0 {
		bail() // no username
	}
	return u
}

func (p *fastParser) details(u *userDoc, mi, r int) {
	o, block := p.valueStart(mi, r, false)
	m := map[string][]string{}
	u.Details = &m
	if !block {
		u.at.details = p.emptyFlow(o, '{', '}')
		u.at.detailKeys = []detailPos{}
		return
	}
	u.at.details = p.posAt(p.content)
	p.mapping(p.content, p.indent, func(key string, at pos, r int) {
		if _, dup := m[key]; dup {
			bail()
		}
		vals, items, seq := p.stringSeq(p.indent, r)
		key = p.keep(key, true)
		m[key] = vals
		u.at.detailKeys = append(u.at.detailKeys, detailPos{key: key, keyAt: at, seq: seq, items: items})
	})
	slices.SortFunc(u.at.detailKeys, func(a, b detailPos) int { return strings.Compare(a.key, b.key) })
}

func (p *fastParser) team(i, o, mi int) teamDoc {
	t := teamDoc{Path: "teams[" + strconv.Itoa(i) + "]"}
	t.at.line = int32(p.line)
	t.at.nameIsString = true
	var seen uint8
	p.mapping(o, mi, func(key string, _ pos, r int) {
		switch key {
		case "id":
			p.optional(&seen, 1, r, false, &t.ID, &t.at.id)
		case "name":
			seenKey(&seen, 0)
			s, at := p.stringValue(r)
			t.Name, t.at.name = p.keep(s, false), at
		case "description":
			p.optional(&seen, 2, r, false, &t.Description, &t.at.description)
		case "members":
			seenKey(&seen, 3)
			if p.members == nil {
				p.members = make([]memberDoc, 0, estimate(p.text, "user:"))
			}
			k := len(p.members)
			p.items(mi, r, func(j, o, mj int) { p.members = append(p.members, p.member(t.Path, j, o, mj)) })
			members := p.members[k:len(p.members):len(p.members)]
			t.Members = &members
		default:
			bail()
		}
	})
	if seen&1 == 0 {
		bail() // no name
	}
	return t
}

func (p *fastParser) member(team string, i, o, mi int) memberDoc {
	m := memberDoc{Path: team + ".members[" + strconv.Itoa(i) + "]"}
	m.at.line = int32(p.line)
	m.at.userIsString, m.at.roleIsString = true, true
	var seen uint8
	p.mapping(o, mi, func(key string, _ pos, r int) {
		switch key {
		case "user":
			seenKey(&seen, 0)
			m.User, m.at.user = p.stringValue(r) // validation copies it (see validator.member)
		case "role":
			seenKey(&seen, 1)
			s, at := p.stringValue(r)
			m.Role, m.at.role = p.keep(s, true), at
		default:
			bail()
		}
	})
	if seen != 3 {
		bail() // user or role missing
	}
	return m
}
