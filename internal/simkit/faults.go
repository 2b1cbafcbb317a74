package simkit

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// FaultOptions configure fault injection on API requests (never on the
// admin endpoints). Every request draws its fate from a PRNG seeded with
// Seed, so a sequential run is reproducible.
type FaultOptions struct {
	// Seed seeds the fault PRNG.
	Seed int64
	// ErrorRate is the share of requests answered with a 5xx status
	// (500, 502, 503 or 504, equally likely), in [0,1].
	ErrorRate float64
	// DropRate is the share of requests whose connection is closed without
	// an answer, in [0,1]. ErrorRate+DropRate must not exceed 1.
	DropRate float64
	// Latency is added to every request.
	Latency time.Duration
	// Jitter adds a uniform random extra delay in [0, Jitter).
	Jitter time.Duration
	// AfterEffect injects errors and drops after the request has taken
	// effect (a create that "failed" did create), as a lost response would;
	// by default they happen before, and the request has no effect.
	AfterEffect bool
	// LateRate is the share of write requests (POST, PATCH, PUT, DELETE)
	// applied late, in [0,1]: the body is read, then the server waits
	// LateDelay, whether or not the client is still there, and only then
	// applies the request and answers. ErrorRate+DropRate+LateRate must not
	// exceed 1.
	LateRate float64
	// LateDelay is how long a late write waits; set it above the client's
	// timeout to apply writes after the client gave up.
	LateDelay time.Duration
}

// Validate checks the options; its errors start with "faults:".
func (o FaultOptions) Validate() error {
	switch {
	case o.ErrorRate < 0 || o.ErrorRate > 1:
		return fmt.Errorf("faults: error rate %v must be between 0 and 1", o.ErrorRate)
	case o.DropRate < 0 || o.DropRate > 1:
		return fmt.Errorf("faults: drop rate %v must be between 0 and 1", o.DropRate)
	case o.LateRate < 0 || o.LateRate > 1:
		return fmt.Errorf("faults: late rate %v must be between 0 and 1", o.LateRate)
	case o.ErrorRate+o.DropRate > 1:
		return fmt.Errorf("faults: error rate %v plus drop rate %v must not exceed 1", o.ErrorRate, o.DropRate)
	case o.ErrorRate+o.DropRate+o.LateRate > 1:
		return fmt.Errorf("faults: error rate %v plus drop rate %v plus late rate %v must not exceed 1", o.ErrorRate, o.DropRate, o.LateRate)
	case o.Latency < 0 || o.Jitter < 0:
		return fmt.Errorf("faults: latency and jitter must not be negative")
	case o.LateDelay < 0:
		return fmt.Errorf("faults: late delay %v must not be negative", o.LateDelay)
	}
	return nil
}

// Off reports whether no fault and no delay is injected.
func (o FaultOptions) Off() bool {
	return o.ErrorRate == 0 && o.DropRate == 0 && o.LateRate == 0 && o.Latency == 0 && o.Jitter == 0
}

// Fault is one request's drawn fate.
type Fault struct {
	// Delay is waited before the request is handled.
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Status, when not 0, is the 5xx the request is answered with.
	Status int
	// AfterEffect injects Drop and Status after the request took effect.
	AfterEffect bool
	// Late applies a write request after FaultOptions.LateDelay.
	Late bool
}

// FaultStatuses are the 5xx statuses a drawn error takes, equally likely.
var FaultStatuses = [...]int{500, 502, 503, 504}

// Faulter draws the fate of each request from a PRNG seeded with
// FaultOptions.Seed; it is safe for concurrent use.
type Faulter struct {
	opts FaultOptions
	mu   sync.Mutex
	rng  *rand.Rand
}

// NewFaulter returns a Faulter; stream tells emulators' sequences apart for
// the same seed.
func NewFaulter(o FaultOptions, stream uint64) *Faulter {
	return &Faulter{opts: o, rng: rand.New(rand.NewPCG(uint64(o.Seed), stream))}
}

// Opts returns the options the Faulter draws with.
func (f *Faulter) Opts() FaultOptions { return f.opts }

// Draw decides one request's fate. It always draws the same number of
// values, so the sequence does not depend on earlier outcomes.
func (f *Faulter) Draw() Fault {
	if f.opts.Off() {
		return Fault{}
	}
	f.mu.Lock()
	u, j, k := f.rng.Float64(), f.rng.Float64(), f.rng.IntN(len(FaultStatuses))
	f.mu.Unlock()
	out := Fault{Delay: f.opts.Latency + time.Duration(j*float64(f.opts.Jitter)), AfterEffect: f.opts.AfterEffect}
	switch {
	case u < f.opts.DropRate:
		out.Drop = true
	case u < f.opts.DropRate+f.opts.ErrorRate:
		out.Status = FaultStatuses[k]
	case u < f.opts.DropRate+f.opts.ErrorRate+f.opts.LateRate:
		out.Late = true
	}
	return out
}

// ParseFaultFlags checks fault options as the command line gives them
// (ogsync sim --fault-*); its errors name the flags, such as
// "--fault-error-rate=1.5: must be between 0 and 1".
func ParseFaultFlags(o FaultOptions) error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"fault-error-rate", o.ErrorRate}, {"fault-drop-rate", o.DropRate}, {"fault-late-rate", o.LateRate}} {
		if f.v < 0 || f.v > 1 {
			return fmt.Errorf("--%s=%v: must be between 0 and 1", f.name, f.v)
		}
	}
	if o.ErrorRate+o.DropRate > 1 {
		return fmt.Errorf("--fault-error-rate=%v and --fault-drop-rate=%v: together must not exceed 1", o.ErrorRate, o.DropRate)
	}
	if o.ErrorRate+o.DropRate+o.LateRate > 1 {
		return fmt.Errorf("--fault-error-rate=%v, --fault-drop-rate=%v and --fault-late-rate=%v: together must not exceed 1",
			o.ErrorRate, o.DropRate, o.LateRate)
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{{"fault-late-delay", o.LateDelay}, {"fault-latency", o.Latency}, {"fault-jitter", o.Jitter}} {
		if f.v < 0 {
			return fmt.Errorf("--%s=%v: must not be negative", f.name, f.v)
		}
	}
	return nil
}
