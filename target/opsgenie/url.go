package opsgenie

import "github.com/ogsync/ogsync/target"

// CheckURL accepts an https URL, or an http URL whose host is a loopback
// address; with no path, query or credentials: target.CheckBaseURL. Its
// errors show the URL without its query, fragment or credentials (which
// may hold a key).
func CheckURL(raw string) error { return target.CheckBaseURL(raw, DefaultBaseURL) }
