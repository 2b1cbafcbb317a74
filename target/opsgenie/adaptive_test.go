package opsgenie

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

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
	acct := newSimAccount(t, env, ogsim.Options{})
	acct.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 1 {
			w.Header().Set("X-RateLimit-Period-In-Sec", "1")
			writeError(w, http.StatusTooManyRequests, "TooManyRequests")
			return true
		}
		return false
	}
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
