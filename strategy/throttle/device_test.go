package throttle_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
)

func TestNewDeviceCookies(t *testing.T) {
	bad := []struct {
		name string
		cfg  throttle.DeviceCookieConfig
	}{
		{"nok, short key", throttle.DeviceCookieConfig{Key: make([]byte, 31)}},
		{"nok, empty key", throttle.DeviceCookieConfig{Key: []byte{}}},
		{"nok, cookie name with a space", throttle.DeviceCookieConfig{Name: "my device"}},
		{"nok, path with a semicolon", throttle.DeviceCookieConfig{Path: "/login; Domain=evil.test"}},
		{"nok, negative MaxAge", throttle.DeviceCookieConfig{MaxAge: -time.Second}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := throttle.NewDeviceCookies(tt.cfg); !errors.Is(err, throttle.ErrInvalidDeviceConfig) {
				t.Errorf("got %v; want ErrInvalidDeviceConfig", err)
			}
		})
	}
	t.Run("ok, the key is copied", func(t *testing.T) {
		key := bytes.Repeat([]byte{3}, 32)
		d, err := throttle.NewDeviceCookies(throttle.DeviceCookieConfig{Key: key, Name: "dev", Path: "/login", MaxAge: time.Hour, Secure: true})
		if err != nil {
			t.Fatal(err)
		}
		c, err := d.Issue(nil, "alice")
		if err != nil {
			t.Fatal(err)
		}
		key[0] = 4 // the caller's slice changes after New
		r := httptest.NewRequest(http.MethodPost, "/login", nil)
		r.AddCookie(c)
		if _, ok := d.Device(r, "alice"); !ok {
			t.Error("the cookie no longer verifies after the caller changed its key slice")
		}
		if c.Name != "dev" || c.Path != "/login" || c.MaxAge != 3600 || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie: got %+v", c)
		}
	})
}

func TestDeviceCookieValidity(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	d, err := throttle.NewDeviceCookies(throttle.DeviceCookieConfig{Key: bytes.Repeat([]byte{9}, 32), MaxAge: time.Hour, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Issue(nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	check := func(username string, cookies ...*http.Cookie) (string, bool) {
		r := httptest.NewRequest(http.MethodPost, "/login", nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		return d.Device(r, username)
	}
	id, ok := check("alice", c)
	if !ok || id == "" {
		t.Fatalf("fresh cookie: got %q, %v; want an ID", id, ok)
	}
	if again, _ := check("alice", c); again != id {
		t.Errorf("ID: got %q then %q; want the same", id, again)
	}
	c2, _ := d.Issue(nil, "alice")
	if id2, _ := check("alice", c2); id2 == id {
		t.Error("two issues share one ID")
	}
	if _, ok := check("bob", c); ok {
		t.Error("nok, another account: verified")
	}
	if _, ok := check("alice"); ok {
		t.Error("nok, no cookie: verified")
	}
	if _, ok := check("alice", &http.Cookie{Name: c.Name, Value: "junk"}, c); !ok {
		t.Error("ok, a junk cookie of the same name beside the real one: not verified")
	}
	now = now.Add(59 * time.Minute)
	if _, ok := check("alice", c); !ok {
		t.Error("ok, within MaxAge: not verified")
	}
	now = now.Add(time.Minute)
	if _, ok := check("alice", c); ok {
		t.Error("nok, at MaxAge: verified")
	}
}

func TestMemoryDeviceBudget(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := throttle.NewMemory(throttle.MemoryConfig{AccountLimit: 3, DeviceLimit: 2, Now: func() time.Time { return now }})
	fail := func(a throttle.Attempt) time.Duration {
		t.Helper()
		wait, err := m.Allow(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if wait == 0 {
			if err := m.Done(ctx, a, throttle.VerdictFailure); err != nil {
				t.Fatal(err)
			}
		}
		return wait
	}
	untrusted := throttle.Attempt{Username: "alice", IP: "203.0.113.1"}
	device := throttle.Attempt{Username: "alice", IP: "203.0.113.1", Device: "d1"}
	for range 3 {
		fail(untrusted)
	}
	if wait := fail(untrusted); wait == 0 {
		t.Fatal("untrusted: not locked after 3 failures")
	}
	if wait := fail(device); wait != 0 {
		t.Errorf("ok, device during the account's lock: got wait %v; want 0", wait)
	}
	fail(device)
	if wait := fail(device); wait == 0 {
		t.Error("nok, device after 2 failures: not locked")
	}
	if wait := fail(throttle.Attempt{Username: "alice", Device: "d2"}); wait != 0 {
		t.Errorf("ok, another device: got wait %v; want 0", wait)
	}
	// An attempt without an account (an API key) counts per address only.
	apiKey := throttle.Attempt{IP: "198.51.100.9"}
	for range throttle.DefaultIPLimit {
		fail(apiKey)
	}
	if wait := fail(apiKey); wait == 0 {
		t.Error("nok, address without an account: not locked after IPLimit failures")
	}
	if wait, err := m.Allow(ctx, throttle.Attempt{}); wait != 0 || err != nil {
		t.Errorf("empty attempt: got %v, %v; want 0, nil", wait, err)
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		wait time.Duration
		want string
	}{
		{0, "1"}, {time.Millisecond, "1"}, {time.Second, "1"}, {time.Second + 1, "2"}, {15 * time.Minute, "900"},
	}
	for _, tt := range tests {
		t.Run("ok, "+tt.wait.String(), func(t *testing.T) {
			if got := throttle.RetryAfter(tt.wait); got != tt.want {
				t.Errorf("RetryAfter(%v): got %q; want %q", tt.wait, got, tt.want)
			}
		})
	}
}
