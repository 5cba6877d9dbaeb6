package main

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/gopassport/passport/internal/testenv"
)

// TestTwoInstancesOnRedis runs two demo instances with one database file
// and one Redis, as -sessions redis://… does: a logon on A holds on B, the
// logon throttle is one budget, and a logoff on B ends the session on A.
func TestTwoInstancesOnRedis(t *testing.T) {
	addr := testenv.RedisAddr(t)
	cfg := Config{
		DB:          filepath.Join(t.TempDir(), "demo.db"),
		Sessions:    "redis://" + addr + "/0",
		redisPrefix: testenv.KeyPrefix(t),
		logonLimit:  3,
	}
	a, b := newTestApp(t, cfg), newTestApp(t, cfg)

	onA := a.browser(t)
	onA.register("Ada", "ada@example.com", "correct horse battery staple")
	cookie := onA.cookie(sessionCookie)
	onB := b.withSession(t, cookie)
	if got := onB.loggedOnAs(); got != "Ada" {
		t.Fatalf("B with A's cookie: logged on as %q; want Ada", got)
	}
	if got := onB.secretWord(); got == "" {
		t.Fatal("B shows no secret word")
	}

	// One throttle budget: wrong passwords on A and on B lock the account
	// on both after logonLimit of them.
	eve := []*browser{a.browser(t), b.browser(t)}
	for i := range 3 {
		eve[i%2].logon("ada@example.com", "wrong")
	}
	if res := eve[1].logon("ada@example.com", "correct horse battery staple"); res.status != http.StatusTooManyRequests {
		t.Errorf("the right password after 3 wrong ones across A and B: %d; want 429 (one budget)", res.status)
	}

	if res := onB.logoff(); res.status != http.StatusFound {
		t.Fatalf("logoff on B: %d; want 302", res.status)
	}
	if got := a.withSession(t, cookie).loggedOnAs(); got != "" {
		t.Errorf("A with the logged-off cookie: logged on as %q; want nobody", got)
	}
}
