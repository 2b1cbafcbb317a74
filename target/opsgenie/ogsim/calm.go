package ogsim

// Calm turns the other actor and every injected fault off for the rest of
// the server's life: from the next request on the account changes only
// through the API, and every request is answered at once as it should be.
// Late writes already waiting still land. The behaviour switches and the
// rate limits stay. Tests use it to check that a client converges once a
// disturbance is over.
func (s *Server) Calm() { s.h.Calm() }
