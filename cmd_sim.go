package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/ogsync/ogsync/sink/ogsim"
)

// simOptions are the flags of ogsync sim.
type simOptions struct {
	listen   string
	apiKey   string // from --api-key; runSim falls back to OPSGENIE_API_KEY
	seedFile string
	idSeed   uint64
	rate     ogsim.RateLimitOptions
	faults   ogsim.FaultOptions
	log      logFlags
}

// shutdownGrace bounds how long ogsync sim waits for requests in flight.
const shutdownGrace = 5 * time.Second

// parseSimArgs parses the flags of ogsync sim; its errors name the flag.
func parseSimArgs(fs *flag.FlagSet, args []string) (simOptions, error) {
	var o simOptions
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "`address` to serve on (host:port; port 0 picks a free one)")
	fs.StringVar(&o.apiKey, "api-key", "", "the API `key` with every right (default: $OPSGENIE_API_KEY); never printed")
	fs.StringVar(&o.seedFile, "seed", "", "YAML or JSON `file` with the initial account (default: an empty account)")
	fs.Uint64Var(&o.idSeed, "id-seed", 0, "seed of the generated entity ids")
	fs.IntVar(&o.rate.Configuration.PerSecond, "rate-config-per-second", 0, "Configuration domain: requests per second (0 = unlimited)")
	fs.IntVar(&o.rate.Configuration.PerMinute, "rate-config-per-minute", 0, "Configuration domain: requests per minute (0 = unlimited)")
	fs.IntVar(&o.rate.Search.PerSecond, "rate-search-per-second", 0, "Search domain (list users): requests per second (0 = unlimited)")
	fs.IntVar(&o.rate.Search.PerMinute, "rate-search-per-minute", 0, "Search domain (list users): requests per minute (0 = unlimited)")
	fs.Int64Var(&o.faults.Seed, "fault-seed", 1, "seed of the fault injection, for reproducible runs")
	fs.Float64Var(&o.faults.ErrorRate, "fault-error-rate", 0, "share of API requests answered 500/502/503/504, 0..1")
	fs.Float64Var(&o.faults.DropRate, "fault-drop-rate", 0, "share of API requests whose connection is closed unanswered, 0..1")
	fs.DurationVar(&o.faults.Latency, "fault-latency", 0, "`delay` added to every API request")
	fs.DurationVar(&o.faults.Jitter, "fault-jitter", 0, "extra random `delay` in [0, jitter) per API request")
	fs.BoolVar(&o.faults.AfterEffect, "fault-after-effect", false, "inject errors and drops after the request took effect")
	o.log.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return o, fmt.Errorf("--listen=%s: must be host:port", o.listen)
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"rate-config-per-second", o.rate.Configuration.PerSecond}, {"rate-config-per-minute", o.rate.Configuration.PerMinute},
		{"rate-search-per-second", o.rate.Search.PerSecond}, {"rate-search-per-minute", o.rate.Search.PerMinute},
	} {
		if f.v < 0 {
			return o, fmt.Errorf("--%s=%d: must not be negative", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"fault-error-rate", o.faults.ErrorRate}, {"fault-drop-rate", o.faults.DropRate}} {
		if f.v < 0 || f.v > 1 {
			return o, fmt.Errorf("--%s=%v: must be between 0 and 1", f.name, f.v)
		}
	}
	if o.faults.ErrorRate+o.faults.DropRate > 1 {
		return o, fmt.Errorf("--fault-error-rate=%v and --fault-drop-rate=%v: together must not exceed 1", o.faults.ErrorRate, o.faults.DropRate)
	}
	if o.faults.Latency < 0 {
		return o, fmt.Errorf("--fault-latency=%v: must not be negative", o.faults.Latency)
	}
	if o.faults.Jitter < 0 {
		return o, fmt.Errorf("--fault-jitter=%v: must not be negative", o.faults.Jitter)
	}
	if err := o.log.validate(); err != nil {
		return o, err
	}
	return o, nil
}

// runSim serves the OpsGenie API emulator until ctx is cancelled, then
// shuts down gracefully.
func runSim(ctx context.Context, io stdio, args []string) int {
	fs := newFlagSet("sim", "--listen ADDR --api-key KEY [--seed FILE] [flags]", io.err)
	o, err := parseSimArgs(fs, args)
	if err != nil {
		return flagExit(io.err, "sim", err)
	}
	if o.apiKey == "" {
		o.apiKey = io.getenv("OPSGENIE_API_KEY")
	}
	if o.apiKey == "" {
		fmt.Fprintln(io.err, "ogsync sim: --api-key (or OPSGENIE_API_KEY) is required")
		return exitError
	}
	logger := o.log.logger(io)

	var seed *ogsim.Seed
	if o.seedFile != "" {
		if seed, err = ogsim.LoadSeed(o.seedFile); err != nil {
			fmt.Fprintf(io.err, "ogsync sim: %v\n", err)
			return exitError
		}
	}
	srv, err := ogsim.New(ogsim.Options{APIKey: o.apiKey, Seed: seed, RateLimit: o.rate, Faults: o.faults,
		Logger: logger, IDSeed: o.idSeed})
	if err != nil {
		fmt.Fprintf(io.err, "ogsync sim: %v\n", err)
		return exitError
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		fmt.Fprintf(io.err, "ogsync sim: listening: %v\n", err)
		return exitError
	}
	fmt.Fprintf(io.err, "listening on %s\n", ln.Addr())
	state := srv.State()
	logger.Info("serving the OpsGenie API emulator", "addr", ln.Addr().String(), "seed", o.seedFile,
		"users", len(state.Users), "teams", len(state.Teams))

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(io.err, "ogsync sim: serving: %v\n", err)
		return exitError
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		logger.Warn("requests still in flight at shutdown; closing", "err", err)
		_ = hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(io.err, "ogsync sim: serving: %v\n", err)
		return exitError
	}
	st := srv.Stats()
	logger.Info("stopped", "requests", st.Total, "throttled", st.Throttled)
	return exitOK
}
