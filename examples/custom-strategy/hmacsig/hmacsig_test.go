package hmacsig_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopassport/passport/examples/custom-strategy/hmacsig"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/strategytest"
)

const challenge = `HMAC-SHA256 realm="webhooks"`

// now is the receiver's clock in these tests.
var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newSecret returns a fresh random secret.
func newSecret(t testing.TB) []byte {
	t.Helper()
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	return secret
}

// The sender that Lookup refuses with a message of the app's
// (strategy.WithUserMessage), and that message.
const (
	suspendedSender = "suspended"
	msgSuspended    = "This sender is suspended until its invoices are paid."
)

// senders is a sender directory for Lookup: ID to secret; a nil secret
// marks a disabled sender. suspendedSender is refused with msgSuspended.
type senders map[string][]byte

func (s senders) lookup(_ context.Context, id string) (string, []byte, error) {
	secret, ok := s[id]
	switch {
	case id == suspendedSender:
		return "", nil, strategy.WithUserMessage(fmt.Errorf("sender %q is suspended: %w", id, strategy.ErrInvalidCredentials), msgSuspended)
	case !ok:
		return "", nil, fmt.Errorf("sender %q: %w", id, strategy.ErrUserNotFound)
	case secret == nil:
		return "", nil, fmt.Errorf("sender %q is disabled: %w", id, strategy.ErrInvalidCredentials)
	}
	return "sender:" + id, secret, nil
}

