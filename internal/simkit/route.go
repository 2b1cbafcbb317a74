package simkit

import (
	"net/url"
	"strings"
)

// Route is the method and path pattern of an emulated endpoint; a path
// segment in braces, such as {teamId}, is a wildcard.
type Route struct {
	Method  string
	Pattern string
	segs    []string
}

// NewRoute returns the route of method and pattern.
func NewRoute(method, pattern string) Route {
	return Route{Method: method, Pattern: pattern, segs: strings.Split(strings.TrimPrefix(pattern, "/"), "/")}
}

// Name is method + " " + pattern, the key of Stats.ByRoute.
func (r *Route) Name() string { return r.Method + " " + r.Pattern }

// Param is one path wildcard of a matched request: its name without the
// braces and its unescaped value.
type Param struct {
	Name, Value string
}

// Match finds the route of a request among routes, of which route
// returns the Route. It splits the escaped path, so an encoded "/" stays
// inside its segment, and unescapes each wildcard with path rules ("+"
// stays "+", "%2B" becomes "+"); a trailing slash is ignored. It returns
// the index of the route (-1: none), the wildcards in pattern order and
// the route's name (method + " (unmatched)" for none); pathKnown reports
// whether some route has this path under another method.
func Match[T any](routes []T, route func(*T) *Route, method, escapedPath string) (i int, params []Param, name string, pathKnown bool) {
	p := strings.TrimPrefix(escapedPath, "/")
	p = strings.TrimSuffix(p, "/") // trailing-slash variants
	segs := strings.Split(p, "/")
	for i := range routes {
		cand := route(&routes[i])
		ps, ok := cand.match(segs)
		if !ok {
			continue
		}
		if cand.Method == method {
			return i, ps, cand.Name(), true
		}
		pathKnown = true
	}
	return -1, nil, method + " (unmatched)", pathKnown
}

// match matches the path segments against the pattern.
func (r *Route) match(segs []string) ([]Param, bool) {
	if len(r.segs) != len(segs) {
		return nil, false
	}
	var ps []Param
	for j, seg := range r.segs {
		if strings.HasPrefix(seg, "{") {
			v, err := url.PathUnescape(segs[j])
			if err != nil || v == "" {
				return nil, false
			}
			ps = append(ps, Param{Name: strings.Trim(seg, "{}"), Value: v})
		} else if seg != segs[j] {
			return nil, false
		}
	}
	return ps, true
}
