package model

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

// TestSupportedLocalesList checks the list itself: sorted, without
// duplicates, every id of the form ll_CC with a known language and country.
func TestSupportedLocalesList(t *testing.T) {
	if !slices.IsSorted(SupportedLocales) {
		t.Error("SupportedLocales is not sorted")
	}
	if n := len(slices.Compact(slices.Clone(SupportedLocales))); n != len(SupportedLocales) {
		t.Errorf("SupportedLocales has %d duplicates", len(SupportedLocales)-n)
	}
	// The rows the sources show, Albanian to Hungarian.
	if len(SupportedLocales) != 57 {
		t.Errorf("SupportedLocales has %d ids, want the 57 rows of the sources", len(SupportedLocales))
	}
	for _, id := range SupportedLocales {
		lang, country, ok := splitLocale(id)
		if !ok {
			t.Errorf("%q is not of the form ll_CC", id)
			continue
		}
		if _, err := language.ParseBase(lang); err != nil {
			t.Errorf("%q: %v", id, err)
		}
		if r, err := language.ParseRegion(country); err != nil || !r.IsCountry() {
			t.Errorf("%q: %s is not a country (%v)", id, country, err)
		}
		if strings.ContainsAny(id, "() ") {
			t.Errorf("%q keeps the page's stray parentheses", id)
		}
	}
}

func TestCheckLocale(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want LocaleSupport
	}{
		{"en_US", LocaleSupported},
		{"sq_AL", LocaleSupported},
		{"zh_SG", LocaleSupported}, // "zh_SG()" on the page
		{"en_MT", LocaleSupported}, // "en_MT()" on the page
		{"iw_IL", LocaleSupported},
		{"hu_HU", LocaleSupported}, // the last row the sources show
		// Malformed.
		{"", LocaleUnsupported},
		{"en", LocaleUnsupported},
		{"en-US", LocaleUnsupported},
		{"en_us", LocaleUnsupported},
		{"EN_US", LocaleUnsupported},
		{"en_US ", LocaleUnsupported},
		{"es_419", LocaleUnsupported},
		{"fil_PH", LocaleUnsupported},
		{"zh_SG()", LocaleUnsupported},
		// Well-formed, of a language whose rows are all known.
		{"en_XX", LocaleUnsupported},
		{"en_DE", LocaleUnsupported},
		{"de_BE", LocaleUnsupported},
		{"he_IL", LocaleUnsupported}, // Hebrew is listed as iw_IL
		// Well-formed, but no such language or country.
		{"xx_YY", LocaleUnsupported},
		{"ja_XX", LocaleUnsupported}, // XX is private use, not a country
		{"ja_EU", LocaleUnsupported},
		{"qq_JP", LocaleUnsupported},
		// Well-formed, of a language the sources do not reach.
		{"ja_JP", LocaleUnverified},
		{"sv_SE", LocaleUnverified},
		{"is_IS", LocaleUnverified},
	} {
		t.Run(tc.id, func(t *testing.T) {
			if got := CheckLocale(tc.id); got != tc.want {
				t.Errorf("CheckLocale(%q) = %d, want %d", tc.id, got, tc.want)
			}
			if got, want := IsSupportedLocale(tc.id), tc.want == LocaleSupported; got != want {
				t.Errorf("IsSupportedLocale(%q) = %v, want %v", tc.id, got, want)
			}
		})
	}
}

func TestSupportedLocalesOf(t *testing.T) {
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"de", []string{"de_AT", "de_CH", "de_DE", "de_LU"}},
		{"he", []string{"iw_IL"}},
		{"iw", []string{"iw_IL"}},
		{"sq", []string{"sq_AL"}},
		{"ja", nil},
		{"", nil},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			if got := SupportedLocalesOf(tc.lang); !slices.Equal(got, tc.want) {
				t.Errorf("SupportedLocalesOf(%q) = %v, want %v", tc.lang, got, tc.want)
			}
		})
	}
}
