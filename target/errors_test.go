package target_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ogsync/ogsync/target"
)

type statusError int

func (e statusError) Error() string   { return fmt.Sprintf("status %d", int(e)) }
func (e statusError) Forbidden() bool { return e == 403 }

func TestIsForbidden(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("plain"), false},
		{statusError(404), false},
		{statusError(403), true},
		{fmt.Errorf("creating a user: %w", statusError(403)), true},
	} {
		if got := target.IsForbidden(tc.err); got != tc.want {
			t.Errorf("IsForbidden(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
