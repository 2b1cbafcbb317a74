package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/planner"
)

// Every format shows what the target cannot manage.
func TestUnmanageableRendered(t *testing.T) {
	p := &planner.Plan{FormatVersion: planner.FormatVersion, Actions: []*planner.Action{}, Skipped: []planner.Skip{},
		Unmanageable: []planner.Skip{{Type: planner.UpdateUser, User: "ann@example.com", Fields: []string{"tags"},
			Reason: "unmanageable on this target: no tags there"}}}
	for _, format := range []string{FormatText, FormatMarkdown, FormatJSON} {
		var b bytes.Buffer
		if err := Render(&b, p, format); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if out := b.String(); !strings.Contains(out, "ann@example.com") || !strings.Contains(out, "no tags there") {
			t.Errorf("%s does not show the unmanageable change:\n%s", format, out)
		}
	}
}
