package ogsim

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// snapshot is the account as list reads see it at one instant: the users
// (immutable records, by username) and copies of the teams (by name).
type snapshot struct {
	at    time.Time
	seq   int    // journal sequence number it includes
	ver   uint64 // user version it includes
	users []*user
	teams []teamSnap
}

type teamSnap struct {
	id, name, description string
	members               []memberSnap
}

type memberSnap struct{ userID, username, role string }

// lagger keeps the snapshots Behavior.ListLag needs: every snapshot younger
// than the lag plus the newest one older than it, oldest first.
type lagger struct {
	lag   time.Duration
	mu    sync.Mutex
	snaps []*snapshot
}

// snapshot records the account as it is now if it changed since the last
// snapshot. It does nothing when ListLag is off.
func (s *Server) snapshot() {
	if s.lag == nil {
		return
	}
	a := s.acct
	a.mu.RLock()
	defer a.mu.RUnlock()
	l := s.lag
	l.mu.Lock()
	defer l.mu.Unlock()
	var last *snapshot
	if n := len(l.snaps); n > 0 {
		last = l.snaps[n-1]
		if last.seq == a.journal.Seq() && last.ver == a.version {
			return
		}
	}
	now := s.clock()
	snap := &snapshot{at: now, seq: a.journal.Seq(), ver: a.version, teams: make([]teamSnap, 0, len(a.teamOrder))}
	if last != nil && last.ver == a.version {
		snap.users = last.users // users are immutable records; the slice is never written
	} else {
		snap.users = slices.Clone(a.byUsername)
	}
	for _, t := range a.teamOrder {
		ts := teamSnap{id: t.id, name: t.name, description: t.description, members: make([]memberSnap, 0, len(t.members))}
		for _, m := range t.members {
			if u := a.usersByID[m.userID]; u != nil {
				ts.members = append(ts.members, memberSnap{u.id, u.username, m.role})
			}
		}
		snap.teams = append(snap.teams, ts)
	}
	l.snaps = append(l.snaps, snap)
	// Keep the newest snapshot at or before now-lag and everything after.
	cutoff := now.Add(-l.lag)
	keep := 0
	for i, sn := range l.snaps {
		if !sn.at.After(cutoff) {
			keep = i
		}
	}
	if keep > 0 {
		l.snaps = slices.Delete(l.snaps, 0, keep)
	}
}

// lagged returns the snapshot list reads answer from, or nil when ListLag
// is off: the newest snapshot taken at or before now-ListLag, or the
// oldest one kept when none is that old.
func (s *Server) lagged() *snapshot {
	if s.lag == nil {
		return nil
	}
	l := s.lag
	cutoff := s.clock().Add(-l.lag)
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.snaps[0]
	for _, sn := range l.snaps {
		if !sn.at.After(cutoff) {
			out = sn
		}
	}
	return out
}

// snapshotCount is the number of snapshots kept, for tests.
func (s *Server) snapshotCount() int {
	if s.lag == nil {
		return 0
	}
	s.lag.mu.Lock()
	defer s.lag.mu.Unlock()
	return len(s.lag.snaps)
}

// renderTeamSnap renders a team of a snapshot like renderTeam.
func (s *Server) renderTeamSnap(base string, t teamSnap, withMembers bool) teamJSON {
	out := teamJSON{
		ID: t.id, Name: t.name, Description: t.description,
		Links: linksJSON{
			Web: fmt.Sprintf("https://%s.app.opsgenie.com/teams/dashboard/%s/main", s.beh.AccountName, t.id),
			API: base + "/v2/teams/" + t.id,
		},
	}
	if withMembers {
		ms := make([]memberJSON, 0, len(t.members))
		for _, m := range t.members {
			ms = append(ms, memberJSON{memberUserJSON{m.userID, m.username}, m.role})
		}
		out.Members = &ms
	}
	return out
}
