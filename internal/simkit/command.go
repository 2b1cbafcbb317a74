package simkit

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
)

// Process is what an emulator's command line (ogsync sim) may touch of its
// process; the command that runs the emulator fills it.
type Process struct {
	// Stderr is where the emulator says the address it serves on.
	Stderr io.Writer
	// Getenv answers the environment variable holding the API key.
	Getenv func(string) string
	// Hide, when set, hides a secret in everything the process writes.
	Hide func(secret string)
	// Logger is the process logger (nil: discard).
	Logger *slog.Logger
}

// ServeFlags are the flags of every emulator's command line: --listen, the
// address to serve on; --api-key, the key the emulator accepts, taken from
// the environment variable KeyEnv when the flag is not given; --seed, the
// file of the initial state.
type ServeFlags struct {
	KeyEnv string // the environment variable of the API key
	// HideKey makes Key hide the key of --api-key in everything the
	// process writes (Process.Hide); the key of KeyEnv is hidden anyway.
	HideKey  bool
	Listen   string
	APIKey   string
	SeedFile string
}

// Register registers --listen, --api-key and --seed; keyHelp says what
// the key is, and the help adds where it comes from by default; seedOf
// names what the seed holds ("account", "org").
func (f *ServeFlags) Register(fs *flag.FlagSet, keyHelp, seedOf string) {
	fs.StringVar(&f.Listen, "listen", "127.0.0.1:8080", "`address` to serve on (host:port; port 0 picks a free one)")
	fs.StringVar(&f.APIKey, "api-key", "", keyHelp+" (default: $"+f.KeyEnv+"); never printed")
	fs.StringVar(&f.SeedFile, "seed", "", "YAML or JSON `file` with the initial "+seedOf+" (default: an empty "+seedOf+")")
}

// Check checks the flags after parsing: --listen must be host:port.
func (f *ServeFlags) Check() error {
	if _, _, err := net.SplitHostPort(f.Listen); err != nil {
		return fmt.Errorf("--listen=%s: must be host:port", f.Listen)
	}
	return nil
}

// Key returns the API key of --api-key, else of the environment variable
// KeyEnv; with HideKey, it is hidden (p.Hide) in everything the process
// writes from then on. Neither is an error.
func (f *ServeFlags) Key(p Process) (string, error) {
	key := f.APIKey
	if key == "" {
		key = p.Getenv(f.KeyEnv)
	}
	if key == "" {
		return "", fmt.Errorf("--api-key (or %s) is required", f.KeyEnv)
	}
	if f.HideKey && p.Hide != nil {
		p.Hide(key)
	}
	return key, nil
}

// Start returns what an emulator's command needs before it builds the
// emulator: the API key (f.Key) and the seed, which load reads from
// --seed; no --seed gives a nil seed.
func Start[S any](f *ServeFlags, p Process, load func(file string) (*S, error)) (string, *S, error) {
	key, err := f.Key(p)
	if err != nil {
		return "", nil, err
	}
	if f.SeedFile == "" {
		return key, nil, nil
	}
	seed, err := load(f.SeedFile)
	if err != nil {
		return "", nil, err
	}
	return key, seed, nil
}
