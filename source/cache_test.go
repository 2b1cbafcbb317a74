package source

import (
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
)

func TestCacheSkipsUnchangedFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"users.yaml": {Data: []byte("users:\n  - username: a@example.com\n    fullName: A\n")},
		"teams.yaml": {Data: []byte("teams:\n  - name: ops\n    members:\n      - user: a@example.com\n        role: admin\n")},
	}
	cache := &Cache{}
	opts := Options{Cache: cache}
	first, err := LoadFS(t.Context(), fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	uncached, err := LoadFS(t.Context(), fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	second, err := LoadFS(t.Context(), fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	if cache.Hits() != 1 {
		t.Fatalf("hits = %d, want 1", cache.Hits())
	}
	if !reflect.DeepEqual(second, uncached) || !reflect.DeepEqual(first, uncached) {
		t.Errorf("cached load differs from a fresh one:\n%+v\n%+v", second, uncached)
	}
	// What a load returns is its own: changing it does not reach the cache.
	second.Users = nil
	second.Revision.Commit = "abc"
	third, err := LoadFS(t.Context(), fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(third.Users) != 1 || third.Revision.Commit != "" {
		t.Errorf("the cache kept a caller's change: %+v", third)
	}

	// A changed file is decoded again.
	fsys["users.yaml"] = &fstest.MapFile{Data: []byte("users:\n  - username: a@example.com\n    fullName: B\n")}
	changed, err := LoadFS(t.Context(), fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	if cache.Hits() != 2 || *changed.Users[0].FullName != "B" {
		t.Errorf("after a change: hits %d, full name %q; want 2 and B", cache.Hits(), *changed.Users[0].FullName)
	}
	// Other external users are another input.
	if _, err := LoadFS(t.Context(), fsys, Options{Cache: cache, ExternalUsers: []string{"x@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if cache.Hits() != 2 {
		t.Errorf("external users changed, yet the cache answered")
	}
	// A file made invalid fails as without the cache, every time.
	fsys["users.yaml"] = &fstest.MapFile{Data: []byte("users:\n  - username: not-an-address\n")}
	for range 2 {
		if _, err := LoadFS(t.Context(), fsys, opts); err == nil {
			t.Fatal("an invalid file loaded")
		}
	}
}

// Fetcher loads with the cache it is given, or with one of its own.
func TestFetcherCaches(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "users.yaml"), []byte("users:\n  - username: a@example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := &Cache{}
	fetch := Fetcher(Options{Dir: dir, Cache: cache}, slog.New(slog.DiscardHandler))
	for range 2 {
		d, err := fetch(t.Context())
		if err != nil || len(d.Users) != 1 {
			t.Fatalf("fetch: %v, %v", d, err)
		}
	}
	if cache.Hits() != 1 {
		t.Errorf("hits = %d, want 1", cache.Hits())
	}
	if d, err := Fetcher(Options{Dir: dir}, slog.New(slog.DiscardHandler))(t.Context()); err != nil || len(d.Users) != 1 {
		t.Errorf("own cache: %v, %v", d, err)
	}
}
