package redisthrottle_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/redisthrottle"
)

const outageTimeout = 300 * time.Millisecond

// TestOutage: on a server of the test's own, a Redis that is down or stalled
// makes Allow and Done fail with strategy.ErrUnavailable within Timeout
// (the login answers 503, nobody is let in), and the Throttle works again
// once the server is back.
func TestOutage(t *testing.T) {
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	bob := throttle.Attempt{Username: "bob"} // the calls during the outage
	tests := []struct {
		name    string
		break_  func(r *testenv.Redis) // nil: no outage to observe
		repair  func(r *testenv.Redis)
		minWait time.Duration // the least a call takes: the Timeout for a stalled server
		kept    bool          // the failures before the outage survive it
	}{
		{"nok, stopped, restarted empty", (*testenv.Redis).Stop, func(r *testenv.Redis) { r.Restart(false) }, 0, false},
		{"nok, paused (SIGSTOP), resumed", (*testenv.Redis).Pause, (*testenv.Redis).Resume, outageTimeout, true},
		{"ok, restarted with its data and no scripts", nil, func(r *testenv.Redis) { r.Restart(true) }, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testenv.StartRedis(t)
			th := newThrottle(t, newClient(t, r.Addr), redisthrottle.Config{AccountLimit: 2, Timeout: outageTimeout, BaseDelay: time.Minute, MaxDelay: time.Minute})
			wantWait(t, "before the outage", fail(t, th, alice), 0)
			wantWait(t, "before the outage", fail(t, th, bob), 0)

			ctx := context.Background()
			if tt.break_ != nil {
				tt.break_(r)
				start := time.Now()
				wait, err := th.Allow(ctx, bob)
				took := time.Since(start)
				if !errors.Is(err, strategy.ErrUnavailable) || wait != 0 {
					t.Errorf("Allow: got %v, %v; want an error wrapping ErrUnavailable", wait, err)
				}
				if took < tt.minWait || took > outageTimeout+100*time.Millisecond {
					t.Errorf("Allow took %v; want within [%v, %v]", took, tt.minWait, outageTimeout+100*time.Millisecond)
				}
				start = time.Now()
				err = th.Done(ctx, bob, throttle.VerdictFailure)
				took2 := time.Since(start)
				if !errors.Is(err, strategy.ErrUnavailable) {
					t.Errorf("Done: got %v; want an error wrapping ErrUnavailable", err)
				}
				if took2 < tt.minWait || took2 > outageTimeout+100*time.Millisecond {
					t.Errorf("Done took %v; want within [%v, %v]", took2, tt.minWait, outageTimeout+100*time.Millisecond)
				}
				t.Logf("Allow failed in %v, Done in %v: %v", took, took2, err)
			}

			tt.repair(r)
			// The pool may hold connections to the old process; the first
			// call after a restart may still fail on one of them.
			deadline := time.Now().Add(5 * time.Second)
			var (
				wait time.Duration
				err  error
			)
			for {
				wait, err = th.Allow(ctx, alice)
				if err == nil || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond) // polling a server we started
			}
			if err != nil {
				t.Fatalf("Allow after the repair: %v", err)
			}
			if wait != 0 {
				t.Fatalf("Allow after the repair: got wait %v; want allowed", wait)
			}
			done(t, th, alice, throttle.VerdictFailure)
			// With the failure before the outage kept, this is the second:
			// the lock.
			got := allow(t, th, alice)
			if locked := got > 0; locked != tt.kept {
				t.Errorf("after one failure since the repair: got wait %v; want locked %v", got, tt.kept)
			}
		})
	}
}

// TestFailOpen: with FailOpen, a Redis that is down lets attempts through
// and drops their outcomes, logging each at Error level with the cause.
func TestFailOpen(t *testing.T) {
	r := testenv.StartRedis(t)
	var logs bytes.Buffer
	th := newThrottle(t, newClient(t, r.Addr), redisthrottle.Config{
		FailOpen: true, Timeout: outageTimeout,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	wantWait(t, "while up", fail(t, th, alice), 0)
	if logs.Len() != 0 {
		t.Fatalf("logged while Redis is up: %s", logs.String())
	}
	r.Stop()
	ctx := context.Background()
	if wait, err := th.Allow(ctx, alice); err != nil || wait != 0 {
		t.Errorf("Allow: got %v, %v; want allowed", wait, err)
	}
	if err := th.Done(ctx, alice, throttle.VerdictFailure); err != nil {
		t.Errorf("Done: got %v; want nil", err)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d log lines; want 2:\n%s", len(lines), logs.String())
	}
	for i, op := range []string{"allow", "done"} {
		for _, want := range []string{"level=ERROR", `msg="redisthrottle: Redis unavailable, failing open"`, "op=" + op, "err="} {
			if !strings.Contains(lines[i], want) {
				t.Errorf("line %d %q: want %q", i, lines[i], want)
			}
		}
	}

	t.Run("nok, a caller's cancelled context does not fail open", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		logs.Reset()
		if _, err := th.Allow(ctx, alice); !errors.Is(err, context.Canceled) || errors.Is(err, strategy.ErrUnavailable) {
			t.Errorf("Allow: got %v; want context.Canceled, not ErrUnavailable", err)
		}
		if logs.Len() != 0 {
			t.Errorf("logged %s; want nothing", logs.String())
		}
	})
}

// TestFault: a reply no retry would change (a key of another type where a
// record belongs) is a plain error: not ErrUnavailable, and never failing
// open.
func TestFault(t *testing.T) {
	c, prefix := sharedClient(t)
	var logs bytes.Buffer
	th := newThrottle(t, c, redisthrottle.Config{KeyPrefix: prefix, FailOpen: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	alice := throttle.Attempt{Username: "alice"}
	if err := c.Set(context.Background(), th.Keys(alice)[0], "not a hash", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	wait, err := th.Allow(context.Background(), alice)
	if err == nil || errors.Is(err, strategy.ErrUnavailable) || wait != 0 {
		t.Errorf("Allow: got %v, %v; want a fault, not ErrUnavailable", wait, err)
	}
	if err := th.Done(context.Background(), alice, throttle.VerdictFailure); err == nil || errors.Is(err, strategy.ErrUnavailable) {
		t.Errorf("Done: got %v; want a fault, not ErrUnavailable", err)
	}
	if logs.Len() != 0 {
		t.Errorf("logged %s; want nothing", logs.String())
	}
}
