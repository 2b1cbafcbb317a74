package config

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ogsync/ogsync/engine"
	"github.com/ogsync/ogsync/internal/problem"
	"github.com/ogsync/ogsync/internal/yamlstrict"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/target/opsgenie"
)

// The configuration checks the file's format here: keys, types, values
// that only the file can get wrong (a key written empty where leaving it
// out means the default). Every other rule belongs to the package that
// takes the setting: the file maps onto that package's options, the
// package validates them, and each problem it reports by field is shown at
// the position of the key that set the field. validate --config and the
// package thereby give the same verdict.

// validator collects problems with the position of the field they concern.
type validator struct {
	name string
	doc  *yaml.Node
	errs Errors
}

func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, yamlstrict.At(v.name, yamlstrict.Lookup(v.doc, field), field, format, args...))
}

// written reports whether field is written in the file.
func (v *validator) written(field string) bool { return yamlstrict.Written(v.doc, field) }

// owned adds the problems a package reported about its options, each at
// the key of the file that set the field: where maps the package's field
// (its first matching prefix) to the file's. A field no prefix matches is
// shown under the section.
func (v *validator) owned(ps problem.List, section string, where map[string]string) {
	for _, p := range ps {
		v.add(fileField(p.Field, section, where), "%s", p.Msg)
	}
}

// fileField maps a package's field path to the file's.
func fileField(field, section string, where map[string]string) string {
	best := ""
	for from := range where {
		if (field == from || strings.HasPrefix(field, from+".") || strings.HasPrefix(field, from+"[")) && len(from) > len(best) {
			best = from
		}
	}
	if best == "" {
		return problem.Join(section, field)
	}
	return where[best] + strings.TrimPrefix(field, best)
}

func (c *Config) validate(name string, doc *yaml.Node) Errors {
	v := &validator{name: name, doc: doc}
	for _, check := range []func(*validator){c.validateOpsGenie, c.validateSource, c.validateDaemon, c.validatePlanner,
		c.validateEngine, c.validateAtlassian} {
		check(v)
	}
	return v.errs.Sort()
}

// validateOpsGenie checks the opsgenie section: the client's options, and
// the written values its mapping would replace by a default.
func (c *Config) validateOpsGenie(v *validator) {
	o := c.OpsGenie.ClientOptions("", "")
	if c.OpsGenie.RateLimit.Search == nil {
		o.SearchRate = nil // the same values as rate: reported there
	}
	v.owned(o.Validate(), "opsgenie", map[string]string{
		"base_url": "opsgenie.url", "rate": "opsgenie.rate_limit", "search_rate": "opsgenie.rate_limit.search",
	})
	if c.OpsGenie.URL == "" {
		v.add("opsgenie.url", "%v", opsgenie.CheckURL(""))
	}
	if c.OpsGenie.Timeout == 0 {
		v.add("opsgenie.timeout", "must be a positive duration such as 30s")
	}
	c.checkWrittenRate(v, "opsgenie.rate_limit", c.OpsGenie.RateLimit.Rate)
	if c.OpsGenie.RateLimit.Search != nil {
		c.checkWrittenRate(v, "opsgenie.rate_limit.search", *c.OpsGenie.RateLimit.Search)
	}
	if !c.OpsGenie.RateLimit.IsAdaptive() && !v.written("opsgenie.rate_limit.per_second") {
		v.add("opsgenie.rate_limit.adaptive", "false needs opsgenie.rate_limit.per_second: the fixed rate to keep")
	}
}

// checkWrittenRate checks the rate keys written with a value the mapping
// onto the client's options replaces by its default (0, or a negative
// rate), with the client's rule.
func (c *Config) checkWrittenRate(v *validator, field string, r Rate) {
	if v.written(field+".per_second") && r.PerSecond <= 0 {
		v.add(field+".per_second", "%v", opsgenie.CheckPerSecond(r.PerSecond))
	}
	if v.written(field+".burst") && r.Burst == 0 {
		v.add(field+".burst", "%v", opsgenie.CheckBurst(r.Burst))
	}
}

// validateSource checks the source section: the source package's options,
// and the values the file may not leave empty.
func (c *Config) validateSource(v *validator) {
	v.owned(c.SourceOptions().Validate(), "source", nil)
	if c.Source.Path == "" {
		v.add("source.path", "must name the directory holding the desired state")
	}
	if len(c.Source.Files) == 0 {
		v.add("source.files", "must list at least one glob pattern")
	}
	if c.Source.Git.Timeout == 0 {
		v.add("source.git.timeout", "must be a positive duration such as 2m")
	}
}

// validateDaemon checks schedule, time_zone, health and listen: the
// daemon's settings.
func (c *Config) validateDaemon(v *validator) {
	v.owned(c.DaemonSettings().Validate(), "", map[string]string{
		"max_failed_cycles": "health.max_failed_cycles", "max_blocked_cycles": "health.max_blocked_cycles",
	})
}

// validatePlanner checks policy, ownership and safeguards: the planner's
// options, and the names the file may not write empty.
func (c *Config) validatePlanner(v *validator) {
	v.owned(c.PlannerOptions().Problems(), "", map[string]string{
		"policies":              "policy",
		"scope.ignore_users":    "safeguards.ignore_users",
		"scope.ignore_teams":    "safeguards.ignore_teams",
		"scope.protected_users": "safeguards.protected_users",
		"scope.external_users":  "source.external_users",
	})
	for field, name := range map[string]string{"policy.users": c.Policy.Users, "policy.teams": c.Policy.Teams, "policy.members": c.Policy.Members} {
		if name == "" && v.written(field) {
			v.add(field, "%v", planner.CheckPolicyName(name))
		}
	}
	if c.Ownership.Mode == "" && v.written("ownership.mode") {
		v.add("ownership.mode", "%v", planner.CheckOwnershipMode(""))
	}
	if err := planner.CheckOnCallReferences(c.Safeguards.OnCallReferences); err != nil {
		v.add("safeguards.on_call_references", "%v", err)
	}
}

// validateEngine checks apply.concurrency and opsgenie.heartbeat: the
// engine's options, and a concurrency written 0 (the engine's "one at a
// time"; the file says the default by leaving the key out).
func (c *Config) validateEngine(v *validator) {
	o := engine.EngineOptions{Concurrency: c.Apply.Concurrency, Heartbeat: c.OpsGenie.Heartbeat}
	v.owned(o.Validate(), "", map[string]string{"concurrency": "apply.concurrency", "heartbeat": "opsgenie.heartbeat"})
	if c.Apply.Concurrency == 0 {
		v.add("apply.concurrency", "%v", engine.CheckConcurrency(0))
	}
}

// CheckURL checks opsgenie.url: the OpsGenie client's rule (opsgenie.CheckURL).
func CheckURL(raw string) error { return opsgenie.CheckURL(raw) }

// describe names what a node holds, for messages: a scalar by its value.
func describe(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return yamlstrict.Describe(n)
	}
	switch n.Tag {
	case "!!int", "!!float", "!!bool":
		return n.Value
	case "!!null":
		return "null"
	}
	return fmt.Sprintf("%q", n.Value)
}
