package local_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/throttle"
)

// deviceServer is a login server with the default throttle limits and
// device cookies, both on one fake clock.
type deviceServer struct {
	t     *testing.T
	v     *verifier
	s     *local.Strategy[string]
	clock *fakeClock
}

func newDeviceServer(t *testing.T) *deviceServer {
	t.Helper()
	clock := newFakeClock()
	devices, err := throttle.NewDeviceCookies(throttle.DeviceCookieConfig{Key: bytes.Repeat([]byte{7}, 32), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier()
	s := newStrategy(t, local.Config[string]{
		Verify:        v.verify,
		Throttle:      throttle.NewMemory(throttle.MemoryConfig{Now: clock.Now}),
		DeviceCookies: devices,
	})
	return &deviceServer{t: t, v: v, s: s, clock: clock}
}

// login posts a form from ip with the given cookies.
func (d *deviceServer) login(ip, username, password string, cookies ...*http.Cookie) strategy.Result[string] {
	d.t.Helper()
	r := formRequest("username=" + username + "&password=" + password)
	r.RemoteAddr = ip + ":41000"
	for _, c := range cookies {
		r.AddCookie(c)
	}
	res, err := d.s.Authenticate(r)
	if err != nil {
		d.t.Fatalf("Authenticate: unexpected error %v", err)
	}
	return res
}

// deviceCookie returns the device cookie a result sets, nil if none.
func deviceCookie(res strategy.Result[string]) *http.Cookie {
	for _, line := range res.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil && c.Name == throttle.DefaultDeviceCookieName {
			return c
		}
	}
	return nil
}

// TestDeviceCookieSustainedAttack is the issue's scenario: an attacker who
// keeps sending wrong passwords for alice, as fast as the throttle lets him,
// for 48 hours. Alice, on the browser she logged in with before, gets in
// every time she tries; a browser that never logged in is refused; the
// attacker stays throttled throughout.
func TestDeviceCookieSustainedAttack(t *testing.T) {
	const (
		attacker = "203.0.113.66"
		alicesIP = "198.51.100.7"
		newIP    = "192.0.2.44"
	)
	d := newDeviceServer(t)
	res := d.login(alicesIP, "alice", "s3cret")
	want(t, "first login", res, strategy.KindSuccess, 0, "")
	cookie := deviceCookie(res)
	if cookie == nil {
		t.Fatal("first login: no device cookie")
	}

	var aliceIn, aliceTries, attackerAllowed, attackerTries, strangerRefused int
	for minute := range 48 * 60 {
		d.clock.Advance(time.Minute)
		attackerTries++
		switch r := d.login(attacker, "alice", "wrong"); r.FailStatus() {
		case http.StatusUnauthorized:
			attackerAllowed++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("minute %d: attacker got %d", minute, r.FailStatus())
		}
		if minute%10 == 5 {
			aliceTries++
			r := d.login(alicesIP, "alice", "s3cret", cookie)
			if r.Kind == strategy.KindSuccess {
				aliceIn++
				if c := deviceCookie(r); c != nil {
					cookie = c
				} else {
					t.Fatalf("minute %d: success without a new device cookie", minute)
				}
			}
		}
		if minute%60 == 30 {
			if r := d.login(newIP, "alice", "s3cret"); r.Kind == strategy.KindFail && r.FailStatus() == http.StatusTooManyRequests {
				strangerRefused++
			}
		}
	}
	if aliceIn != aliceTries {
		t.Errorf("alice with her device cookie: got in %d of %d times; want every time", aliceIn, aliceTries)
	}
	if strangerRefused == 0 {
		t.Error("a browser without a device cookie was never refused: the attack did not lock the account, so the test proves nothing")
	}
	// 10 free failures, about 10 more while the lock doubles from 1 s to
	// its 15-minute cap, then one attempt each time a lock ends (4 an hour).
	if limit := throttle.DefaultAccountLimit + 10 + 48*4; attackerAllowed > limit {
		t.Errorf("attacker: %d of %d attempts reached Verify; want at most %d", attackerAllowed, attackerTries, limit)
	}
}

func TestDeviceCookies(t *testing.T) {
	const ip = "198.51.100.7"
	// lockAlice sends wrong passwords for alice from other addresses until
	// untrusted clients are refused.
	lockAlice := func(d *deviceServer) {
		for i := range throttle.DefaultAccountLimit {
			d.login("203.0.113."+string(rune('1'+i)), "alice", "wrong")
		}
		want(d.t, "untrusted after the lock", d.login("192.0.2.1", "alice", "s3cret"), strategy.KindFail, http.StatusTooManyRequests, "1")
	}

	t.Run("ok, cookie attributes", func(t *testing.T) {
		d := newDeviceServer(t)
		res := d.login(ip, "alice", "s3cret")
		c := deviceCookie(res)
		switch {
		case c == nil:
			t.Fatal("no device cookie")
		case !c.HttpOnly, c.SameSite != http.SameSiteLaxMode, c.Path != "/", c.Secure:
			t.Errorf("cookie: got %+v; want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP", c)
		case c.MaxAge != int(throttle.DefaultDeviceCookieMaxAge/time.Second):
			t.Errorf("Max-Age: got %d; want %d", c.MaxAge, int(throttle.DefaultDeviceCookieMaxAge/time.Second))
		case strings.Contains(c.Value, "s3cret"):
			t.Error("the cookie holds the password")
		}
		r := formRequest("username=alice&password=s3cret")
		r.TLS = &tls.ConnectionState{}
		res, err := d.s.Authenticate(r)
		if err != nil {
			t.Fatal(err)
		}
		if c := deviceCookie(res); c == nil || !c.Secure {
			t.Errorf("over TLS: got %+v; want a Secure cookie", c)
		}
	})
	t.Run("ok, a new cookie on each success", func(t *testing.T) {
		d := newDeviceServer(t)
		a, b := deviceCookie(d.login(ip, "alice", "s3cret")), deviceCookie(d.login(ip, "alice", "s3cret"))
		if a == nil || b == nil || a.Value == b.Value {
			t.Errorf("got %v and %v; want two different cookies", a, b)
		}
	})
	t.Run("nok, no cookie on a failure", func(t *testing.T) {
		d := newDeviceServer(t)
		if c := deviceCookie(d.login(ip, "alice", "wrong")); c != nil {
			t.Errorf("got %v; want none", c)
		}
	})
	t.Run("ok, the canonical username is what the cookie trusts", func(t *testing.T) {
		d := newDeviceServer(t)
		c := deviceCookie(d.login(ip, "ALICE", "s3cret"))
		lockAlice(d)
		want(t, "fullwidth with the cookie", d.login(ip, "ａｌｉｃｅ", "s3cret", c), strategy.KindSuccess, 0, "")
	})

	refused := []struct {
		name   string
		cookie func(t *testing.T, d *deviceServer) *http.Cookie
	}{
		{"nok, another account's cookie", func(t *testing.T, d *deviceServer) *http.Cookie {
			return deviceCookie(d.login(ip, "bob", "hunter2"))
		}},
		{"nok, tampered cookie", func(t *testing.T, d *deviceServer) *http.Cookie {
			c := deviceCookie(d.login(ip, "alice", "s3cret"))
			b := []byte(c.Value)
			b[len(b)/2] ^= 1
			if b[len(b)/2] == '-' || b[len(b)/2] == '_' {
				b[len(b)/2] = 'A'
			}
			c.Value = string(b)
			return c
		}},
		{"nok, cookie signed with another key", func(t *testing.T, d *deviceServer) *http.Cookie {
			other, err := throttle.NewDeviceCookies(throttle.DeviceCookieConfig{Now: d.clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			c, err := other.Issue(nil, "alice")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}},
		{"nok, expired cookie", func(t *testing.T, d *deviceServer) *http.Cookie {
			c := deviceCookie(d.login(ip, "alice", "s3cret"))
			d.clock.Advance(throttle.DefaultDeviceCookieMaxAge)
			return c
		}},
		{"nok, garbage", func(*testing.T, *deviceServer) *http.Cookie {
			return &http.Cookie{Name: throttle.DefaultDeviceCookieName, Value: "AAAA"}
		}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			d := newDeviceServer(t)
			c := tt.cookie(t, d)
			lockAlice(d)
			res := d.login(ip, "alice", "s3cret", c)
			want(t, "with the cookie", res, strategy.KindFail, http.StatusTooManyRequests, res.Header.Get("Retry-After"))
		})
	}

	t.Run("nok, a device that fails too often is locked alone", func(t *testing.T) {
		d := newDeviceServer(t)
		c := deviceCookie(d.login(ip, "alice", "s3cret"))
		for i := range throttle.DefaultDeviceLimit {
			want(t, "device failure", d.login(ip, "alice", "wrong", c), strategy.KindFail, http.StatusUnauthorized, "")
			_ = i
		}
		want(t, "device locked", d.login(ip, "alice", "s3cret", c), strategy.KindFail, http.StatusTooManyRequests, "1")
		// The account and the address are not locked by the device's
		// failures: the same user without the cookie, and from that
		// address, still gets in.
		want(t, "without the cookie", d.login(ip, "alice", "s3cret"), strategy.KindSuccess, 0, "")
		d.clock.Advance(time.Second)
		want(t, "device after its lock", d.login(ip, "alice", "s3cret", c), strategy.KindSuccess, 0, "")
	})
}

func TestDefaultThrottle(t *testing.T) {
	wrong := func(t *testing.T, s *local.Strategy[string], n int) (last strategy.Result[string]) {
		t.Helper()
		for range n {
			r := formRequest("username=alice&password=wrong")
			r.RemoteAddr = "192.0.2.1:4000"
			res, err := s.Authenticate(r)
			if err != nil {
				t.Fatal(err)
			}
			last = res
		}
		return last
	}
	t.Run("ok, throttled without configuration", func(t *testing.T) {
		s := newStrategy(t, local.Config[string]{Verify: newVerifier().verify})
		want(t, "10th failure", wrong(t, s, throttle.DefaultAccountLimit), strategy.KindFail, http.StatusUnauthorized, "")
		want(t, "11th attempt", wrong(t, s, 1), strategy.KindFail, http.StatusTooManyRequests, "1")
	})
	t.Run("ok, device cookies without configuration", func(t *testing.T) {
		s := newStrategy(t, local.Config[string]{Verify: newVerifier().verify})
		res, err := s.Authenticate(formRequest("username=alice&password=s3cret"))
		if err != nil {
			t.Fatal(err)
		}
		if deviceCookie(res) == nil {
			t.Error("no device cookie on a success")
		}
	})
	t.Run("ok, turned off explicitly", func(t *testing.T) {
		s := newStrategy(t, local.Config[string]{Verify: newVerifier().verify, DisableThrottle: true})
		want(t, "50th failure", wrong(t, s, 50), strategy.KindFail, http.StatusUnauthorized, "")
		res, err := s.Authenticate(formRequest("username=alice&password=s3cret"))
		if err != nil {
			t.Fatal(err)
		}
		if c := deviceCookie(res); c != nil {
			t.Errorf("device cookie without a throttle: got %v; want none", c)
		}
	})
	t.Run("ok, device cookies turned off", func(t *testing.T) {
		s := newStrategy(t, local.Config[string]{Verify: newVerifier().verify, DisableDeviceCookies: true})
		res, err := s.Authenticate(formRequest("username=alice&password=s3cret"))
		if err != nil {
			t.Fatal(err)
		}
		if c := deviceCookie(res); c != nil || len(res.Header) != 0 {
			t.Errorf("got %v, headers %v; want none", c, res.Header)
		}
	})
	devices, err := throttle.NewDeviceCookies(throttle.DeviceCookieConfig{})
	if err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name string
		cfg  local.Config[string]
	}{
		{"nok, Throttle and DisableThrottle", local.Config[string]{Verify: newVerifier().verify, DisableThrottle: true, Throttle: throttle.NewMemory(throttle.MemoryConfig{})}},
		{"nok, DeviceCookies and DisableDeviceCookies", local.Config[string]{Verify: newVerifier().verify, DisableDeviceCookies: true, DeviceCookies: devices}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := local.New(tt.cfg); !errors.Is(err, local.ErrInvalidConfig) {
				t.Errorf("New: got %v; want ErrInvalidConfig", err)
			}
		})
	}
}

