package engine

import (
	"log/slog"

	"github.com/ogsync/ogsync/internal/testlog"
)

func testLogger() (*slog.Logger, *testlog.Buffer) { return testlog.New() }
