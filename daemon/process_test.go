package daemon

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/ogsync/ogsync/statedir"
)

// Open takes the state directory's lock, removes what an interrupted run
// left, and registers the metrics; a second Open is refused until Close.
func TestOpen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	log := slog.New(slog.DiscardHandler)
	p, err := Open(dir, "v1", log)
	if err != nil {
		t.Fatal(err)
	}
	if p.Metrics == nil || p.Registry == nil {
		t.Fatal("no metrics")
	}
	if mf, err := p.Registry.Gather(); err != nil || len(mf) == 0 {
		t.Errorf("registry gathers %d families, %v", len(mf), err)
	}
	if _, err := Open(dir, "v1", log); !errors.Is(err, statedir.ErrLocked) {
		t.Errorf("second Open: %v, want ErrLocked", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".last-result.json.tmp-1")
	if err := os.WriteFile(tmp, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err = Open(dir, "v1", log)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	defer p.Close()
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left: %v", err)
	}
}
