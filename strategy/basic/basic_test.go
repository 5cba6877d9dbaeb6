package basic_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/basic"
	"github.com/gopassport/passport/strategy/strategytest"
)

const challenge = `Basic realm="Restricted", charset="UTF-8"`

var (
	longName = strings.Repeat("n", basic.MaxUsernameBytes)
	longPass = strings.Repeat("p", basic.MaxPasswordBytes)
)

func users() map[string]string {
	return map[string]string{
		"alice":  "s3cret",
		"colons": "a:b::c:",
		"empty":  "",
		"jöhn":   "pässwörd ✓",
		longName: longPass,
	}
}

func newBasic(t testing.TB) strategy.Strategy[string] {
	t.Helper()
	s, err := basic.New(basic.Config[string]{Verify: basic.StaticUsers(users())})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// auth is an Authorization: Basic header value for username and password.
func auth(username, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))
}

// raw is an Authorization: Basic header value for arbitrary decoded bytes.
func raw(decoded string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(decoded))
}

func TestNew(t *testing.T) {
	verify := basic.StaticUsers(nil)
	tests := []struct {
		name          string
		cfg           basic.Config[string]
		wantChallenge string
		wantErr       string
	}{
		{"ok, default realm", basic.Config[string]{Verify: verify}, challenge, ""},
		{"ok, realm", basic.Config[string]{Realm: "Admin area", Verify: verify}, `Basic realm="Admin area", charset="UTF-8"`, ""},
		{"ok, realm with quotes and backslashes", basic.Config[string]{Realm: `a "b" \c`, Verify: verify}, `Basic realm="a \"b\" \\c", charset="UTF-8"`, ""},
		{"ok, realm in UTF-8", basic.Config[string]{Realm: "Zône privée", Verify: verify}, `Basic realm="Zône privée", charset="UTF-8"`, ""},
		{"nok, no verify", basic.Config[string]{}, "", "basic: Config.Verify is required"},
		{"nok, realm with CRLF", basic.Config[string]{Realm: "x\r\nSet-Cookie: a=b", Verify: verify}, "", `basic: Config.Realm "x\r\nSet-Cookie: a=b" contains a control character`},
		{"nok, realm with NUL", basic.Config[string]{Realm: "x\x00", Verify: verify}, "", `basic: Config.Realm "x\x00" contains a control character`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := basic.New(tt.cfg)
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
			if got := s.Name(); got != "basic" {
				t.Errorf("got name %q; want %q", got, "basic")
			}
			r := strategytest.NewRequest("GET", "/").Build()
			strategytest.Run(t, s, r).FailWithChallenge(t, 401, tt.wantChallenge)
		})
	}
}

