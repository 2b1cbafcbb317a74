package config_test

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/daemon"
	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target/atlassian"
	"github.com/ogsync/ogsync/target/opsgenie"
)

// verdict is one setting written in the configuration file and the same
// setting given to the package that owns it.
type verdict struct {
	name string
	yaml string
	// owner gives the setting to the owning package (its Validate or its
	// constructor) and returns its error; nil means accepted.
	owner func() error
}

// TestVerdictsAgree feeds each setting through config.Parse (what
// validate --config does) and through the package that owns the setting,
// and requires the same verdict: both accept or both refuse. The cases
// marked "disagreed" passed one and failed the other before each package
// owned its rules.
func TestVerdictsAgree(t *testing.T) {
	var cases []verdict
	branch := func(b string) verdict {
		return verdict{"branch " + b, fmt.Sprintf("source:\n  git: {pull: true, branch: %q}\n", b), func() error {
			o := source.Options{Files: source.DefaultFiles, Git: source.GitOptions{Pull: true, Remote: "origin", Branch: b}}
			return o.Validate().Err()
		}}
	}
	files := func(globs ...string) verdict {
		return verdict{fmt.Sprintf("files %q", globs), fmt.Sprintf("source:\n  files: [%s]\n", quoteAll(globs)), func() error {
			return source.Options{Files: globs}.Validate().Err()
		}}
	}
	cases = append(cases,
		branch("release.lock"), // disagreed
		branch("feature/x"),
		branch("a..b"),
		branch("main"),
		branch("-x"),
		branch("a/"),        // disagreed
		files("**b/*.yaml"), // disagreed
		files("[a-"),
		files("users/*.yaml"),
		files("./users/*.yaml"), // disagreed
		files(`a\b.yaml`),       // disagreed
		verdict{"external user without @", "source:\n  external_users: [bob]\n", func() error {
			return source.Options{ExternalUsers: []string{"bob"}}.Validate().Err()
		}},
	)

	rate := func(v string, perSecond float64) verdict {
		return verdict{"per_second " + v, "opsgenie:\n  rate_limit: {per_second: " + v + "}\n", func() error {
			_, err := opsgenie.New(opsgenie.Options{APIKey: "k", Rate: opsgenie.Rate{PerSecond: perSecond}})
			return err
		}}
	}
	burst := func(n int) verdict {
		return verdict{fmt.Sprint("burst ", n), fmt.Sprintf("opsgenie:\n  rate_limit: {per_second: 10, burst: %d}\n", n), func() error {
			_, err := opsgenie.New(opsgenie.Options{APIKey: "k", Rate: opsgenie.Rate{PerSecond: 10, Burst: n}})
			return err
		}}
	}
	client := func(name, yaml string, mod func(*opsgenie.Options)) verdict {
		return verdict{name, yaml, func() error {
			o := opsgenie.Options{APIKey: "k"}
			mod(&o)
			_, err := opsgenie.New(o)
			return err
		}}
	}
	cases = append(cases,
		rate("1e-300", 1e-300), // disagreed
		rate("0.01", 0.01),
		rate("2000", 2000), // disagreed
		rate("1000", 1000),
		burst(1), burst(1001), // disagreed
		client("url with credentials", "opsgenie:\n  url: https://u:p@api.opsgenie.com\n", func(o *opsgenie.Options) { o.BaseURL = "https://u:p@api.opsgenie.com" }),
		client("url over http", "opsgenie:\n  url: http://api.opsgenie.com\n", func(o *opsgenie.Options) { o.BaseURL = "http://api.opsgenie.com" }),
		client("url on loopback", "opsgenie:\n  url: http://127.0.0.1:9\n", func(o *opsgenie.Options) { o.BaseURL = "http://127.0.0.1:9" }),
		client("max_retries 20", "opsgenie:\n  max_retries: 20\n", func(o *opsgenie.Options) { o.MaxRetries = 20 }),
		client("max_retries 21", "opsgenie:\n  max_retries: 21\n", func(o *opsgenie.Options) { o.MaxRetries = 21 }), // disagreed
		client("max_retries -1", "opsgenie:\n  max_retries: -1\n", func(o *opsgenie.Options) { o.MaxRetries = -1 }),
		client("negative timeout", "opsgenie:\n  timeout: -1s\n", func(o *opsgenie.Options) { o.Timeout = -time.Second }), // disagreed
	)

	schedule := func(spec string) verdict {
		return verdict{"schedule " + spec, fmt.Sprintf("schedule: %q\n", spec), func() error {
			_, err := daemon.NewDaemon(daemon.Options{
				Settings: daemon.Settings{Schedule: spec, TimeZone: "UTC", MaxFailedCycles: 1, StateDir: t.TempDir()},
				Cycle:    func(context.Context) (engine.Result, error) { return engine.Result{}, nil },
				Logger:   slog.New(slog.DiscardHandler),
			})
			return err
		}}
	}
	settings := func(name, yaml string, mod func(*daemon.Settings)) verdict {
		return verdict{name, yaml, func() error {
			s := daemon.Settings{Schedule: "@hourly", TimeZone: "UTC", MaxFailedCycles: 1}
			mod(&s)
			return s.Validate().Err()
		}}
	}
	cases = append(cases,
		schedule("@every 0s"),    // disagreed
		schedule("@every 500ms"), // disagreed
		schedule("@every 1m"),
		schedule("0 0 30 2 *"), // disagreed
		schedule("0 3 29 2 *"),
		schedule("*/10 * * * *"),
		schedule("every minute"),
		schedule("CRON_TZ=Europe/Berlin 0 3 * * *"), // disagreed
		settings("time zone", "time_zone: Mars/Olympus\n", func(s *daemon.Settings) { s.TimeZone = "Mars/Olympus" }),
		settings("max_failed_cycles 0", "health: {max_failed_cycles: 0}\n", func(s *daemon.Settings) { s.MaxFailedCycles = 0 }),
		settings("max_blocked_cycles -1", "health: {max_blocked_cycles: -1}\n", func(s *daemon.Settings) { s.MaxBlockedCycles = -1 }),
		settings("listen", "listen: localhost\n", func(s *daemon.Settings) { s.Listen = "localhost" }),
		settings("listen host:port", "listen: 127.0.0.1:9090\n", func(s *daemon.Settings) { s.Listen = "127.0.0.1:9090" }),
	)

	plan := func(name, yaml string, mod func(*planner.Options)) verdict {
		return verdict{name, yaml, func() error {
			o := planner.DefaultOptions()
			mod(&o)
			return o.Validate()
		}}
	}
	cases = append(cases,
		plan("min_owners -1", "safeguards: {min_owners: -1}\n", func(o *planner.Options) { o.Safeguards.MinOwners = -1 }),
		plan("min_owners 0", "safeguards: {min_owners: 0}\n", func(o *planner.Options) { o.Safeguards.MinOwners = 0 }),
		plan("min_users -1", "safeguards: {min_users: -1}\n", func(o *planner.Options) { o.Safeguards.MinUsers = -1 }),
		plan("max_deletes.count -1", "safeguards: {max_deletes: {count: -1}}\n", func(o *planner.Options) { o.Safeguards.MaxDeletes.Count = -1 }),
		plan("max_deletes.count 0", "safeguards: {max_deletes: {count: 0}}\n", func(o *planner.Options) { o.Safeguards.MaxDeletes.Count = 0 }),
		plan("max_deletes.percent 100", "safeguards: {max_deletes: {percent: 100}}\n", func(o *planner.Options) { o.Safeguards.MaxDeletes.Percent = 100 }),
		plan("max_deletes.percent 100.5", "safeguards: {max_deletes: {percent: 100.5}}\n", func(o *planner.Options) { o.Safeguards.MaxDeletes.Percent = 100.5 }),
		plan("max_shrink_percent -0.5", "safeguards: {max_shrink_percent: -0.5}\n", func(o *planner.Options) { o.Safeguards.MaxShrinkPercent = -0.5 }),
		plan("policy mirror", "policy: {users: mirror}\n", func(o *planner.Options) { o.Policies.Users = "mirror" }),
		plan("ownership all", "ownership: {mode: all}\n", func(o *planner.Options) { o.Ownership.Mode = "all" }),
		plan("blank marker", "ownership: {marker_key: \" \"}\n", func(o *planner.Options) { o.Ownership.MarkerKey = " " }),
		plan("ignore_teams glob", "safeguards: {ignore_teams: [\"[x\"]}\n", func(o *planner.Options) { o.Scope.IgnoreTeams = []string{"[x"} }),
		plan("ignore_users empty glob", "safeguards: {ignore_users: [\"\"]}\n", func(o *planner.Options) { o.Scope.IgnoreUsers = []string{""} }),
		plan("ignore_users blank glob", "safeguards: {ignore_users: [\" \"]}\n", func(o *planner.Options) { o.Scope.IgnoreUsers = []string{" "} }), // disagreed
		// Accepted by both before: a NaN percent compares false with every
		// count, so it turned the safeguard off.
		plan("max_shrink_percent .nan", "safeguards: {max_shrink_percent: .nan}\n", func(o *planner.Options) { o.Safeguards.MaxShrinkPercent = math.NaN() }),
		plan("max_deletes.percent .nan", "safeguards: {max_deletes: {percent: .nan}}\n", func(o *planner.Options) { o.Safeguards.MaxDeletes.Percent = math.NaN() }),
		plan("required user", "safeguards: {required_users: [bob]}\n", func(o *planner.Options) { o.Safeguards.RequiredUsers = []string{"bob"} }), // disagreed
		plan("protected user", "safeguards: {protected_users: [bob]}\n", func(o *planner.Options) { o.Scope.ProtectedUsers = []string{"bob"} }),   // disagreed
	)

	eng := func(name, yaml string, o engine.EngineOptions) verdict {
		return verdict{name, yaml, func() error { return o.Validate().Err() }}
	}
	refs := func(mode string) verdict {
		return verdict{"on_call_references " + mode, fmt.Sprintf("safeguards: {on_call_references: %q}\n", mode), func() error {
			return planner.CheckOnCallReferences(mode)
		}}
	}
	cases = append(cases,
		eng("concurrency 1", "apply: {concurrency: 1}\n", engine.EngineOptions{Concurrency: 1}),
		eng("concurrency 64", "apply: {concurrency: 64}\n", engine.EngineOptions{Concurrency: 64}),
		eng("concurrency 65", "apply: {concurrency: 65}\n", engine.EngineOptions{Concurrency: 65}), // disagreed
		eng("concurrency -1", "apply: {concurrency: -1}\n", engine.EngineOptions{Concurrency: -1}), // disagreed
		eng("heartbeat", "opsgenie: {heartbeat: ogsync-roster}\n", engine.EngineOptions{Heartbeat: "ogsync-roster"}),
		eng("heartbeat spaces", "opsgenie: {heartbeat: \" ogsync\"}\n", engine.EngineOptions{Heartbeat: " ogsync"}),                                    // disagreed
		eng("heartbeat control", "opsgenie: {heartbeat: \"a\\tb\"}\n", engine.EngineOptions{Heartbeat: "a\tb"}),                                        // disagreed
		eng("heartbeat 201 bytes", "opsgenie: {heartbeat: "+strings.Repeat("h", 201)+"}\n", engine.EngineOptions{Heartbeat: strings.Repeat("h", 201)}), // disagreed
		refs("block"), refs("warn"), refs("Block"),
	)

	atl := func(name, section string, mod func(*atlassian.Options)) verdict {
		return verdict{"atlassian " + name, "target: atlassian\natlassian:\n" + section, func() error {
			o := atlassian.Options{Site: "acme", OrgID: "o", CloudID: "c", Email: "a@b.c"}
			mod(&o)
			return o.Validate().Err()
		}}
	}
	const ids = "  org_id: o\n  cloud_id: c\n  email: a@b.c\n"
	cases = append(cases,
		atl("site", "  site: acme\n"+ids, func(*atlassian.Options) {}),
		atl("site host", "  site: acme.atlassian.net\n"+ids, func(o *atlassian.Options) { o.Site = "acme.atlassian.net" }),
		atl("site with scheme", "  site: https://acme/\n"+ids, func(o *atlassian.Options) { o.Site = "https://acme/" }), // disagreed
		atl("no site nor url", ids, func(o *atlassian.Options) { o.Site = "" }),
		atl("url on loopback", "  url: http://127.0.0.1:9\n"+ids, func(o *atlassian.Options) { o.Site, o.BaseURL = "", "http://127.0.0.1:9" }),
		atl("url over http", "  url: http://example.com\n"+ids, func(o *atlassian.Options) { o.Site, o.BaseURL = "", "http://example.com" }),         // disagreed
		atl("url with a path", "  url: https://example.com/x\n"+ids, func(o *atlassian.Options) { o.Site, o.BaseURL = "", "https://example.com/x" }), // disagreed
		atl("url not a URL", "  url: acme\n"+ids, func(o *atlassian.Options) { o.Site, o.BaseURL = "", "acme" }),
		atl("no org_id", "  site: acme\n  cloud_id: c\n  email: a@b.c\n", func(o *atlassian.Options) { o.OrgID = "" }),
		atl("cloud_id with %", "  site: acme\n  org_id: o\n  cloud_id: c%2f\n  email: a@b.c\n", func(o *atlassian.Options) { o.CloudID = "c%2f" }), // disagreed
		atl("email without @", "  site: acme\n  org_id: o\n  cloud_id: c\n  email: nobody\n", func(o *atlassian.Options) { o.Email = "nobody" }),
		atl("negative timeout", "  site: acme\n"+ids+"  timeout: -1s\n", func(o *atlassian.Options) { o.Timeout = -time.Second }),
		atl("timeout 10s", "  site: acme\n"+ids+"  timeout: 10s\n", func(o *atlassian.Options) { o.Timeout = 10 * time.Second }),
	)

	// What both must say: these are accepted, every other case refused.
	accepted := map[string]bool{}
	for _, name := range []string{
		"branch feature/x", "branch main", `files ["users/*.yaml"]`,
		"per_second 0.01", "per_second 1000", "burst 1", "url on loopback", "max_retries 20",
		"schedule @every 1m", "schedule 0 3 29 2 *", "schedule */10 * * * *", "listen host:port",
		"min_owners 0", "max_deletes.count 0", "max_deletes.percent 100",
		"concurrency 1", "concurrency 64", "heartbeat", "on_call_references block",
		"atlassian site", "atlassian site host", "atlassian url on loopback", "atlassian timeout 10s",
	} {
		accepted[name] = true
	}
	for _, c := range cases {
		_, cfgErr := config.Parse("c.yaml", []byte(c.yaml))
		ownErr := c.owner()
		if (cfgErr == nil) != (ownErr == nil) {
			t.Errorf("%s: config says %v; the owning package says %v", c.name, orOK(cfgErr), orOK(ownErr))
		} else if (cfgErr == nil) != accepted[c.name] {
			t.Errorf("%s: both say %v, want the opposite", c.name, orOK(cfgErr))
		}
	}
}

