package cleanup

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// The loop runs in a synctest bubble: its ticker follows the bubble's fake
// clock, and synctest.Wait returns once the loop is waiting again.

func TestLoop(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		wait     time.Duration
		want     int64
	}{
		{name: "ok, not before the first tick", interval: time.Minute, wait: time.Minute - time.Nanosecond, want: 0},
		{name: "ok, once a tick", interval: time.Minute, wait: 3 * time.Minute, want: 3},
		{name: "ok, negative interval starts nothing", interval: -1, wait: time.Hour, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls atomic.Int64
				l := Start(t.Context(), tt.interval, slog.New(slog.DiscardHandler), "x", func(context.Context) (int64, error) {
					calls.Add(1)
					return 0, nil
				})
				time.Sleep(tt.wait)
				synctest.Wait()
				if got := calls.Load(); got != tt.want {
					t.Errorf("got %d calls; want %d", got, tt.want)
				}
				l.Stop()
				l.Stop() // idempotent
				time.Sleep(10 * time.Minute)
				synctest.Wait()
				if got := calls.Load(); got != tt.want {
					t.Errorf("after Stop: got %d calls; want %d", got, tt.want)
				}
			})
		})
	}
}

// A fault is logged with the message and the error; cancelling the
// context given to Start does not stop the loop.
func TestLoopLogsFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&buf, nil))
		ctx, cancel := context.WithCancel(t.Context())
		l := Start(ctx, time.Second, logger, "store: background cleanup failed", func(context.Context) (int64, error) {
			return 0, errors.New("database is down")
		})
		defer l.Stop()
		cancel()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		got := buf.String()
		if n := strings.Count(got, `msg="store: background cleanup failed" err="database is down"`); n != 2 {
			t.Errorf("got log %q; want the fault twice", got)
		}
	})
}
