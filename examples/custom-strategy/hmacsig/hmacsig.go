package hmacsig

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gopassport/passport/strategy"
)

// Defaults of [Config].
const (
	// DefaultSignatureHeader is the header that carries the signature.
	DefaultSignatureHeader = "X-Signature"
	// DefaultSenderHeader is the header that names the sender.
	DefaultSenderHeader = "X-Sender"
	// DefaultRealm is the realm of the challenge.
	DefaultRealm = "webhooks"
	// DefaultTolerance is how far a signature's timestamp may be from the
	// receiver's clock, either way.
	DefaultTolerance = 5 * time.Minute
	// DefaultMaxBodyBytes is the largest body read and checked: 1 MiB.
	DefaultMaxBodyBytes = 1 << 20
)

// MaxSenderBytes is the longest sender ID accepted.
const MaxSenderBytes = 128

// ChallengeScheme is the auth-scheme of the challenge that every fail
// carries, such as `HMAC-SHA256 realm="webhooks"`.
const ChallengeScheme = "HMAC-SHA256"

// Keys of [strategy.Info.Extra] on a success.
const (
	// ExtraSender holds the sender ID, a string.
	ExtraSender = "sender"
	// ExtraSignedAt holds the signature's timestamp, a time.Time.
	ExtraSignedAt = "signed_at"
)

// Reasons of the fails for a signature that was read but refused. Both
// also match [strategy.ErrInvalidCredentials].
var (
	// ErrTimestamp: the signature's timestamp is further from now than
	// [Config.Tolerance]: a replayed or delayed message, or a skewed clock.
	ErrTimestamp = errors.New("hmacsig: timestamp outside the tolerance")
	// ErrMismatch: no signature of the header matches the body.
	ErrMismatch = errors.New("hmacsig: signature does not match")
)

// Messages of the fails, meant for the sender (Info.Message).
const (
	msgMissing   = "Signature required."
	msgMalformed = "Malformed signature."
	msgTooLarge  = "Request body too large."
	msgInvalid   = "Invalid signature."
	msgExpired   = "Signature expired."
)

// LookupFunc returns the sender whose ID is id and the secret it signs
// with. For an unknown ID it returns an error wrapping
// [strategy.ErrUserNotFound], and for a sender that may not post (a
// disabled one) an error wrapping [strategy.ErrInvalidCredentials]: both
// are a 401 fail, with the message "Invalid signature." or, when the error
// carries one ([strategy.WithUserMessage]), the app's ("This sender is
// disabled."). Any other error is a fault (a 500). An empty secret is a
// fault too: it would let anyone sign.
//
// ctx is the request's context. id is 1 to [MaxSenderBytes] visible ASCII
// characters, as the client sent it. A LookupFunc is called concurrently.
type LookupFunc[U any] func(ctx context.Context, id string) (sender U, secret []byte, err error)

// Config configures a [Strategy]. Only Lookup is required.
type Config[U any] struct {
	// Lookup finds a sender and its secret by the ID of the sender
	// header. Required.
	Lookup LookupFunc[U]
	// SignatureHeader is the header that carries the signature. Optional.
	// Default [DefaultSignatureHeader].
	SignatureHeader string
	// SenderHeader is the header that names the sender. Optional. Default
	// [DefaultSenderHeader]. It must differ from SignatureHeader.
	SenderHeader string
	// Realm names the protection space in the challenge. It must not
	// contain control characters. Optional. Default [DefaultRealm].
	Realm string
	// Tolerance is how far a signature's timestamp may be from now, in the
	// past or the future; a message outside it is refused, which bounds how
	// long a captured request can be replayed. Within it a replay still
	// passes: make the handler idempotent (deduplicate by event ID).
	// Optional. Default [DefaultTolerance].
	Tolerance time.Duration
	// MaxBodyBytes is the largest body the strategy reads to check the
	// signature; a larger one is a 413 fail. Optional. Default
	// [DefaultMaxBodyBytes].
	MaxBodyBytes int64
	// Now is the clock. Optional, for tests. Default [time.Now].
	Now func() time.Time
}

