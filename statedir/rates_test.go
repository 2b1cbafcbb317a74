package statedir

import (
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRatesRoundTrip(t *testing.T) {
	st := Dir{Path: t.TempDir()}
	if got, err := st.LoadRates(); got != nil || err != nil {
		t.Fatalf("no file: %v, %v; want nil, nil", got, err)
	}
	in := map[string]float64{"configuration": 12.5, "search": 7, "unlimited": 0}
	if err := st.SaveRates(in, time.Unix(1e9, 0)); err != nil {
		t.Fatal(err)
	}
	got, err := st.LoadRates()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["configuration"] != 12.5 || got["search"] != 7 {
		t.Errorf("read back %v, want configuration 12.5 and search 7 (unlimited left out)", got)
	}
	fi, err := os.Stat(filepath.Join(st.Path, RatesFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != stateFileMode {
		t.Errorf("mode %v, want %v", fi.Mode().Perm(), os.FileMode(stateFileMode))
	}
}

func TestRatesCorrupt(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":      `{"rates": {"configuration": 12`,
		"negative":      `{"rates": {"configuration": -1}}`,
		"zero":          `{"rates": {"search": 0}}`,
		"above the max": `{"rates": {"search": 1e9}}`,
		"wrong type":    `{"rates": {"search": "fast"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			st := Dir{Path: t.TempDir()}
			if err := os.WriteFile(filepath.Join(st.Path, RatesFile), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := st.LoadRates()
			if got != nil || err == nil || !strings.Contains(err.Error(), RatesFile) {
				t.Errorf("got %v, %v; want nil and an error naming the file", got, err)
			}
		})
	}
	st := Dir{Path: t.TempDir()}
	if err := os.Mkdir(filepath.Join(st.Path, RatesFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if got, err := st.LoadRates(); got != nil || err == nil {
		t.Errorf("a directory: %v, %v; want an error", got, err)
	}
	// A symbolic link is refused, even to a good file.
	st = Dir{Path: t.TempDir()}
	good := filepath.Join(t.TempDir(), "rates.json")
	if err := os.WriteFile(good, []byte(`{"rates": {"search": 3}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(good, filepath.Join(st.Path, RatesFile)); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if got, err := st.LoadRates(); got != nil || err == nil {
		t.Errorf("a symbolic link: %v, %v; want an error", got, err)
	}
}

// StartRates takes the learned rates of the known domains, and falls back
// to the defaults without a file or with a corrupt one.
func TestStartRates(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	defaults := map[string]float64{"configuration": 10, "search": 5}
	st := Dir{Path: t.TempDir()}
	if got := st.StartRates(defaults, log); !maps.Equal(got, defaults) {
		t.Errorf("no file: %v, want the defaults", got)
	}
	if err := st.SaveRates(map[string]float64{"search": 2, "unknown": 9}, time.Unix(1e9, 0)); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"configuration": 10, "search": 2}
	if got := st.StartRates(defaults, log); !maps.Equal(got, want) {
		t.Errorf("learned: %v, want %v", got, want)
	}
	if defaults["search"] != 5 {
		t.Errorf("the defaults were changed: %v", defaults)
	}
	if err := os.WriteFile(filepath.Join(st.Path, RatesFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := st.StartRates(defaults, log); !maps.Equal(got, defaults) {
		t.Errorf("corrupt file: %v, want the defaults", got)
	}
}