func TestCanonicalUsernameAtLogin(t *testing.T) {
	tests := []struct {
		name, username string
		kind           strategy.Kind
		status         int
	}{
		{"ok, canonical", "alice", strategy.KindSuccess, 0},
		{"ok, upper case", "ALICE", strategy.KindSuccess, 0},
		{"ok, fullwidth", "ａｌｉｃｅ", strategy.KindSuccess, 0},
		{"ok, surrounding spaces", "%20alice%20", strategy.KindSuccess, 0},
		{"nok, right-to-left override", "alice%E2%80%AE", strategy.KindFail, http.StatusBadRequest},
		{"nok, zero width space", "al%E2%80%8Bice", strategy.KindFail, http.StatusBadRequest},
		{"nok, dotless i is another account", "al%C4%B1ce", strategy.KindFail, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier()
			s := newStrategy(t, local.Config[string]{Verify: v.verify})
			res, err := s.Authenticate(formRequest("username=" + tt.username + "&password=s3cret"))
			if err != nil {
				t.Fatal(err)
			}
			want(t, "login", res, tt.kind, tt.status, "")
			if tt.kind == strategy.KindSuccess && res.User != "alice" {
				t.Errorf("user: got %q; want alice", res.User)
			}
			if tt.status == http.StatusBadRequest {
				if !errors.Is(res.Reason, strategy.ErrMalformedCredentials) || !errors.Is(res.Reason, local.ErrInvalidIdentifier) {
					t.Errorf("reason: got %v; want ErrMalformedCredentials and ErrInvalidIdentifier", res.Reason)
				}
				if v.calls.Load() != 0 {
					t.Errorf("Verify called %d times; want 0", v.calls.Load())
				}
			}
		})
	}
	t.Run("ok, look-alikes share one throttle budget", func(t *testing.T) {
		s := newStrategy(t, local.Config[string]{Verify: newVerifier().verify})
		names := []string{"alice", "Alice", "ａｌｉｃｅ", "ALICE", "ａlice"}
		for i := range throttle.DefaultAccountLimit {
			r := formRequest("username=" + names[i%len(names)] + "&password=wrong")
			if _, err := s.Authenticate(r); err != nil {
				t.Fatal(err)
			}
		}
		res, err := s.Authenticate(formRequest("username=ＡＬＩＣＥ&password=s3cret"))
		if err != nil {
			t.Fatal(err)
		}
		want(t, "after 10 failures under five spellings", res, strategy.KindFail, http.StatusTooManyRequests, "1")
	})
}

// TestCanonicalizeEmptyIsRefused checks that a Canonicalize of the app's
// that maps a username to "" refuses it, rather than letting an attempt
// without an account through to Verify and past the account's budget.
func TestCanonicalizeEmptyIsRefused(t *testing.T) {
	v := newVerifier()
	s := newStrategy(t, local.Config[string]{Verify: v.verify, Canonicalize: func(string) (string, error) { return "", nil }})
	res, err := s.Authenticate(formRequest("username=alice&password=s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	want(t, "empty canonical form", res, strategy.KindFail, http.StatusBadRequest, "")
	if !errors.Is(res.Reason, local.ErrInvalidIdentifier) || v.calls.Load() != 0 {
		t.Errorf("reason %v, %d Verify calls; want ErrInvalidIdentifier and none", res.Reason, v.calls.Load())
	}
}
