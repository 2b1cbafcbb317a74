package main

import (
	"fmt"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/internal/buildinfo"
	"github.com/ogsync/ogsync/target"
	"github.com/ogsync/ogsync/target/atlassian"
	"github.com/ogsync/ogsync/target/opsgenie"
)

// newTarget builds the configured target: the OpsGenie client (also
// returned, for its learned rates) or the Atlassian target (the client is
// then nil). Without env.apply either refuses every write.
func newTarget(cfg *config.Config, env cycleEnv) (target.Target, *opsgenie.Client, error) {
	if cfg.TargetName() == config.TargetAtlassian {
		t, err := newAtlassian(cfg, env, false)
		return t, nil, err
	}
	c, err := newClient(cfg, env)
	if err != nil {
		return nil, nil, err
	}
	return c, c, nil
}

// newAtlassian builds the Atlassian target of cfg; allMembers makes it read
// every team's members (a comparison of two accounts needs them).
func newAtlassian(cfg *config.Config, env cycleEnv, allMembers bool) (*atlassian.Target, error) {
	token, orgKey, err := cfg.AtlassianSecrets(env.getenv)
	if err != nil {
		return nil, err
	}
	if env.secrets != nil {
		env.secrets.Add(token)
		env.secrets.Add(orgKey)
	}
	if env.logger != nil {
		for _, w := range cfg.AtlassianFileWarnings(env.getenv) {
			env.logger.Warn(w)
		}
	}
	o := cfg.AtlassianOptions(token, orgKey, "ogsync/"+buildinfo.Read(version).Version, !env.apply, allMembers)
	o.Logger = env.logger
	t, err := atlassian.New(o)
	if err != nil {
		return nil, fmt.Errorf("building the Atlassian target: %w", err)
	}
	return t, nil
}

// newReadTarget builds the configured target read-only, reading every
// team's members: what export and migrate-check need.
func newReadTarget(cfg *config.Config, env cycleEnv) (target.Target, error) {
	env.apply = false
	if cfg.TargetName() == config.TargetAtlassian {
		return newAtlassian(cfg, env, true)
	}
	return newClient(cfg, env)
}