func TestAuthenticate(t *testing.T) {
	tests := []struct {
		name       string
		headers    []string // Authorization values
		wantUser   string   // a success with this user when not empty
		wantStatus int
		wantReason error
	}{
		{name: "ok, right credentials", headers: []string{auth("alice", "s3cret")}, wantUser: "alice"},
		{name: "ok, lower-case scheme", headers: []string{"basic " + auth("alice", "s3cret")[6:]}, wantUser: "alice"},
		{name: "ok, upper-case scheme", headers: []string{"BASIC " + auth("alice", "s3cret")[6:]}, wantUser: "alice"},
		{name: "ok, spaces around the credentials", headers: []string{"Basic   " + auth("alice", "s3cret")[6:] + "  "}, wantUser: "alice"},
		{name: "ok, password with colons", headers: []string{auth("colons", "a:b::c:")}, wantUser: "colons"},
		{name: "ok, empty password", headers: []string{auth("empty", "")}, wantUser: "empty"},
		{name: "ok, UTF-8 credentials", headers: []string{auth("jöhn", "pässwörd ✓")}, wantUser: "jöhn"},
		{name: "ok, longest username and password", headers: []string{auth(longName, longPass)}, wantUser: longName},

		{name: "nok, no Authorization header", wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, Bearer scheme", headers: []string{"Bearer abc.def.ghi"}, wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, scheme prefix only", headers: []string{"Basically " + auth("alice", "s3cret")[6:]}, wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, empty header", headers: []string{""}, wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, scheme without credentials", headers: []string{"Basic"}, wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, scheme and spaces", headers: []string{"Basic   "}, wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, empty username", headers: []string{auth("", "s3cret")}, wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, empty username and password", headers: []string{raw(":")}, wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, wrong password", headers: []string{auth("alice", "wrong")}, wantStatus: 401, wantReason: strategy.ErrInvalidCredentials},
		{name: "nok, password differing in case", headers: []string{auth("alice", "S3CRET")}, wantStatus: 401, wantReason: strategy.ErrInvalidCredentials},
		{name: "nok, unknown user", headers: []string{auth("mallory", "s3cret")}, wantStatus: 401, wantReason: strategy.ErrUserNotFound},
		{name: "nok, unknown user is invalid credentials", headers: []string{auth("mallory", "s3cret")}, wantStatus: 401, wantReason: strategy.ErrInvalidCredentials},
		{name: "nok, password of another user", headers: []string{auth("empty", "s3cret")}, wantStatus: 401, wantReason: strategy.ErrInvalidCredentials},
		{name: "nok, two Authorization headers", headers: []string{auth("alice", "s3cret"), auth("alice", "s3cret")}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, Basic and Bearer headers", headers: []string{auth("alice", "s3cret"), "Bearer x"}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, bad base64", headers: []string{"Basic !!!!"}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, unpadded base64", headers: []string{"Basic " + base64.RawStdEncoding.EncodeToString([]byte("alice:s3cret!"))}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, URL-safe base64", headers: []string{"Basic " + base64.URLEncoding.EncodeToString([]byte("alice:>>>?"))}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, base64 with a space inside", headers: []string{"Basic YWxp Y2U6czNjcmV0"}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, base64 with a newline inside", headers: []string{"Basic YWxpY2U6\nczNjcmV0"}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, no colon", headers: []string{raw("alice")}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, username too long", headers: []string{auth(longName+"n", "x")}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, password too long", headers: []string{auth("alice", longPass+"p")}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, 1 MiB header", headers: []string{auth("alice", strings.Repeat("x", 1<<20))}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, invalid UTF-8 username", headers: []string{auth("\xffalice", "s3cret")}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, invalid UTF-8 password", headers: []string{auth("alice", "s3cret\xfe")}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, NUL in username", headers: []string{auth("alice\x00", "s3cret")}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, newline in password", headers: []string{auth("alice", "s3cret\r\n")}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, DEL in password", headers: []string{auth("alice", "s3cret\x7f")}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, C1 control in username", headers: []string{auth("alice\u0085", "s3cret")}, wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
	}
	s := newBasic(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := strategytest.NewRequest("GET", "/metrics").Context(t.Context())
			for _, h := range tt.headers {
				b.Header("Authorization", h)
			}
			o := strategytest.Run(t, s, b.Build())
			if tt.wantUser != "" {
				o.SuccessWith(t, tt.wantUser)
				return
			}
			res := o.FailWithChallenge(t, tt.wantStatus, challenge, strategytest.WantReason(tt.wantReason))
			if res.Info.Message == "" {
				t.Error("got an empty message; want one for the user")
			}
		})
	}
}

// TestAuthenticateChallengeFailsLeaveTheStatusUnset checks the Passport
// convention: a fail that only asks for credentials leaves Status at 0
// (read as 401), so that a route trying several strategies answers with
// the status that another strategy set on purpose, such as a 400.
func TestAuthenticateChallengeFailsLeaveTheStatusUnset(t *testing.T) {
	s := newBasic(t)
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"nok, missing", "", 0},
		{"nok, wrong password", auth("alice", "x"), 0},
		{"nok, malformed", "Basic !", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := strategytest.NewRequest("GET", "/")
			if tt.header != "" {
				b.Header("Authorization", tt.header)
			}
			wantFail := tt.want
			if wantFail == 0 {
				wantFail = 401
			}
			res := strategytest.Run(t, s, b.Build()).Fail(t, wantFail)
			if res.Status != tt.want {
				t.Errorf("got Status %d; want %d", res.Status, tt.want)
			}
		})
	}
}

