package main

import (
	"net/http"
	"testing"
)

// TestDeviceCookieBeatsTheLockout checks, end to end, that a browser that
// logged on before still logs on while another client keeps the account
// locked, and that the lock holds for browsers without a device cookie.
func TestDeviceCookieBeatsTheLockout(t *testing.T) {
	ta := newTestApp(t, Config{})
	alice := ta.browser(t)
	alice.register("Alice", "alice@example.com", testPassword)
	alice.logoff()
	if res := alice.logon("alice@example.com", testPassword); res.status != http.StatusFound {
		t.Fatalf("first logon: got %d; want 302", res.status)
	}
	if alice.cookie("passport_device") == "" {
		t.Fatal("the logon set no device cookie")
	}
	alice.logoff()

	attacker := ta.browser(t)
	for range 10 {
		attacker.logon("alice@example.com", "wrong password")
	}
	if res := attacker.logon("alice@example.com", testPassword); res.status != http.StatusTooManyRequests {
		t.Fatalf("attacker with the right password during the lock: got %d; want 429", res.status)
	}
	if res := ta.browser(t).logon("alice@example.com", testPassword); res.status != http.StatusTooManyRequests {
		t.Errorf("a new browser during the lock: got %d; want 429", res.status)
	}
	if res := alice.logon("alice@example.com", testPassword); res.status != http.StatusFound {
		t.Fatalf("alice's browser during the lock: got %d; want 302", res.status)
	}
	if got := alice.loggedOnAs(); got != "Alice" {
		t.Errorf("logged on as %q; want Alice", got)
	}
}

// TestDeviceCookieSecure checks that SecureCookies marks the device cookie
// Secure too, as it does the session and CSRF cookies.
func TestDeviceCookieSecure(t *testing.T) {
	ta := newTestApp(t, Config{SecureCookies: true})
	b := ta.browser(t)
	b.register("Alice", "alice@example.com", testPassword)
	b.logoff()
	res := b.logon("alice@example.com", testPassword)
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == "passport_device" {
			if !c.Secure || !c.HttpOnly {
				t.Errorf("device cookie: got %+v; want Secure and HttpOnly", c)
			}
			return
		}
	}
	t.Errorf("logon set no device cookie: %q", res.header.Values("Set-Cookie"))
}
