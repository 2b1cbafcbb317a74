package opsgenie

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/ogsync/ogsync/config"
)

func TestOptionsFromRates(t *testing.T) {
	def := config.Default().OpsGenie
	o := OptionsFrom(def, "k", "ua")
	if o.Rate != (Rate{PerSecond: DefaultCeiling, Burst: DefaultBurst}) || *o.SearchRate != o.Rate {
		t.Errorf("no rate configured: ceilings %v and %v, want %g/s burst %d", o.Rate, *o.SearchRate, DefaultCeiling, DefaultBurst)
	}
	if o.Start[DomainConfiguration] != DefaultStartConfiguration || o.Start[DomainSearch] != DefaultStartSearch {
		t.Errorf("start = %v", o.Start)
	}

	set := def
	set.RateLimit = config.RateLimit{Rate: config.Rate{PerSecond: 3}, Search: &config.Rate{PerSecond: 1, Burst: 2}}
	o = OptionsFrom(set, "k", "ua")
	if o.Rate != (Rate{PerSecond: 3, Burst: DefaultBurst}) || *o.SearchRate != (Rate{PerSecond: 1, Burst: 2}) {
		t.Errorf("configured: ceilings %v and %v", o.Rate, *o.SearchRate)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	// The defaults start above these ceilings: the ceilings win.
	if got := c.Rates(); got[DomainConfiguration] != 3 || got[DomainSearch] != 1 {
		t.Errorf("rates = %v, want the ceilings 3 and 1", got)
	}

	set.RateLimit.Adaptive = new(false)
	if o = OptionsFrom(set, "k", "ua"); o.Start != nil {
		t.Errorf("adaptive: false: start = %v, want none (the ceiling is the fixed rate)", o.Start)
	}
}

func TestClientReportsRates(t *testing.T) {
	var seen []string
	env := setup(t, func(o *Options) {
		o.Rate = Rate{PerSecond: 40, Burst: 1}
		o.Start = map[string]float64{DomainConfiguration: 8, DomainSearch: 4}
		o.OnRate = func(d string, r float64) { seen = append(seen, d+"="+formatRate(r)) }
	})
	if want := []string{"configuration=8", "search=4"}; !slices.Equal(seen, want) {
		t.Fatalf("reported at New: %v, want %v", seen, want)
	}
	var n atomic.Int32
	env.mux.HandleFunc("GET /v2/teams", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Period-In-Sec", "1")
			writeError(w, http.StatusTooManyRequests, "TooManyRequests")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{}})
	})
	if _, err := env.client.ListTeams(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := env.client.Rates(); got[DomainConfiguration] != 4 || got[DomainSearch] != 4 {
		t.Errorf("rates after a 429 = %v, want configuration halved to 4", got)
	}
	if seen[len(seen)-1] != "configuration=4" {
		t.Errorf("reported %v, want the cut last", seen)
	}
	// The retry's log line gives the wait really waited: the 1 s window
	// the server named (the jitter-free backoff alone would be 200 ms).
	logs := env.logs.String()
	if !regexp.MustCompile(`msg="retrying opsgenie request".* waited=1s `).MatchString(logs) {
		t.Errorf("no retry line with waited=1s in:\n%s", logs)
	}
	if !regexp.MustCompile(`msg="opsgenie rate lowered after a 429" domain=configuration rate=4 hold=1s`).MatchString(logs) {
		t.Errorf("no rate change line in:\n%s", logs)
	}
}

func formatRate(r float64) string {
	return strconv.FormatFloat(r, 'g', -1, 64)
}
