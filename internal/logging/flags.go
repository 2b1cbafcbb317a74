package logging

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
)

// Flags are the logging flags every long-running command takes:
// --log-level and --log-format.
type Flags struct {
	Level  string
	Format string
}

// Register registers --log-level (info by default) and --log-format (auto
// by default) on fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Level, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&f.Format, "log-format", FormatAuto, "log format: auto (colour text on a terminal, JSON otherwise), text or json")
}

// Validate checks the flags after parsing; its errors name the flag, such
// as "--log-level=loud: must be debug, info, warn or error".
func (f *Flags) Validate() error {
	if _, err := ParseLevel(f.Level); err != nil {
		return fmt.Errorf("--log-level=%s: %w", f.Level, err)
	}
	if err := CheckFormat(f.Format); err != nil {
		return fmt.Errorf("--log-format=%s: %w", f.Format, err)
	}
	return nil
}

// Logger builds the logger on w (New) at the level and in the format of
// the flags, which Validate has accepted.
func (f *Flags) Logger(w io.Writer) *slog.Logger {
	lv, _ := ParseLevel(f.Level)
	return New(w, lv, f.Format)
}
