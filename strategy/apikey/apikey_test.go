package apikey_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/apikey"
	"github.com/gopassport/passport/strategy/strategytest"
)

const (
	aliceKey = "pk_alice0123456789abcdefghijklmnopqrstuvwxyzAB"
	bobKey   = "pk_bob_-~!#$%&'*+.^`|"
)

// hashedKeys is a Verify over keys stored as hashes, the way an app should
// store them.
func hashedKeys(keys map[string]string) func(context.Context, string) (string, error) {
	byHash := make(map[string]string, len(keys))
	for key, user := range keys {
		byHash[apikey.Hash(key)] = user
	}
	return func(_ context.Context, key string) (string, error) {
		user, ok := byHash[apikey.Hash(key)]
		if !ok {
			return "", strategy.ErrInvalidCredentials
		}
		return user, nil
	}
}

func verify() func(context.Context, string) (string, error) {
	return hashedKeys(map[string]string{aliceKey: "alice", bobKey: "bob"})
}

func newAPIKey(t testing.TB, cfg apikey.Config[string]) *apikey.Strategy[string] {
	t.Helper()
	if cfg.Verify == nil {
		cfg.Verify = verify()
	}
	s, err := apikey.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNew(t *testing.T) {
	v := verify()
	tests := []struct {
		name          string
		cfg           apikey.Config[string]
		wantChallenge string
		wantErr       string
	}{
		{"ok, defaults", apikey.Config[string]{Verify: v}, `ApiKey realm="api"`, ""},
		{"ok, scheme sets the challenge", apikey.Config[string]{Verify: v, Scheme: "Bearer"}, `Bearer realm="api"`, ""},
		{"ok, own challenge", apikey.Config[string]{Verify: v, Challenge: `Token realm="billing", header="X-Token"`}, `Token realm="billing", header="X-Token"`, ""},
		{"ok, only the query", apikey.Config[string]{Verify: v, DisableHeader: true, QueryParam: "api_key"}, `ApiKey realm="api"`, ""},
		{"nok, no verify", apikey.Config[string]{}, "", "apikey: Config.Verify is required"},
		{"nok, header with a space", apikey.Config[string]{Verify: v, Header: "X API Key"}, "", `apikey: Config.Header "X API Key" is not a valid header name`},
		{"nok, header Authorization", apikey.Config[string]{Verify: v, Header: "authorization"}, "", "apikey: Config.Header is Authorization; set Config.Scheme instead"},
		{"nok, scheme with a space", apikey.Config[string]{Verify: v, Scheme: "Api Key"}, "", `apikey: Config.Scheme "Api Key" is not a valid auth-scheme`},
		{"nok, no source", apikey.Config[string]{Verify: v, DisableHeader: true}, "", "apikey: no source for the key: the header is disabled and neither Config.Scheme nor Config.QueryParam is set"},
		{"nok, negative max", apikey.Config[string]{Verify: v, MaxKeyBytes: -1}, "", "apikey: Config.MaxKeyBytes -1 is negative"},
		{"nok, challenge with CRLF", apikey.Config[string]{Verify: v, Challenge: "ApiKey\r\nX: y"}, "", `apikey: Config.Challenge "ApiKey\r\nX: y" contains a control character`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := apikey.New(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Challenge(); got != tt.wantChallenge {
				t.Errorf("got %q; want %q", got, tt.wantChallenge)
			}
			if got := s.Name(); got != "apikey" {
				t.Errorf("got name %q; want %q", got, "apikey")
			}
			strategytest.Run(t, s, strategytest.NewRequest("GET", "/").Build()).
				FailWithChallenge(t, 401, tt.wantChallenge, strategytest.WantReason(strategy.ErrMissingCredentials))
		})
	}
}

func TestAuthenticate(t *testing.T) {
	all := apikey.Config[string]{Scheme: "ApiKey", QueryParam: "api_key"}
	get := func() *strategytest.RequestBuilder { return strategytest.NewRequest("GET", "/v1/orders") }
	tests := []struct {
		name       string
		cfg        apikey.Config[string]
		req        *strategytest.RequestBuilder
		wantUser   string
		wantStatus int
		wantReason error
	}{
		{name: "ok, default header", req: get().Header("X-API-Key", aliceKey), wantUser: "alice"},
		{name: "ok, header name in lower case", req: get().Header("x-api-key", aliceKey), wantUser: "alice"},
		{name: "ok, key with every allowed punctuation", req: get().Header("X-API-Key", bobKey), wantUser: "bob"},
		{name: "ok, own header", cfg: apikey.Config[string]{Header: "X-Token"}, req: get().Header("X-Token", aliceKey), wantUser: "alice"},
		{name: "ok, Authorization scheme", cfg: all, req: get().Header("Authorization", "ApiKey "+aliceKey), wantUser: "alice"},
		{name: "ok, Authorization scheme in another case", cfg: all, req: get().Header("Authorization", "apikey  "+aliceKey), wantUser: "alice"},
		{name: "ok, query parameter", cfg: all, req: get().Query(url.Values{"api_key": {aliceKey}}), wantUser: "alice"},
		{name: "ok, header wins over the query", cfg: all, req: get().Header("X-API-Key", aliceKey).Query(url.Values{"api_key": {bobKey}}), wantUser: "alice"},
		{name: "ok, header wins over Authorization", cfg: all, req: get().Header("X-API-Key", bobKey).Header("Authorization", "ApiKey "+aliceKey), wantUser: "bob"},
		{name: "ok, empty header falls through", cfg: all, req: get().Header("X-API-Key", "").Query(url.Values{"api_key": {bobKey}}), wantUser: "bob"},
		{name: "ok, Authorization of another scheme is ignored", cfg: all, req: get().Header("Authorization", "Basic YTpi").Query(url.Values{"api_key": {aliceKey}}), wantUser: "alice"},
		{name: "ok, only Authorization", cfg: apikey.Config[string]{DisableHeader: true, Scheme: "Bearer"}, req: get().Header("Authorization", "Bearer "+aliceKey), wantUser: "alice"},
		{name: "ok, key of the maximum size", cfg: apikey.Config[string]{MaxKeyBytes: len(aliceKey)}, req: get().Header("X-API-Key", aliceKey), wantUser: "alice"},

		{name: "nok, no key", req: get(), wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, empty header", req: get().Header("X-API-Key", "  "), wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, query not read by default", req: get().Query(url.Values{"api_key": {aliceKey}}), wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, Authorization not read by default", req: get().Header("Authorization", "ApiKey "+aliceKey), wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, header disabled", cfg: apikey.Config[string]{DisableHeader: true, Scheme: "ApiKey"}, req: get().Header("X-API-Key", aliceKey), wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, scheme without a key", cfg: all, req: get().Header("Authorization", "ApiKey"), wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, empty query parameter", cfg: all, req: get().Query(url.Values{"api_key": {""}}), wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, unknown key", req: get().Header("X-API-Key", "pk_unknown"), wantStatus: 401, wantReason: strategy.ErrInvalidCredentials},
		{name: "nok, key differing in case", req: get().Header("X-API-Key", strings.ToUpper(aliceKey)), wantStatus: 401, wantReason: strategy.ErrInvalidCredentials},
		{name: "nok, unknown key in Authorization", cfg: all, req: get().Header("Authorization", "ApiKey nope"), wantStatus: 401, wantReason: strategy.ErrInvalidCredentials},
		{name: "nok, repeated header", req: get().Header("X-API-Key", aliceKey).Header("X-API-Key", aliceKey), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, repeated Authorization", cfg: all, req: get().Header("Authorization", "ApiKey "+aliceKey).Header("Authorization", "Basic YTpi"), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, repeated query parameter", cfg: all, req: get().Query(url.Values{"api_key": {aliceKey, bobKey}}), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, key one byte too long", cfg: apikey.Config[string]{MaxKeyBytes: len(aliceKey) - 1}, req: get().Header("X-API-Key", aliceKey), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, 1 MiB key", req: get().Header("X-API-Key", strings.Repeat("k", 1<<20)), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, 1 MiB key in the query", cfg: all, req: get().Query(url.Values{"api_key": {strings.Repeat("k", 1<<20)}}), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, space inside the key", req: get().Header("X-API-Key", "pk_a b"), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, NUL in the key", req: get().Header("X-API-Key", "pk_a\x00"), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, UTF-8 in the key", req: get().Header("X-API-Key", "pk_clé"), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, invalid UTF-8 in the query", cfg: all, req: strategytest.NewRequest("GET", "/?api_key=%ff%fe"), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newAPIKey(t, tt.cfg)
			o := strategytest.Run(t, s, tt.req.Context(t.Context()).Build())
			if tt.wantUser != "" {
				o.SuccessWith(t, tt.wantUser)
				return
			}
			res := o.FailWithChallenge(t, tt.wantStatus, s.Challenge(), strategytest.WantReason(tt.wantReason))
			if res.Info.Message == "" {
				t.Error("got an empty message; want one for the user")
			}
			if tt.wantStatus == 401 && res.Status != 0 {
				t.Errorf("got Status %d; want 0 (401, overridable by another strategy's 400)", res.Status)
			}
		})
	}
}

func TestAuthenticateRefusesBeforeVerify(t *testing.T) {
	var calls atomic.Int32
	s := newAPIKey(t, apikey.Config[string]{MaxKeyBytes: 8, Verify: func(context.Context, string) (string, error) {
		calls.Add(1)
		return "someone", nil
	}})
	for _, key := range []string{"123456789", "a b", "\x00", strings.Repeat("x", 1<<20)} {
		r := strategytest.NewRequest("GET", "/").Header("X-API-Key", key).Build()
		strategytest.Run(t, s, r).Fail(t, 400, strategytest.WantReason(strategy.ErrMalformedCredentials))
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("got %d calls of Verify; want 0", n)
	}
}

func TestAuthenticateVerifyErrors(t *testing.T) {
	errDB := errors.New("connection refused")
	const msgRevoked = "This key was revoked. Create a new one in your account settings."
	tests := []struct {
		name       string
		verifyErr  error
		wantStatus int // 0: an error
		wantReason error
		wantMsg    string // Info.Message of the fail
	}{
		{"nok, invalid credentials wrapped", fmt.Errorf("keys: %w", strategy.ErrInvalidCredentials), 401, strategy.ErrInvalidCredentials, "Invalid API key."},
		{"nok, user not found is invalid credentials", strategy.ErrUserNotFound, 401, strategy.ErrInvalidCredentials, "Invalid API key."},
		{"nok, user not found", strategy.ErrUserNotFound, 401, strategy.ErrUserNotFound, "Invalid API key."},
		{"nok, throttled", strategy.ErrThrottled, 429, strategy.ErrThrottled, "Too many attempts. Try again later."},
		{"nok, insufficient scope", strategy.ErrInsufficientScope, 403, strategy.ErrInsufficientScope, "Not allowed."},
		{"nok, invalid with the app's message", strategy.WithUserMessage(fmt.Errorf("keys: revoked: %w", strategy.ErrInvalidCredentials), msgRevoked), 401, strategy.ErrInvalidCredentials, msgRevoked},
		{"nok, user not found with the app's message", fmt.Errorf("keys: %w", strategy.WithUserMessage(strategy.ErrUserNotFound, msgRevoked)), 401, strategy.ErrUserNotFound, msgRevoked},
		{"nok, throttled with the app's message", strategy.WithUserMessage(strategy.ErrThrottled, msgRevoked), 429, strategy.ErrThrottled, msgRevoked},
		{"nok, insufficient scope with the app's message", strategy.WithUserMessage(strategy.ErrInsufficientScope, msgRevoked), 403, strategy.ErrInsufficientScope, msgRevoked},
		{"nok, a fault with a message is still a fault", strategy.WithUserMessage(errDB, msgRevoked), 0, errDB, ""},
		{"nok, fault", errDB, 0, errDB, ""},
		{"nok, deadline", context.DeadlineExceeded, 0, context.DeadlineExceeded, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newAPIKey(t, apikey.Config[string]{Verify: func(context.Context, string) (string, error) { return "", tt.verifyErr }})
			o := strategytest.Run(t, s, strategytest.NewRequest("GET", "/").Header("X-API-Key", aliceKey).Build())
			if tt.wantStatus == 0 {
				err := o.Error(t)
				if !errors.Is(err, tt.wantReason) || !strings.HasPrefix(err.Error(), "apikey: verify: ") {
					t.Errorf("got %v; want apikey: verify: %v", err, tt.wantReason)
				}
				return
			}
			o.FailWithChallenge(t, tt.wantStatus, s.Challenge(), strategytest.WantReason(tt.wantReason), strategytest.WantMessage(tt.wantMsg))
		})
	}
}