// newStrategy returns a strategy on the fixed clock, with cfg's Lookup or
// one over dir.
func newStrategy(t testing.TB, dir senders, cfg hmacsig.Config[string]) *hmacsig.Strategy[string] {
	t.Helper()
	if cfg.Lookup == nil {
		cfg.Lookup = dir.lookup
	}
	cfg.Now = func() time.Time { return now }
	s, err := hmacsig.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// post is a webhook request with a JSON body and no signature.
func post(body string) *strategytest.RequestBuilder {
	return strategytest.NewRequest("POST", "/webhooks/orders").Body("application/json", []byte(body))
}

// signed is post(body) signed by sender with secret at the time at.
func signed(sender string, secret []byte, body string, at time.Time) *strategytest.RequestBuilder {
	return post(body).
		Header(hmacsig.DefaultSenderHeader, sender).
		Header(hmacsig.DefaultSignatureHeader, hmacsig.Sign(secret, []byte(body), at))
}

// withSignature is post(body) from sender with a signature header of any
// value.
func withSignature(sender, signature, body string) *strategytest.RequestBuilder {
	return post(body).Header(hmacsig.DefaultSenderHeader, sender).Header(hmacsig.DefaultSignatureHeader, signature)
}

// v1 is the hex signature part of Sign's result.
func v1(secret []byte, body string, at time.Time) string {
	_, sig, _ := strings.Cut(hmacsig.Sign(secret, []byte(body), at), ",v1=")
	return sig
}

func TestSign(t *testing.T) {
	got := hmacsig.Sign([]byte("example secret"), []byte(`{"id":42}`), now)
	want := "t=1767323045,v1=6e4db4169bfe9cbd2c068aa668cf5d4accd300ced47cb13a3d4b3f6e21e12505"
	if got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestNew(t *testing.T) {
	lookup := senders{}.lookup
	tests := []struct {
		name          string
		cfg           hmacsig.Config[string]
		wantChallenge string
		wantErr       string
	}{
		{"ok, defaults", hmacsig.Config[string]{Lookup: lookup}, challenge, ""},
		{"ok, realm", hmacsig.Config[string]{Lookup: lookup, Realm: `Orders "v2"`}, `HMAC-SHA256 realm="Orders \"v2\""`, ""},
		{"ok, own headers", hmacsig.Config[string]{Lookup: lookup, SignatureHeader: "X-Hub-Signature", SenderHeader: "X-Hub-Sender"}, challenge, ""},
		{"nok, no lookup", hmacsig.Config[string]{}, "", "hmacsig: Config.Lookup is required"},
		{"nok, negative tolerance", hmacsig.Config[string]{Lookup: lookup, Tolerance: -time.Second}, "", "hmacsig: Config.Tolerance and Config.MaxBodyBytes must not be negative"},
		{"nok, negative body limit", hmacsig.Config[string]{Lookup: lookup, MaxBodyBytes: -1}, "", "hmacsig: Config.Tolerance and Config.MaxBodyBytes must not be negative"},
		{"nok, header name with a space", hmacsig.Config[string]{Lookup: lookup, SignatureHeader: "X Signature"}, "", `hmacsig: header name "X Signature" is not a valid token`},
		{"nok, header name with a colon", hmacsig.Config[string]{Lookup: lookup, SenderHeader: "X-Sender:"}, "", `hmacsig: header name "X-Sender:" is not a valid token`},
		{"nok, same header twice", hmacsig.Config[string]{Lookup: lookup, SenderHeader: "x-signature"}, "", `hmacsig: SignatureHeader and SenderHeader are both "X-Signature"`},
		{"nok, realm with CRLF", hmacsig.Config[string]{Lookup: lookup, Realm: "a\r\nSet-Cookie: x=y"}, "", `hmacsig: Config.Realm "a\r\nSet-Cookie: x=y" contains a control character`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := hmacsig.New(tt.cfg)
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
				t.Errorf("got challenge %q; want %q", got, tt.wantChallenge)
			}
			if got := s.Name(); got != "hmacsig" {
				t.Errorf("got name %q; want %q", got, "hmacsig")
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	acme, old, other := newSecret(t), newSecret(t), newSecret(t)
	dir := senders{"acme": acme, "globex": other, "disabled": nil}
	s := newStrategy(t, dir, hmacsig.Config[string]{MaxBodyBytes: 64})
	const body = `{"id":42,"total":"12.50"}`
	ts := fmt.Sprint(now.Unix())
	good := v1(acme, body, now)

	tests := []struct {
		name       string
		request    *strategytest.RequestBuilder
		wantUser   string // a success with this user when not empty
		wantStatus int
		wantReason error
		wantMsg    string // Info.Message, checked when not empty
	}{
		{name: "ok, signed JSON", request: signed("acme", acme, body, now), wantUser: "sender:acme"},
		{name: "ok, signed form", request: strategytest.NewRequest("POST", "/webhooks/orders").Form(url.Values{"id": {"42"}}).
			Header(hmacsig.DefaultSenderHeader, "acme").Header(hmacsig.DefaultSignatureHeader, hmacsig.Sign(acme, []byte("id=42"), now)), wantUser: "sender:acme"},
		{name: "ok, empty body", request: signed("acme", acme, "", now), wantUser: "sender:acme"},
		{name: "ok, body at the limit", request: signed("acme", acme, strings.Repeat("x", 64), now), wantUser: "sender:acme"},
		{name: "ok, signed 5 minutes ago", request: signed("acme", acme, body, now.Add(-5*time.Minute)), wantUser: "sender:acme"},
		{name: "ok, clock 5 minutes ahead", request: signed("acme", acme, body, now.Add(5*time.Minute)), wantUser: "sender:acme"},
		{name: "ok, second signature matches (rotation)", request: withSignature("acme", "t="+ts+",v1="+v1(old, body, now)+",v1="+good, body), wantUser: "sender:acme"},
		{name: "ok, spaces around elements", request: withSignature("acme", " t="+ts+" , v1="+good+" ", body), wantUser: "sender:acme"},
		{name: "ok, unknown scheme ignored", request: withSignature("acme", "t="+ts+",v0=abc,v1="+good, body), wantUser: "sender:acme"},
		{name: "ok, elements in any order", request: withSignature("acme", "v1="+good+",t="+ts, body), wantUser: "sender:acme"},
		{name: "ok, upper-case hex", request: withSignature("acme", "t="+ts+",v1="+strings.ToUpper(good), body), wantUser: "sender:acme"},

		{name: "nok, no headers", request: post(body), wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, sender without signature", request: post(body).Header(hmacsig.DefaultSenderHeader, "acme"), wantStatus: 401, wantReason: strategy.ErrMissingCredentials},
		{name: "nok, empty signature", request: withSignature("acme", "  ", body), wantStatus: 401, wantReason: strategy.ErrMissingCredentials},

		{name: "nok, wrong secret", request: signed("acme", other, body, now), wantStatus: 401, wantReason: hmacsig.ErrMismatch},
		{name: "nok, wrong secret is invalid credentials", request: signed("acme", other, body, now), wantStatus: 401, wantReason: strategy.ErrInvalidCredentials},
		{name: "nok, tampered body", request: signed("acme", acme, body, now).Body("application/json", []byte(`{"id":42,"total":"0.01"}`)), wantStatus: 401, wantReason: hmacsig.ErrMismatch},
		{name: "nok, timestamp changed", request: withSignature("acme", "t="+fmt.Sprint(now.Unix()+1)+",v1="+good, body), wantStatus: 401, wantReason: hmacsig.ErrMismatch},
		{name: "nok, timestamp with a leading zero", request: withSignature("acme", "t=0"+ts+",v1="+good, body), wantStatus: 401, wantReason: hmacsig.ErrMismatch},
		{name: "nok, signature of another sender", request: signed("globex", acme, body, now), wantStatus: 401, wantReason: hmacsig.ErrMismatch},
		{name: "nok, stale", request: signed("acme", acme, body, now.Add(-5*time.Minute-time.Second)), wantStatus: 401, wantReason: hmacsig.ErrTimestamp},
		{name: "nok, stale is invalid credentials", request: signed("acme", acme, body, now.Add(-time.Hour)), wantStatus: 401, wantReason: strategy.ErrInvalidCredentials},
		{name: "nok, from the future", request: signed("acme", acme, body, now.Add(6*time.Minute)), wantStatus: 401, wantReason: hmacsig.ErrTimestamp},
		{name: "nok, timestamp zero", request: withSignature("acme", "t=0,v1="+good, body), wantStatus: 401, wantReason: hmacsig.ErrTimestamp},
		{name: "nok, largest timestamp", request: withSignature("acme", "t=9223372036854775807,v1="+good, body), wantStatus: 401, wantReason: hmacsig.ErrTimestamp},
		{name: "nok, unknown sender", request: signed("initech", acme, body, now), wantStatus: 401, wantReason: strategy.ErrUserNotFound},
		{name: "nok, unknown sender is invalid credentials", request: signed("initech", acme, body, now), wantStatus: 401, wantReason: strategy.ErrInvalidCredentials},
		{name: "nok, disabled sender", request: signed("disabled", acme, body, now), wantStatus: 401, wantReason: strategy.ErrInvalidCredentials, wantMsg: "Invalid signature."},
		{name: "nok, unknown sender has the default message", request: signed("initech", acme, body, now), wantStatus: 401, wantReason: strategy.ErrUserNotFound, wantMsg: "Invalid signature."},
		{name: "nok, suspended sender has the app's message", request: signed(suspendedSender, acme, body, now), wantStatus: 401, wantReason: strategy.ErrInvalidCredentials, wantMsg: msgSuspended},

		{name: "nok, body over the limit", request: signed("acme", acme, strings.Repeat("x", 65), now), wantStatus: 413, wantReason: strategy.ErrMalformedCredentials},

		{name: "nok, two signature headers", request: signed("acme", acme, body, now).Header(hmacsig.DefaultSignatureHeader, "t="+ts+",v1="+good), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, no sender", request: post(body).Header(hmacsig.DefaultSignatureHeader, "t="+ts+",v1="+good), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, two senders", request: signed("acme", acme, body, now).Header(hmacsig.DefaultSenderHeader, "acme"), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, empty sender", request: withSignature("", "t="+ts+",v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, sender with a space", request: withSignature("ac me", "t="+ts+",v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, sender not ASCII", request: withSignature("acmé", "t="+ts+",v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, sender too long", request: withSignature(strings.Repeat("a", hmacsig.MaxSenderBytes+1), "t="+ts+",v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, no timestamp", request: withSignature("acme", "v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, two timestamps", request: withSignature("acme", "t="+ts+",t="+ts+",v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, negative timestamp", request: withSignature("acme", "t=-1,v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, timestamp with a plus sign", request: withSignature("acme", "t=+"+ts+",v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, timestamp in milliseconds", request: withSignature("acme", "t="+fmt.Sprint(now.UnixMilli())+",v1="+good, body), wantStatus: 401, wantReason: hmacsig.ErrTimestamp},
		{name: "nok, timestamp of 20 digits", request: withSignature("acme", "t=00000000001767323045,v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, timestamp past int64", request: withSignature("acme", "t=9223372036854775808,v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, timestamp as a date", request: withSignature("acme", "t=2026-01-02T03:04:05Z,v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, no signature", request: withSignature("acme", "t="+ts, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, signature not hex", request: withSignature("acme", "t="+ts+",v1="+strings.Repeat("zz", 32), body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, signature too short", request: withSignature("acme", "t="+ts+",v1="+good[:62], body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, signature in base64", request: withSignature("acme", "t="+ts+",v1=bk20FpvvnL0sBoqmaM9dSszTAM7UfLE6PUs/biHhJQU=", body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, too many signatures", request: withSignature("acme", "t="+ts+strings.Repeat(",v1="+good, hmacsig.MaxSignatures+1), body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, too many elements", request: withSignature("acme", "t="+ts+",v1="+good+strings.Repeat(",x=1", 15), body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, element without a value", request: withSignature("acme", "t="+ts+",v1="+good+",junk", body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, element without a key", request: withSignature("acme", "t="+ts+",=x,v1="+good, body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, header too long", request: withSignature("acme", "t="+ts+",v1="+good+",x="+strings.Repeat("a", hmacsig.MaxSignatureHeaderBytes), body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
		{name: "nok, Bearer token in the header", request: withSignature("acme", "Bearer abc", body), wantStatus: 400, wantReason: strategy.ErrMalformedCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := strategytest.Run(t, s, tt.request.Context(t.Context()).Build())
			if tt.wantUser != "" {
				o.SuccessWith(t, tt.wantUser)
				return
			}
			res := o.FailWithChallenge(t, tt.wantStatus, challenge, strategytest.WantReason(tt.wantReason))
			if res.Info.Message == "" {
				t.Error("got an empty message; want one for the sender")
			}
			if tt.wantMsg != "" && res.Info.Message != tt.wantMsg {
				t.Errorf("got message %q; want %q", res.Info.Message, tt.wantMsg)
			}
		})
	}
}

// TestAuthenticateMissingLeavesTheStatusUnset checks the Passport
// convention: the fail that only asks for a signature leaves Status at 0
// (read as 401), so that on a route with several strategies an explicit
// status of another strategy (a 400 for its malformed credentials) wins;
// a signature that was read and refused says 401 itself.
func TestAuthenticateMissingLeavesTheStatusUnset(t *testing.T) {
	acme := newSecret(t)
	s := newStrategy(t, senders{"acme": acme}, hmacsig.Config[string]{})
	tests := []struct {
		name    string
		request *strategytest.RequestBuilder
		want    int
	}{
		{"nok, missing", post("{}"), 0},
		{"nok, wrong signature", signed("acme", newSecret(t), "{}", now), 401},
		{"nok, malformed", withSignature("acme", "t=x", "{}"), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Authenticate(tt.request.Build())
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.want {
				t.Errorf("got Status %d; want %d", res.Status, tt.want)
			}
		})
	}
}

func TestAuthenticateSuccessInfo(t *testing.T) {
	acme := newSecret(t)
	s := newStrategy(t, senders{"acme": acme}, hmacsig.Config[string]{})
	signedAt := now.Add(-time.Minute)
	res := strategytest.Run(t, s, signed("acme", acme, "{}", signedAt).Build()).SuccessWith(t, "sender:acme")
	if got, _ := res.Info.Extra[hmacsig.ExtraSender].(string); got != "acme" {
		t.Errorf("got Extra[%q] %q; want %q", hmacsig.ExtraSender, got, "acme")
	}
	if got, _ := res.Info.Extra[hmacsig.ExtraSignedAt].(time.Time); !got.Equal(signedAt) {
		t.Errorf("got Extra[%q] %v; want %v", hmacsig.ExtraSignedAt, got, signedAt)
	}
}

// TestAuthenticateBodyReadableAgain checks that the handler, or the next
// strategy of the route, reads the whole body after the strategy, whatever
// the outcome.
func TestAuthenticateBodyReadableAgain(t *testing.T) {
	acme := newSecret(t)
	s := newStrategy(t, senders{"acme": acme}, hmacsig.Config[string]{MaxBodyBytes: 16})
	small, large := `{"id":42}`, strings.Repeat("x", 40)
	tests := []struct {
		name          string
		request       *strategytest.RequestBuilder
		unknownLength bool // as a chunked upload: ContentLength -1
		body          string
		wantKind      strategy.Kind
	}{
		{name: "ok, success", request: signed("acme", acme, small, now), body: small, wantKind: strategy.KindSuccess},
		{name: "nok, wrong signature", request: signed("acme", newSecret(t), small, now), body: small, wantKind: strategy.KindFail},
		{name: "nok, body over the limit by its length", request: signed("acme", acme, large, now), body: large, wantKind: strategy.KindFail},
		{name: "nok, body over the limit once read", request: signed("acme", acme, large, now), unknownLength: true, body: large, wantKind: strategy.KindFail},
		{name: "nok, no signature", request: post(large), body: large, wantKind: strategy.KindFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.request.Build()
			if tt.unknownLength {
				r.ContentLength = -1
			}
			res, err := s.Authenticate(r)
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != tt.wantKind {
				t.Fatalf("got %s; want %s", res.Kind, tt.wantKind)
			}
			got, err := io.ReadAll(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.body {
				t.Errorf("got body %q; want %q", got, tt.body)
			}
			if err := r.Body.Close(); err != nil {
				t.Errorf("closing the body: %v", err)
			}
		})
	}
}

// TestAuthenticateAppBodyLimit checks that a limit the app set with
// http.MaxBytesReader, below the strategy's, is a 413 fail too.
func TestAuthenticateAppBodyLimit(t *testing.T) {
	acme := newSecret(t)
	s := newStrategy(t, senders{"acme": acme}, hmacsig.Config[string]{})
	body := strings.Repeat("x", 100)
	r := signed("acme", acme, body, now).Build()
	r.Body = http.MaxBytesReader(nil, r.Body, 10)
	r.ContentLength = -1
	strategytest.Run(t, s, r).FailWithChallenge(t, 413, challenge, strategytest.WantReason(strategy.ErrMalformedCredentials))
}

func TestAuthenticateLookup(t *testing.T) {
	acme := newSecret(t)
	errDB := errors.New("database down")
	tests := []struct {
		name      string
		lookup    hmacsig.LookupFunc[string]
		request   *strategytest.RequestBuilder
		wantErr   error // an error matching this, when not nil
		wantCalls int64
	}{
		{
			name:      "nok, lookup fault is an error",
			lookup:    func(context.Context, string) (string, []byte, error) { return "", nil, errDB },
			request:   signed("acme", acme, "{}", now),
			wantErr:   errDB,
			wantCalls: 1,
		},
		{
			name:      "nok, empty secret is an error",
			lookup:    func(context.Context, string) (string, []byte, error) { return "acme", []byte{}, nil },
			request:   signed("acme", nil, "{}", now),
			wantErr:   errors.New("hmacsig: lookup returned an empty secret"),
			wantCalls: 1,
		},
		{
			name:      "ok, the context reaches the lookup",
			request:   signed("acme", acme, "{}", now),
			wantCalls: 1,
		},
		{
			name:      "nok, no lookup for a stale signature",
			request:   signed("acme", acme, "{}", now.Add(-time.Hour)),
			wantCalls: 0,
		},
		{
			name:      "nok, no lookup for a malformed signature",
			request:   withSignature("acme", "t=1", "{}"),
			wantCalls: 0,
		},
	}
	type ctxKey struct{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			inner := tt.lookup
			if inner == nil {
				inner = senders{"acme": acme}.lookup
			}
			s := newStrategy(t, nil, hmacsig.Config[string]{Lookup: func(ctx context.Context, id string) (string, []byte, error) {
				calls.Add(1)
				if got, _ := ctx.Value(ctxKey{}).(string); got != "request" {
					t.Errorf("got context value %q; want %q", got, "request")
				}
				return inner(ctx, id)
			}})
			ctx := context.WithValue(t.Context(), ctxKey{}, "request")
			o := strategytest.Run(t, s, tt.request.Context(ctx).Build())
			switch {
			case tt.wantErr != nil:
				err := o.Error(t)
				if !errors.Is(err, tt.wantErr) && err.Error() != tt.wantErr.Error() {
					t.Errorf("got error %q; want %q", err, tt.wantErr)
				}
			case tt.wantCalls == 1:
				o.SuccessWith(t, "sender:acme")
			default:
				o.Fail(t, o.Result.FailStatus())
			}
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("got %d lookups; want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestConformance(t *testing.T) {
	acme, other := newSecret(t), newSecret(t)
	dir := senders{"acme": acme, "disabled": nil}
	newS := func(t testing.TB) strategy.Strategy[string] { return newStrategy(t, dir, hmacsig.Config[string]{}) }
	const body = `{"id":42}`
	big := strings.Repeat("x", hmacsig.DefaultMaxBodyBytes)
	strategytest.Conformance(t, newS, strategytest.ConformanceCases{
		Good: []strategytest.Case{
			{Name: "signed JSON", Request: signed("acme", acme, body, now)},
			{Name: "signed empty body", Request: signed("acme", acme, "", now)},
			{Name: "signed 1 MiB body", Request: signed("acme", acme, big, now)},
		},
		Bad: []strategytest.Case{
			{Name: "no signature", Request: post(body)},
			{Name: "wrong secret", Request: signed("acme", other, body, now)},
			{Name: "tampered body", Request: signed("acme", acme, body, now).Body("application/json", []byte(`{"id":43}`))},
			{Name: "stale", Request: signed("acme", acme, body, now.Add(-time.Hour))},
			{Name: "unknown sender", Request: signed("initech", acme, body, now)},
			{Name: "disabled sender", Request: signed("disabled", acme, body, now)},
			{Name: "malformed signature", Request: withSignature("acme", "t=now,v1=abc", body)},
			{Name: "body over the limit", Request: signed("acme", acme, big+"x", now)},
		},
		Hostile: []strategytest.Case{
			{Name: "1 MiB signature header", Request: withSignature("acme", "t=1,v1="+strings.Repeat("0", 1<<20), body)},
			{Name: "1 MiB sender header", Request: withSignature(strings.Repeat("a", 1<<20), hmacsig.Sign(acme, []byte(body), now), body)},
			{Name: "signature of commas", Request: withSignature("acme", strings.Repeat(",", 1000), body)},
			{Name: "signature of NULs and invalid UTF-8", Request: withSignature("acme", "t=\x00,v1=\xff\xfe", body)},
			{Name: "sender with CRLF", Request: withSignature("acme\r\nX: y", hmacsig.Sign(acme, []byte(body), now), body)},
			{Name: "100 signature headers", Request: repeatHeader(signed("acme", acme, body, now), hmacsig.DefaultSignatureHeader, 100)},
		},
		Goroutines: 4,
	})
}

// repeatHeader adds n more copies of b's first value of key.
func repeatHeader(b *strategytest.RequestBuilder, key string, n int) *strategytest.RequestBuilder {
	v := b.Build().Header.Get(key)
	for range n {
		b.Header(key, v)
	}
	return b
}
