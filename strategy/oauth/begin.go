package oauth

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/markbates/goth"
	"golang.org/x/oauth2"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// begin starts a sign-in: it keeps a fresh handshake in the session, saves
// the session, and redirects to the provider. Nothing the request carries
// is used but the return-to parameter.
func (s *Strategy[U]) begin(r *http.Request, sess *session.Session) (strategy.Result[U], error) {
	hs := handshake{Version: handshakeVersion, Provider: s.name, Created: s.now().Unix()}
	var err error
	if hs.State, err = randomToken(); err != nil {
		return strategy.Result[U]{}, err
	}
	if s.pkce {
		hs.Verifier = oauth2.GenerateVerifier()
	}
	if s.oidc != nil {
		if hs.Nonce, err = randomToken(); err != nil {
			return strategy.Result[U]{}, err
		}
	}
	if s.returnParam != "" {
		if q, err := url.ParseQuery(r.URL.RawQuery); err == nil && len(q[s.returnParam]) == 1 && safeReturnTo(q.Get(s.returnParam)) {
			hs.ReturnTo = q.Get(s.returnParam)
		}
	}

	if s.oauth2 != nil {
		// Ours, with x/oauth2: goth is not asked to begin.
		return s.redirect(sess, hs, s.authCodeURL(hs))
	}

	var gs goth.Session
	var authURL string
	err = safely("goth BeginAuth", func() error {
		var err error
		if gs, err = s.profile.BeginAuth(hs.State); err != nil {
			return err
		}
		if gs == nil {
			return fmt.Errorf("nil session")
		}
		if authURL, err = gs.GetAuthURL(); err != nil {
			return err
		}
		hs.Session = gs.Marshal()
		return nil
	})
	if err != nil {
		// The provider could not start (an OAuth 1.0a request token, a
		// broken provider): the visitor may try again later.
		return s.fail(fmt.Errorf("oauth: %s: begin: %w", s.name, err)), nil
	}
	u, err := url.Parse(authURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return strategy.Result[U]{}, fmt.Errorf("oauth: %s: the provider's authorization URL %q is not absolute", s.name, authURL)
	}
	q := u.Query()
	// The state is ours whatever the provider put there; per-flow values
	// replace any provider-wide option of the same name.
	q.Set("state", hs.State)
	if s.pkce {
		q.Set("code_challenge", s256(hs.Verifier))
		q.Set("code_challenge_method", "S256")
	}
	if s.oidc != nil {
		q.Set("nonce", hs.Nonce)
	}
	u.RawQuery = q.Encode()
	return s.redirect(sess, hs, u.String())
}

// redirect keeps the handshake in the session, saves it, and sends the
// browser to authURL.
func (s *Strategy[U]) redirect(sess *session.Session, hs handshake, authURL string) (strategy.Result[U], error) {
	enc, err := hs.encode()
	if err != nil {
		return strategy.Result[U]{}, err
	}
	sess.Set(s.key, enc)
	// Saved before the redirect goes out: a store that cannot keep the
	// handshake (a cookie over 4 KiB) is a fault now, not a puzzling fail
	// at the callback.
	if err := sess.Save(); err != nil {
		return strategy.Result[U]{}, fmt.Errorf("oauth: %s: saving the handshake: %w", s.name, err)
	}
	return strategy.Redirect[U](authURL, 0), nil
}
