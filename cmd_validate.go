package main

import "context"

func runValidate(_ context.Context, io stdio, _ []string) int {
	return notImplemented(io, "validate")
}
