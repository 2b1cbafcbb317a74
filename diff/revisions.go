package diff

import (
	"context"
	"fmt"

	"github.com/ogsync/ogsync/source"
)

// Revisions loads the desired state of opts as committed at two revisions
// of its git checkout (source.LoadRevision: from git alone, no pull, no
// network) and compares them. Errors name the revision.
func Revisions(ctx context.Context, opts source.Options, base, head string) (*Diff, error) {
	b, err := source.LoadRevision(ctx, opts, base)
	if err != nil {
		return nil, fmt.Errorf("base %s: %w", base, err)
	}
	h, err := source.LoadRevision(ctx, opts, head)
	if err != nil {
		return nil, fmt.Errorf("head %s: %w", head, err)
	}
	return Compute(b, h), nil
}
