package throttle

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Memory is a [Throttler] that keeps its counts in memory, for an
// app that runs as one instance. It is safe for concurrent use.
//
// The policy, for an account (AccountLimit), a client address (IPLimit)
// and a device (DeviceLimit) alike: failures are free until the limit is reached within
// Window; the failure that reaches the limit locks the key for BaseDelay,
// and every further failure (one attempt is allowed each time a lock ends)
// locks it twice as long, up to MaxDelay. With the defaults an account
// gets 10 free attempts, then waits 1 s, 2 s, 4 s, … up to 15 minutes. The
// counts are forgotten Window after the first failure, or Window after the
// last lock ended, whichever is later, and a success forgets the
// account's count (not the address's). While failures are below the limit,
// no more attempts may be in flight at once than the failures left, so
// concurrent requests cannot overrun the limit.
//
// The budgets combine: an attempt from an untrusted client (no
// [Attempt.Device]) is refused while its account or its address is locked,
// and its failure counts against both. An attempt with a Device counts
// against that device's budget only: neither the account's lock nor the
// address's refuses it, and its failures lock the device alone. This is
// OWASP's device-cookie design against slow brute force: an attacker who
// keeps an account locked (one attempt each time the lock ends) locks out
// only the clients that never logged in to it, and a user on a browser that
// did still gets in.
type Memory struct {
	cfg MemoryConfig

	mu        sync.Mutex
	entries   map[throttleKey]*throttleEntry
	lastSweep time.Time
}

var _ Throttler = (*Memory)(nil)

// keyKind says what a throttleKey counts.
type keyKind uint8

const (
	kindAccount keyKind = iota
	kindIP
	kindDevice
)

// throttleKey is an account, a client address or a device.
type throttleKey struct {
	kind  keyKind
	value string
}

// throttleEntry holds the counts of one key.
type throttleEntry struct {
	failures    int
	resetAt     time.Time // failures are forgotten from then on
	lockedUntil time.Time
	inflight    int
	leaseUntil  time.Time // in-flight attempts never reported are dropped then
}

// NewMemory returns a Memory for cfg, with the defaults filled in.
//
// It panics, at construction only, when cfg holds a mistake: a negative
// limit, duration or MaxEntries, or a BaseDelay longer than MaxDelay. The
// panic value is an error wrapping [ErrInvalidConfig] that names the
// field; [MemoryConfig.Validate] returns it instead.
func NewMemory(cfg MemoryConfig) *Memory {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	if cfg.AccountLimit == 0 {
		cfg.AccountLimit = DefaultAccountLimit
	}
	if cfg.IPLimit == 0 {
		cfg.IPLimit = DefaultIPLimit
	}
	if cfg.DeviceLimit == 0 {
		cfg.DeviceLimit = DefaultDeviceLimit
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MaxDelay == 0 {
		cfg.MaxDelay = DefaultMaxDelay
	}
	if cfg.BaseDelay == 0 {
		cfg.BaseDelay = min(DefaultBaseDelay, cfg.MaxDelay)
	}
	if cfg.MaxEntries == 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Memory{cfg: cfg, entries: make(map[throttleKey]*throttleEntry)}
}

// Allow refuses the attempt while its account or its address is locked (its
// device, for an attempt with a Device), or has as many attempts in flight
// as it has failures left; otherwise it counts the attempt as in flight. It
// never returns an error.
func (t *Memory) Allow(_ context.Context, a Attempt) (time.Duration, error) {
	now := t.cfg.Now()
	keys := t.keys(a)

	t.mu.Lock()
	defer t.mu.Unlock()
	t.maybeSweep(now)

	var wait time.Duration
	for _, k := range keys {
		if e, ok := t.entries[k]; ok {
			e.refresh(now)
			wait = max(wait, t.wait(e, now, t.limit(k)))
		}
	}
	if wait > 0 {
		return wait, nil
	}
	for i, k := range keys {
		e := t.entry(k, other(keys, i), now)
		e.inflight++
		e.leaseUntil = now.Add(t.cfg.Window)
	}
	return 0, nil
}

// Done ends an attempt that Allow allowed: a failure is counted against the
// account and the address (the device, for an attempt with a Device), a
// success forgets the account's failures (the device's). It
// returns an error only for an unknown outcome.
func (t *Memory) Done(_ context.Context, a Attempt, outcome Verdict) error {
	switch outcome {
	case VerdictFailure, VerdictSuccess, VerdictAborted:
	default:
		return fmt.Errorf("throttle: unknown throttle outcome %d", outcome)
	}
	now := t.cfg.Now()
	keys := t.keys(a)

	t.mu.Lock()
	defer t.mu.Unlock()
	for i, k := range keys {
		e, ok := t.entries[k]
		if ok {
			e.refresh(now)
			if e.inflight > 0 {
				e.inflight--
			}
		}
		switch {
		case outcome == VerdictFailure:
			if !ok {
				e = t.entry(k, other(keys, i), now)
			}
			t.fail(e, now, t.limit(k))
		case outcome == VerdictSuccess && ok && k.kind != kindIP:
			e.forget()
		}
		if e != nil && e.dead() {
			delete(t.entries, k)
		}
	}
	return nil
}

// Len returns how many accounts and addresses are tracked, for metrics and
// tests.
func (t *Memory) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries)
}

