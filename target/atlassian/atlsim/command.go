package atlsim

import (
	"context"
	"flag"
	"fmt"
	"net"

	"github.com/ogsync/ogsync/internal/simkit"
)

// Command is the emulator's command line, ogsync sim --target atlassian:
// its flags, their checks, and serving the emulator they describe.
// Register the flags, parse them, Check them, then Run.
type Command struct {
	serve   simkit.ServeFlags
	orgID   string
	cloudID string
	idSeed  uint64
}

// NewCommand returns the command line of an emulator whose API key, when
// --api-key is not given, is the environment variable keyEnv. The key of
// --api-key is hidden in the output too.
func NewCommand(keyEnv string) *Command {
	return &Command{serve: simkit.ServeFlags{KeyEnv: keyEnv, HideKey: true}}
}

// Synopsis returns the usage line of the command, after "ogsync sim".
func (c *Command) Synopsis() string {
	return "--target atlassian --listen ADDR --api-key KEY [--org-id ID] [--cloud-id ID] [--seed FILE] [flags]"
}

// Register registers the emulator's flags on fs: where it serves, its
// key, org and site ids, seed and generated ids.
func (c *Command) Register(fs *flag.FlagSet) {
	c.serve.Register(fs, "the API token and org API key the emulator accepts", "org")
	fs.StringVar(&c.orgID, "org-id", "", "organization `id` (default: the seed's, else generated)")
	fs.StringVar(&c.cloudID, "cloud-id", "", "site cloud `id` (default: the seed's, else generated)")
	fs.Uint64Var(&c.idSeed, "id-seed", 0, "seed of the generated ids")
}

// Check checks the flags after parsing: --listen must be host:port.
func (c *Command) Check() error { return c.serve.Check() }

// Run serves the emulator (Teams, JSM Operations, the org directory and
// Jira users on one address) that the checked flags describe until ctx
// ends, then shuts down gracefully (ListenAndServe). It says "listening on
// ADDR" and the org and cloud ids on p.Stderr once it listens. A missing
// key, a bad seed file, options New refuses and an address it cannot
// listen on are errors.
func (c *Command) Run(ctx context.Context, p simkit.Process) error {
	key, seed, err := simkit.Start(&c.serve, p, LoadSeed)
	if err != nil {
		return err
	}
	logger := simkit.LoggerOr(p.Logger)
	srv, err := New(Options{APIKey: key, OrgID: c.orgID, CloudID: c.cloudID, Seed: seed,
		Logger: logger, IDSeed: c.idSeed})
	if err != nil {
		return err
	}
	return srv.ListenAndServe(ctx, c.serve.Listen, func(addr net.Addr) {
		fmt.Fprintf(p.Stderr, "listening on %s\norg id %s\ncloud id %s\n", addr, srv.OrgID(), srv.CloudID())
		state := srv.State()
		logger.Info("serving the Atlassian emulator", "addr", addr.String(), "seed", c.serve.SeedFile,
			"orgId", srv.OrgID(), "cloudId", srv.CloudID(), "users", len(state.Users), "teams", len(state.Teams))
	})
}
