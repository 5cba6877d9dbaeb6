package throttle_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
)

// The budgets of a Memory throttle: the third failure locks the account
// for untrusted clients, while a device that logged in before keeps its own
// budget.
func ExampleMemory() {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t := throttle.NewMemory(throttle.MemoryConfig{AccountLimit: 3, Now: func() time.Time { return now }})

	attacker := throttle.Attempt{Username: "alice", IP: "203.0.113.66"}
	for range 3 {
		if wait, err := t.Allow(ctx, attacker); err == nil && wait == 0 {
			_ = t.Done(ctx, attacker, throttle.VerdictFailure)
		}
	}
	wait, _ := t.Allow(ctx, throttle.Attempt{Username: "alice", IP: "198.51.100.7"})
	fmt.Println("untrusted client waits", wait)
	wait, _ = t.Allow(ctx, throttle.Attempt{Username: "alice", IP: "198.51.100.7", Device: "her-laptop"})
	fmt.Println("known device waits", wait)
	// Output:
	// untrusted client waits 1s
	// known device waits 0s
}

// Issue a device cookie on a successful login and check it on the next
// attempt. A strategy does both; strategy/local does it for you.
func ExampleDeviceCookies() {
	d, err := throttle.NewDeviceCookies(throttle.DeviceCookieConfig{}) // a random key: valid until the process ends
	if err != nil {
		panic(err)
	}
	login := httptest.NewRequest(http.MethodPost, "/login", nil)
	cookie, err := d.Issue(login, "alice")
	if err != nil {
		panic(err)
	}

	next := httptest.NewRequest(http.MethodPost, "/login", nil)
	next.AddCookie(cookie)
	_, ok := d.Device(next, "alice")
	fmt.Println("trusted for alice:", ok)
	_, ok = d.Device(next, "bob")
	fmt.Println("trusted for bob:", ok)
	// Output:
	// trusted for alice: true
	// trusted for bob: false
}

// The 11th wrong attempt on an account within 15 minutes is refused, and a
// later one waits twice as long.
func ExampleNewMemory() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	t := throttle.NewMemory(throttle.MemoryConfig{
		Now: func() time.Time { return now }, // a fake clock, for the example
	})
	ctx := context.Background()
	a := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	attempt := func() {
		wait, err := t.Allow(ctx, a)
		if err != nil {
			log.Fatal(err)
		}
		if wait > 0 {
			fmt.Println("refused, retry after", wait)
			return
		}
		// Verify runs here, and the password is wrong.
		if err := t.Done(ctx, a, throttle.VerdictFailure); err != nil {
			log.Fatal(err)
		}
	}
	for range 11 {
		attempt()
	}
	now = now.Add(time.Second)
	attempt() // allowed: the lock has ended, and it fails again
	attempt()
	// Output:
	// refused, retry after 1s
	// refused, retry after 2s
}
