package opsgenie

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
)

// BenchmarkReadAccount reads 10,000 users and 500 teams (5 members each)
// from the emulator over loopback, with the client's limiter at several
// rates (burst 10), and reports the requests per read next to the lower
// bound UserPages(users)+1. Keep runs short:
//
//	go test -run '^$' -bench ReadAccount -benchtime 1x ./target/opsgenie/
func BenchmarkReadAccount(b *testing.B) {
	const users, teams = 10000, 500
	lowerBound := UserPages(users) + 1
	sim, err := ogsim.New(ogsim.Options{APIKey: testKey, Seed: seedAccount(users, teams, 5)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	b.Cleanup(srv.Close)

	for _, r := range []Rate{{}, {PerSecond: 50, Burst: 10}, {PerSecond: 20, Burst: 10}} {
		b.Run(fmt.Sprintf("rate=%s", r), func(b *testing.B) {
			c, err := New(Options{BaseURL: srv.URL, APIKey: testKey, Rate: r, MaxRetries: 3})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				us, err := c.ListUsers(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				ts, err := c.ListTeams(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				if len(us) != users || len(ts) != teams {
					b.Fatalf("read %d users and %d teams", len(us), len(ts))
				}
			}
			st := c.RequestStats()
			b.ReportMetric(float64(st.Total)/float64(b.N), "calls/op")
			b.ReportMetric(float64(lowerBound), "lowerbound-calls")
			b.ReportMetric(float64(st.Throttled), "429s")
			b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "wall-s/op")
		})
	}
}
