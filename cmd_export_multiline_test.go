package main

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/source"
)

// TestExportMultilineDetails: a details value of several lines is written
// as a block scalar and reads back the same, instead of failing the export.
func TestExportMultilineDetails(t *testing.T) {
	d := map[string][]string{"notes": {"line one\nline two", "single"}, "k": {"plain"}, "runbook": {"step 1\n  indented step\nstep 3"}}
	fn := "Bob"
	doc, warns := buildExport([]model.User{{Username: "bob@example.com", FullName: &fn, Details: &d}}, nil)
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	files, err := doc.render(false)
	if err != nil {
		t.Fatal(err)
	}
	out := string(files[exportAllFile])
	t.Logf("%s", out)
	if !strings.Contains(out, "- |-\n") || !strings.Contains(out, "k: [plain]") {
		t.Errorf("no block scalar, or the one-line list changed:\n%s", out)
	}
	if err := checkExport(t.Context(), files); err != nil {
		t.Fatalf("the export does not load: %v", err)
	}
	got, err := source.LoadFS(t.Context(), mapFS(files), source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	back := *got.Users[0].Details
	for k, v := range d {
		if strings.Join(back[k], "|") != strings.Join(v, "|") {
			t.Errorf("%s read back as %q, want %q", k, back[k], v)
		}
	}
}

func mapFS(files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for n, data := range files {
		fsys[n] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return fsys
}
