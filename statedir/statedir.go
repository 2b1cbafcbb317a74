package statedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
)

// PrepareStateDir creates the state directory if needed (mode 0750) and
// refuses one that others can write to: a group- or world-writable one, or
// one owned by another user. Whoever can write there could plant a link
// where ogsync writes its lock or its files and have it overwrite another
// file with ogsync's rights.
func PrepareStateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("creating the state directory: %w", err)
	}
	st, err := os.Stat(dir) // a link to the directory (systemd's DynamicUser) is fine
	if err != nil {
		return fmt.Errorf("the state directory: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("the state directory %s is not a directory", dir)
	}
	if m := st.Mode().Perm(); m&0o022 != 0 {
		return fmt.Errorf("the state directory %s is writable by others (mode %04o): make it writable by ogsync's user alone (chmod go-w %s)", dir, m, dir)
	}
	if err := checkOwner(dir, st); err != nil {
		return err
	}
	return nil
}

// tempRE matches the temporary files WriteFileAtomic creates.
var tempRE = regexp.MustCompile(`^\..+\.tmp-[0-9]+$`)

// CleanTemp removes the temporary files a crash left in the state directory
// (a process killed between creating a temporary file and renaming it). Call
// it holding the lock, so that no other ogsync is writing there. It returns
// the names removed.
func (s Dir) CleanTemp() ([]string, error) {
	entries, err := os.ReadDir(s.Path)
	if err != nil {
		return nil, fmt.Errorf("cleaning the state directory: %w", err)
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		if !e.Type().IsRegular() || !tempRE.MatchString(e.Name()) {
			continue
		}
		if err := os.Remove(filepath.Join(s.Path, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, e.Name())
	}
	slices.Sort(removed)
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("cleaning the state directory: %w", err)
	}
	return removed, nil
}
