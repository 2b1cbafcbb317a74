package main

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
	"github.com/ogsync/ogsync/redact"
	"github.com/ogsync/ogsync/target"
	"github.com/ogsync/ogsync/target/atlassian"
	"github.com/ogsync/ogsync/target/atlassian/atlsim"
	"github.com/ogsync/ogsync/target/opsgenie"
	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// TestTargetDryRunBelowEveryCaller: the target a command builds without
// --apply refuses a write itself, before sending it, whatever asks for it;
// with --apply the same write goes through. Both targets.
func TestTargetDryRunBelowEveryCaller(t *testing.T) {
	const key = "dry-run-wiring-key-5c1d"
	getenv := func(k string) string {
		for _, s := range config.SecretEnvs {
			if k == s {
				return key
			}
		}
		return ""
	}
	create := &planner.Action{ID: "create-team:dry", Type: planner.CreateTeam, Step: planner.StepCreateTeams, Team: "dry",
		After: &planner.Snapshot{Team: &model.Team{Name: "dry", Members: &[]model.Member{}}}}

	for _, tc := range []struct {
		name     string
		readOnly error
		start    func(t *testing.T) (cfg *config.Config, teams func() int)
	}{
		{"opsgenie", opsgenie.ErrReadOnly, func(t *testing.T) (*config.Config, func() int) {
			sim, err := ogsim.New(ogsim.Options{APIKey: key})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(sim.Close)
			cfg := config.Default()
			cfg.OpsGenie.URL = serve(t, sim)
			return &cfg, func() int { return len(sim.State().Teams) }
		}},
		{"atlassian", atlassian.ErrReadOnly, func(t *testing.T) (*config.Config, func() int) {
			sim, err := atlsim.New(atlsim.Options{APIKey: key})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(sim.Close)
			cfg := config.Default()
			cfg.Target = config.TargetAtlassian
			cfg.Atlassian = config.Atlassian{URL: serve(t, sim), OrgID: sim.OrgID(), CloudID: sim.CloudID(), Email: "bot@example.com"}
			return &cfg, func() int { return len(sim.State().Teams) }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, teams := tc.start(t)
			for _, apply := range []bool{false, true} {
				env := cycleEnv{apply: apply, getenv: getenv, logger: slog.New(slog.DiscardHandler), secrets: redact.New()}
				tgt, _, err := newTarget(cfg, env)
				if err != nil {
					t.Fatal(err)
				}
				_, err = tgt.Apply(t.Context(), create, &target.IDs{})
				switch {
				case !apply && !errors.Is(err, tc.readOnly):
					t.Errorf("without --apply: err = %v, want the target's read-only refusal", err)
				case !apply && teams() != 0:
					t.Errorf("without --apply: the account has %d teams", teams())
				case apply && (err != nil || teams() != 1):
					t.Errorf("with --apply: err = %v, %d teams; want the team created", err, teams())
				}
			}
		})
	}
}

// serve serves h on 127.0.0.1 for the test and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
