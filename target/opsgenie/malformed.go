package opsgenie

import "fmt"

// MalformedError is an API answer that ogsync refuses to plan from: an
// entry without the fields that identify it, a duplicate, a null. A cycle
// that meets one fails closed, before any write: planning from it could
// create or delete what it should not.
type MalformedError struct {
	// Route is the route that answered, such as "/v2/users".
	Route string
	// Where names the page and the entry, such as "page at offset 100, data[3]".
	Where string
	// Problem says what is wrong with it, naming the field.
	Problem string
}

// Error names the route, the entry and the problem.
func (e *MalformedError) Error() string {
	return fmt.Sprintf("opsgenie: GET %s: malformed answer: %s: %s; nothing was planned from it", e.Route, e.Where, e.Problem)
}
