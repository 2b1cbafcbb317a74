package model

import (
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// SupportedLocales lists, sorted, the locale ids of OpsGenie's "Supported
// Locale IDs" page (https://docs.opsgenie.com/docs/supported-locales, also
// https://support.atlassian.com/opsgenie/docs/supported-locale-ids and its
// translations) that the copies at hand show, spelled as the page spells them
// (a stray "()" after some ids on the page is not part of the id).
//
// The page's table is grouped by language, languages in alphabetical order of
// their English names. The copies at hand show it from the top down to the
// Hungarian row and the start of the Icelandic row: rows sq_AL to en_GB come
// from the English page at docs.opsgenie.com, rows en_US to hu_HU from the
// Japanese translation at support.atlassian.com/ja (which repeats the rows
// before them unchanged). Every row of the languages in this list is here;
// the rows of Icelandic and the languages after it are not (see CheckLocale).
var SupportedLocales = []string{
	"ar_AE", "ar_BH", "ar_DZ", "ar_EG", "ar_IQ", "ar_JO", "ar_KW", "ar_LB",
	"ar_LY", "ar_MA", "ar_OM", "ar_QA", "ar_SA", "ar_SD", "ar_SY", "ar_TN",
	"ar_YE", "be_BY", "bg_BG", "ca_ES", "cs_CZ", "da_DK", "de_AT", "de_CH",
	"de_DE", "de_LU", "el_CY", "el_GR", "en_AU", "en_CA", "en_GB", "en_IE",
	"en_IN", "en_MT", "en_NZ", "en_PH", "en_SG", "en_US", "en_ZA", "et_EE",
	"fi_FI", "fr_BE", "fr_CA", "fr_CH", "fr_FR", "fr_LU", "hi_IN", "hr_HR",
	"hu_HU", "iw_IL", "nl_BE", "nl_NL", "sq_AL", "zh_CN", "zh_HK", "zh_SG",
	"zh_TW",
}

// localeTableComplete says whether SupportedLocales is OpsGenie's whole table.
// While it is not, a well-formed id of a language whose rows are not known
// can be neither confirmed nor refused.
const localeTableComplete = false

// localeLanguageAliases maps a language code to the one OpsGenie's table uses
// for that language: Hebrew is listed under Java's old code iw, not he.
var localeLanguageAliases = map[string]string{"he": "iw"}

// LocaleSupport is what OpsGenie's table says of a locale id.
type LocaleSupport int

// The answers of CheckLocale.
const (
	// LocaleUnsupported: not an id OpsGenie lists.
	LocaleUnsupported LocaleSupport = iota
	// LocaleSupported: one of SupportedLocales.
	LocaleSupported
	// LocaleUnverified: a language_COUNTRY pair of an ISO 639-1 language and
	// an ISO 3166 country, of a language whose rows of the table are not known.
	LocaleUnverified
)

// IsSupportedLocale reports whether id is one of SupportedLocales, spelled
// exactly (en_US, not en-US or en_us).
func IsSupportedLocale(id string) bool {
	_, ok := slices.BinarySearch(SupportedLocales, id)
	return ok
}

// CheckLocale says whether OpsGenie supports the locale id: supported if it is
// listed; unsupported if it is not well-formed (ll_CC), names an unknown
// language or country, or belongs to a language whose rows are all known;
// otherwise unverified. Once SupportedLocales is the whole table, nothing is
// unverified.
func CheckLocale(id string) LocaleSupport {
	if IsSupportedLocale(id) {
		return LocaleSupported
	}
	lang, country, ok := splitLocale(id)
	if !ok || localeTableComplete || localeLanguageListed(lang) {
		return LocaleUnsupported
	}
	if _, err := language.ParseBase(lang); err != nil {
		return LocaleUnsupported
	}
	if r, err := language.ParseRegion(country); err != nil || !r.IsCountry() {
		return LocaleUnsupported
	}
	return LocaleUnverified
}

// SupportedLocalesOf returns the listed ids of the language lang (a code such
// as "de"; "he" finds Hebrew's iw_IL), sorted; nil if none is listed.
func SupportedLocalesOf(lang string) []string {
	if alias, ok := localeLanguageAliases[lang]; ok {
		lang = alias
	}
	var out []string
	for _, id := range SupportedLocales {
		if l, _, _ := strings.Cut(id, "_"); l == lang {
			out = append(out, id)
		}
	}
	return out
}

// localeLanguageListed reports whether the table's rows for the language lang
// are known, that is whether SupportedLocales has an id of that language.
func localeLanguageListed(lang string) bool {
	return len(SupportedLocalesOf(lang)) > 0
}

// splitLocale splits an id of the form ll_CC (two lower-case ASCII letters,
// an underscore, two upper-case ASCII letters), the form of every id in
// OpsGenie's table.
func splitLocale(id string) (lang, country string, ok bool) {
	if len(id) != 5 || id[2] != '_' {
		return "", "", false
	}
	for i, c := range []byte(id) {
		switch {
		case i < 2 && 'a' <= c && c <= 'z', i > 2 && 'A' <= c && c <= 'Z', i == 2:
		default:
			return "", "", false
		}
	}
	return id[:2], id[3:], true
}
