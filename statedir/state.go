// Package statedir keeps ogsync's state directory: the lock that keeps two
// processes apart, the files of the last cycle (plan, result, report)
// written atomically so that they always describe one cycle, and the
// learned request rates.
package statedir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Files the daemon writes to the state directory after each cycle.
const (
	PlanFile   = "last-plan.json"   // the plan the last cycle computed
	ResultFile = "last-result.json" // the last cycle's Result
	ReportFile = "last-report.md"   // the last cycle's Result as Markdown
)

// stateFileMode is the mode of the files written to the state directory:
// they name people, so not world-readable.
const stateFileMode = 0o640

// Dir is the state directory.
type Dir struct {
	// Path is the directory.
	Path string
	// Redact, when set, hides secrets in every file written.
	Redact func([]byte) []byte

	// stop, in tests, ends WriteCycle after a step, as a kill would.
	stop func(step string) error
}

// Record is what one cycle leaves in the state directory.
type Record struct {
	// Plan is written as last-plan.json; nil (a cycle that failed before
	// planning) removes the previous cycle's.
	Plan any
	// Report is last-report.md.
	Report []byte
	// Result is written as last-result.json.
	Result any
}

// WriteCycle writes r: its result as last-result.json, its report as
// last-report.md and its plan as last-plan.json; a cycle without a plan
// (one that failed before planning) removes the previous cycle's. The files always describe one
// cycle, whenever the process is killed: the previous result and report are
// removed first, then the plan, the report and last of all the result are
// written, each atomically. last-result.json is thus the mark of a complete
// set: when it is absent, the other files are those of a cycle whose
// recording was cut short. The first error stops the writes.
func (s Dir) WriteCycle(r Record) error {
	for _, name := range []string{ResultFile, ReportFile} {
		if err := os.Remove(filepath.Join(s.Path, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing the previous %s: %w", name, err)
		}
	}
	if err := syncDir(s.Path); err != nil {
		return fmt.Errorf("syncing the state directory: %w", err)
	}
	if err := s.step(ResultFile + " removed"); err != nil {
		return err
	}
	if r.Plan != nil {
		if err := s.WriteJSON(PlanFile, r.Plan); err != nil {
			return err
		}
	} else if err := os.Remove(filepath.Join(s.Path, PlanFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the previous %s: %w", PlanFile, err)
	}
	if err := s.step(PlanFile + " written"); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(s.Path, ReportFile), s.redact(r.Report), stateFileMode); err != nil {
		return err
	}
	if err := s.step(ReportFile + " written"); err != nil {
		return err
	}
	return s.WriteJSON(ResultFile, r.Result)
}

// step calls the test hook that stops WriteCycle between two of its writes.
func (s Dir) step(name string) error {
	if s.stop == nil {
		return nil
	}
	return s.stop(name)
}

// WriteJSON writes v as indented JSON to the file name in the state directory, atomically.
func (s Dir) WriteJSON(name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", name, err)
	}
	return WriteFileAtomic(filepath.Join(s.Path, name), s.redact(append(data, '\n')), stateFileMode)
}

func (s Dir) redact(data []byte) []byte {
	if s.Redact == nil {
		return data
	}
	return s.Redact(data)
}

// WriteFileAtomic replaces path with data so that a reader, or the file after
// a crash, holds either the old content or the new one, never a mix: it
// writes a temporary file in the same directory, syncs it, renames it over
// path and syncs the directory.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: syncing: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("writing %s: syncing directory: %w", path, err)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	// Some file systems refuse fsync on a directory; the rename is done anyway.
	if errors.Is(err, os.ErrInvalid) {
		return nil
	}
	return err
}