func TestAuthenticateVerifyErrors(t *testing.T) {
	errDB := errors.New("connection refused")
	const msgLocked = "Your account is locked. Reset your password to unlock it."
	tests := []struct {
		name       string
		verifyErr  error
		wantStatus int // 0: an error
		wantReason error
		wantMsg    string // Info.Message of the fail
	}{
		{"nok, invalid credentials wrapped", fmt.Errorf("users: %w", strategy.ErrInvalidCredentials), 401, strategy.ErrInvalidCredentials, "Invalid username or password."},
		{"nok, user not found", strategy.ErrUserNotFound, 401, strategy.ErrUserNotFound, "Invalid username or password."},
		{"nok, throttled", strategy.ErrThrottled, 429, strategy.ErrThrottled, "Too many attempts. Try again later."},
		{"nok, insufficient scope", strategy.ErrInsufficientScope, 403, strategy.ErrInsufficientScope, "Not allowed."},
		{"nok, malformed", strategy.ErrMalformedCredentials, 400, strategy.ErrMalformedCredentials, "Malformed credentials."},
		{"nok, invalid with the app's message", strategy.WithUserMessage(fmt.Errorf("users: locked: %w", strategy.ErrInvalidCredentials), msgLocked), 401, strategy.ErrInvalidCredentials, msgLocked},
		{"nok, user not found with the app's message", fmt.Errorf("users: %w", strategy.WithUserMessage(strategy.ErrUserNotFound, msgLocked)), 401, strategy.ErrUserNotFound, msgLocked},
		{"nok, throttled with the app's message", strategy.WithUserMessage(strategy.ErrThrottled, msgLocked), 429, strategy.ErrThrottled, msgLocked},
		{"nok, insufficient scope with the app's message", strategy.WithUserMessage(strategy.ErrInsufficientScope, msgLocked), 403, strategy.ErrInsufficientScope, msgLocked},
		{"nok, a fault with a message is still a fault", strategy.WithUserMessage(errDB, msgLocked), 0, errDB, ""},
		{"nok, fault", errDB, 0, errDB, ""},
		{"nok, context canceled", context.Canceled, 0, context.Canceled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := basic.New(basic.Config[string]{Verify: func(context.Context, string, string) (string, error) {
				return "", tt.verifyErr
			}})
			if err != nil {
				t.Fatal(err)
			}
			r := strategytest.NewRequest("GET", "/").Header("Authorization", auth("alice", "x")).Build()
			o := strategytest.Run(t, s, r)
			if tt.wantStatus == 0 {
				err := o.Error(t)
				if !errors.Is(err, tt.wantReason) || !strings.HasPrefix(err.Error(), "basic: verify: ") {
					t.Errorf("got %v; want basic: verify: %v", err, tt.wantReason)
				}
				return
			}
			o.FailWithChallenge(t, tt.wantStatus, challenge, strategytest.WantReason(tt.wantReason), strategytest.WantMessage(tt.wantMsg))
		})
	}
}