// Strategy authenticates requests signed as webhook senders sign them: the
// sender posts a body with two headers,
//
//	X-Sender: acme
//	X-Signature: t=1767323045,v1=6e4db4169bfe9cbd2c068aa668cf5d4accd300ced47cb13a3d4b3f6e21e12505
//
// where v1 is the hex HMAC-SHA256, under the sender's secret, of the
// timestamp, a dot and the body ([Sign] computes it; this one signs the body
// {"id":42} at 2026-01-02 03:04:05 UTC with the secret "example secret").
// The outcomes are:
//
//   - no signature header, or an empty one: a fail with status 0 (401)
//     and [strategy.ErrMissingCredentials];
//   - a repeated or malformed signature header, a missing, repeated or
//     malformed sender header, a body that cannot be read: a 400 fail with
//     [strategy.ErrMalformedCredentials];
//   - a body over MaxBodyBytes: a 413 fail with
//     [strategy.ErrMalformedCredentials];
//   - a timestamp outside the tolerance: a 401 fail with [ErrTimestamp];
//     an unknown sender: a 401 fail with [strategy.ErrUserNotFound]; a
//     signature that does not match: a 401 fail with [ErrMismatch]; all
//     three also match [strategy.ErrInvalidCredentials];
//   - a matching signature: a success with the sender, and the sender ID
//     and timestamp in Info.Extra ([ExtraSender], [ExtraSignedAt]);
//   - an error when Lookup fails, or returns an empty secret.
//
// Every fail carries the challenge `HMAC-SHA256 realm="<Realm>"`.
// Signatures are compared in constant time. The body is read at most once
// and put back in r.Body, so the handler reads it whole.
//
// A Strategy is safe for concurrent use.
type Strategy[U any] struct {
	lookup       LookupFunc[U]
	sigHeader    string
	senderHeader string
	challenge    string
	tolerance    time.Duration
	maxBody      int64
	now          func() time.Time
}

var (
	_ strategy.Strategy[string] = (*Strategy[string])(nil)
	_ strategy.Namer            = (*Strategy[string])(nil)
)