func orOK(err error) string {
	if err == nil {
		return "ok"
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// TestWrittenZeroRefused: where the owning package reads a zero value as
// "the default", the file says the default by leaving the key out; a key
// written with the zero value is refused, with the owning package's words
// where it has a checker for the value.
func TestWrittenZeroRefused(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		want string
	}{
		{"opsgenie:\n  rate_limit: {per_second: 0}\n", "c.yaml:2:28: opsgenie.rate_limit.per_second: " + opsgenie.CheckPerSecond(0).Error()},
		{"opsgenie:\n  rate_limit: {per_second: 5, burst: 0}\n", "c.yaml:2:38: opsgenie.rate_limit.burst: " + opsgenie.CheckBurst(0).Error()},
		{"opsgenie:\n  url: \"\"\n", "c.yaml:2:8: opsgenie.url: " + opsgenie.CheckURL("").Error()},
		{"opsgenie:\n  timeout: 0s\n", "c.yaml:2:12: opsgenie.timeout: must be a positive duration such as 30s"},
		{"source:\n  git: {timeout: 0s}\n", "c.yaml:2:18: source.git.timeout: must be a positive duration such as 2m"},
		{"policy: {teams: \"\"}\n", "c.yaml:1:17: policy.teams: " + planner.CheckPolicyName("").Error()},
		{"ownership: {mode: \"\"}\n", "c.yaml:1:19: ownership.mode: " + planner.CheckOwnershipMode("").Error()},
		{"apply: {concurrency: 0}\n", "c.yaml:1:22: apply.concurrency: " + engine.CheckConcurrency(0).Error()},
	} {
		_, err := config.Parse("c.yaml", []byte(tc.yaml))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: err = %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
