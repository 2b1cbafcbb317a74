package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ogsync/ogsync/model"
)

// DefaultGitTimeout bounds one Pull when GitOptions.Timeout is zero.
const DefaultGitTimeout = 2 * time.Minute

// gitConfig are the settings every git command runs with: no hooks, no
// fsmonitor or external transports (nothing run on our behalf), no
// background maintenance, output that is plain to parse.
var gitConfig = []string{
	"-c", "core.hooksPath=/dev/null",
	"-c", "core.fsmonitor=false",
	"-c", "protocol.ext.allow=never",
	"-c", "gc.auto=0",
	"-c", "maintenance.auto=false",
	"-c", "fetch.recurseSubmodules=false",
	"-c", "submodule.recurse=false",
	"-c", "log.showSignature=false",
	"-c", "color.ui=false",
	"-c", "merge.verifySignatures=false", // ogsync verifies with verify-commit itself
}

// gitEnvDrop are inherited variables that would point git at another
// repository (as they do when ogsync runs from a git hook).
var gitEnvDrop = []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX"}

// Output bounds of one git command.
const (
	maxGitStdout = 1 << 20
	maxGitStderr = 16 << 10
)

// ErrDirty, ErrDiverged and ErrUnverified are the reasons Pull refuses a checkout.
var (
	ErrDirty      = errors.New("the checkout has local changes")
	ErrDiverged   = errors.New("the checkout has diverged from its remote branch")
	ErrUnverified = errors.New("the commit's signature cannot be verified")
)

