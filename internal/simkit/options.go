package simkit

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// CheckOptions runs the checks of an emulator's options in order; an empty
// API key comes first. Its errors start with the emulator's name.
func CheckOptions(emulator, apiKey string, checks ...func() error) error {
	if apiKey == "" {
		return errors.New(emulator + ": an API key is required")
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return fmt.Errorf("%s: %w", emulator, err)
		}
	}
	return nil
}

// ClockOr returns clock, or time.Now when it is nil.
func ClockOr(clock func() time.Time) func() time.Time {
	if clock == nil {
		return time.Now
	}
	return clock
}

// LoggerOr returns log, or a logger that discards when it is nil.
func LoggerOr(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}
