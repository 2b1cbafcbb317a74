package diff

import (
	"errors"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/source"
)

// Revisions names the revision it could not load (the comparison of two
// commits is tested end to end in package main, TestDiffCommand).
func TestRevisionsNamesTheRevision(t *testing.T) {
	_, err := Revisions(t.Context(), source.Options{Dir: t.TempDir()}, "origin/main", "HEAD")
	if err == nil || !strings.HasPrefix(err.Error(), "base origin/main: ") {
		t.Errorf("err = %v, want one naming the base", err)
	}
	if !errors.Is(err, source.ErrNotCheckout) && !strings.Contains(err.Error(), "git is not installed") {
		t.Errorf("err = %v, want ErrNotCheckout", err)
	}
}
