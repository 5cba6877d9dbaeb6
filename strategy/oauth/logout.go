package oauth

import (
	"net/url"
)

// InfoIDToken is the key of Info.Extra under which a successful callback
// of a strategy with an end_session_endpoint (Config.EndSessionURL) leaves
// the verified ID token, for the RP-Initiated Logout's id_token_hint. It
// is passport's OAuthIDTokenInfo.
const InfoIDToken = "id_token"

// EndSessionURL returns where to send the browser to end the user's
// session at the provider too (OpenID Connect RP-Initiated Logout 1.0):
// the provider's end_session_endpoint with id_token_hint (the ID token of
// the sign-in, which tells the provider whose session to end), client_id,
// and post_logout_redirect_uri, the absolute URL the provider sends the
// browser back to (register it with the provider; empty leaves it out).
// It reports false when the provider publishes no end_session_endpoint.
//
// Without it, logging out of the app leaves the provider's session alive,
// and the next "Sign in with …" signs the same user straight back in.
func (s *Strategy[U]) EndSessionURL(idToken, postLogoutRedirectURI string) (string, bool) {
	if s.endSession == "" {
		return "", false
	}
	u, err := url.Parse(s.endSession)
	if err != nil {
		return "", false
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	if s.oidc != nil {
		q.Set("client_id", s.oidc.cfg.ClientID)
	}
	if postLogoutRedirectURI != "" {
		q.Set("post_logout_redirect_uri", postLogoutRedirectURI)
	}
	u.RawQuery = q.Encode()
	return u.String(), true
}
