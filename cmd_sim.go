package main

import "context"

func runSim(_ context.Context, io stdio, _ []string) int {
	return notImplemented(io, "sim")
}
