package ogsim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// bigSeed is n users with generated ids, as client tests seed them.
func bigSeed(n int) *Seed {
	seed := &Seed{Users: make([]SeedUser, n)}
	roles := []string{"User", "Admin", "Observer", "Stakeholder"}
	for i := range n {
		seed.Users[i] = SeedUser{
			Username: fmt.Sprintf("user%06d@example.com", i),
			FullName: fmt.Sprintf("User Number %d", i),
			Role:     roles[i%len(roles)],
			TimeZone: "Europe/Berlin",
			Verified: i%2 == 0,
		}
	}
	seed.Users[0].Role = "Owner"
	return seed
}

// BenchmarkSeed100kUsers builds an account of 100,000 users.
func BenchmarkSeed100kUsers(b *testing.B) {
	seed := bigSeed(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Options{APIKey: testKey, Seed: seed}); err != nil {
			b.Fatal(err)
		}
	}
}

func listRequest(target string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	r.Header.Set("Authorization", "GenieKey "+testKey)
	return r
}

// BenchmarkListUsersPage serves one page of 100 at offset 50,000 from
// 100,000 users through ServeHTTP.
func BenchmarkListUsersPage(b *testing.B) {
	srv, err := New(Options{APIKey: testKey, Seed: bigSeed(100_000)})
	if err != nil {
		b.Fatal(err)
	}
	req := listRequest("/v2/users?limit=100&offset=50000")
	warm := httptest.NewRecorder()
	srv.ServeHTTP(warm, req) // fills the per-user JSON cache, as any earlier page would
	if warm.Code != 200 {
		b.Fatalf("status %d", warm.Code)
	}
	b.SetBytes(int64(warm.Body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkListUsersPageCold is the first visit of each page: the user
// JSON is rendered, not cached (the pages cycle through all 100,000 users
// and the cache is dropped by re-seeding every 1,000 requests).
func BenchmarkListUsersPageCold(b *testing.B) {
	seed := bigSeed(100_000)
	var srv *Server
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if i%1000 == 0 {
			b.StopTimer()
			var err error
			if srv, err = New(Options{APIKey: testKey, Seed: seed}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, listRequest(fmt.Sprintf("/v2/users?limit=100&offset=%d", (i%1000)*100)))
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
		i++
	}
}

// BenchmarkListUsersParallel measures list-page throughput with every
// core busy, over 100,000 users; it reports requests per second.
func BenchmarkListUsersParallel(b *testing.B) {
	srv, err := New(Options{APIKey: testKey, Seed: bigSeed(100_000)})
	if err != nil {
		b.Fatal(err)
	}
	for off := 0; off < 100_000; off += 100 { // warm the JSON cache
		srv.ServeHTTP(httptest.NewRecorder(), listRequest(fmt.Sprintf("/v2/users?limit=100&offset=%d", off)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, listRequest(fmt.Sprintf("/v2/users?limit=100&offset=%d", (i*7919%1000)*100)))
			if w.Code != 200 {
				b.Errorf("status %d", w.Code)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkGetUser serves GET /v2/users/{username} from 100,000 users.
func BenchmarkGetUser(b *testing.B) {
	srv, err := New(Options{APIKey: testKey, Seed: bigSeed(100_000)})
	if err != nil {
		b.Fatal(err)
	}
	req := listRequest("/v2/users/user054321@example.com")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkListUsersOtherPaths covers the list paths that are not a plain
// slice of the username index: another sort order (cached after the first
// request) and a query (a scan of all users).
func BenchmarkListUsersOtherPaths(b *testing.B) {
	srv, err := New(Options{APIKey: testKey, Seed: bigSeed(100_000)})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, target string }{
		{"sort=fullName&order=desc", "/v2/users?limit=100&offset=50000&sort=fullName&order=desc"},
		{"query=role:Admin", "/v2/users?limit=100&offset=10000&query=role%3AAdmin"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := listRequest(bc.target)
			srv.ServeHTTP(httptest.NewRecorder(), req)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
