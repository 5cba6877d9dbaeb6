package jwt_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// TestTokenAlphabet puts every byte value that is not base64url into each
// segment of a valid token: the token is always refused as malformed,
// whether the strategy's shape check or golang-jwt's decoder catches it
// (CR and LF, which Go's base64 decoders skip, included).
func TestTokenAlphabet(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	k := newTestKeys(t)
	s := mustNew(t, jwt.Config[string, *jwt.Claims]{
		Algorithms: []string{"HS256"},
		Keys:       []jwt.Key{{Key: k.secret}},
		Issuer:     testIssuer,
		Audience:   []string{testAudience},
		Now:        func() time.Time { return testNow },
		Verify:     func(_ context.Context, c *jwt.Claims) (string, error) { return c.Subject, nil },
	})
	good := sign(t, jwtlib.SigningMethodHS256, k.secret, nil, goodClaims())
	if res, err := s.Authenticate(bearerRequest(good)); err != nil || res.Kind != strategy.KindSuccess {
		t.Fatalf("the valid token: got %q %v; want success", res.Kind, err)
	}
	parts := strings.Split(good, ".")
	for c := range 256 {
		b := string([]byte{byte(c)})
		if strings.Contains(alphabet, b) || b == " " { // a space is a malformed request (400), see TestBearer
			continue
		}
		for seg := range parts {
			for _, at := range []int{0, len(parts[seg]) / 2, len(parts[seg])} {
				p := append([]string(nil), parts...)
				p[seg] = p[seg][:at] + b + p[seg][at:]
				tok := strings.Join(p, ".")
				res, err := s.Authenticate(bearerRequest(tok))
				if err != nil || res.Kind != strategy.KindFail || res.FailStatus() != http.StatusUnauthorized ||
					!errors.Is(res.Reason, strategy.ErrMalformedCredentials) ||
					res.Challenge != `Bearer realm="api", error="invalid_token", error_description="malformed token"` {
					t.Errorf("byte %#02x in segment %d at %d: got %q %d %q %v", c, seg, at, res.Kind, res.FailStatus(), res.Challenge, err)
				}
			}
		}
	}
}

// TestNonCanonicalBase64 changes the unused trailing bits of the HS256
// signature (43 characters for 32 bytes leave 2 bits over): a lenient
// decoder reads the same signature, so the token would verify under a
// second spelling. It is refused.
func TestNonCanonicalBase64(t *testing.T) {
	k := newTestKeys(t)
	s := mustNew(t, jwt.Config[string, *jwt.Claims]{
		Algorithms: []string{"HS256"},
		Keys:       []jwt.Key{{Key: k.secret}},
		Issuer:     testIssuer,
		Audience:   []string{testAudience},
		Now:        func() time.Time { return testNow },
		Verify:     func(_ context.Context, c *jwt.Claims) (string, error) { return c.Subject, nil },
	})
	good := sign(t, jwtlib.SigningMethodHS256, k.secret, nil, goodClaims())
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, good[len(good)-1])
	if last < 0 || last&3 != 0 {
		t.Fatalf("last character %q: want one with its two low bits clear", good[len(good)-1])
	}
	for extra := 1; extra <= 3; extra++ {
		tok := good[:len(good)-1] + string(alphabet[last|extra])
		res, err := s.Authenticate(bearerRequest(tok))
		wantInvalid(t, res, err, "malformed token")
	}
}
