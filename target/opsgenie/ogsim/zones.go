package ogsim

import (
	"sync"
	"time"
	_ "time/tzdata" // valid time zones must not depend on the host's tz database

	"github.com/ogsync/ogsync/model"
)

// zoneCache remembers which time zone names Go's tz database knows, because
// time.LoadLocation reads and parses zone data on every call.
var zoneCache sync.Map // string -> bool

// validTimeZone reports whether name is an IANA time zone id the emulator
// accepts: anything time.LoadLocation loads except "" and "Local".
func validTimeZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	if v, ok := zoneCache.Load(name); ok {
		return v.(bool)
	}
	_, err := time.LoadLocation(name)
	zoneCache.Store(name, err == nil)
	return err == nil
}

// validLocale reports whether the emulator accepts id as a user's locale:
// an id OpsGenie's table lists, spelled exactly, or one the known part of
// the table can neither confirm nor refuse (model.CheckLocale).
func validLocale(id string) bool {
	return model.CheckLocale(id) != model.LocaleUnsupported
}
