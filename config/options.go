package config

import (
	"cmp"

	"github.com/ogsync/ogsync/daemon"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/source"
	"github.com/ogsync/ogsync/target/atlassian"
	"github.com/ogsync/ogsync/target/opsgenie"
)

// The configuration maps onto the options of the packages it configures
// here, so that no other package needs to know the configuration file.

// ClientOptions returns the options of the OpsGenie client for this section.
// Without a configured opsgenie.rate_limit, each domain starts at its
// default (opsgenie.DefaultStartConfiguration, opsgenie.DefaultStartSearch) under
// opsgenie.DefaultCeiling; a configured rate is the ceiling, and the start is the
// default below it, or the ceiling itself when rate_limit.adaptive is false.
func (c OpsGenie) ClientOptions(apiKey, userAgent string) opsgenie.Options {
	ceiling := func(r Rate) opsgenie.Rate {
		if r.PerSecond <= 0 {
			return opsgenie.Rate{PerSecond: opsgenie.DefaultCeiling, Burst: cmp.Or(r.Burst, opsgenie.DefaultBurst)}
		}
		return opsgenie.Rate{PerSecond: r.PerSecond, Burst: cmp.Or(r.Burst, opsgenie.DefaultBurst)}
	}
	search := ceiling(c.RateLimit.SearchRate())
	o := opsgenie.Options{
		BaseURL:    c.URL,
		APIKey:     apiKey,
		UserAgent:  userAgent,
		Timeout:    c.Timeout,
		MaxRetries: c.MaxRetries,
		Rate:       ceiling(c.RateLimit.Rate),
		SearchRate: &search,
	}
	if c.RateLimit.IsAdaptive() {
		o.Start = map[string]float64{opsgenie.DomainConfiguration: opsgenie.DefaultStartConfiguration, opsgenie.DomainSearch: opsgenie.DefaultStartSearch}
	}
	return o
}

// OpsGenieOptions returns the options of the OpsGenie target: the
// opsgenie section's (ClientOptions), apply.concurrency and
// users.send_invitations; readOnly makes the client refuse every write.
func (c *Config) OpsGenieOptions(apiKey, userAgent string, readOnly bool) opsgenie.Options {
	o := c.OpsGenie.ClientOptions(apiKey, userAgent)
	o.ReadOnly = readOnly
	o.Concurrency = c.Apply.Concurrency
	o.DisableInvitations = !c.Users.SendInvitations
	return o
}

// AtlassianOptions returns the options of the Atlassian target: the
// atlassian section's, apply.concurrency and the ownership marker;
// readOnly makes the target refuse every write, allMembers makes it read
// every team's members (a comparison of two accounts needs them).
func (c *Config) AtlassianOptions(token, orgKey, userAgent string, readOnly, allMembers bool) atlassian.Options {
	a := c.Atlassian
	return atlassian.Options{
		BaseURL:     a.URL,
		Site:        a.Site,
		OrgID:       a.OrgID,
		CloudID:     a.CloudID,
		Email:       a.Email,
		APIToken:    token,
		OrgAPIKey:   orgKey,
		UserAgent:   userAgent,
		Timeout:     a.Timeout,
		Concurrency: c.Apply.Concurrency,
		ReadOnly:    readOnly,
		AllMembers:  allMembers,
		MarkerKey:   c.Ownership.MarkerKey,
		MarkerValue: c.Ownership.MarkerValue,
	}
}

// SetURL points the configured target at url (the --api-url override):
// opsgenie.url, and atlassian.url when the target is Atlassian.
func (c *Config) SetURL(url string) {
	c.OpsGenie.URL = url
	if c.TargetName() == TargetAtlassian {
		c.Atlassian.URL = url
	}
}

// PlannerOptions returns the planner's options of this configuration.
func (c *Config) PlannerOptions() planner.Options {
	s := c.Safeguards
	return planner.Options{
		Policies: planner.PolicyNames{Users: c.Policy.Users, Teams: c.Policy.Teams, Members: c.Policy.Members},
		Ownership: planner.Ownership{
			Mode:        c.Ownership.Mode,
			MarkerKey:   c.Ownership.MarkerKey,
			MarkerValue: c.Ownership.MarkerValue,
		},
		Scope: planner.Scope{
			IgnoreUsers:    s.IgnoreUsers,
			IgnoreTeams:    s.IgnoreTeams,
			ProtectedUsers: s.ProtectedUsers,
			ExternalUsers:  c.Source.ExternalUsers,
		},
		Safeguards: planner.Safeguards{
			MinOwners:        s.MinOwners,
			MinUsers:         s.MinUsers,
			MaxShrinkPercent: s.MaxShrinkPercent,
			MaxDeletes:       planner.MaxDeletes{Count: s.MaxDeletes.Count, Percent: s.MaxDeletes.Percent},
			RequiredUsers:    s.RequiredUsers,
		},
	}
}

// SourceOptions returns the options of the source package for the source
// section.
func (c *Config) SourceOptions() source.Options {
	s := c.Source
	return source.Options{
		Dir:           s.Path,
		Files:         s.Files,
		ExternalUsers: s.ExternalUsers,
		Git: source.GitOptions{
			Pull:             s.Git.Pull,
			Remote:           s.Git.Remote,
			Branch:           s.Git.Branch,
			VerifySignatures: s.Git.VerifySignatures,
			Timeout:          s.Git.Timeout,
		},
	}
}

// DaemonSettings returns the daemon's settings of this configuration.
func (c *Config) DaemonSettings() daemon.Settings {
	return daemon.Settings{
		Schedule:         c.Schedule,
		TimeZone:         c.TimeZone,
		MaxFailedCycles:  c.Health.MaxFailedCycles,
		MaxBlockedCycles: c.Health.MaxBlockedCycles,
		StateDir:         c.StateDir,
		Listen:           c.Listen,
		Origin:           c.File,
	}
}
