package ogsim

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode"
)

// userFilter reports whether a user matches a list query.
type userFilter func(*user) bool

// parseUserQuery parses the query parameter of GET /v2/users: OpsGenie's
// search syntax, reduced to what users need.
//
//	query   = or
//	or      = and { "OR" and }
//	and     = unary { ["AND"] unary }        (juxtaposition means AND)
//	unary   = "NOT" unary | "(" or ")" | term
//	term    = field (":" | "=" | "!=") value | value
//
// Fields (case-insensitive): id, username, fullName, role, blocked,
// verified, timeZone (or timezone), locale. A value is a bare word or a
// "quoted string". username and fullName match a case-insensitive
// substring, or a glob when the value contains "*"; role, timeZone and
// locale match case-insensitively and exactly; blocked and verified take
// true or false; id matches exactly. A term without a field matches a
// substring of the username or the full name.
func parseUserQuery(q string) (userFilter, error) {
	toks, err := lexQuery(q)
	if err != nil {
		return nil, err
	}
	p := &queryParser{toks: toks}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("query: unexpected %q", p.toks[p.pos].text)
	}
	return f, nil
}

type tokKind int

const (
	tokWord tokKind = iota
	tokQuoted
	tokOp // ":", "=", "!="
	tokLParen
	tokRParen
)

type token struct {
	kind tokKind
	text string
}

func lexQuery(q string) ([]token, error) {
	var toks []token
	rs := []rune(q)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(':
			toks = append(toks, token{tokLParen, "("})
			i++
		case r == ')':
			toks = append(toks, token{tokRParen, ")"})
			i++
		case r == ':' || r == '=':
			toks = append(toks, token{tokOp, string(r)})
			i++
		case r == '!' && i+1 < len(rs) && rs[i+1] == '=':
			toks = append(toks, token{tokOp, "!="})
			i += 2
		case r == '"':
			var sb strings.Builder
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) {
					j++
				}
				sb.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, errors.New("query: unterminated quoted string")
			}
			toks = append(toks, token{tokQuoted, sb.String()})
			i = j + 1
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune("():=\"", rs[j]) &&
				(rs[j] != '!' || j+1 >= len(rs) || rs[j+1] != '=') {
				j++
			}
			toks = append(toks, token{tokWord, string(rs[i:j])})
			i = j
		}
	}
	if len(toks) == 0 {
		return nil, errors.New("query: empty")
	}
	return toks, nil
}

type queryParser struct {
	toks []token
	pos  int
}

func (p *queryParser) peek() (token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return token{}, false
}

func (p *queryParser) keyword(word string) bool {
	t, ok := p.peek()
	if ok && t.kind == tokWord && strings.EqualFold(t.text, word) {
		p.pos++
		return true
	}
	return false
}

func (p *queryParser) or() (userFilter, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("OR") {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(u *user) bool { return l(u) || right(u) }
	}
	return left, nil
}

func (p *queryParser) and() (userFilter, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok || t.kind == tokRParen || (t.kind == tokWord && strings.EqualFold(t.text, "OR")) {
			return left, nil
		}
		p.keyword("AND")
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(u *user) bool { return l(u) && right(u) }
	}
}

func (p *queryParser) unary() (userFilter, error) {
	if p.keyword("NOT") {
		f, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(u *user) bool { return !f(u) }, nil
	}
	t, ok := p.peek()
	if !ok {
		return nil, errors.New("query: unexpected end")
	}
	switch t.kind {
	case tokLParen:
		p.pos++
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if t, ok := p.peek(); !ok || t.kind != tokRParen {
			return nil, errors.New("query: missing )")
		}
		p.pos++
		return f, nil
	case tokWord, tokQuoted:
		p.pos++
		if op, ok := p.peek(); ok && op.kind == tokOp && t.kind == tokWord {
			p.pos++
			v, ok := p.peek()
			if !ok || (v.kind != tokWord && v.kind != tokQuoted) {
				return nil, fmt.Errorf("query: %s%s needs a value", t.text, op.text)
			}
			p.pos++
			f, err := fieldFilter(t.text, v.text)
			if err != nil {
				return nil, err
			}
			if op.text == "!=" {
				return func(u *user) bool { return !f(u) }, nil
			}
			return f, nil
		}
		v := strings.ToLower(t.text)
		return func(u *user) bool {
			return strings.Contains(u.username, v) || strings.Contains(strings.ToLower(u.fullName), v)
		}, nil
	default:
		return nil, fmt.Errorf("query: unexpected %q", t.text)
	}
}

func fieldFilter(field, value string) (userFilter, error) {
	lv := strings.ToLower(value)
	text := func(get func(*user) string) userFilter {
		if strings.Contains(lv, "*") {
			return func(u *user) bool {
				ok, _ := path.Match(lv, strings.ToLower(get(u)))
				return ok
			}
		}
		return func(u *user) bool { return strings.Contains(strings.ToLower(get(u)), lv) }
	}
	boolean := func(get func(*user) bool) (userFilter, error) {
		switch lv {
		case "true":
			return func(u *user) bool { return get(u) }, nil
		case "false":
			return func(u *user) bool { return !get(u) }, nil
		}
		return nil, fmt.Errorf("query: %s takes true or false, not %q", field, value)
	}
	switch strings.ToLower(field) {
	case "id":
		return func(u *user) bool { return u.id == value }, nil
	case "username":
		return text(func(u *user) string { return u.username }), nil
	case "fullname":
		return text(func(u *user) string { return u.fullName }), nil
	case "role":
		return func(u *user) bool { return strings.EqualFold(u.roleName, value) }, nil
	case "timezone":
		return func(u *user) bool { return strings.EqualFold(u.timeZone, value) }, nil
	case "locale":
		return func(u *user) bool { return strings.EqualFold(u.locale, value) }, nil
	case "blocked":
		return boolean(func(u *user) bool { return u.blocked })
	case "verified":
		return boolean(func(u *user) bool { return u.verified })
	}
	return nil, fmt.Errorf("query: unknown field %q (use id, username, fullName, role, blocked, verified, timeZone or locale)", field)
}
