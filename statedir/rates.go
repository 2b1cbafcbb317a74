package statedir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// RatesFile, in the state directory, holds the request rates the client's
// adaptive limiter learned, so that the next run starts from them.
const RatesFile = "learned-rates.json"

// maxRatesFile bounds RatesFile: a few domains take a few hundred bytes.
const maxRatesFile = 64 << 10

// maxLearnedRate is the largest rate accepted from RatesFile, the most a
// configured ceiling may be.
const maxLearnedRate = 1000

// learnedRates is the content of RatesFile.
type learnedRates struct {
	// Rates is requests per second by rate-limit domain.
	Rates map[string]float64 `json:"rates"`
	// Updated is when the file was written.
	Updated time.Time `json:"updated"`
}

// LoadRates reads the learned rates (requests per second by rate-limit
// domain) from the state directory. A missing file gives nil and no error;
// a file that cannot be read or holds anything but positive finite rates
// gives nil and an error that says why, and the caller starts from its
// defaults.
func (s Dir) LoadRates() (map[string]float64, error) {
	name := filepath.Join(s.Path, RatesFile)
	// Checked before opening: a FIFO would block the open, and a symbolic
	// link could point anywhere.
	st, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("reading %s: not a regular file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRatesFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > maxRatesFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxRatesFile)
	}
	var lr learnedRates
	if err := json.Unmarshal(data, &lr); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, d := range slices.Sorted(maps.Keys(lr.Rates)) {
		if r := lr.Rates[d]; r <= 0 || r > maxLearnedRate || math.IsNaN(r) {
			return nil, fmt.Errorf("%s: rate of %q is %g, not above 0 and at most %d", name, d, r, maxLearnedRate)
		}
	}
	return lr.Rates, nil
}

// SaveRates writes the learned rates to the state directory, atomically.
// Unlimited domains (rate 0) are left out.
func (s Dir) SaveRates(rates map[string]float64, now time.Time) error {
	lr := learnedRates{Rates: map[string]float64{}, Updated: now.UTC()}
	for d, r := range rates {
		if r > 0 && r <= maxLearnedRate {
			lr.Rates[d] = r
		}
	}
	return s.WriteJSON(RatesFile, lr)
}

// StartRates returns the rates a limiter starts from: the ones learned by
// earlier runs where the state directory has them (for the domains of
// defaults only), else the defaults. It logs which it chose.
func (s Dir) StartRates(defaults map[string]float64, log *slog.Logger) map[string]float64 {
	learned, err := s.LoadRates()
	switch {
	case err != nil:
		log.Warn("ignoring the learned request rates; starting from the defaults", "err", err, "rates", defaults)
		return defaults
	case learned == nil:
		log.Info("no learned request rates yet; starting from the defaults", "rates", defaults)
		return defaults
	}
	out := maps.Clone(defaults)
	for d, r := range learned {
		if _, ok := out[d]; ok {
			out[d] = r
		}
	}
	log.Info("starting from the learned request rates", "rates", out)
	return out
}
