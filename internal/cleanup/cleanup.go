// Package cleanup runs the background deletion of expired rows that the
// project's SQL stores (session/sqlstore and strategy/jwt/sqltokens) share:
// one goroutine per store, started by the store's New, stopped by its
// Close.
package cleanup

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Loop is a running background cleanup. The zero value is not usable;
// make one with [Start]. Its methods are safe for concurrent use.
type Loop struct {
	stop context.CancelFunc
	done chan struct{}
	once sync.Once
}

// Start calls deleteExpired every interval, in a goroutine of its own,
// until [Loop.Stop]; a negative interval starts nothing. A fault is logged
// to logger with msg, since the loop has no caller to return it to. The
// loop outlives ctx (often a start-up timeout) and keeps only its values.
func Start(ctx context.Context, interval time.Duration, logger *slog.Logger, msg string,
	deleteExpired func(context.Context) (int64, error)) *Loop {
	l := &Loop{done: make(chan struct{})}
	if interval < 0 {
		l.stop = func() {}
		close(l.done)
		return l
	}
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l.stop = cancel
	go func() {
		defer close(l.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-cctx.Done():
				return
			case <-t.C:
				if _, err := deleteExpired(cctx); err != nil && cctx.Err() == nil {
					logger.ErrorContext(cctx, msg, "err", err)
				}
			}
		}
	}()
	return l
}

// Stop ends the loop and waits for its goroutine to return, so that no
// deletion runs after it. It is idempotent.
func (l *Loop) Stop() {
	l.once.Do(func() {
		l.stop()
		<-l.done
	})
}
