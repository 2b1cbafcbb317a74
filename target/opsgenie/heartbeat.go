package opsgenie

import (
	"context"
	"net/http"
)

// routeHeartbeatPing is the route of a heartbeat ping.
const routeHeartbeatPing = "/v2/heartbeats/{name}/ping"

// PingHeartbeat pings the OpsGenie heartbeat name: GET
// /v2/heartbeats/{name}/ping, answered 202 "PONG - Heartbeat received".
// OpsGenie alerts when a heartbeat goes unpinged for its interval, so a
// ping after each cycle makes OpsGenie itself notice a sync that stopped.
// It is a GET, so a read-only (dry-run) client sends it too. OpsGenie
// handles pings asynchronously and answers 202 even for a name it does not
// know. The ping passes the Configuration domain's limiter: one request a
// cycle, although OpsGenie counts heartbeats in a domain of their own.
func (c *Client) PingHeartbeat(ctx context.Context, name string) error {
	r := request{method: http.MethodGet, route: routeHeartbeatPing, path: escapedPath("v2", "heartbeats", name, "ping")}
	return c.send(ctx, r, nil)
}
