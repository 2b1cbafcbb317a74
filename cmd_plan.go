package main

import "context"

func runPlan(_ context.Context, io stdio, _ []string) int {
	return notImplemented(io, "plan")
}
