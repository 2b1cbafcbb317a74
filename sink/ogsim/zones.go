package ogsim

import (
	"slices"
	"sync"
	"time"
	_ "time/tzdata" // valid time zones must not depend on the host's tz database
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

// Locales lists the locale ids the emulator accepts for a user's locale,
// sorted. OpsGenie's own "Supported Locale IDs" page could not be consulted;
// this is the set of Java-style language_COUNTRY ids its UI offers in
// practice, and the ids the project's tests and examples use.
var Locales = []string{
	"ar_AE", "ar_SA", "bg_BG", "cs_CZ", "da_DK", "de_AT", "de_CH", "de_DE",
	"el_GR", "en_AU", "en_CA", "en_GB", "en_IE", "en_IN", "en_NZ", "en_US",
	"en_ZA", "es_AR", "es_ES", "es_MX", "et_EE", "fi_FI", "fr_BE", "fr_CA",
	"fr_CH", "fr_FR", "he_IL", "hr_HR", "hu_HU", "id_ID", "it_IT", "ja_JP",
	"ko_KR", "lt_LT", "lv_LV", "nb_NO", "nl_BE", "nl_NL", "pl_PL", "pt_BR",
	"pt_PT", "ro_RO", "ru_RU", "sk_SK", "sl_SI", "sr_RS", "sv_SE", "th_TH",
	"tr_TR", "uk_UA", "vi_VN", "zh_CN", "zh_HK", "zh_TW",
}

// validLocale reports whether id is one of Locales (exact spelling).
func validLocale(id string) bool {
	_, ok := slices.BinarySearch(Locales, id)
	return ok
}