// New returns a Strategy for cfg, with the defaults filled in. It reports
// an error when Lookup is missing, a header name is not a valid token or
// both are the same, Realm holds a control character, or a limit is
// negative.
func New[U any](cfg Config[U]) (*Strategy[U], error) {
	if cfg.Lookup == nil {
		return nil, errors.New("hmacsig: Config.Lookup is required")
	}
	if cfg.Tolerance < 0 || cfg.MaxBodyBytes < 0 {
		return nil, errors.New("hmacsig: Config.Tolerance and Config.MaxBodyBytes must not be negative")
	}
	s := &Strategy[U]{
		lookup:       cfg.Lookup,
		sigHeader:    orDefault(cfg.SignatureHeader, DefaultSignatureHeader),
		senderHeader: orDefault(cfg.SenderHeader, DefaultSenderHeader),
		tolerance:    orDefault(cfg.Tolerance, DefaultTolerance),
		maxBody:      orDefault(cfg.MaxBodyBytes, DefaultMaxBodyBytes),
		now:          cfg.Now,
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, h := range []string{s.sigHeader, s.senderHeader} {
		if !isToken(h) {
			return nil, fmt.Errorf("hmacsig: header name %q is not a valid token", h)
		}
	}
	if http.CanonicalHeaderKey(s.sigHeader) == http.CanonicalHeaderKey(s.senderHeader) {
		return nil, fmt.Errorf("hmacsig: SignatureHeader and SenderHeader are both %q", s.sigHeader)
	}
	realm := orDefault(cfg.Realm, DefaultRealm)
	if strings.ContainsFunc(realm, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return nil, fmt.Errorf("hmacsig: Config.Realm %q contains a control character", realm)
	}
	s.challenge = ChallengeScheme + " realm=" + quote(realm)
	return s, nil
}

// orDefault returns v, or def when v is the zero value.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// isToken reports whether s is an RFC 9110 token, as header names are.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// quote makes s an RFC 9110 quoted-string.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Name returns "hmacsig", the name the strategy is usually registered
// under.
func (s *Strategy[U]) Name() string { return "hmacsig" }

// Challenge returns the WWW-Authenticate value that every fail carries.
func (s *Strategy[U]) Challenge() string { return s.challenge }

// Authenticate checks the signature of r. See [Strategy] for the outcomes.
// It returns an error only when Lookup reported a fault or an empty secret.
func (s *Strategy[U]) Authenticate(r *http.Request) (strategy.Result[U], error) {
	sigs := r.Header.Values(s.sigHeader)
	switch {
	case len(sigs) == 0 || (len(sigs) == 1 && strings.TrimSpace(sigs[0]) == ""):
		return s.fail(0, msgMissing, fmt.Errorf("hmacsig: no %s header: %w", s.sigHeader, strategy.ErrMissingCredentials)), nil
	case len(sigs) > 1:
		return s.fail(http.StatusBadRequest, msgMalformed, malformed("repeated signature header")), nil
	}
	sig, err := parseSignature(sigs[0])
	if err != nil {
		return s.fail(http.StatusBadRequest, msgMalformed, err), nil
	}
	senders := r.Header.Values(s.senderHeader)
	if len(senders) != 1 || !validSender(senders[0]) {
		return s.fail(http.StatusBadRequest, msgMalformed, malformed("missing, repeated or malformed sender")), nil
	}
	id := senders[0]

	// The timestamp is checked first: it costs nothing, and an old message
	// needs neither a lookup nor reading its body. It is signed, so a
	// sender cannot make an old message look new.
	if d := s.now().Sub(sig.at); d > s.tolerance || d < -s.tolerance {
		return s.fail(http.StatusUnauthorized, msgExpired, invalid(ErrTimestamp)), nil
	}

	sender, secret, err := s.lookup(r.Context(), id)
	switch {
	case errors.Is(err, strategy.ErrUserNotFound), errors.Is(err, strategy.ErrInvalidCredentials):
		return s.fail(http.StatusUnauthorized, userMessage(err, msgInvalid), invalid(err)), nil
	case err != nil:
		return strategy.Result[U]{}, fmt.Errorf("hmacsig: lookup: %w", err)
	case len(secret) == 0:
		return strategy.Result[U]{}, errors.New("hmacsig: lookup returned an empty secret")
	}

	body, err := readBody(r, s.maxBody)
	if errors.Is(err, errBodyTooLarge) {
		return s.fail(http.StatusRequestEntityTooLarge, msgTooLarge, err), nil
	}
	if err != nil {
		return s.fail(http.StatusBadRequest, msgMalformed, err), nil
	}

	want := mac(secret, sig.t, body)
	match := false
	for _, got := range sig.macs {
		// No early exit: every signature of the header is compared.
		if hmac.Equal(want, got) {
			match = true
		}
	}
	if !match {
		return s.fail(http.StatusUnauthorized, msgInvalid, invalid(ErrMismatch)), nil
	}
	return strategy.Success(sender, strategy.Info{Extra: map[string]any{ExtraSender: id, ExtraSignedAt: sig.at}}), nil
}

// fail is a fail with the challenge.
func (s *Strategy[U]) fail(status int, msg string, reason error) strategy.Result[U] {
	return strategy.Fail[U](s.challenge, status, msg).WithReason(reason)
}

// userMessage is the message of a fail caused by the app's callback
// refusing with err: the one err carries ([strategy.WithUserMessage]),
// else def.
func userMessage(err error, def string) string {
	if msg, ok := strategy.UserMessage(err); ok {
		return msg
	}
	return def
}

// invalid wraps err with strategy.ErrInvalidCredentials.
func invalid(err error) error {
	return fmt.Errorf("hmacsig: %w: %w", strategy.ErrInvalidCredentials, err)
}
