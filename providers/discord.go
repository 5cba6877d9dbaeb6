package providers

import (
	"errors"
	"fmt"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/discord"
	"golang.org/x/oauth2"
)

// discordProvider is goth's Discord provider with a code exchange that
// uses the provider's HTTP client: goth's discord session exchanges the
// code with oauth2.NoContext, that is with http.DefaultClient, which has no
// timeout. Everything else is goth's.
type discordProvider struct {
	*discord.Provider
	config *oauth2.Config
}

func newDiscord(clientID, secret, callbackURL, authURL, tokenURL string, scopes []string) *discordProvider {
	return &discordProvider{
		Provider: discord.New(clientID, secret, callbackURL, scopes...),
		config: &oauth2.Config{
			ClientID:     clientID,
			ClientSecret: secret,
			RedirectURL:  callbackURL,
			Endpoint:     oauth2.Endpoint{AuthURL: authURL, TokenURL: tokenURL},
			Scopes:       scopes,
		},
	}
}

// BeginAuth is goth's, with the session wrapped.
func (p *discordProvider) BeginAuth(state string) (goth.Session, error) {
	s, err := p.Provider.BeginAuth(state)
	if err != nil {
		return nil, err
	}
	return p.wrap(s)
}

// UnmarshalSession is goth's, with the session wrapped.
func (p *discordProvider) UnmarshalSession(data string) (goth.Session, error) {
	s, err := p.Provider.UnmarshalSession(data)
	if err != nil {
		return nil, err
	}
	return p.wrap(s)
}

func (p *discordProvider) wrap(s goth.Session) (goth.Session, error) {
	ds, ok := s.(*discord.Session)
	if !ok || ds == nil {
		return nil, fmt.Errorf("providers: discord: unexpected session type %T", s)
	}
	return &discordSession{Session: ds, p: p}, nil
}

// FetchUser is goth's, on the unwrapped session.
func (p *discordProvider) FetchUser(s goth.Session) (goth.User, error) {
	if ds, ok := s.(*discordSession); ok {
		return p.Provider.FetchUser(ds.Session)
	}
	return p.Provider.FetchUser(s)
}

// discordSession is goth's Discord session with its own Authorize.
type discordSession struct {
	*discord.Session
	p *discordProvider
}

// Authorize exchanges the code with the provider's HTTP client.
func (s *discordSession) Authorize(_ goth.Provider, params goth.Params) (string, error) {
	tok, err := s.p.config.Exchange(goth.ContextForClient(s.p.Client()), params.Get("code"))
	if err != nil {
		return "", err
	}
	if !tok.Valid() {
		return "", errors.New("providers: discord: invalid token received")
	}
	s.AccessToken = tok.AccessToken
	s.RefreshToken = tok.RefreshToken
	s.ExpiresAt = tok.Expiry
	return tok.AccessToken, nil
}
