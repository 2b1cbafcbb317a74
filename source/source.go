// Package source reads the desired state: the YAML files of a directory,
// usually a git checkout, decoded strictly and validated into a
// model.Desired.
//
// Load is offline: it lists the files matching the configured patterns,
// decodes each one strictly (unknown keys, wrong types, aliases, anchors,
// tabs and multi-document files are errors), merges them and validates the
// whole. Every problem is reported at once, as a *ValidationErrors whose
// entries read "file:line:col: field: message". The common form of a file
// (block mappings and lists, one-line scalars, comments) is decoded by a
// fast path of the package's own; every other file by yaml.v3, with the
// same result (a differential test and a fuzz target check it).
//
// Pull brings a git checkout up to date with its remote branch, fast-forward
// only, before a load; Fetch does both.
//
// The file format is described in docs/desired-state.md; the JSON Schema in
// schema/desired-state.schema.json describes the same format for editors.
package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // IANA zones for timeZone checks on hosts without system tzdata
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/ogsync/ogsync/internal/yamlstrict"
	"github.com/ogsync/ogsync/model"
)

// Bounds of the input.
const (
	// MaxFileSize bounds one desired-state file.
	MaxFileSize = 8 << 20
	// MaxTotalSize bounds all desired-state files together.
	MaxTotalSize = 64 << 20
	// MaxFiles bounds the number of desired-state files.
	MaxFiles = 10000
)

// Options says where the desired state is and how to read it.
type Options struct {
	// Dir is the directory (usually a git checkout) holding the files; "." when empty.
	Dir string
	// Files are glob patterns relative to Dir ("**" spans directories);
	// DefaultFiles when empty.
	Files []string
	// ExternalUsers may be team members without being declared as users
	// (users managed outside the desired state). Compared case-insensitively.
	ExternalUsers []string
	// Git says how Pull brings the checkout up to date.
	Git GitOptions
	// Cache, if set, skips decoding when the files have not changed since
	// the cache's last load.
	Cache *Cache
}

// GitOptions configures the fast-forward pull of the checkout.
type GitOptions struct {
	// Pull enables the pull; when false, Pull only reports the checkout's HEAD.
	Pull bool
	// Remote and Branch name the remote branch to follow ("origin", "main").
	Remote, Branch string
	// VerifySignatures refuses a commit whose signature git cannot verify.
	VerifySignatures bool
	// Timeout bounds one Pull; DefaultGitTimeout when zero.
	Timeout time.Duration
}

//go:embed schema/desired-state.schema.json
var jsonSchema []byte

// JSONSchema returns the JSON Schema of a desired-state file.
func JSONSchema() []byte { return bytes.Clone(jsonSchema) }

// Fetcher returns a loader that Fetches opts with a Cache of its own
// (unless opts has one): a daemon loads the same files every cycle until
// someone pushes, and decodes them once.
func Fetcher(opts Options, logger *slog.Logger) func(ctx context.Context) (*model.Desired, error) {
	if opts.Cache == nil {
		opts.Cache = &Cache{}
	}
	return func(ctx context.Context) (*model.Desired, error) { return Fetch(ctx, opts, logger) }
}

// Fetch brings the checkout up to date (see Pull) and loads it (see Load).
// The returned state's Revision says which commit it was read from.
func Fetch(ctx context.Context, opts Options, logger *slog.Logger) (*model.Desired, error) {
	rev, err := Pull(ctx, opts, logger)
	if err != nil {
		return nil, err
	}
	d, err := Load(ctx, opts)
	if err != nil {
		return nil, err
	}
	d.Revision = rev
	return d, nil
}

// Load reads, decodes and validates the desired-state files of opts.Dir that
// match opts.Files. It does no network access and does not run git. Invalid
// content gives a *ValidationErrors listing every problem found; other
// failures (an unreadable directory) give a plain error.
func Load(ctx context.Context, opts Options) (*model.Desired, error) {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("reading desired state: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("reading desired state: %s is not a directory", dir)
	}
	d, err := LoadFS(ctx, os.DirFS(dir), opts)
	if err != nil {
		return nil, err
	}
	d.Revision.Dir = dir
	return d, nil
}

// LoadFS is Load over a file system; opts.Dir and opts.Git are not used.
// With opts.Cache, files whose names and content equal those of the
// cache's last load are not decoded again.
func LoadFS(ctx context.Context, fsys fs.FS, opts Options) (*model.Desired, error) {
	if err := opts.Validate().Err(); err != nil {
		return nil, fmt.Errorf("source options: %w", err)
	}
	in, err := readInput(ctx, fsys, opts)
	if err != nil {
		return nil, err
	}
	if opts.Cache == nil {
		return in.decode()
	}
	key := in.key(opts) // before decode drops the text
	if d := opts.Cache.get(key); d != nil {
		return d, nil
	}
	d, err := in.decode()
	if err != nil {
		return nil, err
	}
	opts.Cache.put(key, d)
	return cloneDesired(d), nil
}

