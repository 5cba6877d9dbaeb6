package oauth

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/markbates/goth"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// callback completes a sign-in. The order matters: the handshake is taken
// out of the session and the session saved before any check, so that
// whatever happens next a second callback finds nothing and never reaches
// the token endpoint.
func (s *Strategy[U]) callback(r *http.Request, sess *session.Session) (strategy.Result[U], error) {
	params, perr := callbackParams(r)
	raw, _ := sess.Get(s.key)
	if raw == "" {
		return s.fail(fmt.Errorf("%w (%w)", ErrNoHandshake, strategy.ErrMissingCredentials)), nil
	}
	// Consumed: an empty value rather than no key, so that consuming never
	// leaves the session empty (a store deletes an empty session, and what
	// the request adds afterwards, such as a flash message, would be lost).
	// A login drops it; the next begin replaces it.
	sess.Set(s.key, "")
	if err := sess.Save(); err != nil {
		return strategy.Result[U]{}, fmt.Errorf("oauth: %s: consuming the handshake: %w", s.name, err)
	}
	if perr != nil {
		return s.fail(fmt.Errorf("%w (%w)", perr, strategy.ErrMalformedCredentials)), nil
	}
	hs, err := decodeHandshake(raw)
	if err != nil {
		return s.fail(fmt.Errorf("%w: %w (%w)", ErrNoHandshake, err, strategy.ErrMissingCredentials)), nil
	}
	if hs.Provider != s.name {
		return s.fail(fmt.Errorf("%w (%w)", ErrProviderMismatch, strategy.ErrInvalidCredentials)), nil
	}
	if age := s.now().Sub(time.Unix(hs.Created, 0)); age > s.maxAge || age < -time.Minute {
		return s.fail(fmt.Errorf("%w (%w)", ErrExpired, strategy.ErrInvalidCredentials)), nil
	}
	state := params.Get("state")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(hs.State)) != 1 {
		return s.fail(fmt.Errorf("%w (%w)", ErrStateMismatch, strategy.ErrInvalidCredentials)), nil
	}
	if params.Has("error") {
		// error_description and error_uri are the provider's (or an
		// attacker's) words: never reflected, not even in the reason.
		return s.fail(fmt.Errorf("%w (%w)", ErrDenied, strategy.ErrInvalidCredentials)), nil
	}
	if params.Get("code") == "" {
		return s.fail(fmt.Errorf("%w: no code (%w)", ErrExchange, strategy.ErrMissingCredentials)), nil
	}
	ctx := r.Context()
	if err := ctx.Err(); err != nil {
		return s.fail(fmt.Errorf("%w: %w", ErrExchange, err)), nil
	}

	// The keys are discovered before the code is spent, so that a
	// provider whose discovery fails does not waste the user's consent.
	var verifier *oidc.IDTokenVerifier
	if s.oidc != nil {
		if verifier, err = s.oidc.verifier(ctx); err != nil {
			return s.failOutage(outage(err), fmt.Errorf("%w: %w: %s", ErrIDToken, ErrUnavailable, describe(err))), nil
		}
	}

	code := params.Get("code")
	secrets := []string{code, state, hs.Verifier, hs.Nonce}
	var gs goth.Session
	var toks tokens
	if s.oauth2 != nil {
		if toks, err = s.exchange(ctx, code, hs.Verifier); err != nil {
			return s.failOutage(outage(err), fmt.Errorf("%w: %s", ErrExchange, describe(err, secrets...))), nil
		}
		secrets = append(secrets, toks.AccessToken, toks.RefreshToken, toks.IDToken)
	} else {
		err = safely("goth UnmarshalSession", func() error {
			var err error
			gs, err = s.profile.UnmarshalSession(hs.Session)
			if err == nil && gs == nil {
				err = errors.New("nil session")
			}
			return err
		})
		if err != nil {
			return s.fail(fmt.Errorf("%w: %s (%w)", ErrNoHandshake, describe(err), strategy.ErrMissingCredentials)), nil
		}
		exchange := exchangeParams(params, hs.Verifier)
		err = safely("goth Session.Authorize", func() error {
			_, err := gs.Authorize(s.profile, exchange)
			return err
		})
		if err != nil {
			return s.failOutage(outage(err), fmt.Errorf("%w: %s", ErrExchange, describe(err, secrets...))), nil
		}
		if toks, err = sessionTokens(gs); err != nil {
			return s.failOutage(http.StatusBadGateway, fmt.Errorf("%w: %s", ErrExchange, describe(err, secrets...))), nil
		}
		secrets = append(secrets, toks.AccessToken, toks.RefreshToken, toks.IDToken)
	}

	var subject string
	if s.oidc != nil {
		tok, err := s.oidc.verify(ctx, verifier, toks, hs.Nonce)
		if err != nil {
			return s.fail(fmt.Errorf("%w: %s (%w)", ErrIDToken, describe(err, secrets...), strategy.ErrInvalidCredentials)), nil
		}
		subject = tok.Subject
	}
	if gs == nil {
		// goth fetches the profile from a session of its own type that
		// already holds the tokens.
		if gs, err = s.gothSession(s.oauth2.Endpoint.AuthURL, toks); err != nil {
			return strategy.Result[U]{}, fmt.Errorf("oauth: %s: handing the tokens to goth: %s", s.name, describe(err, secrets...))
		}
	}

	var user goth.User
	err = safely("goth FetchUser", func() error {
		var err error
		user, err = s.profile.FetchUser(gs)
		return err
	})
	if err != nil {
		// The provider's token was just issued: whatever fails now is the
		// provider's.
		status := http.StatusBadGateway
		if outage(err) == http.StatusServiceUnavailable {
			status = http.StatusServiceUnavailable
		}
		return s.failOutage(status, fmt.Errorf("%w: %s", ErrProfile, describe(err, secrets...))), nil
	}
	if subject != "" {
		// For OpenID Connect the identity is the verified token's sub,
		// whatever claims goth was told to read.
		user.UserID = subject
	}
	if user.UserID == "" {
		return s.failOutage(http.StatusBadGateway, fmt.Errorf("%w: the profile names no subject", ErrProfile)), nil
	}
	user.Provider = s.identity

	u, err := s.verify(ctx, user)
	switch {
	case err == nil:
		if hs.ReturnTo != "" {
			sess.Set(s.returnKey, hs.ReturnTo)
		}
		extra := map[string]any{"provider": user.Provider, "subject": user.UserID}
		if s.endSession != "" && subject != "" {
			// Verified above: the logout's id_token_hint.
			extra[InfoIDToken] = toks.IDToken
		}
		return strategy.Success(u, strategy.Info{Extra: extra}), nil
	case errors.Is(err, strategy.ErrUserNotFound), errors.Is(err, strategy.ErrInvalidCredentials):
		res := s.fail(fmt.Errorf("oauth: %s: verify refused the user: %w", s.name, err))
		if msg, ok := strategy.UserMessage(err); ok {
			// The app's own words (strategy.WithUserMessage), never
			// the provider's: only Verify's error is read.
			res.Info.Message = msg
		}
		return res, nil
	default:
		return strategy.Result[U]{}, fmt.Errorf("oauth: %s: verify: %w", s.name, err)
	}
}

// exchangeParams are the parameters handed to goth's Session.Authorize:
// the callback's, without those that would let the client steer the
// exchange (goth's openidConnect session honours a redirect_uri and a
// code_verifier parameter), plus the flow's own PKCE verifier.
func exchangeParams(params url.Values, verifier string) url.Values {
	out := make(url.Values, len(params)+1)
	for k, v := range params {
		switch k {
		case "redirect_uri", "code_verifier":
			continue
		}
		out[k] = v
	}
	if verifier != "" {
		out.Set("code_verifier", verifier)
	}
	return out
}
