package report

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Cycle is what the report of one cycle shows: how planning and applying
// went, the counts per kind and every action with its outcome. The engine
// fills it from its result; CycleMarkdown renders it.
type Cycle struct {
	// Outcome is how the cycle ended, such as "partial" or "dry-run".
	Outcome string
	// Succeeded is false when the outcome is an error.
	Succeeded bool
	// DryRun is true when writes were not allowed.
	DryRun bool
	// Start and End bound the cycle.
	Start, End time.Time
	// Commit is the commit the desired state was loaded from, if any.
	Commit string
	// APICalls are the requests made, retries included; Throttled were answered 429.
	APICalls, Throttled int
	// Error is why the cycle failed, if it did.
	Error string
	// Heartbeat is what happened to the heartbeat ping, if one is configured;
	// HeartbeatError is why it failed.
	Heartbeat, HeartbeatError string
	// Violations are the safeguard violations that refused the plan.
	Violations []string
	// Counts are the actions per kind, sorted by kind.
	Counts []KindCounts
	// Actions are the plan's actions in plan order, each with its outcome.
	Actions []CycleAction
}

// KindCounts are the actions of one kind by outcome.
type KindCounts struct {
	// Kind is the kind of object: user, team or member.
	Kind string
	// Planned counts every action of the kind; the others count those
	// with that outcome.
	Planned, Applied, Failed, Skipped, Blocked, Cancelled int
}

// CycleAction is one action of a cycle.
type CycleAction struct {
	// Action is the action's headline, such as "create user ann@example.com".
	Action string
	// Outcome is what happened to it, such as "applied" or "blocked".
	Outcome string
	// Why says why it failed, was skipped or was blocked; empty otherwise.
	Why string
}

// CycleMarkdown writes c as a Markdown report (the state directory's
// last-report.md): a summary table, the violations, the counts per kind
// and every action with its outcome.
func CycleMarkdown(w io.Writer, c *Cycle) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# ogsync cycle: %s\n\n", c.Outcome)
	b.WriteString("| | |\n| --- | --- |\n")
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, v) }
	row("outcome", esc(c.Outcome))
	succeeded := "no: an error"
	if c.Succeeded {
		succeeded = "yes"
	}
	row("succeeded", succeeded)
	mode := "apply"
	if c.DryRun {
		mode = "dry run"
	}
	row("mode", mode)
	row("start", c.Start.UTC().Format(time.RFC3339))
	row("end", c.End.UTC().Format(time.RFC3339))
	row("duration", c.End.Sub(c.Start).Round(time.Millisecond).String())
	if c.Commit != "" {
		row("commit", code(c.Commit))
	}
	row("API calls", fmt.Sprintf("%d (%d throttled)", c.APICalls, c.Throttled))
	if c.Error != "" {
		row("error", esc(c.Error))
	}
	if c.Heartbeat != "" {
		row("heartbeat", esc(strings.TrimSuffix(c.Heartbeat+": "+c.HeartbeatError, ": ")))
	}
	if len(c.Violations) > 0 {
		b.WriteString("\n## Safeguard violations\n\n")
		for _, v := range c.Violations {
			fmt.Fprintf(&b, "- %s\n", esc(v))
		}
	}
	if len(c.Counts) > 0 {
		b.WriteString("\n## Actions by kind\n\n")
		b.WriteString("| kind | planned | applied | failed | skipped | blocked | cancelled |\n")
		b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, k := range c.Counts {
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d |\n", esc(k.Kind), k.Planned, k.Applied, k.Failed, k.Skipped, k.Blocked, k.Cancelled)
		}
	}
	if len(c.Actions) > 0 {
		b.WriteString("\n## Actions\n\n| action | outcome | why |\n| --- | --- | --- |\n")
		for _, a := range c.Actions {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", esc(a.Action), esc(a.Outcome), esc(a.Why))
		}
	} else {
		b.WriteString("\nNo actions.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