// input is what a load reads before decoding: the content of the files.
type input struct {
	files      []srcFile
	external   map[string]bool
	c          *collector // problems found while reading
	incomplete bool       // a file could not be read whole
}

// srcFile is one desired-state file read.
type srcFile struct {
	name string
	data string
}

// readInput lists and reads the files of a load, bounded in number and size.
func readInput(ctx context.Context, fsys fs.FS, opts Options) (*input, error) {
	files, err := Files(fsys, opts.Files)
	if err != nil {
		return nil, fmt.Errorf("listing desired-state files: %w", err)
	}
	if len(files) == 0 {
		patterns := opts.Files
		if len(patterns) == 0 {
			patterns = DefaultFiles
		}
		return nil, fmt.Errorf("%w %s", ErrNoFiles, strings.Join(patterns, ", "))
	}
	if len(files) > MaxFiles {
		return nil, fmt.Errorf("%d desired-state files match, more than the %d allowed", len(files), MaxFiles)
	}
	in := &input{external: make(map[string]bool, len(opts.ExternalUsers)), c: &collector{}, files: make([]srcFile, 0, len(files))}
	for _, u := range opts.ExternalUsers { // checked by Options.Validate
		in.external[model.NormalizeUsername(u)] = true
	}
	total := 0
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("loading desired state: %w", err)
		}
		data, err := readBounded(fsys, name)
		if errors.Is(err, errTooLarge) {
			in.c.add(Error{File: name, Msg: fmt.Sprintf("file is larger than the %d bytes allowed", MaxFileSize)})
			in.incomplete = true
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading desired state: %w", err)
		}
		if total += len(data); total > MaxTotalSize {
			return nil, fmt.Errorf("desired-state files are larger than the %d bytes allowed together", MaxTotalSize)
		}
		in.files = append(in.files, srcFile{name: name, data: data})
	}
	return in, nil
}

// decode parses and validates the files read, once (it drops each file's
// text, like its YAML tree, as soon as the file is decoded).
func (in *input) decode() (*model.Desired, error) {
	docs := make([]parsed, 0, len(in.files))
	incomplete := in.incomplete
	shared := map[string]string{}
	for i, f := range in.files {
		doc := parseFile(f.name, f.data, shared, in.c)
		in.files[i].data = "" // decoded: the text is no longer needed
		if doc == nil {
			incomplete = true
			continue
		}
		docs = append(docs, parsed{file: f.name, doc: doc})
	}
	v := &validator{c: in.c, external: in.external, incomplete: incomplete}
	d := v.validate(docs)
	if errs := in.c.result(); errs != nil {
		return nil, errs
	}
	return d, nil
}

// ErrNoFiles is returned by LoadFS and Load when no file matches the patterns.
var ErrNoFiles = errors.New("no desired-state file matches")

// key is the SHA-256 of everything a load's result depends on: the external
// users, and each file's name and content (lengths framed, so that no two
// inputs share a key by moving bytes between fields).
func (in *input) key(opts Options) [sha256.Size]byte {
	h := sha256.New()
	var buf [32 << 10]byte // the text goes through it: no copy of a whole file
	field := func(s string) {
		binary.BigEndian.PutUint64(buf[:8], uint64(len(s)))
		h.Write(buf[:8])
		for len(s) > 0 {
			n := copy(buf[:], s)
			h.Write(buf[:n])
			s = s[n:]
		}
	}
	field("ogsync desired state v1")
	for _, u := range slices.Sorted(maps.Keys(in.external)) {
		field(u)
	}
	field("")
	for _, f := range in.files {
		field(f.name)
		field(f.data)
	}
	if in.incomplete {
		field("incomplete")
	}
	return [sha256.Size]byte(h.Sum(nil))
}

// Cache keeps the desired state of the last successful load, keyed by a
// SHA-256 of its files' names and content and of the external users: a
// load that finds the same files returns it without decoding them (the
// daemon loads the same commit every cycle until someone pushes). It is
// safe for concurrent use. The Users, Teams and CustomRoles slices of what
// a load returns are its own; the users and teams in them are shared with
// the cache and must not be changed.
type Cache struct {
	mu  sync.Mutex
	key [sha256.Size]byte
	d   *model.Desired
	// hits counts the loads that skipped decoding.
	hits int
}

// Hits returns the number of loads the cache saved from decoding.
func (c *Cache) Hits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits
}

func (c *Cache) get(key [sha256.Size]byte) *model.Desired {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.d == nil || c.key != key {
		return nil
	}
	c.hits++
	return cloneDesired(c.d)
}

func (c *Cache) put(key [sha256.Size]byte, d *model.Desired) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.key, c.d = key, d
}

// cloneDesired copies d's slices (not the users and teams they hold).
func cloneDesired(d *model.Desired) *model.Desired {
	out := *d
	out.Users = slices.Clone(d.Users)
	out.Teams = slices.Clone(d.Teams)
	out.CustomRoles = slices.Clone(d.CustomRoles)
	return &out
}