// keys returns the keys an attempt counts under: the device key for an
// attempt with a Device; else the account key (when there is an account)
// and the address key (when the address is known).
func (t *Memory) keys(a Attempt) []throttleKey {
	if a.Device != "" && a.Username != "" {
		return []throttleKey{{kind: kindDevice, value: a.Username + "\x00" + a.Device}}
	}
	keys := make([]throttleKey, 0, 2)
	if a.Username != "" {
		keys = append(keys, throttleKey{kind: kindAccount, value: a.Username})
	}
	if a.IP != "" {
		keys = append(keys, throttleKey{kind: kindIP, value: ipKey(a.IP)})
	}
	return keys
}

// other returns the key of the same attempt that is not keys[i] (keys[i]
// itself when there is only one).
func other(keys []throttleKey, i int) throttleKey {
	if len(keys) == 2 {
		return keys[1-i]
	}
	return keys[i]
}

// limit returns the failure limit of k.
func (t *Memory) limit(k throttleKey) int {
	switch k.kind {
	case kindIP:
		return t.cfg.IPLimit
	case kindDevice:
		return t.cfg.DeviceLimit
	default:
		return t.cfg.AccountLimit
	}
}

// wait returns how long an attempt on e must wait, 0 if it may go now.
func (t *Memory) wait(e *throttleEntry, now time.Time, limit int) time.Duration {
	if now.Before(e.lockedUntil) {
		return e.lockedUntil.Sub(now)
	}
	budget := max(limit-e.failures, 1)
	if e.inflight >= budget {
		return t.cfg.BaseDelay
	}
	return 0
}

// fail counts a failure on e and locks it when the limit is reached.
func (t *Memory) fail(e *throttleEntry, now time.Time, limit int) {
	if e.failures == 0 {
		e.resetAt = now.Add(t.cfg.Window)
	}
	e.failures++
	if e.failures < limit {
		return
	}
	e.lockedUntil = now.Add(t.delay(e.failures - limit))
	if r := e.lockedUntil.Add(t.cfg.Window); r.After(e.resetAt) {
		e.resetAt = r
	}
}

// delay returns BaseDelay doubled n times, capped at MaxDelay.
func (t *Memory) delay(n int) time.Duration {
	d := t.cfg.BaseDelay
	for range n {
		if d >= t.cfg.MaxDelay/2 {
			return t.cfg.MaxDelay
		}
		d *= 2
	}
	return min(d, t.cfg.MaxDelay)
}
