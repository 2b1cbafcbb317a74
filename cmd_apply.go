package main

import "context"

func runApply(_ context.Context, io stdio, _ []string) int {
	return notImplemented(io, "apply")
}
