package throttle_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gopassport/passport/strategy/throttle"
)

// BenchmarkDeviceCookie is what device cookies add to a login: one Issue on
// the success, one Device check on the next attempt.
func BenchmarkDeviceCookie(b *testing.B) {
	d, err := throttle.NewDeviceCookies(throttle.DeviceCookieConfig{})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/login", nil)
	c, err := d.Issue(r, "alice@example.com")
	if err != nil {
		b.Fatal(err)
	}
	r.AddCookie(c)
	b.Run("Issue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := d.Issue(r, "alice@example.com"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Device", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := d.Device(r, "alice@example.com"); !ok {
				b.Fatal("not verified")
			}
		}
	})
}

// BenchmarkMemory is one allowed attempt and its failure, on an untrusted
// and on a trusted client.
func BenchmarkMemory(b *testing.B) {
	ctx := context.Background()
	m := throttle.NewMemory(throttle.MemoryConfig{AccountLimit: 1 << 30, IPLimit: 1 << 30, DeviceLimit: 1 << 30})
	for _, a := range []struct {
		name string
		att  throttle.Attempt
	}{
		{"untrusted", throttle.Attempt{Username: "alice", IP: "192.0.2.1"}},
		{"device", throttle.Attempt{Username: "alice", IP: "192.0.2.1", Device: "d"}},
	} {
		b.Run(a.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Allow(ctx, a.att); err != nil {
					b.Fatal(err)
				}
				if err := m.Done(ctx, a.att, throttle.VerdictFailure); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
