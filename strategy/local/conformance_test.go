package local_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/password"
	"github.com/gopassport/passport/strategy/strategytest"
	"github.com/gopassport/passport/strategy/throttle"
)

// kitPassword is alice's password in the strategytest-based tests.
const kitPassword = "correct horse battery staple"

// kitHasher is argon2id at its cheapest, so that the hundreds of requests
// of a conformance run, under -race, take milliseconds rather than the
// ~70 ms per check of the defaults.
func kitHasher() *password.Hasher { return &password.Hasher{Memory: 64, Iterations: 1} }

// kitLookup returns a lookup for VerifyWithHash that knows alice only.
func kitLookup(t testing.TB, hasher *password.Hasher) func(context.Context, string) (string, string, error) {
	t.Helper()
	hash, err := hasher.Hash(kitPassword)
	if err != nil {
		t.Fatal(err)
	}
	return func(_ context.Context, username string) (string, string, error) {
		if username != "alice" {
			return "", "", strategy.ErrUserNotFound
		}
		return "alice", hash, nil
	}
}

// newKitStrategy builds a local strategy with a throttle, as an app does.
// Device cookies are off: each success issues a cookie with a new random
// nonce, by design, so two successes would differ in their Set-Cookie and
// the kit's "stable" check compares outcomes exactly. TestDeviceCookies
// covers them.
func newKitStrategy(t testing.TB, tcfg throttle.MemoryConfig) *local.Strategy[string] {
	t.Helper()
	h := kitHasher()
	s, err := local.New(local.Config[string]{
		Verify:               password.Verify(kitLookup(t, h), h),
		Throttle:             throttle.NewMemory(tcfg),
		DisableDeviceCookies: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func kitForm(username, password string) url.Values {
	return url.Values{"username": {username}, "password": {password}}
}

func TestConformance(t *testing.T) {
	// The concurrent and stable checks send the bad requests again and
	// again from one client address, and the throttle counts them. The
	// limits are set above what a run sends (Goroutines × 2 rounds of the
	// bad cases, and the hostile requests that reach Verify), so that no
	// lock can depend on how the goroutines interleave: the good requests
	// always succeed and every repeat gets the same outcome.
	// TestThrottleWithKit checks the throttle itself.
	newStrategy := func(t testing.TB) strategy.Strategy[string] {
		return newKitStrategy(t, throttle.MemoryConfig{AccountLimit: 1000, IPLimit: 1000})
	}
	post := func() *strategytest.RequestBuilder { return strategytest.NewRequest("POST", "/login") }
	strategytest.Conformance(t, newStrategy, strategytest.ConformanceCases{
		Good: []strategytest.Case{
			{Name: "right password, form", Request: post().Form(kitForm("alice", kitPassword))},
			{Name: "right password, JSON", Request: post().JSON(map[string]string{"username": "alice", "password": kitPassword})},
			{Name: "right password, multipart", Request: post().Multipart(kitForm("alice", kitPassword))},
		},
		Bad: []strategytest.Case{
			{Name: "wrong password", Request: post().Form(kitForm("alice", "Tr0ub4dor&3"))},
			{Name: "wrong password, JSON", Request: post().JSON(map[string]string{"username": "alice", "password": "Tr0ub4dor&3"})},
			{Name: "unknown user", Request: post().Form(kitForm("mallory", kitPassword))},
			{Name: "missing password", Request: post().Form(url.Values{"username": {"alice"}})},
			{Name: "missing username", Request: post().Form(url.Values{"password": {kitPassword}})},
			{Name: "missing fields", Request: post().Form(url.Values{})},
			{Name: "credentials in the query only", Request: strategytest.NewRequest("POST", "/login").Query(kitForm("alice", kitPassword))},
		},
		Hostile: []strategytest.Case{
			{Name: "username with a NUL", Request: post().Form(kitForm("alice\x00", kitPassword))},
			{Name: "password over the limit", Request: post().Form(kitForm("alice", strings.Repeat("p", local.DefaultMaxPasswordBytes+1)))},
			{Name: "JSON password not a string", Request: post().Body("application/json", []byte(`{"username":"alice","password":["x"]}`))},
		},
		Goroutines: 4,
	})
}

func TestAuthenticateWithKit(t *testing.T) {
	s := newKitStrategy(t, throttle.MemoryConfig{AccountLimit: 1000, IPLimit: 1000})
	post := func() *strategytest.RequestBuilder {
		return strategytest.NewRequest("POST", "/login").Context(t.Context())
	}
	tests := []struct {
		name        string
		request     *strategytest.RequestBuilder
		wantUser    string // a success with this user when not empty
		wantStatus  int
		wantReason  error
		wantMessage string
	}{
		{name: "ok, form credentials", request: post().Form(kitForm("alice", kitPassword)), wantUser: "alice"},
		{name: "ok, JSON credentials", request: post().JSON(map[string]string{"username": "alice", "password": kitPassword}), wantUser: "alice"},
		{name: "ok, multipart credentials", request: post().Multipart(kitForm("alice", kitPassword)), wantUser: "alice"},
		{name: "ok, PUT", request: strategytest.NewRequest("PUT", "/login").Form(kitForm("alice", kitPassword)), wantUser: "alice"},

		{name: "nok, wrong password", request: post().Form(kitForm("alice", "wrong")),
			wantStatus: 401, wantReason: strategy.ErrInvalidCredentials, wantMessage: local.DefaultFailureMessage},
		{name: "nok, unknown user", request: post().Form(kitForm("mallory", kitPassword)),
			wantStatus: 401, wantReason: strategy.ErrUserNotFound, wantMessage: local.DefaultFailureMessage},
		{name: "nok, unknown user is invalid credentials", request: post().Form(kitForm("mallory", kitPassword)),
			wantStatus: 401, wantReason: strategy.ErrInvalidCredentials, wantMessage: local.DefaultFailureMessage},
		{name: "nok, empty password", request: post().Form(kitForm("alice", "")),
			wantStatus: 400, wantReason: strategy.ErrMissingCredentials, wantMessage: local.DefaultBadRequestMessage},
		{name: "nok, blank username", request: post().Form(kitForm("   ", kitPassword)),
			wantStatus: 400, wantReason: strategy.ErrMissingCredentials, wantMessage: local.DefaultBadRequestMessage},
		{name: "nok, credentials in the query", request: strategytest.NewRequest("POST", "/login").Query(kitForm("alice", kitPassword)),
			wantStatus: 400, wantReason: strategy.ErrMissingCredentials, wantMessage: local.DefaultBadRequestMessage},
		{name: "nok, GET with a form body", request: strategytest.NewRequest("GET", "/login").Form(kitForm("alice", kitPassword)),
			wantStatus: 400, wantReason: strategy.ErrMissingCredentials, wantMessage: local.DefaultBadRequestMessage},
		{name: "nok, password given twice", request: post().Form(url.Values{"username": {"alice"}, "password": {kitPassword, kitPassword}}),
			wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, JSON password a number", request: post().Body("application/json", []byte(`{"username":"alice","password":42}`)),
			wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, body over the limit", request: post().Form(kitForm("alice", strings.Repeat("p", local.DefaultMaxBodyBytes))),
			wantStatus: 413, wantReason: strategy.ErrMalformedCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := strategytest.Run(t, s, tt.request.Build())
			if tt.wantUser != "" {
				o.SuccessWith(t, tt.wantUser)
				return
			}
			opts := []strategytest.Option{strategytest.WantReason(tt.wantReason)}
			if tt.wantMessage != "" {
				opts = append(opts, strategytest.WantMessage(tt.wantMessage))
			}
			res := o.FailWithChallenge(t, tt.wantStatus, "", opts...)
			if len(res.Header) != 0 {
				t.Errorf("got headers %q; want none", res.Header)
			}
		})
	}
}

// TestThrottleWithKit checks, through the kit's assertions, the outcomes a
// throttled login gives: 401 until the account's limit, then 429 with
// Retry-After for every attempt, the right password included and from any
// client address.
func TestThrottleWithKit(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := newKitStrategy(t, throttle.MemoryConfig{
		AccountLimit: 2,
		BaseDelay:    30 * time.Second,
		Now:          func() time.Time { return now },
	})
	attempt := func(ip, password string) *strategytest.RequestBuilder {
		return strategytest.NewRequest("POST", "/login").Context(t.Context()).
			ClientIP(ip).Form(kitForm("alice", password))
	}
	steps := []struct {
		name       string
		request    *strategytest.RequestBuilder
		wantStatus int
		wantReason error
	}{
		{"nok, first wrong password", attempt("192.0.2.1", "wrong"), 401, strategy.ErrInvalidCredentials},
		{"nok, second wrong password locks the account", attempt("192.0.2.1", "wrong"), 401, strategy.ErrInvalidCredentials},
		{"nok, right password while locked", attempt("192.0.2.1", kitPassword), 429, strategy.ErrThrottled},
		{"nok, right password from another address while locked", attempt("198.51.100.7", kitPassword), 429, strategy.ErrThrottled},
	}
	for _, step := range steps {
		o := strategytest.Run(t, s, step.request.Build())
		opts := []strategytest.Option{strategytest.WantReason(step.wantReason)}
		if step.wantStatus == 429 {
			opts = append(opts, strategytest.WantHeader("Retry-After", "30"), strategytest.WantMessage("Too many attempts. Try again later."))
		}
		o.Fail(t, step.wantStatus, opts...)
	}
}
