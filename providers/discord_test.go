package providers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/oauth"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestDiscordExchangeUsesTheClient checks the wrapper's reason to be:
// goth's discord session exchanges the code with http.DefaultClient.
func TestDiscordExchangeUsesTheClient(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("code") != "the-code" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt"}`))
	}))
	defer srv.Close()
	var viaClient atomic.Int32
	client := &http.Client{Timeout: time.Second, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		viaClient.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	p := newDiscord("id", "secret", "https://app.example/auth/discord/callback", discordAuthURL, srv.URL, []string{"identify"})
	if !oauth.SetProviderHTTPClient(p, client) {
		t.Fatal("the wrapper exposes no HTTPClient field")
	}

	s, err := p.BeginAuth("state-1")
	if err != nil {
		t.Fatal(err)
	}
	authURL, err := s.GetAuthURL()
	if err != nil || !strings.HasPrefix(authURL, discordAuthURL) || !strings.Contains(authURL, "state=state-1") {
		t.Fatalf("auth URL %q, %v", authURL, err)
	}
	again, err := p.UnmarshalSession(s.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := again.Authorize(p, url.Values{"code": {"the-code"}})
	if err != nil || tok != "at" {
		t.Fatalf("Authorize: got %q, %v; want at", tok, err)
	}
	if calls.Load() != 1 || viaClient.Load() != 1 {
		t.Errorf("token requests: %d, through the client: %d; want 1 and 1", calls.Load(), viaClient.Load())
	}
	if !strings.Contains(again.Marshal(), `"RefreshToken":"rt"`) {
		t.Errorf("session after Authorize: %s", again.Marshal())
	}
	if _, err := again.Authorize(p, url.Values{"code": {"wrong"}}); err == nil {
		t.Error("Authorize with a wrong code: got no error")
	}
	// FetchUser unwraps the session for goth (no token: goth refuses
	// without a request).
	empty, _ := p.UnmarshalSession(`{}`)
	if _, err := p.FetchUser(empty); err == nil || !strings.Contains(err.Error(), "accessToken") {
		t.Errorf("FetchUser without a token: got %v", err)
	}
	if _, err := p.UnmarshalSession(`not json`); err == nil {
		t.Error("UnmarshalSession of garbage: got no error")
	}
}
