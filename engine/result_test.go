package engine

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
	"time"

	goldenfile "github.com/ogsync/ogsync/internal/golden"
)

func act(kind, op string, o ActionOutcome) ActionResult {
	return ActionResult{Action: op + " " + kind + " x", Kind: kind, Op: op, Outcome: o}
}

func TestFinishOutcome(t *testing.T) {
	tests := []struct {
		name       string
		dryRun     bool
		actions    []ActionResult
		violations []string
		err        error
		preset     Outcome
		want       Outcome
	}{
		{name: "nothing to do", want: OutcomeOK},
		{name: "applied", actions: []ActionResult{act("user", "create", ActionApplied), act("team", "create", ActionApplied)}, want: OutcomeChangesApplied},
		{name: "dry run with changes", dryRun: true, actions: []ActionResult{act("user", "create", ActionPlanned)}, want: OutcomeDryRun},
		{name: "dry run with only blocked actions", dryRun: true, actions: []ActionResult{act("user", "delete", ActionBlocked)}, want: OutcomeOK},
		{name: "only blocked actions", actions: []ActionResult{act("user", "delete", ActionBlocked)}, want: OutcomeOK},
		{name: "dry run, a blocked action and its blocked dependant", dryRun: true, actions: []ActionResult{act("member", "remove", ActionBlocked), act("user", "delete", ActionBlocked)}, want: OutcomeOK},
		{name: "applied and blocked", actions: []ActionResult{act("user", "create", ActionApplied), act("user", "delete", ActionBlocked)}, want: OutcomeChangesApplied},
		{name: "violations", actions: []ActionResult{act("user", "delete", ActionBlocked)}, violations: []string{"too many deletes"}, want: OutcomeRefused},
		{name: "error before applying", err: errors.New("listing users: boom"), want: OutcomeFailed},
		{name: "every action failed", actions: []ActionResult{act("user", "create", ActionFailed), act("member", "add", ActionSkipped)}, want: OutcomeFailed},
		{name: "some failed", actions: []ActionResult{act("user", "create", ActionApplied), act("user", "create", ActionFailed)}, want: OutcomePartial},
		{name: "cancelled midway", actions: []ActionResult{act("user", "create", ActionApplied), act("user", "create", ActionCancelled)}, err: errors.New("context canceled"), want: OutcomePartial},
		{name: "outcome set by the cycle stays", actions: []ActionResult{act("user", "create", ActionApplied)}, preset: OutcomeFailed, want: OutcomeFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Result{DryRun: tc.dryRun, Actions: tc.actions, Violations: tc.violations, Outcome: tc.preset}
			r.Finish(tc.err)
			if r.Outcome != tc.want {
				t.Errorf("outcome = %q, want %q", r.Outcome, tc.want)
			}
			if r.Succeeded != tc.want.Succeeded() {
				t.Errorf("succeeded = %v for outcome %q", r.Succeeded, r.Outcome)
			}
			if tc.err != nil && r.Error != tc.err.Error() {
				t.Errorf("error = %q, want %q", r.Error, tc.err.Error())
			}
		})
	}
}

func TestFinishCounts(t *testing.T) {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	r := Result{Start: start, End: start.Add(1500 * time.Millisecond), Actions: []ActionResult{
		act("user", "create", ActionApplied),
		act("user", "update", ActionFailed),
		act("user", "delete", ActionBlocked),
		act("member", "add", ActionSkipped),
		act("member", "add", ActionCancelled),
		act("team", "create", ActionApplied),
	}}
	r.Finish(nil)
	r.Finish(nil) // idempotent
	want := map[string]Counts{
		"member": {Planned: 2, Skipped: 1, Cancelled: 1},
		"team":   {Planned: 1, Applied: 1},
		"user":   {Planned: 3, Applied: 1, Failed: 1, Blocked: 1},
	}
	if len(r.Counts) != len(want) {
		t.Fatalf("counts = %+v, want %+v", r.Counts, want)
	}
	for k, c := range want {
		if r.Counts[k] != c {
			t.Errorf("counts[%s] = %+v, want %+v", k, r.Counts[k], c)
		}
	}
	if got := r.Total(); got != (Counts{Planned: 6, Applied: 2, Failed: 1, Skipped: 1, Blocked: 1, Cancelled: 1}) {
		t.Errorf("total = %+v", got)
	}
	if r.DurationSeconds != 1.5 {
		t.Errorf("duration = %v, want 1.5", r.DurationSeconds)
	}
	if got := r.Kinds(); len(got) != 3 || got[0] != "member" || got[2] != "user" {
		t.Errorf("kinds = %v, want sorted", got)
	}
}

func sampleResult() Result {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	r := Result{
		Start:  start,
		End:    start.Add(3*time.Second + 250*time.Millisecond),
		Commit: "0123456789abcdef0123456789abcdef01234567",
		Actions: []ActionResult{
			{Action: "create user carol@example.com", Kind: "user", Op: "create", Outcome: ActionApplied},
			{Action: "update user bob@example.com role User → Admin", Kind: "user", Op: "update", Outcome: ActionFailed, Error: "updating user: 422 | invalid role\nsecond line"},
			{Action: "add carol@example.com to team sre", Kind: "member", Op: "add", Outcome: ActionApplied},
			{Action: "delete user dave@example.com", Kind: "user", Op: "delete", Outcome: ActionBlocked, Error: "on call in schedule sre-primary"},
		},
		APICalls:  42,
		Throttled: 3,
	}
	r.Finish(nil)
	return r
}

func TestWriteMarkdown(t *testing.T) {
	tests := []struct {
		name   string
		result func() Result
	}{
		{"partial", sampleResult},
		{"blocked-only", func() Result {
			start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
			r := Result{Start: start, End: start.Add(time.Second), Actions: []ActionResult{{Action: "delete user leaver@example.com", Kind: "user", Op: "delete", Outcome: ActionBlocked, Error: `on-call audit: still referenced by schedules "Primary"`}}, Heartbeat: HeartbeatPinged}
			r.Finish(nil)
			return r
		}},
		{"refused", func() Result {
			start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
			r := Result{Start: start, End: start.Add(time.Second), DryRun: true, Violations: []string{"plan deletes 12 users, more than max_deletes.count 10"}}
			r.Finish(nil)
			return r
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.result()
			var b bytes.Buffer
			if err := r.WriteMarkdown(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "report-"+tc.name+".md"), b.Bytes())
		})
	}
}

// golden compares got with the golden file, rewriting it with UPDATE=1.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	goldenfile.Check(t, file, got)
}

// WriteText prints the outcome, the counts and every action that did not
// simply apply, with why.
func TestWriteText(t *testing.T) {
	r := sampleResult()
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "\n" + string(r.Outcome) + ": 2 applied, 1 failed, 0 skipped, 1 blocked, 0 cancelled (42 API calls, 3.25s)\n" +
		"  failed    update user bob@example.com role User → Admin: updating user: 422 | invalid role\nsecond line\n" +
		"  blocked   delete user dave@example.com: on call in schedule sre-primary\n"
	if b.String() != want {
		t.Errorf("WriteText:\n%q\nwant\n%q", b.String(), want)
	}
}
