// Package redact hides secrets (the OpsGenie API key) in text: every
// occurrence, in any letter case, of any piece of MinPiece characters of a
// secret is replaced by Mask. A server that echoes the key in another case,
// split across fields or cut at a length limit leaves at most MinPiece-1
// characters of it in a message, never enough to use it.
package redact

import (
	"io"
	"sync"
)

// MinPiece is the length of the shortest piece of a secret that is hidden.
const MinPiece = 8

// Mask replaces a hidden piece of a secret.
const Mask = "[redacted]"

// Secrets is a set of secrets to hide. The zero value hides nothing; a nil
// *Secrets hides nothing. It is safe for concurrent use.
type Secrets struct {
	mu     sync.RWMutex
	pieces map[string]bool // lower-cased pieces of MinPiece bytes
}

// New returns the set of the given secrets (empty ones are skipped).
func New(secrets ...string) *Secrets {
	s := &Secrets{}
	for _, k := range secrets {
		s.Add(k)
	}
	return s
}

// Add adds a secret. A secret shorter than MinPiece is hidden whole.
func (s *Secrets) Add(secret string) {
	if s == nil || secret == "" {
		return
	}
	k := lower(secret)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pieces == nil {
		s.pieces = make(map[string]bool)
	}
	if len(k) < MinPiece {
		s.pieces[k] = true
		return
	}
	for i := 0; i+MinPiece <= len(k); i++ {
		s.pieces[k[i:i+MinPiece]] = true
	}
}

// Empty reports whether there is nothing to hide.
func (s *Secrets) Empty() bool {
	if s == nil {
		return true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.pieces) == 0
}

// String returns text with every piece of a secret replaced by Mask.
func (s *Secrets) String(text string) string {
	if s.Empty() {
		return text
	}
	out, changed := s.scrub([]byte(text))
	if !changed {
		return text
	}
	return string(out)
}

// Bytes returns data with every piece of a secret replaced by Mask; data
// itself is not changed.
func (s *Secrets) Bytes(data []byte) []byte {
	if s.Empty() {
		return data
	}
	out, _ := s.scrub(data)
	return out
}

// Contains reports whether text holds a piece of a secret.
func (s *Secrets) Contains(text string) bool {
	if s.Empty() {
		return false
	}
	_, changed := s.scrub([]byte(text))
	return changed
}

// scrub marks every byte covered by a piece (compared ASCII
// case-insensitively), then replaces each run of marked bytes by Mask.
func (s *Secrets) scrub(data []byte) ([]byte, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	low := lower(string(data))
	covered := make([]bool, len(data))
	found := false
	short := map[int]bool{} // lengths of secrets shorter than MinPiece
	for p := range s.pieces {
		if len(p) < MinPiece {
			short[len(p)] = true
		}
	}
	ns := lengths(short)
	for i := range low {
		for _, n := range ns {
			if i+n <= len(low) && s.pieces[low[i:i+n]] {
				for j := i; j < i+n; j++ {
					covered[j] = true
				}
				found = true
			}
		}
	}
	if !found {
		return data, false
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); {
		if !covered[i] {
			out = append(out, data[i])
			i++
			continue
		}
		for i < len(data) && covered[i] {
			i++
		}
		out = append(out, Mask...)
	}
	return out, true
}

// lengths returns MinPiece and the lengths of the short secrets.
func lengths(short map[int]bool) []int {
	ns := []int{MinPiece}
	for n := range short {
		ns = append(ns, n)
	}
	return ns
}

// lower lower-cases ASCII letters only, so that byte offsets stay the same.
func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Writer returns a writer that hides the secrets in what is written to w.
// Each Write is scrubbed whole, so a secret split across two writes is
// hidden only piecewise; loggers and fmt write a line at a time.
func Writer(w io.Writer, s *Secrets) io.Writer { return &writer{w: w, s: s} }

// Writer returns Writer(w, s): the secrets hidden in what is written to w.
func (s *Secrets) Writer(w io.Writer) io.Writer { return Writer(w, s) }

type writer struct {
	w io.Writer
	s *Secrets
}

// Unwrap returns the writer written to.
func (w *writer) Unwrap() io.Writer { return w.w }

func (w *writer) Write(p []byte) (int, error) {
	if _, err := w.w.Write(w.s.Bytes(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
