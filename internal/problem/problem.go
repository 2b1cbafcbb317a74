// Package problem is the shape of a validation problem that names the
// field it concerns, in the owning package's words ("branch", "files[2]",
// "rate.per_second"). A package validating its options returns a List; the
// configuration file maps each field to the position of the key that set
// it, so that the file and the package give the same verdict.
package problem

import (
	"errors"
	"fmt"
)

// Problem is one problem with one field.
type Problem struct {
	// Field is the path of the field, dotted, with [i] for list items.
	Field string
	// Msg says what is wrong.
	Msg string
}

// Error formats the problem as "field: message".
func (p Problem) Error() string {
	if p.Field == "" {
		return p.Msg
	}
	return p.Field + ": " + p.Msg
}

// List is every problem found, in the order found.
type List []Problem

// Add appends a problem with field and a formatted message.
func (l *List) Add(field, format string, args ...any) {
	*l = append(*l, Problem{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// Append appends the problems of l2, each field under prefix ("git" and
// "branch" give "git.branch").
func (l *List) Append(prefix string, l2 List) {
	for _, p := range l2 {
		*l = append(*l, Problem{Field: Join(prefix, p.Field), Msg: p.Msg})
	}
}

// Err joins the problems into one error, one a line; nil when there is none.
func (l List) Err() error {
	errs := make([]error, len(l))
	for i, p := range l {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// Join joins a parent field path and a child one.
func Join(parent, child string) string {
	switch {
	case parent == "":
		return child
	case child == "":
		return parent
	case child[0] == '[':
		return parent + child
	}
	return parent + "." + child
}
