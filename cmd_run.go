package main

import "context"

func runDaemon(_ context.Context, io stdio, _ []string) int {
	return notImplemented(io, "run")
}
