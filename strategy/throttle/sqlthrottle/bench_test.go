package sqlthrottle_test

import (
	"context"
	"testing"

	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/sqlthrottle"
)

// BenchmarkAllowDone is one allowed attempt and its failure (two
// transactions), on an untrusted client (account and address records) and
// on a trusted device (one record), on SQLite (a file in WAL mode) and on
// the test PostgreSQL on loopback.
func BenchmarkAllowDone(b *testing.B) {
	ctx := context.Background()
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			fx := be.setup(b)
			th := newThrottle(b, fx.connect(b), fx.config(sqlthrottle.Config{AccountLimit: 1 << 30, IPLimit: 1 << 30, DeviceLimit: 1 << 30}))
			for _, a := range []struct {
				name string
				att  throttle.Attempt
			}{
				{"untrusted", throttle.Attempt{Username: "alice@example.com", IP: "192.0.2.1"}},
				{"device", throttle.Attempt{Username: "alice@example.com", IP: "192.0.2.1", Device: "d"}},
			} {
				b.Run(a.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := th.Allow(ctx, a.att); err != nil {
							b.Fatal(err)
						}
						if err := th.Done(ctx, a.att, throttle.VerdictFailure); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
