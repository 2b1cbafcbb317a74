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

// Summary says how many problems err holds, as a command's verdict puts
// it: "N problems in the WHAT" when err, or an error it wraps, counts its
// problems (has a Len method, as source.ValidationErrors and the strict
// YAML readers' Errors do), else "cannot read the WHAT".
func Summary(err error, what string) string {
	var counted interface{ Len() int }
	if errors.As(err, &counted) {
		return Plural(counted.Len(), "problem") + " in the " + what
	}
	return "cannot read the " + what
}

// Plural is "1 noun" or "n nouns".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
