package problem

import (
	"errors"
	"fmt"
	"testing"
)

func TestList(t *testing.T) {
	var inner List
	inner.Add("branch", "%q is not a valid name", "a..b")
	inner.Add("", "whole")
	var l List
	l.Add("files[2]", "bad")
	l.Append("git", inner)
	l.Append("", List{{Field: "[0]", Msg: "item"}})
	want := "files[2]: bad\ngit.branch: \"a..b\" is not a valid name\ngit: whole\n[0]: item"
	if got := l.Err().Error(); got != want {
		t.Errorf("Err() =\n%s\nwant\n%s", got, want)
	}
	if (List{}).Err() != nil {
		t.Error("an empty list is an error")
	}
	if got := Join("users", "[3]"); got != "users[3]" {
		t.Errorf("Join = %q", got)
	}
}

// counted is an error that counts its problems.
type counted int

func (c counted) Error() string { return "problems" }
func (c counted) Len() int      { return int(c) }

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{counted(1), "1 problem in the file"},
		{fmt.Errorf("loading: %w", counted(3)), "3 problems in the file"},
		{errors.New("permission denied"), "cannot read the file"},
	} {
		if got := Summary(tc.err, "file"); got != tc.want {
			t.Errorf("Summary(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	if Plural(0, "team") != "0 teams" || Plural(1, "team") != "1 team" {
		t.Errorf("Plural: %q, %q", Plural(0, "team"), Plural(1, "team"))
	}
}
