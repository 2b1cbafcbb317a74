package engine

import (
	"bytes"
	"fmt"

	"github.com/ogsync/ogsync/statedir"
)

// WriteResult records r in the state directory: its plan, its Markdown
// report and the result itself (statedir.Dir.WriteCycle).
func WriteResult(d statedir.Dir, r *Result) error {
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		return fmt.Errorf("rendering %s: %w", statedir.ReportFile, err)
	}
	rec := statedir.Record{Report: md.Bytes(), Result: r}
	if r.Plan != nil {
		rec.Plan = r.Plan
	}
	return d.WriteCycle(rec)
}
