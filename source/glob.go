package source

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// maxWalked bounds the directory entries looked at when listing files.
const maxWalked = 200000

// DefaultFiles are the patterns used when Options.Files is empty.
var DefaultFiles = []string{"**/*.yaml", "**/*.yml"}

// CheckPattern reports whether p is a usable file pattern: relative, inside
// the directory, each segment a valid path.Match pattern or "**".
func CheckPattern(p string) error {
	if p == "" {
		return errors.New("empty pattern")
	}
	if strings.HasPrefix(p, "/") || strings.Contains(p, `\`) {
		return fmt.Errorf("pattern %q must be a relative path with slashes", p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." || seg == "" {
			return fmt.Errorf("pattern %q must stay inside the directory (no empty, . or .. segments)", p)
		}
		if seg == "**" {
			continue
		}
		if strings.Contains(seg, "**") {
			return fmt.Errorf("pattern %q: ** must be a whole path segment", p)
		}
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("pattern %q is not a valid glob pattern", p)
		}
	}
	return nil
}

// Match reports whether the slash-separated relative name matches pattern.
// "*", "?" and "[...]" match within one path segment as in path.Match; a
// "**" segment matches any number of segments, none included. A wildcard
// never matches a segment starting with a dot (hidden files and directories)
// unless the pattern segment itself starts with a dot.
func Match(pattern, name string) bool {
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			// Collapse consecutive "**" segments.
			for len(pat) > 1 && pat[1] == "**" {
				pat = pat[1:]
			}
			for i := 0; i <= len(name); i++ {
				if matchSegments(pat[1:], name[i:]) {
					return true
				}
				if i < len(name) && hidden(name[i]) {
					return false
				}
			}
			return false
		}
		if len(name) == 0 || !matchSegment(pat[0], name[0]) {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

func matchSegment(pat, seg string) bool {
	if hidden(seg) && !strings.HasPrefix(pat, ".") {
		return false
	}
	ok, err := path.Match(pat, seg)
	return err == nil && ok
}

func hidden(seg string) bool { return strings.HasPrefix(seg, ".") }

// Files lists the regular files of fsys matching any of patterns, sorted,
// each once. It never descends into .git and refuses symbolic links and
// other special files that match.
func Files(fsys fs.FS, patterns []string) ([]string, error) {
	if len(patterns) == 0 {
		patterns = DefaultFiles
	}
	for _, p := range patterns {
		if err := CheckPattern(p); err != nil {
			return nil, err
		}
	}
	var files []string
	walked := 0
	err := fs.WalkDir(fsys, ".", func(name string, de fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("listing %s: %w", QuoteName(name), err)
		}
		if walked++; walked > maxWalked {
			return fmt.Errorf("more than %d files and directories; narrow the source directory", maxWalked)
		}
		if de.IsDir() {
			if de.Name() == ".git" && name != "." {
				return fs.SkipDir
			}
			return nil
		}
		if de.Type()&fs.ModeSymlink != 0 {
			// Never followed, never skipped silently: a link to a directory
			// the patterns reach into is refused, as is a link they match.
			if st, err := fs.Stat(fsys, name); err == nil && st.IsDir() &&
				slices.ContainsFunc(patterns, func(p string) bool { return couldMatchUnder(p, name) }) {
				return fmt.Errorf("%s: a symbolic link to a directory, which is not followed: "+
					"files behind it would not be loaded (and, with ownership adopt, the users they declare deleted); "+
					"move the files into the source directory", QuoteName(name))
			}
		}
		if !slices.ContainsFunc(patterns, func(p string) bool { return Match(p, name) }) {
			return nil
		}
		if de.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s: a symbolic link, which is not followed: replace it with the file itself", QuoteName(name))
		}
		if !de.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", QuoteName(name))
		}
		files = append(files, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(files) // WalkDir is lexical per directory; sort the whole list to be sure
	return files, nil
}

// couldMatchUnder reports whether pattern can match a name inside the
// directory dir (slash-separated, relative).
func couldMatchUnder(pattern, dir string) bool {
	pat, segs := strings.Split(pattern, "/"), strings.Split(dir, "/")
	for i, seg := range segs {
		if i >= len(pat) {
			return false
		}
		if pat[i] == "**" {
			return !hidden(seg) || i+1 < len(pat) && strings.HasPrefix(pat[i+1], ".")
		}
		if !matchSegment(pat[i], seg) {
			return false
		}
	}
	return len(pat) > len(segs)
}
