package demo

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target"
	"github.com/ogsync/ogsync/target/opsgenie"
)

// run runs the demo against the OpsGenie emulator on examples/demo/seed.yaml
// and returns its output.
func run(t *testing.T, apply bool) string {
	t.Helper()
	const file = "../examples/demo/seed.yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	em, err := OpsGenie(file, data, key)
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()
	popts := planner.DefaultOptions()
	popts.Policies = planner.PolicyNames{Users: planner.PolicySync, Teams: planner.PolicyUpsertOnly, Members: planner.PolicySync}
	popts.Safeguards.MaxDeletes = planner.MaxDeletes{Count: 5, Percent: 25}
	var out bytes.Buffer
	err = Run(t.Context(), em, Options{
		Target: func(url string) (target.Target, error) {
			return opsgenie.New(opsgenie.Options{BaseURL: url, APIKey: key, ReadOnly: !apply, Rate: opsgenie.Rate{PerSecond: 1000, Burst: 100}})
		},
		Planner: popts,
		Desired: func(ctx context.Context) (*model.Desired, error) {
			return source.Load(ctx, source.Options{Dir: "../examples/desired"})
		},
		DesiredDir: "examples/desired", Apply: apply, Rerun: "demo --apply",
		Logger: slog.New(slog.DiscardHandler), Out: &out,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	return out.String()
}

// TestRunDryRun: the dry run shows the plan, the requests of the read and
// the hint, and writes nothing.
func TestRunDryRun(t *testing.T) {
	out := run(t, false)
	for _, want := range []string{
		"ogsync demo: an OpsGenie emulator on 127.0.0.1:",
		"holds 19 users and 6 teams (../examples/demo/seed.yaml).",
		"Policies: users sync, teams upsert-only, members sync.",
		"+ create user noah.brown@example.com",
		`BLOCKED: on-call audit: still referenced by schedules "SRE primary"`,
		"Reading the account took 4 API requests: 1 user page, 1 team list with members, 2 on-call audit reads.",
		"This was a dry run: nothing was written",
		"Run `demo --apply`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Applying:") {
		t.Errorf("a dry run applied:\n%s", out)
	}
}

// TestRunApply: the apply cycle applies everything but the blocked delete,
// and the second plan holds only that delete.
func TestRunApply(t *testing.T) {
	out := run(t, true)
	before, again, ok := strings.Cut(out, "\nPlanning again:\n")
	if !ok {
		t.Fatalf("no second plan:\n%s", out)
	}
	if !regexp.MustCompile(`6 applied, 0 failed, 0 skipped, 1 blocked in \d+ API requests`).MatchString(before) {
		t.Errorf("the apply:\n%s", before)
	}
	if !strings.Contains(again, "Summary: users +0 ~0 -1, teams +0 ~0 -0, memberships +0 ~0 -0; 1 blocked") ||
		!strings.Contains(again, "The second read took 4 API requests.") {
		t.Errorf("the second plan:\n%s", again)
	}
}

// TestRunNeedsOptions: Run refuses options without a target, a loader, a
// logger or an output, before it listens.
func TestRunNeedsOptions(t *testing.T) {
	if err := Run(t.Context(), &Emulator{}, Options{}); err == nil {
		t.Error("Run without options succeeded")
	}
}

func TestNewKey(t *testing.T) {
	a, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewKey()
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(a) || a == b {
		t.Errorf("keys %q, %q", a, b)
	}
}
