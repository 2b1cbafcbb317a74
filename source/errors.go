package source

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ogsync/ogsync/internal/yamlstrict"
)

// MaxReported bounds the problems a ValidationErrors lists; the rest are counted.
const MaxReported = 200

// maxCollected bounds the problems kept in memory while loading.
const maxCollected = 10000

// Error is one problem in a desired-state file: File is the path of the
// file, relative to the source directory, with slashes. It formats as
// "file:line:col: field: message", the file name quoted when it holds
// control characters (see QuoteName).
type Error = yamlstrict.Error

// ValidationErrors is every problem found in a desired state, sorted by file
// and position. At most MaxReported are listed; Omitted counts the others.
type ValidationErrors struct {
	Errors  []Error
	Omitted int
}

// Error joins the problems, one a line, and says how many were left out.
func (v *ValidationErrors) Error() string {
	var b strings.Builder
	for i, e := range v.Errors {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	if v.Omitted > 0 {
		fmt.Fprintf(&b, "\nand %d more problems", v.Omitted)
	}
	return b.String()
}

// Len is the number of problems found, listed or not.
func (v *ValidationErrors) Len() int { return len(v.Errors) + v.Omitted }

// collector gathers problems, bounded.
type collector struct {
	errs    []Error
	dropped int
}

func (c *collector) add(e Error) {
	if len(c.errs) >= maxCollected {
		c.dropped++
		return
	}
	c.errs = append(c.errs, e)
}

func (c *collector) empty() bool { return len(c.errs) == 0 && c.dropped == 0 }

// result sorts the problems and bounds them to MaxReported; nil when there is none.
func (c *collector) result() *ValidationErrors {
	if c.empty() {
		return nil
	}
	slices.SortStableFunc(c.errs, func(a, b Error) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column), strings.Compare(a.Field, b.Field), strings.Compare(a.Msg, b.Msg))
	})
	c.errs = slices.CompactFunc(c.errs, func(a, b Error) bool { return a == b })
	v := &ValidationErrors{Errors: c.errs, Omitted: c.dropped}
	if len(v.Errors) > MaxReported {
		v.Omitted += len(v.Errors) - MaxReported
		v.Errors = v.Errors[:MaxReported:MaxReported]
	}
	return v
}

// QuoteName returns a file name as it may be printed: unchanged when it is
// made of printable characters, else Go-quoted (see yamlstrict.QuoteName).
func QuoteName(name string) string { return yamlstrict.QuoteName(name) }

// quote quotes a value for a message, shortened when long.
func quote(s string) string {
	const max = 60
	if r := []rune(s); len(r) > max {
		return fmt.Sprintf("%q… (%d characters)", string(r[:max]), len(r))
	}
	return fmt.Sprintf("%q", s)
}
