package throttle

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gopassport/passport/strategy"
)

// Guard runs check under t for att, for strategies that throttle around
// their Verify (basic and apikey do). When t refuses the attempt, Guard
// returns throttled(wait) without calling check. Otherwise it calls check
// and reports how the attempt ended ([VerdictOf]) to t.Done, even when
// check panics. A fault of t is returned as an error wrapped with
// "throttle: "; check's own results pass through unchanged.
func Guard[U any](ctx context.Context, t Throttler, att Attempt, throttled func(wait time.Duration) strategy.Result[U], check func() (strategy.Result[U], error)) (res strategy.Result[U], err error) {
	wait, err := t.Allow(ctx, att)
	if err != nil {
		return strategy.Result[U]{}, fmt.Errorf("throttle: %w", err)
	}
	if wait > 0 {
		return throttled(wait), nil
	}
	outcome := VerdictAborted
	defer func() {
		derr := t.Done(context.WithoutCancel(ctx), att, outcome)
		if derr != nil && err == nil {
			res, err = strategy.Result[U]{}, fmt.Errorf("throttle: %w", derr)
		}
	}()
	res, err = check()
	outcome = VerdictOf(res, err)
	return res, err
}

// VerdictOf is how an attempt that the throttle allowed ended: a success
// (or a 403, whose credentials were right), wrong credentials, or neither
// (a fault, a Verify that throttled by itself).
func VerdictOf[U any](res strategy.Result[U], err error) Verdict {
	switch {
	case err != nil:
		return VerdictAborted
	case res.Kind == strategy.KindSuccess, res.Kind == strategy.KindFail && res.FailStatus() == http.StatusForbidden:
		return VerdictSuccess
	case res.Kind == strategy.KindFail && errors.Is(res.Reason, strategy.ErrInvalidCredentials):
		return VerdictFailure
	default:
		return VerdictAborted
	}
}
