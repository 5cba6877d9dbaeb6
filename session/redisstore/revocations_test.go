package redisstore_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
	"github.com/gopassport/passport/strategy"
)

// cookieInstance is one instance of an app on the cookie store, with the
// shared revocation list on addr.
func cookieInstance(t *testing.T, addr, prefix string) *session.Manager {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { client.Close() })
	rv, err := redisstore.NewRevocations(client, redisstore.RevocationsConfig{KeyPrefix: prefix, Timeout: outageTimeout})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := session.NewCookieStore(bytes.Repeat([]byte{5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(session.Config{Store: cs, Revocations: rv})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// visit runs fn in a request to m with cookie c and returns the session
// cookie the response set, if any, and fn's Load error.
func visit(t *testing.T, m *session.Manager, c *http.Cookie, fn func(*session.Session)) (*http.Cookie, error) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if c != nil {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	var loadErr error
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := session.FromContext(r.Context())
		loadErr = s.Load()
		if fn != nil {
			fn(s)
		}
	})).ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == m.Name() {
			return ck, loadErr
		}
	}
	return nil, loadErr
}

// TestRevocationsAcrossInstances: on the cookie store, a logout on A
// refuses a copy of the cookie on B, RevokeUser ends every cookie of the
// user on both, another user's cookie stays; a Redis that is down lets
// nobody in and sets no cookie.
func TestRevocationsAcrossInstances(t *testing.T) {
	addr, prefix := testenv.RedisAddr(t), testenv.KeyPrefix(t)
	a, b := cookieInstance(t, addr, prefix), cookieInstance(t, addr, prefix)
	userOf := func(m *session.Manager, c *http.Cookie) string {
		var u string
		if _, err := visit(t, m, c, func(s *session.Session) { u, _ = s.Get(session.UserKey) }); err != nil {
			t.Fatal(err)
		}
		return u
	}
	login := func(m *session.Manager, user string) *http.Cookie {
		c, err := visit(t, m, nil, func(s *session.Session) {
			if err := s.Regenerate(); err != nil {
				t.Fatal(err)
			}
			s.Set(session.UserKey, user)
		})
		if err != nil || c == nil {
			t.Fatalf("login: %v, cookie %v", err, c)
		}
		return c
	}
	ada := login(a, "ada")
	if got := userOf(b, ada); got != "ada" {
		t.Fatalf("B with A's cookie: %q; want ada", got)
	}
	if _, err := visit(t, a, ada, func(s *session.Session) {
		if err := s.Destroy(); err != nil {
			t.Fatal(err)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if got := userOf(b, ada); got != "" {
		t.Errorf("B with a copy of the cookie after logout on A: %q; want nobody", got)
	}

	ada1, ada2, bob := login(a, "ada"), login(b, "ada"), login(a, "bob")
	if err := a.Revocations().RevokeUser(t.Context(), "ada", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*http.Cookie{ada1, ada2} {
		for _, m := range []*session.Manager{a, b} {
			if got := userOf(m, c); got != "" {
				t.Errorf("after RevokeUser: %q; want nobody", got)
			}
		}
	}
	if got := userOf(b, bob); got != "bob" {
		t.Errorf("another user after RevokeUser: %q; want bob", got)
	}

	// A revocation list that is down: nobody in, no cookie, and it says
	// so as an unavailable store.
	r := testenv.StartRedis(t)
	c := cookieInstance(t, r.Addr, prefix)
	carol := login(c, "carol")
	r.Stop()
	set, err := visit(t, c, carol, nil)
	if !errors.Is(err, strategy.ErrUnavailable) || set != nil {
		t.Errorf("with Redis down: err %v, cookie %v; want ErrUnavailable and no cookie", err, set)
	}
}

func TestNewRevocationsRefusesBadConfig(t *testing.T) {
	ok := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	deaf := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { ok.Close(); deaf.Close() })
	tests := []struct {
		name   string
		client redis.UniversalClient
		cfg    redisstore.RevocationsConfig
		field  string
	}{
		{"ok, zero means default", ok, redisstore.RevocationsConfig{}, ""},
		{"nok, nil client", nil, redisstore.RevocationsConfig{}, "client"},
		{"nok, client ignores deadlines", deaf, redisstore.RevocationsConfig{}, "ContextTimeoutEnabled"},
		{"nok, Timeout", ok, redisstore.RevocationsConfig{Timeout: -1}, "Timeout"},
		{"nok, UserTTL", ok, redisstore.RevocationsConfig{UserTTL: -1}, "UserTTL"},
		{"nok, KeyPrefix", ok, redisstore.RevocationsConfig{KeyPrefix: "a b"}, "KeyPrefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := redisstore.NewRevocations(tt.client, tt.cfg)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, redisstore.ErrInvalidConfig) || !bytes.Contains([]byte(err.Error()), []byte(tt.field)) {
				t.Errorf("err = %v; want ErrInvalidConfig naming %s", err, tt.field)
			}
		})
	}
}
