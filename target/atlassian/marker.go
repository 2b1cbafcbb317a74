package atlassian

import (
	"encoding/json"
	"strings"
)

// TeamMarker ends the description of every team ogsync creates: Atlassian
// Teams have no labels (reference §7), so the ownership marker is text. It
// is stripped from the description ogsync reads, so that the desired
// description compares equal; 22 of the 360 characters a description may
// hold are taken by it.
const TeamMarker = "\n\n[managed-by: ogsync]"

// UserProperty is the Jira user property (GET/PUT
// /rest/api/3/user/properties/{key}?accountId=) that holds the ownership
// marker of the users ogsync creates: a JSON object such as
// {"managed-by": "ogsync"}. Each of its entries is read into the user's
// Details (a string as a one-value list, a list of strings as is), so that
// the planner's marker logic (Details[marker key] holds the marker value)
// works unchanged.
const UserProperty = "ogsync"

// HasTeamMarker reports whether a team description carries TeamMarker.
func HasTeamMarker(description string) bool { return strings.HasSuffix(description, TeamMarker) }

// StripTeamMarker returns the description without TeamMarker.
func StripTeamMarker(description string) string { return strings.TrimSuffix(description, TeamMarker) }

// WithTeamMarker returns the description ending with TeamMarker (once).
func WithTeamMarker(description string) string { return StripTeamMarker(description) + TeamMarker }

// PropertyDetails turns the value of UserProperty into Details entries. A
// value that is not an object of strings or string lists yields nil and false.
func PropertyDetails(value json.RawMessage) (map[string][]string, bool) {
	var raw map[string]json.RawMessage
	if json.Unmarshal(value, &raw) != nil || raw == nil {
		return nil, false
	}
	out := make(map[string][]string, len(raw))
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = []string{s}
			continue
		}
		var list []string
		if json.Unmarshal(v, &list) != nil {
			return nil, false
		}
		out[k] = list
	}
	return out, true
}
