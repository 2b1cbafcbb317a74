package problem

import "testing"

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