func TestAuthenticatePassesTheRequestContext(t *testing.T) {
	type key struct{}
	var got any
	s := newAPIKey(t, apikey.Config[string]{Verify: func(ctx context.Context, k string) (string, error) {
		got = ctx.Value(key{})
		return "alice", nil
	}})
	ctx := context.WithValue(t.Context(), key{}, "request context")
	strategytest.Run(t, s, strategytest.NewRequest("GET", "/").Context(ctx).Header("X-API-Key", aliceKey).Build()).Success(t)
	if got != "request context" {
		t.Errorf("got %v; want %q", got, "request context")
	}
}

func TestConformance(t *testing.T) {
	for _, cfg := range []struct {
		name string
		cfg  apikey.Config[string]
	}{
		{"default", apikey.Config[string]{}},
		{"every source", apikey.Config[string]{Scheme: "ApiKey", QueryParam: "api_key"}},
	} {
		t.Run(cfg.name, func(t *testing.T) {
			good := []strategytest.Case{{Name: "header", Request: strategytest.NewRequest("GET", "/").Header("X-API-Key", aliceKey)}}
			bad := []strategytest.Case{
				{Name: "unknown key", Request: strategytest.NewRequest("GET", "/").Header("X-API-Key", "pk_nope")},
				{Name: "no key", Request: strategytest.NewRequest("GET", "/")},
				{Name: "oversized key", Request: strategytest.NewRequest("GET", "/").Header("X-API-Key", strings.Repeat("k", 513))},
			}
			if cfg.cfg.Scheme != "" {
				good = append(good,
					strategytest.Case{Name: "authorization", Request: strategytest.NewRequest("GET", "/").Header("Authorization", "ApiKey "+bobKey)},
					strategytest.Case{Name: "query", Request: strategytest.NewRequest("GET", "/").Query(url.Values{"api_key": {aliceKey}})})
				bad = append(bad, strategytest.Case{Name: "unknown key in the query", Request: strategytest.NewRequest("GET", "/?api_key=nope")})
			}
			strategytest.Conformance(t, func(t testing.TB) strategy.Strategy[string] { return newAPIKey(t, cfg.cfg) },
				strategytest.ConformanceCases{Good: good, Bad: bad})
		})
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	s := newAPIKey(b, apikey.Config[string]{})
	r := strategytest.NewRequest("GET", "/").Header("X-API-Key", aliceKey).Build()
	b.ReportAllocs()
	for b.Loop() {
		if res, err := s.Authenticate(r); err != nil || res.Kind != strategy.KindSuccess {
			b.Fatalf("got %v, %v; want success", res.Kind, err)
		}
	}
}