// Pull brings the checkout in opts.Dir to <remote>/<branch> by a fast-forward
// and returns the revision it is then at. It refuses a checkout with local
// changes (ErrDirty), one whose branch has commits the remote lacks
// (ErrDiverged) and, with VerifySignatures, a target commit whose signature
// git cannot verify (ErrUnverified); the checkout is then left as it was.
//
// With Pull disabled it only reports HEAD's revision (and verifies its
// signature if asked); a directory that is not a git checkout, or a host
// without git, then gives a Revision with only Dir set.
func Pull(ctx context.Context, opts Options, logger *slog.Logger) (model.Revision, error) {
	if err := opts.Validate().Err(); err != nil {
		return model.Revision{}, fmt.Errorf("source options: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	rev := model.Revision{Dir: dir}
	timeout := opts.Git.Timeout
	if timeout <= 0 {
		timeout = DefaultGitTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	g := &git{dir: dir, logger: logger}
	if err := ctx.Err(); err != nil {
		return rev, fmt.Errorf("updating the checkout: %w", err)
	}

	if !opts.Git.Pull {
		return g.headOnly(ctx, opts, rev)
	}
	return g.pull(ctx, opts, rev)
}

// headOnly is Pull with pulling disabled: HEAD's revision, its signature
// verified if asked.
func (g *git) headOnly(ctx context.Context, opts Options, rev model.Revision) (model.Revision, error) {
	dir, logger := g.dir, g.logger
	if _, err := exec.LookPath("git"); err != nil {
		if opts.Git.VerifySignatures {
			return rev, errors.New("verifying signatures: git is not installed")
		}
		return rev, nil
	}
	if !g.isCheckout(ctx) {
		if opts.Git.VerifySignatures {
			return rev, fmt.Errorf("verifying signatures: %s is not a git checkout", dir)
		}
		return rev, nil
	}
	head, err := g.revParse(ctx, "HEAD")
	if err != nil {
		if opts.Git.VerifySignatures {
			return rev, fmt.Errorf("verifying signatures: %w", err)
		}
		logger.Warn("cannot read the checkout's HEAD", "dir", dir, "err", err)
		return rev, nil
	}
	if opts.Git.VerifySignatures {
		if err := g.verify(ctx, head); err != nil {
			return rev, err
		}
	}
	if err := g.onlyCommitted(ctx, opts.Files, true); err != nil {
		return rev, err
	}
	return g.revision(ctx, head)
}

// pull fast-forwards the checkout to <remote>/<branch> (see Pull).
func (g *git) pull(ctx context.Context, opts Options, rev model.Revision) (model.Revision, error) {
	dir, logger := g.dir, g.logger
	remote, branch := opts.Git.Remote, opts.Git.Branch // checked by Options.Validate
	if _, err := exec.LookPath("git"); err != nil {
		return rev, errors.New("pulling the checkout: git is not installed")
	}
	if !g.isCheckout(ctx) {
		if err := ctx.Err(); err != nil {
			return rev, fmt.Errorf("pulling the checkout: %w", err)
		}
		return rev, fmt.Errorf("pulling the checkout: %s is not a git checkout", dir)
	}
	if err := g.clean(ctx); err != nil {
		return rev, err
	}
	cur, err := g.run(ctx, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err != nil {
		return rev, fmt.Errorf("the checkout is not on a branch (detached HEAD); check out %s", branch)
	}
	if cur = strings.TrimSpace(cur); cur != branch {
		return rev, fmt.Errorf("the checkout is on branch %q, not %q", cur, branch)
	}
	remotes, err := g.run(ctx, "remote")
	if err != nil {
		return rev, fmt.Errorf("listing remotes: %w", err)
	}
	if !containsLine(remotes, remote) {
		return rev, fmt.Errorf("remote %q is not configured in the checkout", remote)
	}
	tracking := "refs/remotes/" + remote + "/" + branch
	if _, err := g.run(ctx, "fetch", "--quiet", "--no-tags", "--", remote,
		"+refs/heads/"+branch+":"+tracking); err != nil {
		return rev, fmt.Errorf("fetching %s/%s: %w", remote, branch, err)
	}
	head, err := g.revParse(ctx, "HEAD")
	if err != nil {
		return rev, err
	}
	target, err := g.revParse(ctx, tracking)
	if err != nil {
		return rev, err
	}
	if head != target {
		ff, err := g.isAncestor(ctx, head, target)
		if err != nil {
			return rev, err
		}
		if !ff {
			return rev, fmt.Errorf("%w: HEAD %s is not an ancestor of %s/%s %s; only fast-forwards are done",
				ErrDiverged, short(head), remote, branch, short(target))
		}
	}
	if opts.Git.VerifySignatures {
		if err := g.verify(ctx, target); err != nil {
			return rev, err
		}
	}
	if head != target {
		if _, err := g.run(ctx, "merge", "--ff-only", "--quiet", "--no-edit", "--no-stat", target); err != nil {
			return rev, fmt.Errorf("fast-forwarding to %s/%s: %w", remote, branch, err)
		}
		logger.Info("checkout fast-forwarded", "dir", dir, "from", short(head), "to", short(target))
	} else {
		logger.Debug("checkout up to date", "dir", dir, "commit", short(head))
	}
	if err := g.onlyCommitted(ctx, opts.Files, false); err != nil {
		return rev, err
	}
	return g.revision(ctx, target)
}

// git runs the git binary in a checkout.
type git struct {
	dir    string
	logger *slog.Logger
}

// gitError is a failed git command with what it printed on stderr.
type gitError struct {
	args   string
	stderr string
	err    error
}

func (e *gitError) Error() string {
	if e.stderr == "" {
		return fmt.Sprintf("git %s: %v", e.args, e.err)
	}
	return fmt.Sprintf("git %s: %v: %s", e.args, e.err, e.stderr)
}

func (e *gitError) Unwrap() error { return e.err }

// run runs git with args (never through a shell) and returns its stdout.
func (g *git) run(ctx context.Context, args ...string) (string, error) {
	out, _, err := g.output(ctx, nil, maxGitStdout, args...)
	return string(out), err
}

// output runs git with args and stdin, keeping at most max bytes of its
// stdout; truncated says whether it printed more.
func (g *git) output(ctx context.Context, stdin []byte, max int, args ...string) (out []byte, truncated bool, err error) {
	cmd := exec.CommandContext(ctx, "git", append(slices.Clone(gitConfig), args...)...)
	cmd.Dir = g.dir
	cmd.Env = gitEnv()
	ownProcessGroup(cmd)
	// The group is killed at the deadline, so the pipes close at once; this
	// bounds the wait for a helper that left the group.
	cmd.WaitDelay = time.Second
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr boundedBuffer
	stdout.max, stderr.max = max, maxGitStderr
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	g.logger.Debug("git", "args", args, "took", time.Since(start), "err", err)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = fmt.Errorf("%w (%v)", ctxErr, err)
		}
		return nil, false, &gitError{args: args[0], stderr: redact(strings.TrimSpace(stderr.String())), err: err}
	}
	return stdout.Bytes(), stdout.truncated, nil
}

func gitEnv() []string {
	env := make([]string, 0, len(os.Environ())+4)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(gitEnvDrop, k) {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never", "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C")
}

func (g *git) isCheckout(ctx context.Context) bool {
	out, err := g.run(ctx, "rev-parse", "--is-inside-work-tree")
	return err == nil && strings.TrimSpace(out) == "true"
}

// revParse resolves a revision to a full commit SHA.
func (g *git) revParse(ctx context.Context, rev string) (string, error) {
	out, err := g.run(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", rev, err)
	}
	sha := strings.TrimSpace(out)
	if !shaRE.MatchString(sha) {
		return "", fmt.Errorf("resolving %s: unexpected output %q", rev, sha)
	}
	return sha, nil
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// clean refuses a checkout with modified, staged or untracked files.
func (g *git) clean(ctx context.Context) error {
	out, err := g.run(ctx, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=none")
	if err != nil {
		return fmt.Errorf("checking the checkout for local changes: %w", err)
	}
	var changes []string
	entries := strings.Split(out, "\x00")
	for i := 0; i < len(entries); i++ {
		e := entries[i]
		if len(e) < 4 {
			continue
		}
		changes = append(changes, strings.TrimSpace(e[:2])+" "+e[3:])
		if e[0] == 'R' || e[0] == 'C' {
			i++ // the entry after a rename or copy is its source
		}
	}
	if len(changes) == 0 {
		return nil
	}
	list := strings.Join(changes[:min(len(changes), 5)], ", ")
	if len(changes) > 5 {
		list += fmt.Sprintf(" and %d more", len(changes)-5)
	}
	return fmt.Errorf("%w (%s); commit or discard them", ErrDirty, list)
}

// ErrNotCommitted is the reason Pull refuses a checkout holding desired-state
// files that HEAD does not: what would be loaded is not what the commit
// named in the report holds.
var ErrNotCommitted = errors.New("the checkout has desired-state files that are not committed")

// onlyCommitted refuses files matching the patterns that HEAD does not hold
// as they are: untracked or git-ignored ones and, with modified, tracked
// ones changed since HEAD (the pull refuses those earlier, in clean).
// Loading exactly the commit's files (git archive into a temporary
// directory) was the alternative; refusing keeps every file:line of an
// error pointing at the file the user edits, and says why a file is not
// applied instead of ignoring it silently.
func (g *git) onlyCommitted(ctx context.Context, patterns []string, modified bool) error {
	if len(patterns) == 0 {
		patterns = DefaultFiles
	}
	// --others without --exclude lists the ignored files too.
	out, err := g.run(ctx, "ls-files", "-z", "--others")
	if err != nil {
		return fmt.Errorf("listing the files no commit holds: %w", err)
	}
	stray := matching(out, patterns)
	if modified {
		out, err := g.run(ctx, "diff", "--name-only", "--relative", "-z", "HEAD", "--")
		if err != nil {
			return fmt.Errorf("listing the files changed since HEAD: %w", err)
		}
		stray = append(stray, matching(out, patterns)...)
	}
	if len(stray) == 0 {
		return nil
	}
	slices.Sort(stray)
	stray = slices.Compact(stray)
	names := make([]string, 0, min(len(stray), 5))
	for _, n := range stray[:min(len(stray), 5)] {
		names = append(names, QuoteName(n))
	}
	list := strings.Join(names, ", ")
	if len(stray) > 5 {
		list += fmt.Sprintf(" and %d more", len(stray)-5)
	}
	return fmt.Errorf("%w (%s: untracked, git-ignored or changed since HEAD); ogsync applies only what a commit holds: commit them or remove them", ErrNotCommitted, list)
}

// matching returns the NUL-separated names of out that match a pattern.
func matching(out string, patterns []string) []string {
	var names []string
	for _, n := range strings.Split(out, "\x00") {
		if n != "" && slices.ContainsFunc(patterns, func(p string) bool { return Match(p, n) }) {
			names = append(names, n)
		}
	}
	return names
}

// isAncestor reports whether a is an ancestor of b.
func (g *git) isAncestor(ctx context.Context, a, b string) (bool, error) {
	_, err := g.run(ctx, "merge-base", "--is-ancestor", a, b)
	if err == nil {
		return true, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && ctx.Err() == nil {
		return false, nil
	}
	return false, fmt.Errorf("comparing %s with %s: %w", short(a), short(b), err)
}

// verify refuses a commit whose signature git cannot verify.
func (g *git) verify(ctx context.Context, sha string) error {
	if _, err := g.run(ctx, "verify-commit", sha); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("verifying commit %s: %w", short(sha), err)
		}
		var ge *gitError
		if errors.As(err, &ge) && ge.stderr == "" {
			return fmt.Errorf("%w: commit %s is not signed", ErrUnverified, short(sha))
		}
		return fmt.Errorf("%w: commit %s: %w", ErrUnverified, short(sha), err)
	}
	return nil
}

// revision describes a commit.
func (g *git) revision(ctx context.Context, sha string) (model.Revision, error) {
	rev := model.Revision{Dir: g.dir}
	out, err := g.run(ctx, "log", "-1", "--no-show-signature", "--format=%H%x00%an%x00%ae%x00%aI%x00%s", sha, "--")
	if err != nil {
		return rev, fmt.Errorf("reading commit %s: %w", short(sha), err)
	}
	parts := strings.Split(strings.TrimRight(out, "\n"), "\x00")
	if len(parts) != 5 {
		return rev, fmt.Errorf("reading commit %s: unexpected output", short(sha))
	}
	date, err := time.Parse(time.RFC3339, parts[3])
	if err != nil {
		return rev, fmt.Errorf("reading commit %s: date %q: %w", short(sha), parts[3], err)
	}
	rev.Commit, rev.Date, rev.Subject = parts[0], date, parts[4]
	rev.Author = fmt.Sprintf("%s <%s>", parts[1], parts[2])
	return rev, nil
}

// refNameRE bounds the remote and branch names passed to git: they can
// never be read as an option nor form a revision expression.
var refNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)

func checkRefName(kind, s string) error {
	bad := !refNameRE.MatchString(s) || len(s) > 200 || strings.Contains(s, "..") ||
		strings.Contains(s, "//") || strings.Contains(s, "/.") || strings.HasSuffix(s, "/") ||
		strings.HasSuffix(s, ".") || strings.HasSuffix(s, ".lock")
	if bad {
		return fmt.Errorf("git %s %q is not a valid name", kind, s)
	}
	return nil
}

func containsLine(out, want string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// credentialsRE matches the user:password part of a URL.
var credentialsRE = regexp.MustCompile(`(://)[^/@\s]+@`)

// redact removes credentials a remote URL may carry from git's messages.
func redact(s string) string { return credentialsRE.ReplaceAllString(s, "${1}***@") }

// boundedBuffer keeps the first max bytes written to it and drops the rest.
type boundedBuffer struct {
	bytes.Buffer
	max       int
	truncated bool
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room < len(p) {
		b.truncated = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
