package engine

import (
	"context"
	"errors"
)

// Heartbeater pings an OpsGenie heartbeat; opsgenie.Client is one.
type Heartbeater interface {
	PingHeartbeat(ctx context.Context, name string) error
}

// What happened to the heartbeat after a cycle (Result.Heartbeat).
const (
	// HeartbeatPinged: the cycle succeeded and the heartbeat was pinged.
	HeartbeatPinged = "pinged"
	// HeartbeatFailed: the cycle succeeded but the ping failed; the cycle
	// stands (HeartbeatError says why).
	HeartbeatFailed = "failed"
	// HeartbeatNotPinged: the cycle was an error, so no ping: OpsGenie
	// alerts once the heartbeat's interval passes without one.
	HeartbeatNotPinged = "not-pinged"
)

// heartbeat pings the configured opsgenie.heartbeat after a cycle whose
// outcome is not an error (see Outcome): dry runs and cycles with blocked
// actions included, since the daemon is alive and syncing as asked. A
// refused, failed or partial cycle does not ping. A failed ping is logged
// and recorded in r; it does not change the cycle's outcome.
func (e *Engine) heartbeat(ctx context.Context, r *Result) {
	name := e.heartbeatName
	if name == "" {
		return
	}
	if !r.Succeeded {
		r.Heartbeat = HeartbeatNotPinged
		return
	}
	var err error
	if hb, ok := e.target.(Heartbeater); ok {
		err = hb.PingHeartbeat(ctx, name)
	} else {
		err = errors.New("the target cannot ping heartbeats")
	}
	if err != nil {
		e.logger.Warn("heartbeat ping failed; the cycle's outcome stands", "heartbeat", name, "err", err)
		r.Heartbeat, r.HeartbeatError = HeartbeatFailed, err.Error()
		return
	}
	r.Heartbeat = HeartbeatPinged
	e.logger.Debug("heartbeat pinged", "heartbeat", name)
}
