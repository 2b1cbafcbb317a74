package main

import (
	"fmt"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/target/atlassian/atlsim"
)

const (
	// demoAtlassianSeedFile is the Atlassian side of the demo account: the
	// same drifted roster as demoSeedFile, after the move.
	demoAtlassianSeedFile = "examples/demo/atlassian-seed.yaml"
	demoAtlassianEmail    = "ogsync-bot@example.com"
)

// demoAtlassian starts the Atlassian emulator (Teams, JSM Operations, the
// org directory) seeded with demoAtlassianSeedFile.
func demoAtlassian(key string) (*demoEmulator, error) {
	sim, err := startDemoSim(demoAtlassianSeedFile, atlsim.ParseSeed, func(seed *atlsim.Seed) (*atlsim.Server, error) {
		return atlsim.New(atlsim.Options{APIKey: key, Seed: seed})
	})
	if err != nil {
		return nil, err
	}
	st := sim.State()
	return &demoEmulator{
		Handler: sim, close: sim.Close,
		what:  "an Atlassian emulator (Teams, JSM Operations, org directory)",
		holds: fmt.Sprintf("%d accounts and %d teams", len(st.Users), len(st.Teams)), seedFile: demoAtlassianSeedFile,
		configure: func(cfg *config.Config, url string) {
			cfg.Target = config.TargetAtlassian
			cfg.Atlassian = config.Atlassian{URL: url, OrgID: sim.OrgID(), CloudID: sim.CloudID(), Email: demoAtlassianEmail}
		},
		secretEnvs: []string{config.EnvAtlassianAPIToken, config.EnvAtlassianOrgAPIKey},
		reads:      func() string { return "the org took " + plural(sim.Stats().Total, "API request") },
		flag:       " --target atlassian",
	}, nil
}
