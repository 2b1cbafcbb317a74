package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// goodUsers and goodTeams are a valid desired state the bad inputs are
// added to or replace.
const (
	goodUsers = `users:
  - username: owner@example.com
    fullName: Account Owner
    role: Owner
  - username: ada@example.com
    fullName: Ada Lovelace
    role: Admin
`
	goodTeams = `teams:
  - name: sre
    description: Site reliability
    members:
      - user: ada@example.com
        role: admin
`
)

// badCase is one bad input: desired-state files (replacing or added to the
// good ones), a configuration (extra YAML, or a whole file), and the
// command line. want is a regular expression stderr must match: the
// file:line of the problem, or the flag.
type badCase struct {
	name string
	// files are desired-state files by name; "users.yaml" or "teams.yaml"
	// replace the good ones.
	files map[string]string
	// configExtra is appended to the good configuration; config, when set,
	// replaces it (the placeholders URL, DIR and STATE are filled in).
	configExtra, config string
	// args are the command line, with CONFIG standing for the config file
	// (default: apply --config CONFIG).
	args []string
	// noKey runs without OPSGENIE_API_KEY.
	noKey bool
	want  string
	// setup, when set, prepares hostile files before the run: base is the
	// test's directory, dir the desired state, state the state directory.
	setup func(t *testing.T, base, dir, state string)
	// check, when set, makes further assertions after the run.
	check func(t *testing.T, base, stderr string)
}

