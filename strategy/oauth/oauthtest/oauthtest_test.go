package oauthtest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy/oauth/oauthtest"
)

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// code runs the fake's authorize endpoint and returns the code.
func code(t *testing.T, authorize string, q url.Values) string {
	t.Helper()
	resp, err := noRedirect.Get(authorize + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: got %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func exchange(t *testing.T, tokenURL string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(tokenURL, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func TestGitHubTokenEndpoint(t *testing.T) {
	gh := oauthtest.NewGitHub(t)
	cb := "https://app.example/cb"
	verifier := strings.Repeat("v", 43)
	authorize := gh.Server.URL + "/login/oauth/authorize"
	token := gh.Server.URL + "/login/oauth/access_token"
	base := url.Values{"client_id": {gh.ClientID}, "redirect_uri": {cb}, "state": {"s"}}

	c := code(t, authorize, base)
	form := url.Values{"client_id": {gh.ClientID}, "client_secret": {"wrong"}, "code": {c}}
	if status, _ := exchange(t, token, form); status != http.StatusUnauthorized {
		t.Errorf("wrong secret: got %d; want 401", status)
	}
	c = code(t, authorize, base)
	form.Set("client_secret", gh.ClientSecret)
	form.Set("code", c)
	if status, body := exchange(t, token, form); status != http.StatusOK || body["access_token"] == nil {
		t.Errorf("good code: got %d %v", status, body)
	}
	if status, _ := exchange(t, token, form); status != http.StatusBadRequest {
		t.Errorf("code used twice: got %d; want 400", status)
	}

	// PKCE: the S256 challenge is checked at the exchange.
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	for k, v := range base {
		q[k] = v
	}
	form.Set("code", code(t, authorize, q))
	form.Set("code_verifier", "wrong")
	if status, _ := exchange(t, token, form); status != http.StatusBadRequest {
		t.Errorf("wrong verifier: got %d; want 400", status)
	}
	form.Set("code", code(t, authorize, q))
	form.Set("code_verifier", verifier)
	if status, body := exchange(t, token, form); status != http.StatusOK {
		t.Errorf("right verifier: got %d %v", status, body)
	}
	if got := gh.TokenCalls(); got != 5 {
		t.Errorf("token calls: got %d; want 5", got)
	}
	if got := len(gh.AuthorizeRequests()); got != 4 {
		t.Errorf("authorization requests: got %d; want 4", got)
	}
}

func TestOIDCDiscovery(t *testing.T) {
	op := oauthtest.NewOIDC(t)
	resp, err := http.Get(op.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc["issuer"] != op.Issuer() || doc["jwks_uri"] != op.Issuer()+"/jwks" {
		t.Errorf("discovery: got %v", doc)
	}
}

// TestFaultLog records the 500s of the app it serves, and only them.
func TestFaultLog(t *testing.T) {
	log := oauthtest.RecordFaults(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fault":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/outage":
			w.WriteHeader(http.StatusBadGateway)
		default:
			_, _ = w.Write([]byte("ok"))
		}
	}))
	for _, p := range []string{"/ok", "/fault", "/outage", "/fault"} {
		rec := httptest.NewRecorder()
		log.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
	}
	if got, want := log.Faults(), []string{"GET /fault", "GET /fault"}; !slices.Equal(got, want) {
		t.Errorf("Faults() = %q; want %q", got, want)
	}
}
