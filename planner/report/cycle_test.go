package report

import (
	"strings"
	"testing"
	"time"
)

// Text from outside (API errors, action headlines) cannot break the report's
// tables or inject Markdown or HTML.
func TestCycleMarkdownEscapes(t *testing.T) {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	c := &Cycle{Outcome: "failed", Start: start, End: start.Add(time.Second), Commit: "abc`def",
		Error:   "HTTP 500: <html>*down*</html>",
		Actions: []CycleAction{{Action: "create user a_b@example.com", Outcome: "failed", Why: "422 | bad\nrole"}}}
	var b strings.Builder
	if err := CycleMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"| error | HTTP 500: &lt;html&gt;\\*down\\*&lt;/html&gt; |",
		"| commit | `` abc`def `` |",
		"| create user a\\_b@example.com | failed | 422 \\| bad role |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "No actions.") {
		t.Errorf("a cycle with actions says none:\n%s", got)
	}
}
