package target

import "errors"

// IsForbidden reports whether err says the target refused a write for want
// of a right (an HTTP 403: the key lacks a permission): every later write
// would need the same right, so the engine starts no new action after it.
// A target's error says so with a method Forbidden() bool.
func IsForbidden(err error) bool {
	var f interface{ Forbidden() bool }
	return errors.As(err, &f) && f.Forbidden()
}