// parsed is one decoded file.
type parsed struct {
	file string
	doc  *fileDoc
}

var errTooLarge = errors.New("file too large")

// readBounded reads a file of at most MaxFileSize bytes into a string of
// its size (read whole, without growing a buffer on the way).
func readBounded(fsys fs.FS, name string) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // its Path would print the name unquoted
		}
		return "", fmt.Errorf("opening %s: %w", QuoteName(name), err)
	}
	defer f.Close()
	var b strings.Builder
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() <= MaxFileSize {
		b.Grow(int(st.Size()))
	}
	if _, err := io.Copy(&b, io.LimitReader(f, MaxFileSize+1)); err != nil {
		return "", fmt.Errorf("reading %s: %w", QuoteName(name), err)
	}
	if b.Len() > MaxFileSize {
		return "", errTooLarge
	}
	return b.String(), nil
}

// parseFile decodes one file; nil when it could not be decoded at all.
// The common form of a file is decoded by the fast path (fastParse), the
// rest by yaml.v3 (parseYAML); both give the same result. shared is the
// fast path's table of repeated values, for every file of a load.
func parseFile(name string, data string, shared map[string]string, c *collector) *fileDoc {
	tabs, bad := scanText(name, data, c)
	if bad {
		return nil // the parser would only repeat the problem, without its position
	}
	if tabs == 0 {
		if fd, ok := fastParse(data, shared); ok {
			return fd
		}
	}
	return parseYAML(name, data, tabs, c)
}

// parseYAML decodes one file with yaml.v3, reporting every problem; tabs
// is the number of lines scanText found a tab on.
func parseYAML(name string, data string, tabs int, c *collector) *fileDoc {
	syntax := func(err error) *fileDoc {
		if tabs == 0 {
			c.add(yamlError(name, err))
		}
		return nil
	}
	dec := yaml.NewDecoder(strings.NewReader(data))
	var doc yaml.Node
	err := yamlstrict.SafeDecode(dec, &doc)
	if err == io.EOF {
		c.add(Error{File: name, Msg: "file is empty: expected users:, teams: or roles:"})
		return nil
	}
	if err != nil {
		return syntax(err)
	}
	var next yaml.Node
	switch err := yamlstrict.SafeDecode(dec, &next); {
	case err == io.EOF:
	case err != nil:
		return syntax(err)
	default:
		c.add(Error{File: name, Line: next.Line, Column: next.Column,
			Msg: "a second YAML document: a file holds one document; split it into several files"})
		return nil
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		c.add(Error{File: name, Msg: "file is empty: expected users:, teams: or roles:"})
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.MappingNode && len(root.Content) == 0 {
		c.add(Error{File: name, Line: root.Line, Column: root.Column, Msg: "file declares nothing: expected users:, teams: or roles:"})
		return nil
	}
	d := &decoder{file: name, c: c}
	var fd fileDoc
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "", "the file must be a mapping with users:, teams: or roles:, not %s", describe(root))
		return nil
	}
	d.decode(root, reflectValue(&fd), "")
	if tabs > 0 {
		return nil // decoded, but a tab may have shifted what it means
	}
	return &fd
}

// scanText reports the first tab of every line, and the first byte that is
// not UTF-8 or is a control character; bad is set for the latter.
func scanText(name string, data string, c *collector) (tabs int, bad bool) {
	line, col, tabLine := 1, 0, 0
	for i := 0; i < len(data); {
		if c := data[i]; c >= 0x20 && c < 0x7f { // the common case: printable ASCII
			i++
			col++
			continue
		}
		r, size := utf8.DecodeRuneInString(data[i:])
		i += size
		col++
		switch {
		case r == '\n':
			line, col = line+1, 0
		case r == '\t':
			if tabLine != line {
				tabLine = line
				tabs++
				c.add(Error{File: name, Line: line, Column: col,
					Msg: `tab character: indent with spaces (write \t in a double-quoted string for a tab)`})
			}
		case r == utf8.RuneError && size == 1:
			c.add(Error{File: name, Line: line, Column: col, Msg: "invalid UTF-8: files must be UTF-8 encoded"})
			return tabs, true
		case r == '\r', r == 0xfeff && i == size:
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f && r != 0x85, r == 0xfffe, r == 0xffff:
			c.add(Error{File: name, Line: line, Column: col,
				Msg: fmt.Sprintf("control character %U is not allowed (write it escaped in a double-quoted string)", r)})
			return tabs, true
		}
	}
	return tabs, false
}

// yamlError turns a yaml.v3 error ("yaml: line 3: ...") into a syntax
// Error at its line (see yamlstrict.SyntaxError).
func yamlError(name string, err error) Error {
	e := yamlstrict.SyntaxError(name, err)
	e.Msg = "syntax error: " + e.Msg
	return *e
}
