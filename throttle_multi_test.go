package passport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/throttle/redisthrottle"
)

// TestThrottleAcrossTwoAuthenticators sends 30 wrong passwords for one
// account at once through two instances (an Authenticator, a local
// strategy and a Redis client each, one Redis): with a limit of 10,
// exactly 10 are checked (401) and 20 refused unchecked (429).
func TestThrottleAcrossTwoAuthenticators(t *testing.T) {
	addr, prefix := testenv.RedisAddr(t), testenv.KeyPrefix(t)
	var checked sync.Map
	instance := func() *echo.Echo {
		client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, PoolSize: 32})
		t.Cleanup(func() { client.Close() })
		thr, err := redisthrottle.New(client, redisthrottle.Config{KeyPrefix: prefix, AccountLimit: 10})
		if err != nil {
			t.Fatal(err)
		}
		auth, err := passport.New(passport.Config[string]{
			DisableAudit: true,
			Serialize:    func(u string) (string, error) { return u, nil },
			Deserialize:  func(_ context.Context, id string) (string, error) { return id, nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		s, err := local.New(local.Config[string]{Throttle: thr, Verify: func(_ context.Context, name, pw string) (string, error) {
			checked.Store(pw, true)
			return "", strategy.ErrInvalidCredentials
		}})
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.Use("local", s); err != nil {
			t.Fatal(err)
		}
		e := echo.New()
		e.POST("/token", func(c echo.Context) error { return nil }, auth.Authenticate("local", passport.Stateless()).Middleware())
		return e
	}
	apps := []*echo.Echo{instance(), instance()}
	const attempts = 30
	codes := make(chan int, attempts)
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Go(func() {
			form := url.Values{"username": {"ada"}, "password": {"wrong-" + string(rune('a'+i))}}
			req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.RemoteAddr = "198.51.100.1:1234"
			rec := httptest.NewRecorder()
			apps[i%2].ServeHTTP(rec, req)
			codes <- rec.Code
		})
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	n := 0
	checked.Range(func(any, any) bool { n++; return true })
	if got[http.StatusUnauthorized] != 10 || got[http.StatusTooManyRequests] != 20 || n != 10 {
		t.Errorf("answers %v, %d passwords checked; want exactly 10 × 401 (checked) and 20 × 429", got, n)
	}
}
