package atlassian

import (
	"fmt"
	"testing"

	"github.com/ogsync/ogsync/target"
)

// TestForbidden: a 403 stops the apply (target.IsForbidden), but not one on
// a member batch, which refuses a change to an EXTERNAL team.
func TestForbidden(t *testing.T) {
	for _, tc := range []struct {
		err  *APIError
		want bool
	}{
		{&APIError{Status: 403, Route: "/teams/{teamId}"}, true},
		{&APIError{Status: 403, Route: "/admin/v2/orgs/{orgId}/users/invite"}, true},
		{&APIError{Status: 403, Route: "/teams/{teamId}/members/add"}, false},
		{&APIError{Status: 404, Route: "/teams/{teamId}"}, false},
	} {
		if got := target.IsForbidden(fmt.Errorf("wrapped: %w", tc.err)); got != tc.want {
			t.Errorf("%d %s: IsForbidden = %v, want %v", tc.err.Status, tc.err.Route, got, tc.want)
		}
	}
}
