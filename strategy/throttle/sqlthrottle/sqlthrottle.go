package sqlthrottle

import (
	"context"
	"fmt"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
)

// Close stops the background cleanup and waits for it to return. It does
// not close the database, and the Throttle keeps serving. Close is
// idempotent and always returns nil.
func (t *Throttle) Close() error {
	t.cleanup.Stop()
	return nil
}

// DeleteExpired deletes the records that hold nothing any more by
// Config.Now (their failures forgotten, no attempt in flight) and returns
// how many it deleted. On PostgreSQL it skips the records that an Allow or
// Done holds locked. The background cleanup calls it; call it yourself
// when Config.CleanupInterval is negative.
func (t *Throttle) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := t.db.ExecContext(ctx, t.q.deleteExpired, t.now().UnixMilli())
	if err != nil {
		return 0, fault("deleting expired records", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fault("deleting expired records", err)
	}
	return n, nil
}

// record is one row: f the failures, r when they are forgotten, l the end
// of the lock, i the attempts in flight, e when those are dropped (Unix
// milliseconds). It is throttle.Memory's entry, field for field.
type record struct {
	f, r, l, i, e int64
}

// refresh forgets what has expired by now.
func (rec *record) refresh(now int64) {
	if rec.f > 0 && now >= rec.r {
		rec.f, rec.r, rec.l = 0, 0, 0
	}
	if rec.i > 0 && now >= rec.e {
		rec.i = 0
	}
}

// Allow refuses the attempt while its account or its address is locked
// (its device, for an attempt with a Device), or has as many attempts in
// flight as it has failures left; otherwise it reserves the attempt as in
// flight on every record it counts against. It is one transaction bounded
// by Config.Timeout (begin, one statement that creates and locks the
// records, one that writes them when allowed, commit), none for an attempt
// with neither Username nor IP. When the database is unavailable it
// returns an error wrapping [strategy.ErrUnavailable], or allows the
// attempt under Config.FailOpen.
func (t *Throttle) Allow(ctx context.Context, a throttle.Attempt) (time.Duration, error) {
	g := t.target(a)
	if g.n == 0 {
		return 0, nil
	}
	now := t.now().UnixMilli()
	cctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	var wait int64
	err := t.inTx(cctx, func(q querier) (bool, error) {
		recs, err := t.lock(cctx, q, &g)
		if err != nil {
			return false, err
		}
		for k := range g.n {
			rec := &recs[k]
			rec.refresh(now)
			var w int64
			if now < rec.l {
				w = rec.l - now
			} else if rec.i >= max(g.limits[k]-rec.f, 1) {
				w = t.base
			}
			wait = max(wait, w)
		}
		if wait > 0 {
			return false, nil // nothing to write: roll back
		}
		for k := range g.n {
			recs[k].i++
			recs[k].e = now + t.window
		}
		return true, t.store(cctx, q, g.kinds[:g.n], g.keys[:g.n], recs[:g.n])
	})
	if err != nil {
		return 0, t.failed(ctx, cctx, "allow", err)
	}
	return time.Duration(wait) * time.Millisecond, nil
}

// Done reports the outcome of an attempt that Allow allowed: it releases
// the reservation, counts a failure against the account and the address
// (the device, for an attempt with a Device), or forgets the account's (the
// device's) failures after a success; an aborted attempt counts nothing. A
// record left with nothing is deleted. It is one transaction bounded by
// Config.Timeout. It returns an error for an unknown verdict, and when the
// database is unavailable an error wrapping [strategy.ErrUnavailable], or
// nil under Config.FailOpen (the outcome is then lost).
func (t *Throttle) Done(ctx context.Context, a throttle.Attempt, outcome throttle.Verdict) error {
	switch outcome {
	case throttle.VerdictFailure, throttle.VerdictSuccess, throttle.VerdictAborted:
	default:
		return fmt.Errorf("sqlthrottle: unknown throttle verdict %d", outcome)
	}
	g := t.target(a)
	if g.n == 0 {
		return nil
	}
	now := t.now().UnixMilli()
	cctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	err := t.inTx(cctx, func(q querier) (bool, error) {
		recs, err := t.lock(cctx, q, &g)
		if err != nil {
			return false, err
		}
		var (
			keep, drop target
			kept       [2]record
		)
		for k := range g.n {
			rec := &recs[k]
			rec.refresh(now)
			if rec.i > 0 {
				rec.i--
			}
			switch {
			case outcome == throttle.VerdictFailure:
				t.fail(rec, now, g.limits[k])
			case outcome == throttle.VerdictSuccess && g.kinds[k] != kindIP:
				rec.f, rec.r, rec.l = 0, 0, 0
			}
			if rec.f == 0 && rec.i == 0 {
				drop.add(g.kinds[k], g.keys[k], 0)
			} else {
				kept[keep.n] = *rec
				keep.add(g.kinds[k], g.keys[k], 0)
			}
		}
		if keep.n > 0 {
			if err := t.store(cctx, q, keep.kinds[:keep.n], keep.keys[:keep.n], kept[:keep.n]); err != nil {
				return false, err
			}
		}
		if drop.n > 0 {
			args := make([]any, 0, 4)
			for k := range drop.n {
				args = append(args, drop.kinds[k], drop.keys[k])
			}
			if _, err := q.ExecContext(cctx, t.q.remove[drop.n-1], args...); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		return t.failed(ctx, cctx, "done", err)
	}
	return nil
}

// fail counts a failure on rec and locks it when the limit is reached.
func (t *Throttle) fail(rec *record, now, limit int64) {
	if rec.f == 0 {
		rec.r = now + t.window
	}
	rec.f++
	if rec.f < limit {
		return
	}
	rec.l = now + t.delay(rec.f-limit)
	rec.r = max(rec.r, rec.l+t.window)
}

// delay returns BaseDelay doubled n times, capped at MaxDelay.
func (t *Throttle) delay(n int64) int64 {
	d := t.base
	for range n {
		if d >= t.maxDelay/2 {
			return t.maxDelay
		}
		d *= 2
	}
	return min(d, t.maxDelay)
}
