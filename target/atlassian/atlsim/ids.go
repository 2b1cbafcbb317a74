package atlsim

import "github.com/ogsync/ogsync/internal/simkit"

// idGen makes the emulator's seeded, UUID-shaped ids.
type idGen = simkit.IDGen

func newIDGen(seed uint64) *idGen { return simkit.NewIDGen(seed) }
