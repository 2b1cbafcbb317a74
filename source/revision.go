package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/ogsync/ogsync/model"
)

// ErrNotCheckout is returned by LoadRevision for a directory outside a git checkout.
var ErrNotCheckout = errors.New("not inside a git checkout")

// LoadRevision reads, decodes and validates the desired-state files of
// opts.Dir as they are committed at rev (any revision git accepts: a SHA, a
// branch, HEAD~1, origin/main), without touching the work tree: it lists the
// commit's tree under opts.Dir with git ls-tree and reads the matching blobs
// with git cat-file into memory, then loads them as Load does. It does no
// network access. opts.Dir must lie inside a git checkout (ErrNotCheckout);
// opts.Git is not used. The returned state's Revision names the commit, and
// its errors name the files relative to opts.Dir. A commit without any
// matching file (one from before the desired state was added) gives an
// empty desired state, not an error.
func LoadRevision(ctx context.Context, opts Options, rev string) (*model.Desired, error) {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("reading desired state: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("reading desired state: %s is not a directory", dir)
	}
	if rev == "" || strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("revision %q is not valid", rev)
	}
	g := &git{dir: dir, logger: slog.New(slog.DiscardHandler)}
	if _, err := exec.LookPath("git"); err != nil {
		return nil, fmt.Errorf("reading desired state at %s: git is not installed: %w", rev, err)
	}
	if !g.isCheckout(ctx) {
		return nil, fmt.Errorf("reading desired state at %s: %s: %w", rev, dir, ErrNotCheckout)
	}
	prefix, err := g.run(ctx, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, fmt.Errorf("reading desired state at %s: %w", rev, err)
	}
	prefix = strings.TrimSuffix(strings.TrimSpace(prefix), "/")
	sha, err := g.revParse(ctx, rev)
	if err != nil {
		return nil, fmt.Errorf("reading desired state: %w", err)
	}
	fsys, err := g.treeFS(ctx, sha, prefix, opts.Files)
	if err != nil {
		return nil, fmt.Errorf("reading desired state at %s: %w", rev, err)
	}
	d, err := LoadFS(ctx, fsys, opts)
	if errors.Is(err, ErrNoFiles) {
		d, err = &model.Desired{Users: []model.User{}, Teams: []model.Team{}}, nil
	}
	if err != nil {
		return nil, err
	}
	r, err := g.revision(ctx, sha)
	if err != nil {
		return nil, fmt.Errorf("reading desired state at %s: %w", rev, err)
	}
	d.Revision = r
	return d, nil
}

// treeEntry is one file of a commit's tree.
type treeEntry struct {
	mode, object, name string
	size               int
}

// treeFS returns the files of commit sha under prefix that match patterns,
// named relative to prefix, as an in-memory file system. Symbolic links
// that match keep their mode, so that Files refuses them as it does on disk.
func (g *git) treeFS(ctx context.Context, sha, prefix string, patterns []string) (fstest.MapFS, error) {
	if len(patterns) == 0 {
		patterns = DefaultFiles
	}
	for _, p := range patterns {
		if err := CheckPattern(p); err != nil {
			return nil, err
		}
	}
	args := []string{"ls-tree", "-r", "-z", "-l", "--full-tree", sha}
	if prefix != "" {
		args = append(args, "--", prefix+"/")
	}
	out, truncated, err := g.output(ctx, nil, 64<<20, args...)
	if err != nil {
		return nil, fmt.Errorf("listing commit %s: %w", short(sha), err)
	}
	if truncated {
		return nil, fmt.Errorf("listing commit %s: the tree is too large", short(sha))
	}
	var entries []treeEntry
	total := 0
	for _, rec := range strings.Split(string(out), "\x00") {
		if rec == "" {
			continue
		}
		meta, name, ok := strings.Cut(rec, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 4 {
			return nil, fmt.Errorf("listing commit %s: unexpected output %q", short(sha), rec)
		}
		if prefix != "" {
			rel, ok := strings.CutPrefix(name, prefix+"/")
			if !ok {
				continue
			}
			name = rel
		}
		if slices.Contains(strings.Split(name, "/"), ".git") || !slices.ContainsFunc(patterns, func(p string) bool { return Match(p, name) }) {
			continue
		}
		e := treeEntry{mode: f[0], object: f[2], name: name}
		if f[1] == "blob" {
			if e.size, err = strconv.Atoi(f[3]); err != nil {
				return nil, fmt.Errorf("listing commit %s: size %q of %s", short(sha), f[3], name)
			}
			total += e.size
		}
		entries = append(entries, e)
	}
	if len(entries) > MaxFiles {
		return nil, fmt.Errorf("%d desired-state files match, more than the %d allowed", len(entries), MaxFiles)
	}
	if total > MaxTotalSize {
		return nil, fmt.Errorf("desired-state files are larger than the %d bytes allowed together", MaxTotalSize)
	}
	fsys := fstest.MapFS{}
	var want []byte
	var blobs []*fstest.MapFile
	for _, e := range entries {
		switch e.mode {
		case "100644", "100755":
			f := &fstest.MapFile{Mode: 0o644}
			fsys[e.name] = f
			blobs = append(blobs, f)
			want = append(want, e.object...)
			want = append(want, '\n')
		case "120000":
			// Its target is not read: a target no path can be keeps the
			// link unresolvable, so Files refuses it as a link to a file.
			fsys[e.name] = &fstest.MapFile{Mode: 0o777 | os.ModeSymlink, Data: []byte("\x00")}
		default: // a submodule or another special entry
			fsys[e.name] = &fstest.MapFile{Mode: os.ModeDevice}
		}
	}
	if len(blobs) == 0 {
		return fsys, nil
	}
	out, truncated, err = g.output(ctx, want, total+len(blobs)*128, "cat-file", "--batch")
	if err != nil {
		return nil, fmt.Errorf("reading commit %s: %w", short(sha), err)
	}
	if truncated {
		return nil, fmt.Errorf("reading commit %s: more output than expected", short(sha))
	}
	r := bytes.NewReader(out)
	for _, f := range blobs {
		if f.Data, err = readBlob(r); err != nil {
			return nil, fmt.Errorf("reading commit %s: %w", short(sha), err)
		}
	}
	return fsys, nil
}

// readBlob reads one "<object> blob <size>\n<content>\n" record of git cat-file --batch.
func readBlob(r *bytes.Reader) ([]byte, error) {
	var header []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("cat-file: short output: %w", err)
		}
		if c == '\n' {
			break
		}
		header = append(header, c)
	}
	f := strings.Fields(string(header))
	if len(f) != 3 || f[1] != "blob" {
		return nil, fmt.Errorf("cat-file: unexpected header %q", header)
	}
	n, err := strconv.Atoi(f[2])
	if err != nil || n < 0 {
		return nil, fmt.Errorf("cat-file: unexpected size in %q", header)
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("cat-file: short blob: %w", err)
	}
	if c, err := r.ReadByte(); err != nil || c != '\n' {
		return nil, errors.New("cat-file: blob not followed by a newline")
	}
	return data, nil
}
