package oauth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/openidConnect"
)

// OIDC configures the verification of OpenID Connect ID tokens. goth's
// openidConnect provider reads the ID token's claims without checking its
// signature or nonce; a strategy with an OIDC configuration verifies the
// token with github.com/coreos/go-oidc/v3 before the user is accepted, and
// sends a fresh nonce in every authorization request.
type OIDC struct {
	// Issuer is the provider's issuer URL, exactly as it appears in the
	// "iss" claim and the discovery document. Required.
	Issuer string
	// ClientID is the app's client ID: the ID token's audience must
	// contain it. Required.
	ClientID string
	// JWKSURL is where the provider publishes its signing keys. Optional.
	// Default: the jwks_uri of the discovery document at
	// Issuer + "/.well-known/openid-configuration", fetched at the first
	// callback and kept (a failed discovery is retried at the next one).
	JWKSURL string
	// SigningAlgorithms lists the JWS algorithms accepted for ID tokens,
	// such as "RS256" or "ES256". Optional. Default: the algorithms the
	// discovery document announces, or RS256 alone with JWKSURL. "none" is
	// never accepted.
	SigningAlgorithms []string
	// Now returns the current time for the expiry check. Optional, for
	// tests. Default time.Now.
	Now func() time.Time
}

// oidcFor returns the OIDC configuration that goth provider p implies:
// issuer and client ID of goth's openidConnect provider, nil for others.
func oidcFor(p goth.Provider) *OIDC {
	op, ok := p.(*openidConnect.Provider)
	if !ok || op == nil {
		return nil
	}
	cfg := &OIDC{ClientID: op.ClientKey}
	if op.OpenIDConfig != nil {
		cfg.Issuer = op.OpenIDConfig.Issuer
	}
	return cfg
}

// idTokenVerifier verifies ID tokens for one strategy, discovering the
// provider's keys lazily. It is safe for concurrent use.
type idTokenVerifier struct {
	cfg    OIDC
	client *http.Client

	mu sync.Mutex // guards v and serialises discoveries
	v  *oidc.IDTokenVerifier
}

func newIDTokenVerifier(cfg OIDC, client *http.Client) *idTokenVerifier {
	iv := &idTokenVerifier{cfg: cfg, client: client}
	if cfg.JWKSURL != "" {
		// The key set fetches keys in the background with this context's
		// client; go-oidc ignores its cancellation.
		keys := oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), client), cfg.JWKSURL)
		iv.v = oidc.NewVerifier(cfg.Issuer, keys, iv.config())
	}
	return iv
}

func (iv *idTokenVerifier) config() *oidc.Config {
	return &oidc.Config{ClientID: iv.cfg.ClientID, SupportedSigningAlgs: iv.cfg.SigningAlgorithms, Now: iv.cfg.Now}
}

// verifier returns the go-oidc verifier, running the discovery first if
// needed. ctx bounds the discovery request.
func (iv *idTokenVerifier) verifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	if iv.v != nil {
		return iv.v, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, iv.client), iv.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery at %s: %w", iv.cfg.Issuer, err)
	}
	iv.v = p.Verifier(iv.config())
	return iv.v, nil
}

// tokens are what a code exchange returned, by the names goth's sessions
// use.
type tokens struct {
	AccessToken  string
	RefreshToken string
	Expiry       time.Time `json:"ExpiresAt"`
	IDToken      string
}

// sessionTokens reads the tokens out of an authorized goth session.
func sessionTokens(gs goth.Session) (tokens, error) {
	var raw string
	if err := safely("goth Session.Marshal", func() error { raw = gs.Marshal(); return nil }); err != nil {
		return tokens{}, err
	}
	// The tokens only: the expiry's format is each session's own.
	var t struct{ AccessToken, RefreshToken, IDToken string }
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return tokens{}, fmt.Errorf("reading the tokens from the session: %w", err)
	}
	return tokens{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, IDToken: t.IDToken}, nil
}

// verify checks the ID token of a code exchange: signature against the
// provider's keys, issuer, audience, expiry, the authorized party when the
// audience has several values, the nonce sent at the begin (in constant
// time) and, when the token carries at_hash, the access token. It returns
// the verified token.
func (iv *idTokenVerifier) verify(ctx context.Context, v *oidc.IDTokenVerifier, t tokens, nonce string) (*oidc.IDToken, error) {
	if t.IDToken == "" {
		return nil, errors.New("the token response carried no id_token")
	}
	tok, err := v.Verify(ctx, t.IDToken)
	if err != nil {
		return nil, err
	}
	if err := iv.checkAuthorizedParty(tok); err != nil {
		return nil, err
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(nonce)) != 1 {
		return nil, errors.New("nonce mismatch")
	}
	if tok.Subject == "" {
		return nil, errors.New("no sub claim")
	}
	if tok.AccessTokenHash != "" {
		if err := tok.VerifyAccessToken(t.AccessToken); err != nil {
			return nil, err
		}
	}
	return tok, nil
}

// checkAuthorizedParty applies OpenID Connect Core 3.1.3.7 (points 4 and
// 5): when the ID token's audience has several values, its azp claim must
// be present and be our client ID; an azp, whenever present, must be ours.
// go-oidc checks only that the audience contains our client ID, which a
// token issued to another client of a shared audience also does.
func (iv *idTokenVerifier) checkAuthorizedParty(tok *oidc.IDToken) error {
	var c struct {
		AZP *string `json:"azp"`
	}
	if err := tok.Claims(&c); err != nil {
		return fmt.Errorf("reading the azp claim: %w", err)
	}
	switch {
	case c.AZP != nil && *c.AZP != iv.cfg.ClientID:
		return errors.New("azp is another client")
	case c.AZP == nil && len(tok.Audience) > 1:
		return errors.New("several audiences and no azp")
	}
	return nil
}
