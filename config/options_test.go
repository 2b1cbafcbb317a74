package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/ogsync/ogsync/daemon"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target/opsgenie"
)

func TestClientOptionsRates(t *testing.T) {
	def := Default().OpsGenie
	o := def.ClientOptions("k", "ua")
	if o.Rate != (opsgenie.Rate{PerSecond: opsgenie.DefaultCeiling, Burst: opsgenie.DefaultBurst}) || *o.SearchRate != o.Rate {
		t.Errorf("no rate configured: ceilings %v and %v, want %g/s burst %d", o.Rate, *o.SearchRate, opsgenie.DefaultCeiling, opsgenie.DefaultBurst)
	}
	if o.Start[opsgenie.DomainConfiguration] != opsgenie.DefaultStartConfiguration || o.Start[opsgenie.DomainSearch] != opsgenie.DefaultStartSearch {
		t.Errorf("start = %v", o.Start)
	}

	set := def
	set.RateLimit = RateLimit{Rate: Rate{PerSecond: 3}, Search: &Rate{PerSecond: 1, Burst: 2}}
	o = set.ClientOptions("k", "ua")
	if o.Rate != (opsgenie.Rate{PerSecond: 3, Burst: opsgenie.DefaultBurst}) || *o.SearchRate != (opsgenie.Rate{PerSecond: 1, Burst: 2}) {
		t.Errorf("configured: ceilings %v and %v", o.Rate, *o.SearchRate)
	}
	c, err := opsgenie.New(o)
	if err != nil {
		t.Fatal(err)
	}
	// The defaults start above these ceilings: the ceilings win.
	if got := c.Rates(); got[opsgenie.DomainConfiguration] != 3 || got[opsgenie.DomainSearch] != 1 {
		t.Errorf("rates = %v, want the ceilings 3 and 1", got)
	}

	set.RateLimit.Adaptive = new(false)
	if o = set.ClientOptions("k", "ua"); o.Start != nil {
		t.Errorf("adaptive: false: start = %v, want none (the ceiling is the fixed rate)", o.Start)
	}
}

// The configuration's names and defaults are the planner's.
func TestPlannerNamesAndDefaults(t *testing.T) {
	for _, n := range []string{PolicySync, PolicyUpsertOnly, PolicyCreateOnly} {
		if planner.Policies[n] == nil {
			t.Errorf("config policy %q has no planner policy", n)
		}
	}
	if planner.OwnershipMarker != OwnershipMarker || planner.OwnershipAdopt != OwnershipAdopt {
		t.Error("ownership mode names differ from the config's")
	}
	d, def := planner.DefaultOptions(), Default()
	if d.Policies.Users != def.Policy.Users || d.Ownership.MarkerKey != def.Ownership.MarkerKey || d.Ownership.MarkerValue != def.Ownership.MarkerValue ||
		d.Safeguards.MaxDeletes.Count != def.Safeguards.MaxDeletes.Count || d.Safeguards.MaxShrinkPercent != def.Safeguards.MaxShrinkPercent ||
		d.Safeguards.MinOwners != def.Safeguards.MinOwners || d.Safeguards.MinUsers != def.Safeguards.MinUsers {
		t.Errorf("DefaultOptions %+v do not match Default", d)
	}
	if got := Default(); got.PlannerOptions().Validate() != nil {
		t.Errorf("the default configuration gives invalid planner options: %v", got.PlannerOptions().Validate())
	}
}

func TestSourceOptions(t *testing.T) {
	cfg := Default()
	cfg.Source.Path = "/srv/desired"
	cfg.Source.ExternalUsers = []string{"ext@partner.example"}
	cfg.Source.Git.Pull, cfg.Source.Git.VerifySignatures = true, true
	got := cfg.SourceOptions()
	want := source.Options{Dir: "/srv/desired", Files: []string{"**/*.yaml", "**/*.yml"}, ExternalUsers: []string{"ext@partner.example"},
		Git: source.GitOptions{Pull: true, Remote: "origin", Branch: "main", VerifySignatures: true, Timeout: 2 * time.Minute}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SourceOptions = %+v, want %+v", got, want)
	}
}

func TestDaemonSettings(t *testing.T) {
	cfg := Default()
	cfg.File, cfg.Listen = "ogsync.yaml", "127.0.0.1:9090"
	cfg.Health.MaxBlockedCycles = 3
	got := cfg.DaemonSettings()
	want := daemon.Settings{Schedule: "*/10 * * * *", TimeZone: "UTC", MaxFailedCycles: 3, MaxBlockedCycles: 3,
		StateDir: "/var/lib/ogsync", Listen: "127.0.0.1:9090", Origin: "ogsync.yaml"}
	if got != want {
		t.Errorf("DaemonSettings = %+v, want %+v", got, want)
	}
	if def := Default(); len(def.DaemonSettings().Validate()) > 0 {
		t.Errorf("the default configuration gives invalid daemon settings: %v", def.DaemonSettings().Validate())
	}
}

// The target options take the sections that are not the target's own:
// apply.concurrency, users.send_invitations, the ownership marker.
func TestTargetOptions(t *testing.T) {
	c := Default()
	c.Apply.Concurrency = 7
	c.Users.SendInvitations = false
	o := c.OpsGenieOptions("k", "ua", true)
	if o.APIKey != "k" || o.UserAgent != "ua" || !o.ReadOnly || o.Concurrency != 7 || !o.DisableInvitations {
		t.Errorf("OpsGenieOptions = %+v", o)
	}
	c.Target = TargetAtlassian
	c.Atlassian = Atlassian{URL: "http://127.0.0.1:1", OrgID: "o", CloudID: "c", Email: "e@example.com"}
	c.Ownership.MarkerKey, c.Ownership.MarkerValue = "managed-by", "ogsync"
	a := c.AtlassianOptions("t", "ok", "ua", false, true)
	if a.BaseURL != c.Atlassian.URL || a.OrgID != "o" || a.CloudID != "c" || a.Email != "e@example.com" || a.APIToken != "t" || a.OrgAPIKey != "ok" ||
		a.ReadOnly || !a.AllMembers || a.Concurrency != 7 || a.MarkerKey != "managed-by" || a.MarkerValue != "ogsync" {
		t.Errorf("AtlassianOptions = %+v", a)
	}
	c.SetURL("http://127.0.0.1:2")
	if c.OpsGenie.URL != "http://127.0.0.1:2" || c.Atlassian.URL != "http://127.0.0.1:2" {
		t.Errorf("SetURL: %q, %q", c.OpsGenie.URL, c.Atlassian.URL)
	}
	c = Default()
	c.SetURL("http://127.0.0.1:3")
	if c.OpsGenie.URL != "http://127.0.0.1:3" || c.Atlassian.URL != "" {
		t.Errorf("SetURL on OpsGenie: %q, %q", c.OpsGenie.URL, c.Atlassian.URL)
	}
}
