package credentials

import (
	"context"
	"sync"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// The per-address limit of public lookups (VerifyLimit) is counted in
// memory first, per instance, and written to the shared counter
// (store rate_limits) only now and then, so that a lookup does not wait
// for a commit:
//
//   - Each instance counts an address's lookups in the current fixed
//     window (aligned on VerifyLimit.Window, as the stored counter is).
//   - It writes what it counted to the shared counter once lookupBatch
//     lookups have gathered, and at once when the address goes over the
//     limit; the write returns the shared count, which includes what
//     the other instances wrote.
//   - It refuses a lookup when the last shared count it read plus what it
//     has counted since is over the limit.
//
// One instance (SQLite always runs one) refuses at exactly VerifyLimit.Max
// + 1, as if every lookup were stored. Several instances share the limit
// through the stored counter, but each may let through the lookups it has
// not written yet: an address spreading its lookups over k instances is
// refused after at most about VerifyLimit.Max + k × lookupBatch lookups in
// a window. A visitor making fewer than lookupBatch lookups a minute never
// causes a write. An instance that restarts forgets what it had not
// written (at most lookupBatch − 1 lookups per address).

// lookupBatch is how many lookups of one address an instance counts
// before writing them to the shared counter.
const lookupBatch = 8

// maxLimitedAddresses bounds the addresses an instance counts in memory
// in one window; lookups from further addresses are written to the shared
// counter one by one, as before the memory count.
const maxLimitedAddresses = 100_000

// lookupCount is what an instance knows of one address in the current
// window.
type lookupCount struct {
	shared  int  // the shared count when this instance last wrote
	pending int  // lookups counted here since, not written yet
	told    bool // the shared counter has been told the address is over the limit
}

// lookupLimiter counts public lookups per address (see above).
type lookupLimiter struct {
	mu    sync.Mutex
	start time.Time // the window counts holds
	count map[string]*lookupCount
}

// allowLookup counts one lookup of clientIP and refuses it over the
// limit, with the seconds until the window ends.
func (s *Service) allowLookup(ctx context.Context, clientIP string) error {
	now := s.clock.Now().UTC()
	start := now.Truncate(VerifyLimit.Window)
	bucket := "credentials-verify-ip:" + clientIP
	n, write := s.limits.hit(start, clientIP)
	if write > 0 {
		var shared int
		err := s.st.Transact(ctx, func(tx *store.Tx) error {
			var err error
			shared, err = tx.AddRateLimitHits(ctx, bucket, start, write)
			return err
		})
		if err != nil {
			s.limits.unwrite(start, clientIP, write)
			return err
		}
		n = s.limits.wrote(start, clientIP, shared)
	}
	if n > VerifyLimit.Max {
		secs := max(int(start.Add(VerifyLimit.Window).Sub(now).Round(time.Second).Seconds()), 1)
		return &portal.Error{Code: portal.ERateLimited, Message: "error.rate_limited", Data: map[string]any{"RetryAfter": secs}}
	}
	return nil
}

// hit counts one lookup of addr in the window starting at start. It
// returns the count the decision rests on and how many lookups to write
// to the shared counter now (0: none); after writing them, the caller
// calls wrote for the count instead. An address past maxLimitedAddresses
// is not kept: its one lookup is to be written, and wrote then reports
// the shared count alone.
func (l *lookupLimiter) hit(start time.Time, addr string) (n, write int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !start.Equal(l.start) {
		if start.Before(l.start) {
			// A clock stepping back (or a late caller) counts against
			// no window kept in memory; the shared counter decides.
			return 0, 1
		}
		l.start, l.count = start, make(map[string]*lookupCount)
	}
	c := l.count[addr]
	if c == nil {
		if len(l.count) >= maxLimitedAddresses {
			return 0, 1
		}
		c = &lookupCount{}
		l.count[addr] = c
	}
	c.pending++
	n = c.shared + c.pending
	if c.pending >= lookupBatch || (n > VerifyLimit.Max && !c.told) {
		write = c.pending
		c.pending = 0
		c.shared += write // until the write returns the shared count
		c.told = n > VerifyLimit.Max
	}
	return n, write
}

// wrote records that the lookups hit asked to write reached the shared
// counter, whose count is now shared, and returns the count the decision
// rests on.
func (l *lookupLimiter) wrote(start time.Time, addr string, shared int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.count[addr]
	if c == nil || !start.Equal(l.start) {
		return shared
	}
	// Another request of the address may have written since and read a
	// larger count; keep the larger.
	c.shared = max(c.shared, shared)
	c.told = c.told || shared > VerifyLimit.Max
	return c.shared + c.pending
}

// unwrite gives back write lookups of addr that could not be written, so
// that the next write carries them.
func (l *lookupLimiter) unwrite(start time.Time, addr string, write int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.count[addr]
	if c == nil || !start.Equal(l.start) {
		return
	}
	c.shared -= write
	c.pending += write
	c.told = false
}
