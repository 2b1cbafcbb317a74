package main

import "context"

func runExport(_ context.Context, io stdio, _ []string) int {
	return notImplemented(io, "export")
}
