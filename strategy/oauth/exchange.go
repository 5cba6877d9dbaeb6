package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/markbates/goth"
	"golang.org/x/oauth2"
)

// reservedAuthParams are the authorization request parameters a strategy
// sets itself, per flow; Config.AuthParams may not name them.
var reservedAuthParams = [...]string{
	"state", "code_challenge", "code_challenge_method", "nonce",
	"client_id", "redirect_uri", "response_type", "scope",
}

// copyOAuth2 returns a deep copy of c with the token endpoint's client
// authentication fixed: x/oauth2's AuthStyleAutoDetect tries a failed
// exchange a second time with the credentials in the body, so a stalled or
// failing token endpoint would be asked twice; a strategy asks once, with
// HTTP Basic unless c names another style.
func copyOAuth2(c *oauth2.Config) (*oauth2.Config, error) {
	if c.ClientID == "" || c.Endpoint.AuthURL == "" || c.Endpoint.TokenURL == "" || c.RedirectURL == "" {
		return nil, fmt.Errorf("%w: OAuth2 needs a ClientID, an Endpoint's AuthURL and TokenURL, and a RedirectURL", ErrInvalidConfig)
	}
	for _, raw := range [...]string{c.Endpoint.AuthURL, c.Endpoint.TokenURL, c.RedirectURL} {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("%w: OAuth2 URL %q is not an absolute http(s) URL", ErrInvalidConfig, raw)
		}
	}
	cp := *c
	cp.Scopes = append([]string(nil), c.Scopes...)
	if cp.Endpoint.AuthStyle == oauth2.AuthStyleAutoDetect {
		cp.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	}
	return &cp, nil
}

// checkAuthParams copies params, refusing the names a strategy sets itself.
func checkAuthParams(params url.Values) (url.Values, error) {
	out := make(url.Values, len(params))
	for k, vs := range params {
		for _, r := range reservedAuthParams {
			if strings.EqualFold(k, r) {
				return nil, fmt.Errorf("%w: AuthParams may not set %q: the strategy sets it", ErrInvalidConfig, k)
			}
		}
		out[k] = append([]string(nil), vs...)
	}
	return out, nil
}

// authCodeURL is the authorization request of one flow, built with
// x/oauth2: the app's extra parameters first, then the per-flow state,
// PKCE challenge and nonce, which nothing can replace.
func (s *Strategy[U]) authCodeURL(hs handshake) string {
	opts := make([]oauth2.AuthCodeOption, 0, len(s.authParams)+2)
	for k, vs := range s.authParams {
		if len(vs) > 0 {
			opts = append(opts, oauth2.SetAuthURLParam(k, vs[0]))
		}
	}
	if hs.Verifier != "" {
		opts = append(opts, oauth2.S256ChallengeOption(hs.Verifier))
	}
	if hs.Nonce != "" {
		opts = append(opts, oauth2.SetAuthURLParam("nonce", hs.Nonce))
	}
	return s.oauth2.AuthCodeURL(hs.State, opts...)
}

// exchange trades code for tokens at the token endpoint, once, with the
// strategy's client and the request's context: a cancelled request or a
// stalled endpoint stops here.
func (s *Strategy[U]) exchange(ctx context.Context, code, verifier string) (tokens, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, s.client)
	var opts []oauth2.AuthCodeOption
	if verifier != "" {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	tok, err := s.oauth2.Exchange(ctx, code, opts...)
	if err != nil {
		return tokens{}, err
	}
	t := tokens{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: tok.Expiry}
	if idt, ok := tok.Extra("id_token").(string); ok {
		t.IDToken = idt
	}
	return t, nil
}

// gothSession hands the tokens to goth as the provider's own session, by
// the field names goth's sessions use, so that FetchUser fetches the
// profile with them.
func (s *Strategy[U]) gothSession(authURL string, t tokens) (goth.Session, error) {
	raw, err := json.Marshal(struct {
		AuthURL      string
		AccessToken  string
		RefreshToken string    `json:",omitempty"`
		ExpiresAt    time.Time `json:",omitzero"`
		IDToken      string    `json:",omitempty"`
	}{authURL, t.AccessToken, t.RefreshToken, t.Expiry, t.IDToken})
	if err != nil {
		return nil, err
	}
	var gs goth.Session
	err = safely("goth UnmarshalSession", func() error {
		var err error
		gs, err = s.profile.UnmarshalSession(string(raw))
		if err == nil && gs == nil {
			err = errors.New("nil session")
		}
		return err
	})
	return gs, err
}

// outage tells a provider's outage from a refusal: a token endpoint that
// refuses the code (a 4xx with an OAuth error) is the sign-in's failure,
// one that answers 5xx, garbage or nothing is the provider's. It returns
// 503 for no answer in time (or no connection), 502 for a bad answer, and
// 0 when err is a refusal.
func outage(err error) int {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil && re.Response.StatusCode >= 500 {
			return http.StatusBadGateway
		}
		if re.Response != nil && re.Response.StatusCode == http.StatusTooManyRequests {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.As(err, &ne) && ne.Timeout():
		return http.StatusServiceUnavailable
	}
	var ue *url.Error
	var oe *net.OpError
	if errors.As(err, &ue) || errors.As(err, &oe) {
		return http.StatusServiceUnavailable
	}
	// A body that does not parse, a response without an access token.
	return http.StatusBadGateway
}

// describe is what a reason says about err: its text with the flow's
// secrets (code, state, tokens) cut out, for the audit log. The cause is
// not wrapped, so that nothing can print the original text (goth puts
// Google's access token in the profile URL a *url.Error repeats).
func describe(err error, secrets ...string) string {
	msg := err.Error()
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		// Never the body: it is the provider's, and may echo the request.
		msg = "token endpoint answered"
		if re.Response != nil {
			msg += " " + re.Response.Status
		}
		if re.ErrorCode != "" && len(re.ErrorCode) <= 64 && !strings.ContainsFunc(re.ErrorCode, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			msg += " error=" + re.ErrorCode
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// The URL may carry a token (goth's google profile request).
		what := "request failed"
		if ue.Timeout() {
			what = "request timed out"
		}
		msg = ue.Op + " " + what + ": " + redactURLs(ue.Err.Error())
	}
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	if len(msg) > maxDescription {
		// A provider's error text (a discovery document's body, a
		// profile API's message) is not ours to log at length.
		msg = strings.ToValidUTF8(msg[:maxDescription], "") + "…"
	}
	return msg
}

// maxDescription bounds what a reason says about a third party's error.
const maxDescription = 200

// redactURLs drops the query of any URL in msg.
func redactURLs(msg string) string {
	fields := strings.Fields(msg)
	for i, f := range fields {
		if strings.Contains(f, "://") {
			if j := strings.IndexByte(f, '?'); j >= 0 {
				fields[i] = f[:j] + "?[redacted]"
			}
		}
	}
	return strings.Join(fields, " ")
}
