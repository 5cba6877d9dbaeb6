package throttle

import (
	"time"

	"github.com/gopassport/passport/internal/throttlekey"
)

const (
	// sweepEvery is how often expired entries are dropped.
	sweepEvery = time.Minute
	// fullSweepGap is the least time between two sweeps forced by a full
	// table, so that a table full of live entries does not cost a sweep per
	// request.
	fullSweepGap = time.Second
	// evictSample is how many entries are compared to pick one to evict.
	evictSample = 8
)

// entry returns k's entry, creating it (and making room) when absent. keep
// is never evicted: it is the other key of the same attempt.
func (t *Memory) entry(k, keep throttleKey, now time.Time) *throttleEntry {
	if e, ok := t.entries[k]; ok {
		return e
	}
	if len(t.entries) >= t.cfg.MaxEntries && now.Sub(t.lastSweep) >= fullSweepGap {
		t.sweep(now)
	}
	for len(t.entries) >= t.cfg.MaxEntries {
		if !t.evict(now, keep) {
			break
		}
	}
	e := &throttleEntry{}
	t.entries[k] = e
	return e
}

// maybeSweep drops expired entries when the last sweep is old enough.
func (t *Memory) maybeSweep(now time.Time) {
	if now.Sub(t.lastSweep) >= sweepEvery {
		t.sweep(now)
	}
}

// sweep drops every entry that holds nothing any more.
func (t *Memory) sweep(now time.Time) {
	t.lastSweep = now
	for k, e := range t.entries {
		e.refresh(now)
		if e.dead() {
			delete(t.entries, k)
		}
	}
}

// evict drops one entry among a few sampled ones: not locked before locked,
// not in flight before in flight, fewest failures first. It reports whether
// it dropped one.
func (t *Memory) evict(now time.Time, keep throttleKey) bool {
	var (
		victim throttleKey
		best   *throttleEntry
		seen   int
	)
	for k, e := range t.entries {
		if k == keep {
			continue
		}
		if best == nil || e.evictBefore(best, now) {
			victim, best = k, e
		}
		if seen++; seen == evictSample {
			break
		}
	}
	if best == nil {
		return false
	}
	delete(t.entries, victim)
	return true
}

// evictBefore reports whether e is a better victim than o.
func (e *throttleEntry) evictBefore(o *throttleEntry, now time.Time) bool {
	eLocked, oLocked := now.Before(e.lockedUntil), now.Before(o.lockedUntil)
	if eLocked != oLocked {
		return !eLocked
	}
	if (e.inflight > 0) != (o.inflight > 0) {
		return e.inflight == 0
	}
	return e.failures < o.failures
}

// refresh forgets what has expired at now.
func (e *throttleEntry) refresh(now time.Time) {
	if e.failures > 0 && !now.Before(e.resetAt) {
		e.forget()
	}
	if e.inflight > 0 && !now.Before(e.leaseUntil) {
		e.inflight = 0
	}
}

// forget clears the failures and the lock.
func (e *throttleEntry) forget() {
	e.failures = 0
	e.resetAt = time.Time{}
	e.lockedUntil = time.Time{}
}

// dead reports whether e holds nothing and can be dropped.
func (e *throttleEntry) dead() bool {
	return e.failures == 0 && e.inflight == 0
}

// ipKey returns the key an address counts under: the address itself, or its
// /64 network for IPv6, where one client commonly holds a whole /64.
func ipKey(ip string) string {
	if k, ok := throttlekey.Address(ip); ok {
		return k
	}
	return ip
}
