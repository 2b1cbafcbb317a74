package atlsim

import "github.com/ogsync/ogsync/internal/simkit"

// serr is a seed error at a path such as users[3].email: ParseSeed names
// its file and line.
func serr(msg string, path ...any) error { return simkit.SeedErr(msg, path...) }