func badCases() []badCase {
	yaml := func(name, content, want string) badCase {
		return badCase{name: "yaml/" + name, files: map[string]string{"bad.yaml": content}, want: want}
	}
	cfg := func(name, extra, want string) badCase {
		return badCase{name: "config/" + name, configExtra: extra, want: want}
	}
	cli := func(name, want string, args ...string) badCase {
		return badCase{name: "cli/" + name, args: args, want: want}
	}
	return []badCase{
		// Desired-state YAML: every one names bad.yaml (or the file at fault) and its line.
		yaml("syntax error", "users:\n  - username: bob@example.com\n    fullName: [Bob\n", `bad\.yaml:\d+`),
		yaml("tab indentation", "users:\n\t- username: bob@example.com\n", `bad\.yaml:2`),
		yaml("unknown user key", "users:\n  - username: bob@example.com\n    fulName: Bob\n", `bad\.yaml:3`),
		yaml("unknown top-level key", "groups: []\n", `bad\.yaml:1`),
		yaml("duplicate key", "users:\n  - username: bob@example.com\n    fullName: Bob\n    fullName: Robert\n", `bad\.yaml:4`),
		yaml("duplicate username across files", "users:\n  - username: ADA@example.com\n    fullName: Ada Again\n", `bad\.yaml:2`),
		yaml("not an e-mail", "users:\n  - username: bob\n    fullName: Bob\n", `bad\.yaml:2`),
		yaml("unknown role", "users:\n  - username: bob@example.com\n    fullName: Bob\n    role: Wizard\n", `bad\.yaml:4`),
		yaml("unknown time zone", "users:\n  - username: bob@example.com\n    fullName: Bob\n    timeZone: Mars/Olympus\n", `bad\.yaml:4`),
		yaml("malformed locale", "users:\n  - username: bob@example.com\n    fullName: Bob\n    locale: English\n", `bad\.yaml:4`),
		yaml("unsupported locale", "users:\n  - username: bob@example.com\n    fullName: Bob\n    locale: xx_YY\n", `bad\.yaml:4:\d+: users\[0\]\.locale: "xx_YY" is not a locale OpsGenie supports`),
		yaml("locale OpsGenie does not list", "users:\n  - username: bob@example.com\n    fullName: Bob\n    locale: en_DE\n", `bad\.yaml:4:\d+: users\[0\]\.locale: "en_DE" is not a locale OpsGenie supports: for en it lists`),
		yaml("member not declared", "teams:\n  - name: ops\n    members:\n      - user: ghost@example.com\n        role: user\n", `bad\.yaml:4:\d+: teams\[0\]\.members\[0\]\.user`),
		yaml("member role", "teams:\n  - name: ops\n    members:\n      - user: ada@example.com\n        role: owner\n", `bad\.yaml:5`),
		yaml("team name", "teams:\n  - name: ops/oncall\n", `bad\.yaml:2`),
		yaml("duplicate team across files", "teams:\n  - name: SRE\n", `bad\.yaml:2`),
		yaml("duplicate member", "teams:\n  - name: ops\n    members:\n      - user: ada@example.com\n        role: user\n      - user: ada@example.com\n        role: admin\n", `bad\.yaml:6`),
		yaml("anchor and alias", "users:\n  - &b\n    username: bob@example.com\n    fullName: Bob\n  - *b\n", `bad\.yaml:\d+`),
		yaml("merge key", "users:\n  - username: bob@example.com\n    <<: {fullName: Bob}\n", `bad\.yaml:3`),
		yaml("two documents", "users: []\n---\nteams: []\n", `bad\.yaml:2`),
		yaml("top-level list", "- username: bob@example.com\n", `bad\.yaml:1`),
		yaml("top-level scalar", "just words\n", `bad\.yaml:1`),
		yaml("tags not a list", "users:\n  - username: bob@example.com\n    fullName: Bob\n    tags: sre\n", `bad\.yaml:4`),
		yaml("details not a map of lists", "users:\n  - username: bob@example.com\n    fullName: Bob\n    details: {costCenter: 42}\n", `bad\.yaml:4`),
		yaml("invalid UTF-8", "users:\n  - username: bob@example.com\n    fullName: B\xffb\n", `bad\.yaml:3`),
		yaml("control character", "users:\n  - username: bob@example.com\n    fullName: B\x07b\n", `bad\.yaml:3`),
		yaml("username too long", "users:\n  - username: "+strings.Repeat("b", 120)+"@example.com\n    fullName: Bob\n", `bad\.yaml:2`),
		yaml("undeclared custom role", "users:\n  - username: bob@example.com\n    fullName: Bob\n    role: Incident Commander\n", `bad\.yaml:4`),
		yaml("null username", "users:\n  - username: ~\n    fullName: Bob\n", `bad\.yaml:2`),
		yaml("users not a list", "users: {bob: x}\n", `bad\.yaml:1`),
		{name: "yaml/empty users.yaml", files: map[string]string{"users.yaml": ""}, want: `users\.yaml`},
		{name: "yaml/owner removed, min_owners", files: map[string]string{"users.yaml": "users:\n  - username: ada@example.com\n    fullName: Ada\n    role: Admin\n"}, want: `min_owners`},

		// The configuration file: every one names ogsync.yaml and its line.
		cfg("unknown key", "apply: {concurency: 4}\n", `ogsync\.yaml:\d+:\d+: apply: unknown key "concurency"`),
		{name: "config/plain http to a remote host", config: "opsgenie: {url: \"http://api.opsgenie.com\"}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:1:\d+: opsgenie\.url`},
		{name: "config/zero rate", config: "opsgenie:\n  url: URL\n  rate_limit: {per_second: 0, burst: 4}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:3:\d+: opsgenie\.rate_limit\.per_second`},
		{name: "config/unknown policy", config: "opsgenie: {url: URL}\nsource: {path: DIR}\npolicy: {users: mirror}\nstate_dir: STATE\n", want: `ogsync\.yaml:3:\d+: policy\.users`},
		{name: "config/duplicate key", config: "opsgenie: {url: URL}\nsource: {path: DIR}\nstate_dir: STATE\nstate_dir: STATE\n", want: `ogsync\.yaml:4`},
		cfg("cron schedule", "schedule: every day\n", `ogsync\.yaml:\d+:\d+: schedule`),
		cfg("time zone", "time_zone: Nowhere/Land\n", `ogsync\.yaml:\d+:\d+: time_zone`),
		cfg("concurrency zero", "apply: {concurrency: 0}\n", `ogsync\.yaml:\d+:\d+: apply\.concurrency`),
		cfg("ownership mode", "ownership: {mode: steal}\n", `ogsync\.yaml:\d+:\d+: ownership\.mode`),
		cfg("listen address", "listen: nohostport\n", `ogsync\.yaml:\d+:\d+: listen`),
		cfg("alias", "health: &h {max_failed_cycles: 3}\nx: *h\n", `ogsync\.yaml:\d+`),
		cfg("wrong type", "listen: [a, b]\n", `ogsync\.yaml:\d+:9: listen: must be a string`),
		{name: "config/fraction for a whole number", config: "opsgenie: {url: URL, max_retries: 1.5}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:1:\d+: opsgenie\.max_retries: must be a whole number`},
		{name: "config/duration without a unit", config: "opsgenie:\n  url: URL\n  timeout: 30\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:3:12: opsgenie\.timeout: 30 has no unit`},
		{name: "config/syntax error", config: "opsgenie:\n  url: URL\n  timeout: [5s\nstate_dir: STATE\n", want: `ogsync\.yaml:\d+`},
		{name: "config/max_retries", config: "opsgenie: {url: URL, max_retries: 99}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:1:\d+: opsgenie\.max_retries`},
		{name: "config/negative timeout", config: "opsgenie:\n  url: URL\n  timeout: -1s\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:3:\d+: opsgenie\.timeout`},
		{name: "config/max_deletes percent", config: "opsgenie: {url: URL}\nsource: {path: DIR}\nsafeguards:\n  max_deletes: {count: 5, percent: 150}\nstate_dir: STATE\n", want: `ogsync\.yaml:4:\d+: safeguards\.max_deletes\.percent`},
		{name: "config/glob escapes", config: "opsgenie: {url: URL}\nsource:\n  path: DIR\n  files: [\"../*.yaml\"]\nstate_dir: STATE\n", want: `ogsync\.yaml:4:\d+: source\.files\[0\]`},
		{name: "config/empty file", config: "", want: `ogsync\.yaml: file is empty`},
		{name: "config/no API key", noKey: true, want: `no API key: set OPSGENIE_API_KEY or opsgenie\.api_key_file`},
		{name: "config/empty API key file", config: "opsgenie: {url: URL, api_key_file: KEYFILE}\nsource: {path: DIR}\nstate_dir: STATE\n", noKey: true, want: `API key file .*empty-key is empty`},

		// The Atlassian target's configuration.
		{name: "config/unknown target", config: "target: jira\nopsgenie: {url: URL}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:1:9: target: "jira" is not a target`},
		{name: "config/atlassian keys missing", config: "target: atlassian\natlassian:\n  url: URL\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:3:\d+: atlassian\.org_id: is required`},
		{name: "config/atlassian without site or url", config: "target: atlassian\natlassian: {org_id: o, cloud_id: c, email: a@example.com}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:2:\d+: atlassian\.site: is required`},
		{name: "config/atlassian plain http to a remote host", config: "target: atlassian\natlassian:\n  url: http://example.com\n  org_id: o\n  cloud_id: c\n  email: a@example.com\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:3:\d+: atlassian\.url: .*loopback`},
		{name: "config/atlassian email", config: "target: atlassian\natlassian: {url: URL, org_id: o, cloud_id: c, email: nobody}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:2:\d+: atlassian\.email`},
		{name: "config/atlassian no token", config: "target: atlassian\natlassian: {url: URL, org_id: o, cloud_id: c, email: a@example.com}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `no secret: set ATLASSIAN_API_TOKEN or atlassian\.api_token_file`},
		{name: "config/atlassian empty token file", config: "target: atlassian\natlassian: {url: URL, org_id: o, cloud_id: c, email: a@example.com, api_token_file: KEYFILE}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `atlassian\.api_token_file: .*empty-key is empty`},
		{name: "cli/validate atlassian keys missing", config: "target: atlassian\natlassian:\n  url: URL\nsource: {path: DIR}\nstate_dir: STATE\n",
			args: []string{"validate", "--config", "CONFIG"}, want: `ogsync\.yaml:3:\d+: atlassian\.cloud_id: is required`},
		{name: "cli/validate atlassian empty token file", config: "target: atlassian\natlassian: {url: URL, org_id: o, cloud_id: c, email: a@example.com, api_token_file: KEYFILE}\nsource: {path: DIR}\nstate_dir: STATE\n",
			args: []string{"validate", "--config", "CONFIG"}, want: `atlassian\.api_token_file: .*empty-key is empty`},
		{name: "cli/migrate-check bad --to", args: []string{"migrate-check", "--from", "CONFIG", "--to", "missing.yaml"}, want: `reading config: open .*missing\.yaml`},
		{name: "cli/migrate-check format", args: []string{"migrate-check", "--from", "CONFIG", "--to", "CONFIG", "--format", "pdf"}, want: `--format=pdf`},
		{name: "cli/sim unknown target", args: []string{"sim", "--target", "jira"}, want: `--target=jira: must be opsgenie or atlassian`},

		// The command line: every one names the flag (or the command).
		cli("no --config", `--config is required`, "apply"),
		cli("missing config file", `reading config: open .*missing\.yaml`, "apply", "--config", "missing.yaml"),
		cli("unknown flag", `flag provided but not defined: -dry-run`, "apply", "--config", "CONFIG", "--dry-run"),
		cli("remote http api url", `--api-url`, "apply", "--config", "CONFIG", "--api-url", "http://api.opsgenie.com"),
		cli("api url with a path", `--api-url`, "apply", "--config", "CONFIG", "--api-url", "https://api.opsgenie.com/v2"),
		cli("log level", `--log-level=loud`, "apply", "--config", "CONFIG", "--log-level", "loud"),
		cli("log format", `--log-format=xml`, "apply", "--config", "CONFIG", "--log-format", "xml"),
		cli("positional argument", `unexpected argument "now"`, "apply", "--config", "CONFIG", "now"),
		cli("missing saved plan", `--plan: .*missing-plan\.json`, "apply", "--config", "CONFIG", "--plan", "missing-plan.json"),
		cli("saved plan not JSON", `--plan: .*not-a-plan\.json`, "apply", "--config", "CONFIG", "--plan", "PLANFILE"),
		cli("plan format", `--format=pdf`, "plan", "--config", "CONFIG", "--format", "pdf"),
		cli("run without --config", `--config is required`, "run", "--once", "--apply"),
		cli("run flag value", `invalid boolean value "yes" for -once`, "run", "--config", "CONFIG", "--once=yes", "--apply"),
		cli("unknown command", `unknown command "aply"`, "aply", "--config", "CONFIG"),
		cli("flag without value", `flag needs an argument: -config`, "apply", "--config"),
		cli("stale saved plan", `changed since the plan was saved; nothing applied`, "apply", "--config", "CONFIG", "--plan", "STALEPLAN"),
		cli("plan --out into a missing directory", `writing the report: .*missing-dir/plan\.txt`, "plan", "--config", "CONFIG", "--out", "missing-dir/plan.txt"),
		{name: "cli/run --once --apply on bad YAML", files: map[string]string{"bad.yaml": "users:\n  - username: bob@example.com\n    fullName: Bob\n    role: Wizard\n"},
			args: []string{"run", "--config", "CONFIG", "--once", "--apply"}, want: `bad\.yaml:4:\d+: users\[0\]\.role`},
		{name: "cli/plan on bad YAML", files: map[string]string{"bad.yaml": "teams:\n  - name: ops\n    members: nobody\n"},
			args: []string{"plan", "--config", "CONFIG", "--detailed-exitcode"}, want: `bad\.yaml:3:\d+: teams\[0\]\.members`},
		{name: "cli/validate on bad YAML", files: map[string]string{"bad.yaml": "users:\n  - username: bob@example.com\n    fullname: Bob\n"},
			args: []string{"validate", "--desired", "DIR"}, want: `bad\.yaml:3:\d+: users\[0\]\.fullname`},
		{name: "config/source path missing", config: "opsgenie: {url: URL}\nsource: {path: DIR/nowhere}\nstate_dir: STATE\n", want: `desired/nowhere`},
	}
}

// hostileCases are the bad inputs of the hardening work: secrets in URLs,
// special files, links, control characters, schedules that never fire,
// absurd rates, unusable key files, an unsafe state directory.
func hostileCases() []badCase {
	cfg := func(name, extra, want string) badCase {
		return badCase{name: "config/" + name, configExtra: extra, want: want}
	}
	cli := func(name, want string, args ...string) badCase {
		return badCase{name: "cli/" + name, args: args, want: want}
	}
	keyFile := func(name, content string, want string, args ...string) badCase {
		return badCase{name: "config/" + name, noKey: true, args: args,
			config: "opsgenie: {url: URL, api_key_file: " + name + "}\nsource: {path: DIR}\nstate_dir: STATE\n",
			setup: func(t *testing.T, base, dir, state string) {
				writeFile(t, filepath.Join(base, name), content)
			}, want: want}
	}
	fifoAt := func(rel string) func(t *testing.T, base, dir, state string) {
		return func(t *testing.T, base, dir, state string) {
			if err := syscall.Mkfifo(filepath.Join(base, rel), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return []badCase{
		// 1. The key never appears in an error about a URL.
		cli("api url with the key in its query", `--api-url: "http://127\.0\.0\.1:1/": must be a base URL with no query`, "plan", "--config", "CONFIG", "--api-url", "http://127.0.0.1:1/?apiKey=KEY"),
		cli("api url with the key as credentials", `--api-url: "https://api\.opsgenie\.com": the URL must not carry credentials`, "plan", "--config", "CONFIG", "--api-url", "https://KEY@api.opsgenie.com"),
		cli("api url with the key in a fragment", `--api-url: .*no query`, "apply", "--config", "CONFIG", "--api-url", "https://api.opsgenie.com#KEY"),
		{name: "config/url with the key in its query", config: "opsgenie: {url: \"https://api.opsgenie.com/?key=KEY\"}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:1:\d+: opsgenie\.url: "https://api\.opsgenie\.com/": must be a base URL with no query`},

		// 2. plan --out never replaces a link, a directory or a FIFO.
		{name: "cli/plan --out to a symbolic link", args: []string{"plan", "--config", "CONFIG", "--out", "link.txt"},
			setup: func(t *testing.T, base, dir, state string) {
				writeFile(t, filepath.Join(base, "victim.txt"), "precious\n")
				if err := os.Symlink(filepath.Join(base, "victim.txt"), filepath.Join(base, "link.txt")); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, base, _ string) {
				if data, _ := os.ReadFile(filepath.Join(base, "victim.txt")); string(data) != "precious\n" {
					t.Errorf("the link's target was changed: %q", data)
				}
				if st, err := os.Lstat(filepath.Join(base, "link.txt")); err != nil || st.Mode()&os.ModeSymlink == 0 {
					t.Error("the link was replaced")
				}
			}, want: `writing the report: .*link\.txt is a symbolic link: refusing to replace or follow it`},
		{name: "cli/plan --out to a FIFO nobody reads", args: []string{"plan", "--config", "CONFIG", "--out", "fifo"}, setup: fifoAt("fifo"),
			check: func(t *testing.T, base, _ string) {
				if st, err := os.Lstat(filepath.Join(base, "fifo")); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
					t.Error("the FIFO was replaced")
				}
			}, want: `writing the report: .*fifo is a FIFO that nobody reads`},
		cli("plan --out to a directory", `writing the report: .*desired is a directory, not a regular file`, "plan", "--config", "CONFIG", "--out", "DIR"),

		// 3. The state directory and its lock.
		{name: "state/directory writable by others", setup: func(t *testing.T, base, dir, state string) {
			if err := os.MkdirAll(state, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(state, 0o777); err != nil {
				t.Fatal(err)
			}
		}, want: `the state directory .*state is writable by others \(mode 0777\)`},
		{name: "state/lock file is a symbolic link", setup: func(t *testing.T, base, dir, state string) {
			if err := os.MkdirAll(state, 0o700); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(base, "victim"), "precious\n")
			if err := os.Symlink(filepath.Join(base, "victim"), filepath.Join(state, "ogsync.lock")); err != nil {
				t.Fatal(err)
			}
		}, check: func(t *testing.T, base, _ string) {
			if data, _ := os.ReadFile(filepath.Join(base, "victim")); string(data) != "precious\n" {
				t.Errorf("the file behind the lock was changed: %q", data)
			}
		}, want: `opening lock file: .*ogsync\.lock: too many levels of symbolic links`},
		{name: "state/lock file is a FIFO", setup: func(t *testing.T, base, dir, state string) {
			if err := os.MkdirAll(state, 0o700); err != nil {
				t.Fatal(err)
			}
			fifoAt("state/ogsync.lock")(t, base, dir, state)
		}, want: `opening lock file: .*ogsync\.lock is not a regular file`},

		// 4. A git-ignored file is not applied as if committed.
		{name: "git/ignored desired-state file", setup: func(t *testing.T, base, dir, state string) {
			gitInit(t, dir, "local*.yaml\n")
			writeFile(t, filepath.Join(dir, "local-extra.yaml"), "users:\n  - username: ghost@example.com\n    fullName: Ghost\n")
		}, want: `the checkout has desired-state files that are not committed \(local-extra\.yaml`},

		// 5. Links and control characters in the desired state.
		{name: "yaml/symbolic link to a directory", setup: func(t *testing.T, base, dir, state string) {
			writeFile(t, filepath.Join(base, "elsewhere", "more.yaml"), "users: []\n")
			if err := os.Symlink(filepath.Join(base, "elsewhere"), filepath.Join(dir, "more")); err != nil {
				t.Fatal(err)
			}
		}, want: `more: a symbolic link to a directory, which is not followed`},
		{name: "yaml/symbolic link to a file", setup: func(t *testing.T, base, dir, state string) {
			writeFile(t, filepath.Join(base, "elsewhere.yaml"), "users: []\n")
			if err := os.Symlink(filepath.Join(base, "elsewhere.yaml"), filepath.Join(dir, "linked.yaml")); err != nil {
				t.Fatal(err)
			}
		}, want: `linked\.yaml: a symbolic link, which is not followed`},
		{name: "yaml/newline in a file name", files: map[string]string{"x\nforged.yaml:1:1: y.yaml": "users:\n  - username: nobody\n"},
			check: func(t *testing.T, _, stderr string) {
				for _, l := range strings.Split(stderr, "\n") {
					if strings.HasPrefix(l, "forged.yaml") {
						t.Errorf("a forged line: %q", l)
					}
				}
			}, want: `"x\\nforged\.yaml:1:1: y\.yaml":2:\d+: users\[0\]`},
		{name: "yaml/escape sequence in a file name", files: map[string]string{"\x1b[2Jclear.yaml": "users: {}\n"},
			check: func(t *testing.T, _, stderr string) {
				if strings.ContainsRune(stderr, 0x1b) {
					t.Error("a raw escape reached stderr")
				}
			}, want: `"\\x1b\[2Jclear\.yaml"`},

		// 6. Schedules, rates, bounded reads, one verdict, key files.
		cfg("schedule every 0s", "schedule: \"@every 0s\"\n", `ogsync\.yaml:\d+:\d+: schedule: "@every 0s": the interval must be at least 1s`),
		cfg("schedule every -1h", "schedule: \"@every -1h\"\n", `ogsync\.yaml:\d+:\d+: schedule: "@every -1h": the interval must be at least`),
		cfg("schedule every 500ms", "schedule: \"@every 500ms\"\n", `ogsync\.yaml:\d+:\d+: schedule`),
		cfg("schedule that never fires", "schedule: \"0 0 30 2 *\"\n", `ogsync\.yaml:\d+:\d+: schedule: "0 0 30 2 \*" never fires`),
		{name: "config/per_second 1e-300", config: "opsgenie:\n  url: URL\n  rate_limit: {per_second: 1e-300, burst: 4}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:3:\d+: opsgenie\.rate_limit\.per_second: must be between 0\.01 and 1000, not 1e-300`},
		{name: "config/per_second NaN", config: "opsgenie:\n  url: URL\n  rate_limit: {per_second: .nan, burst: 4}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:3:\d+: opsgenie\.rate_limit\.per_second`},
		cfg("unknown key beside other errors", "apply: {concurency: 4}\nschedule: \"@every 0s\"\n", `(?s)apply: unknown key "concurency".*schedule: "@every 0s"`),
		cli("config is /dev/zero", `reading config: /dev/zero is not a regular file \(a character device\)`, "apply", "--config", "/dev/zero"),
		{name: "cli/config is a FIFO", args: []string{"apply", "--config", "fifo.yaml"}, setup: fifoAt("fifo.yaml"), want: `reading config: fifo\.yaml is not a regular file \(a FIFO\)`},
		cli("config is a directory", `reading config: .* is not a regular file \(a directory\)`, "apply", "--config", "DIR"),
		keyFile("bom-key", "\ufeff"+testKey+"\n", `API key file .*bom-key starts with a byte order mark`),
		keyFile("bom-key-validate", "\ufeff"+testKey+"\n", `opsgenie\.api_key_file: API key file .*starts with a byte order mark`, "validate", "--config", "CONFIG"),
		{name: "config/key file is a FIFO", noKey: true, config: "opsgenie: {url: URL, api_key_file: key-fifo}\nsource: {path: DIR}\nstate_dir: STATE\n",
			setup: fifoAt("key-fifo"), want: `reading API key file: .*key-fifo is not a regular file \(a FIFO\)`},
		{name: "config/validate: key file missing", noKey: true, args: []string{"validate", "--config", "CONFIG"},
			config: "opsgenie: {url: URL, api_key_file: missing-key}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `opsgenie\.api_key_file: reading API key file: .*missing-key`},
		{name: "config/validate: absurd rate", args: []string{"validate", "--config", "CONFIG"},
			config: "opsgenie:\n  url: URL\n  rate_limit: {per_second: 1e-300}\nsource: {path: DIR}\nstate_dir: STATE\n", want: `ogsync\.yaml:3:\d+: opsgenie\.rate_limit\.per_second`},
	}
}

// gitInit makes dir a git repository with its files committed and
// .gitignore holding ignore.
func gitInit(t *testing.T, dir, ignore string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, ".gitignore"), ignore)
	for _, args := range [][]string{{"init", "--quiet", "-b", "main"}, {"add", "--all"}, {"commit", "--quiet", "-m", "desired state"}} {
		cmd := exec.Command("git", append([]string{"-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgSign=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// TestBadInputs runs ogsync (the built binary) on each bad input against an
// emulator: each must exit 1, name the file and line (or the flag) on
// stderr, and send the emulator no write request.
func TestBadInputs(t *testing.T) {
	e := startEmu(t, ogsim.Options{Seed: ownerSeed()})
	cases := append(badCases(), hostileCases()...)
	var tried, clear, panics, leakedWrites, leakedKeys int
	defer func() {
		t.Logf("%d inputs tried, %d clear errors, %d panics, %d writes leaked, %d key fragments leaked",
			tried, clear, panics, leakedWrites, leakedKeys)
	}()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			dir := filepath.Join(base, "desired")
			files := map[string]string{"users.yaml": goodUsers, "teams.yaml": goodTeams}
			for n, c := range tc.files {
				files[n] = c
			}
			for n, c := range files {
				writeFile(t, filepath.Join(dir, n), c)
			}
			state := filepath.Join(base, "state")
			cfgFile := filepath.Join(base, "ogsync.yaml")
			content := configYAML(e.url, dir, state, tc.configExtra)
			keyFile := filepath.Join(base, "empty-key")
			writeFile(t, keyFile, "\n")
			if tc.config != "" || tc.name == "config/empty file" {
				content = strings.NewReplacer("URL", e.url, "DIR", dir, "STATE", state, "KEYFILE", keyFile, "KEY", testKey).Replace(tc.config)
			}
			writeFile(t, cfgFile, content)
			planFile := filepath.Join(base, "not-a-plan.json")
			writeFile(t, planFile, "{\"format_version\": 1, \"actions\": [oops]}\n")
			if tc.setup != nil {
				tc.setup(t, base, dir, state)
			}
			stalePlan := filepath.Join(base, "stale-plan.json")
			writeFile(t, stalePlan, `{"format_version":1,"actions":[{"id":"create-team:x","type":"create-team","step":2,"team":"x","after":{"team":{"name":"x"}},"reason":"r"}],"summary":{"create_team":1,"total":1}}`)
			args := tc.args
			if args == nil {
				args = []string{"apply", "--config", "CONFIG"}
			}
			args = append([]string(nil), args...)
			for i, a := range args {
				args[i] = strings.NewReplacer("CONFIG", cfgFile, "PLANFILE", planFile, "STALEPLAN", stalePlan, "DIR", dir, "KEY", testKey).Replace(a)
			}
			key := testKey
			if tc.noKey {
				key = ""
			}
			before := len(e.writeLog())
			cmd := runCLIIn(t, base, cliEnv(base, key), args...)
			tried++
			t.Logf("stderr: %s", cmd.stderr)
			if cmd.code != 1 {
				t.Errorf("exit code %d, want 1", cmd.code)
			}
			if !regexp.MustCompile(tc.want).MatchString(cmd.stderr) {
				t.Errorf("stderr does not match %q:\n%s", tc.want, cmd.stderr)
			} else if cmd.code == 1 {
				clear++
			}
			if strings.Contains(cmd.stderr, "panic:") || strings.Contains(cmd.stderr, "goroutine ") {
				panics++
				t.Errorf("ogsync panicked")
			}
			if w := e.writeLog()[before:]; len(w) > 0 {
				leakedWrites += len(w)
				t.Errorf("%d write requests reached the emulator: %v", len(w), w)
			}
			if f := leaked(testKey, cmd.stdout+cmd.stderr); len(f) > 0 {
				leakedKeys += len(f)
				t.Errorf("pieces of the API key in the output: %v", f)
			}
			if tc.check != nil {
				tc.check(t, base, cmd.stderr)
			}
		})
	}
	for route, n := range e.sim.Stats().ByRoute {
		if !strings.HasPrefix(route, "GET ") {
			t.Errorf("the emulator counted %d requests of %s", n, route)
		}
	}
}
