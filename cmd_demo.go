package main

import "context"

func runDemo(_ context.Context, io stdio, _ []string) int {
	return notImplemented(io, "demo")
}
