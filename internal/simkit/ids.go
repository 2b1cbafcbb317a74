package simkit

import (
	"encoding/hex"
	"math/rand/v2"
	"sync"
)

// IDGen makes UUID-shaped (version 4) identifiers from a seeded PRNG, so an
// account built from the same seed and the same request sequence gets the
// same ids. It is safe for concurrent use.
type IDGen struct {
	mu  sync.Mutex
	rng *rand.ChaCha8
}

// NewIDGen returns an IDGen seeded with seed.
func NewIDGen(seed uint64) *IDGen {
	var s [32]byte
	for i := range 4 {
		v := seed + uint64(i)*0x9e3779b97f4a7c15
		for j := range 8 {
			s[i*8+j] = byte(v >> (8 * j))
		}
	}
	return &IDGen{rng: rand.NewChaCha8(s)}
}

// Next returns a new lower-case UUID string.
func (g *IDGen) Next() string {
	g.mu.Lock()
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	g.mu.Unlock()
	return FormatUUID(hi, lo)
}

// FormatUUID formats two 64-bit halves as a version-4 UUID string.
func FormatUUID(hi, lo uint64) string {
	var b [16]byte
	for i := range 8 {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}
