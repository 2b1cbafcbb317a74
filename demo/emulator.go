package demo

import (
	"fmt"
	"net/http"

	"github.com/ogsync/ogsync/internal/problem"
	"github.com/ogsync/ogsync/target/atlassian/atlsim"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// Emulator is a target's emulator seeded with the demo account.
type Emulator struct {
	// Handler serves the target's API.
	Handler http.Handler
	// OrgID and CloudID are the organization and site the Atlassian
	// emulator answers to; empty for OpsGenie.
	OrgID, CloudID string

	close func()
	// what names the emulator, holds says what its seed (seedFile) holds.
	what, holds, seedFile string
	// reads describes the requests so far, such as "the account took 4 API
	// requests"; Run calls it after the first read.
	reads func() string
}

// Close stops the emulator's background work.
func (e *Emulator) Close() { e.close() }

// OpsGenie starts the OpsGenie emulator on the seed in data (read from
// file), accepting key.
func OpsGenie(file string, data []byte, key string) (*Emulator, error) {
	seed, err := ogsim.ParseSeed(file, data)
	if err != nil {
		return nil, err
	}
	sim, err := ogsim.New(ogsim.Options{APIKey: key, Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("starting the emulator: %w", err)
	}
	st := sim.State()
	return &Emulator{
		Handler: sim, close: sim.Close, seedFile: file,
		what: "an OpsGenie emulator", holds: fmt.Sprintf("%d users and %d teams", len(st.Users), len(st.Teams)),
		reads: func() string {
			s := sim.Stats()
			users := s.ByRoute["GET /v2/users"]
			return fmt.Sprintf("the account took %d API requests: %s, 1 team list with members, %s", s.Total,
				problem.Plural(users, "user page"), problem.Plural(s.Total-users-s.ByRoute["GET /v2/teams"], "on-call audit read"))
		},
	}, nil
}

// Atlassian starts the Atlassian emulator (Teams, JSM Operations, the org
// directory) on the seed in data (read from file), accepting key as the
// API token and the org API key.
func Atlassian(file string, data []byte, key string) (*Emulator, error) {
	seed, err := atlsim.ParseSeed(file, data)
	if err != nil {
		return nil, err
	}
	sim, err := atlsim.New(atlsim.Options{APIKey: key, Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("starting the emulator: %w", err)
	}
	st := sim.State()
	return &Emulator{
		Handler: sim, close: sim.Close, seedFile: file, OrgID: sim.OrgID(), CloudID: sim.CloudID(),
		what:  "an Atlassian emulator (Teams, JSM Operations, org directory)",
		holds: fmt.Sprintf("%d accounts and %d teams", len(st.Users), len(st.Teams)),
		reads: func() string { return "the org took " + problem.Plural(sim.Stats().Total, "API request") },
	}, nil
}
