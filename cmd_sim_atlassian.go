package main

import (
	"context"
	"flag"
	"fmt"
	"net"

	"github.com/ogsync/ogsync/config"
	"github.com/ogsync/ogsync/internal/logging"
	"github.com/ogsync/ogsync/target/atlassian/atlsim"
)

const simAtlassianSynopsis = "--target atlassian --listen ADDR --api-key KEY [--org-id ID] [--cloud-id ID] [--seed FILE] [flags]"

// simAtlassianOptions are the flags of ogsync sim --target atlassian.
type simAtlassianOptions struct {
	listen, apiKey, orgID, cloudID, seedFile string
	idSeed                                   uint64
	log                                      logging.Flags
}

func parseSimAtlassianArgs(fs *flag.FlagSet, args []string) (simAtlassianOptions, error) {
	var o simAtlassianOptions
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "`address` to serve on (host:port; port 0 picks a free one)")
	fs.StringVar(&o.apiKey, "api-key", "", "the API token and org API key the emulator accepts (default: $"+config.EnvAtlassianAPIToken+"); never printed")
	fs.StringVar(&o.orgID, "org-id", "", "organization `id` (default: the seed's, else generated)")
	fs.StringVar(&o.cloudID, "cloud-id", "", "site cloud `id` (default: the seed's, else generated)")
	fs.StringVar(&o.seedFile, "seed", "", "YAML or JSON `file` with the initial org (default: an empty org)")
	fs.Uint64Var(&o.idSeed, "id-seed", 0, "seed of the generated ids")
	o.log.Register(fs)
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return o, fmt.Errorf("--listen=%s: must be host:port", o.listen)
	}
	return o, o.log.Validate()
}

// runSimAtlassian serves the Atlassian emulator (Teams, JSM Operations, the
// org directory and Jira users on one address) until ctx is cancelled.
func runSimAtlassian(ctx context.Context, io stdio, args []string) int {
	fs := newFlagSet("sim", simAtlassianSynopsis, io.err)
	o, err := parseSimAtlassianArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "sim", err)
	}
	if o.apiKey = simKey(io, o.apiKey, config.EnvAtlassianAPIToken); o.apiKey == "" {
		return exitError
	}
	io.secrets.Add(o.apiKey)
	logger := o.log.Logger(io.err)
	seed, ok := simSeed(io, o.seedFile, atlsim.LoadSeed)
	if !ok {
		return exitError
	}
	srv, err := atlsim.New(atlsim.Options{APIKey: o.apiKey, OrgID: o.orgID, CloudID: o.cloudID, Seed: seed,
		Logger: logger, IDSeed: o.idSeed})
	if err != nil {
		fmt.Fprintf(io.err, "ogsync sim: %v\n", err)
		return exitError
	}
	err = srv.ListenAndServe(ctx, o.listen, func(addr net.Addr) {
		fmt.Fprintf(io.err, "listening on %s\norg id %s\ncloud id %s\n", addr, srv.OrgID(), srv.CloudID())
		state := srv.State()
		logger.Info("serving the Atlassian emulator", "addr", addr.String(), "seed", o.seedFile,
			"orgId", srv.OrgID(), "cloudId", srv.CloudID(), "users", len(state.Users), "teams", len(state.Teams))
	})
	if err != nil {
		fmt.Fprintf(io.err, "ogsync sim: %v\n", err)
		return exitError
	}
	return exitOK
}
