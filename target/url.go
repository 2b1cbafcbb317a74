package target

import (
	"fmt"
	"net"
	"net/url"
)

// CheckBaseURL accepts the base URL of a target's API: https, or http
// whose host is a loopback address (an emulator); with no path, query or
// credentials. example is a good URL, named when raw is not a URL at all.
// The errors show the URL without its query, fragment or credentials
// (which may hold a key).
func CheckBaseURL(raw, example string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("not an absolute URL such as %s", example)
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	if u.User != nil {
		return fmt.Errorf("%q: the URL must not carry credentials", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fmt.Errorf("%q: must be a base URL with no query (the query is not shown)", shown)
	}
	if u.Path != "" && u.Path != "/" {
		return fmt.Errorf("%q must be a base URL with no path or query", shown)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q: http is allowed only on a loopback address; use https", shown)
	default:
		return fmt.Errorf("%q: scheme must be https", shown)
	}
}

// IsLoopback reports whether host is localhost or a loopback IP address.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
