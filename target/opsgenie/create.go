package opsgenie

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Created is the outcome of a create (user, team or membership).
type Created struct {
	// ID is the id of the created or existing object (empty for a membership).
	ID string
	// Name is the username or team name the API answered with, if any.
	Name string
	// Existed is true when the object was already there before this create:
	// the API answered 409 Conflict and a lookup found it. Nothing was created.
	Existed bool
	// Confirmed is true when an attempt's outcome was unknown (timeout,
	// dropped connection, 5xx) and a lookup found the object, so the create
	// was not sent again.
	Confirmed bool
}

// createData is the answer of a create: {"data":{"id","name"}}.
type createData struct {
	Data struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"data"`
}

// lookupFunc finds the object a create was about; it returns an error for
// which IsNotFound holds when the object does not exist.
type lookupFunc func(ctx context.Context) (Created, error)

// create sends a create request that must never produce a duplicate:
//   - an unknown outcome (timeout, dropped connection, 5xx) is settled by a
//     lookup; the create is sent again only when the lookup finds nothing;
//   - a 409 Conflict is settled by a lookup too: the object exists, and the
//     result says so (Existed) instead of failing.
//
// The attempts are bounded by MaxRetries; the lookup after an unknown
// outcome is made even when no retry is left.
func (c *Client) create(ctx context.Context, r request, lookup lookupFunc) (Created, error) {
	r.create = true
	unknown := false
	for retry := 0; ; retry++ {
		var resp createData
		err := c.send(ctx, r, &resp)
		switch {
		case err == nil:
			return Created{ID: resp.Data.ID, Name: resp.Data.Name}, nil

		case IsConflict(err):
			found, lerr := lookup(ctx)
			if lerr != nil {
				if IsNotFound(lerr) {
					// Taken, but not by anything this key can see
					// (usernames are unique across all accounts).
					return Created{}, err
				}
				return Created{}, fmt.Errorf("%w; looking up the existing one: %w", err, lerr)
			}
			if unknown {
				// Our own earlier attempt made it.
				found.Confirmed = true
			} else {
				found.Existed = true
			}
			c.log.InfoContext(ctx, "opsgenie create answered 409: the object exists", "route", r.route, "id", found.ID, "after_unknown_outcome", unknown)
			return found, nil

		case errors.Is(err, ErrUnknownOutcome):
			if ctx.Err() != nil {
				return Created{}, err
			}
			unknown = true
			// The lookup runs whatever MaxRetries says: with no retry left
			// the create may still have been applied, and the caller must
			// learn so (and the id) rather than a bare failure.
			wait := backoff(retry, c.jitter)
			c.log.WarnContext(ctx, "opsgenie create outcome unknown; looking it up before any retry", "route", r.route, "retry", retry+1, "wait", wait, "err", err)
			if serr := c.sleep(ctx, wait); serr != nil {
				return Created{}, fmt.Errorf("%w; waiting to look it up: %w", err, serr)
			}
			found, lerr := lookup(ctx)
			if lerr == nil {
				found.Confirmed = true
				return found, nil
			}
			if !IsNotFound(lerr) {
				return Created{}, fmt.Errorf("%w; looking it up: %w", err, lerr)
			}
			if retry >= c.maxRetries {
				return Created{}, fmt.Errorf("%w (a lookup found nothing; gave up after %d retries)", err, retry)
			}
			c.stats.retried()
			// Not there: sending it again cannot duplicate it.

		default:
			return Created{}, err
		}
	}
}

// forEach calls fn(ctx, i) for i in [0, n) with at most limit calls in
// flight. The first error cancels the others and is returned.
func forEach(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		sem      = make(chan struct{}, max(limit, 1))
		aborted  bool
	)
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			aborted = true
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr == nil && aborted {
		// The caller's context ended before every item was started.
		return context.Cause(ctx)
	}
	return firstErr
}
