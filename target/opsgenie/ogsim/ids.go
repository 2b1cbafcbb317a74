package ogsim

import "github.com/ogsync/ogsync/internal/simkit"

// idGen makes the emulator's seeded, UUID-shaped ids.
type idGen = simkit.IDGen

func newIDGen(seed uint64) *idGen { return simkit.NewIDGen(seed) }

// isUUID reports whether s has the 8-4-4-4-12 hexadecimal shape of a UUID
// (any case, any version).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