func TestAuthenticateVerifyInputs(t *testing.T) {
	type key struct{}
	var calls atomic.Int32
	var gotUser, gotPass string
	var gotCtx any
	s, err := basic.New(basic.Config[int]{Verify: func(ctx context.Context, username, password string) (int, error) {
		calls.Add(1)
		gotUser, gotPass, gotCtx = username, password, ctx.Value(key{})
		return 42, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(t.Context(), key{}, "request context")
	r := strategytest.NewRequest("GET", "/").Context(ctx).Header("Authorization", auth("bob", "p:w")).Build()
	if got := strategytest.Run(t, s, r).Success(t); got != 42 {
		t.Errorf("got user %d; want 42", got)
	}
	if gotUser != "bob" || gotPass != "p:w" || gotCtx != "request context" {
		t.Errorf("got Verify(%v, %q, %q); want Verify(%q, %q, %q)", gotCtx, gotUser, gotPass, "request context", "bob", "p:w")
	}

	// Verify never sees requests that are refused before it.
	calls.Store(0)
	refused := []struct {
		header string
		status int
	}{
		{"Bearer x", 401}, {auth("", "x"), 401},
		{"Basic !", 400}, {raw("nocolon"), 400}, {auth(longName+"n", "x"), 400},
	}
	for _, c := range refused {
		r := strategytest.NewRequest("GET", "/").Header("Authorization", c.header).Build()
		strategytest.Run(t, s, r).Fail(t, c.status)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("got %d calls of Verify; want 0", n)
	}
}

func TestConformance(t *testing.T) {
	req := func(h string) *strategytest.RequestBuilder {
		return strategytest.NewRequest("GET", "/").Header("Authorization", h)
	}
	strategytest.Conformance(t, newBasic, strategytest.ConformanceCases{
		Good: []strategytest.Case{
			{Name: "alice", Request: req(auth("alice", "s3cret"))},
			{Name: "password with colons", Request: req(auth("colons", "a:b::c:"))},
			{Name: "UTF-8", Request: req(auth("jöhn", "pässwörd ✓"))},
		},
		Bad: []strategytest.Case{
			{Name: "wrong password", Request: req(auth("alice", "nope"))},
			{Name: "unknown user", Request: req(auth("mallory", "s3cret"))},
			{Name: "no header", Request: strategytest.NewRequest("GET", "/")},
			{Name: "bad base64", Request: req("Basic %%%")},
		},
	})
}

func TestStaticUsersCopiesTheMap(t *testing.T) {
	m := map[string]string{"alice": "s3cret"}
	verify := basic.StaticUsers(m)
	m["alice"] = "changed"
	m["bob"] = "x"
	if u, err := verify(t.Context(), "alice", "s3cret"); u != "alice" || err != nil {
		t.Errorf("got %q, %v; want %q, nil", u, err, "alice")
	}
	if _, err := verify(t.Context(), "bob", "x"); !errors.Is(err, strategy.ErrUserNotFound) {
		t.Errorf("got %v; want %v", err, strategy.ErrUserNotFound)
	}
	if _, err := verify(t.Context(), "alice", "changed"); !errors.Is(err, strategy.ErrInvalidCredentials) {
		t.Errorf("got %v; want %v", err, strategy.ErrInvalidCredentials)
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	s := newBasic(b)
	r := strategytest.NewRequest("GET", "/").Header("Authorization", auth("alice", "s3cret")).Build()
	b.ReportAllocs()
	for b.Loop() {
		if res, err := s.Authenticate(r); err != nil || res.Kind != strategy.KindSuccess {
			b.Fatalf("got %v, %v; want success", res.Kind, err)
		}
	}
}

func TestFailUsername(t *testing.T) {
	verify := func(_ context.Context, username, password string) (string, error) {
		if username == "alice" && password == "right" {
			return "alice", nil
		}
		return "", strategy.ErrInvalidCredentials
	}
	tests := []struct {
		name         string
		header       string
		wantKind     strategy.Kind
		wantUsername string
	}{
		{name: "nok, wrong password names the username", header: auth("alice", "wrong"), wantKind: strategy.KindFail, wantUsername: "alice"},
		{name: "nok, unknown user names it as sent", header: auth("Mallory\u202e", "x"), wantKind: strategy.KindFail, wantUsername: "Mallory\u202e"},
		{name: "nok, no credentials names nobody", header: "", wantKind: strategy.KindFail},
		{name: "nok, malformed names nobody", header: "Basic !!!", wantKind: strategy.KindFail},
		{name: "ok, success", header: auth("alice", "right"), wantKind: strategy.KindSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := basic.New(basic.Config[string]{Verify: verify})
			if err != nil {
				t.Fatal(err)
			}
			b := strategytest.NewRequest("GET", "/")
			if tt.header != "" {
				b = b.Header("Authorization", tt.header)
			}
			res, err := s.Authenticate(b.Build())
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != tt.wantKind {
				t.Fatalf("kind: got %q; want %q", res.Kind, tt.wantKind)
			}
			if res.Username != tt.wantUsername {
				t.Errorf("Username: got %q; want %q", res.Username, tt.wantUsername)
			}
		})
	}
}
