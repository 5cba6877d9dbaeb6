package jwt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// endpointsFixture is an issuer, the strategy of its tokens and its
// endpoints, with a password check that accepts ada/secret (the form or
// JSON fields "user" and "password") and a log to read.
type endpointsFixture struct {
	iss    *jwt.Issuer
	bearer *jwt.Strategy[string, *jwt.Claims]
	ep     *jwt.Endpoints
	logs   *bytes.Buffer
}

// passwordCheck is the test's login strategy: ada/secret is "1", a wrong
// password a 401 fail without a challenge, "slow" a throttled 429 and
// "boom" a fault and "down" a store that is unavailable.
var passwordCheck = strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
	if err := r.ParseForm(); err != nil {
		return strategy.Fail[string]("", http.StatusBadRequest, strategy.MsgMissingCredentials), nil
	}
	switch user, pw := r.PostFormValue("user"), r.PostFormValue("password"); {
	case user == "" || pw == "":
		return strategy.Fail[string]("", http.StatusBadRequest, strategy.MsgMissingCredentials), nil
	case user == "slow":
		return strategy.Fail[string]("", http.StatusTooManyRequests, strategy.MsgTooManyAttempts).WithHeader("Retry-After", "30"), nil
	case user == "boom":
		return strategy.Result[string]{}, errors.New("database down at 10.0.0.7")
	case user == "down":
		return strategy.Result[string]{}, fmt.Errorf("redis at 10.0.0.7: %w", strategy.ErrUnavailable)
	case user == "ada" && pw == "secret":
		return strategy.Success("1", strategy.Info{Scope: []string{"read"}}), nil
	default:
		return strategy.Fail[string]("", 0, strategy.MsgIncorrectCredentials), nil
	}
})

func newEndpointsFixture(t *testing.T, owner bool) *endpointsFixture {
	t.Helper()
	k := newTestKeys(t)
	iss, bearer, _, _ := issuerAndStrategy(t, jwt.Key{ID: "k1", Key: k.ed})
	f := &endpointsFixture{iss: iss, bearer: bearer, logs: &bytes.Buffer{}}
	cfg := jwt.EndpointsConfig{
		Authenticate: jwt.CheckWith[string](passwordCheck, func(u string) string { return u }),
		Logger:       slog.New(slog.NewTextHandler(f.logs, nil)),
	}
	if owner {
		cfg.Owner = jwt.CheckWith[string](bearer, func(u string) string { return u })
	}
	ep, err := iss.Endpoints(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.ep = ep
	return f
}

// post sends body (JSON when it starts with "{", else a form) to h.
func post(h http.Handler, body string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
	switch {
	case strings.HasPrefix(body, "{"):
		r.Header.Set("Content-Type", "application/json")
	case body != "":
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// oauthError is an RFC 6749 section 5.2 error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// wantOAuthError checks the status, the no-store headers and the error
// code of an RFC 6749 error response.
func wantOAuthError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) oauthError {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status: got %d %s; want %d", rec.Code, rec.Body, status)
	}
	wantNoStore(t, rec)
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type: got %q; want application/json", got)
	}
	var body oauthError
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	if body.Error != code {
		t.Errorf("error: got %q; want %q (body %s)", body.Error, code, rec.Body)
	}
	return body
}

func wantNoStore(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q; want no-store", got)
	}
	if got := rec.Header().Get("Pragma"); got != "no-cache" {
		t.Errorf("Pragma: got %q; want no-cache", got)
	}
}

// wantPair checks a 200 token response and returns its pair.
func wantPair(t *testing.T, rec *httptest.ResponseRecorder) jwt.TokenPair {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("got %d %s; want 200", rec.Code, rec.Body)
	}
	wantNoStore(t, rec)
	var p jwt.TokenPair
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.AccessToken == "" || p.RefreshToken == "" || p.TokenType != "Bearer" {
		t.Fatalf("got pair %+v; want access and refresh tokens", p)
	}
	return p
}

func refreshJSON(tok string) string { return `{"refresh_token":"` + tok + `"}` }

func TestEndpointsToken(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		code       string
		header     string // a header the answer must carry, "Name: value"
	}{
		{name: "ok, form", body: "user=ada&password=secret", status: http.StatusOK},
		{name: "nok, wrong password is invalid_grant", body: "user=ada&password=wrong", status: http.StatusBadRequest, code: "invalid_grant"},
		{name: "nok, missing password is invalid_request", body: "user=ada", status: http.StatusBadRequest, code: "invalid_request"},
		{name: "nok, throttled keeps 429 and Retry-After", body: "user=slow&password=x", status: http.StatusTooManyRequests, code: "invalid_grant", header: "Retry-After: 30"},
		{name: "nok, a fault is a bare 500", body: "user=boom&password=x", status: http.StatusInternalServerError, code: "server_error"},
		{name: "nok, a store that is down is a 503", body: "user=down&password=x", status: http.StatusServiceUnavailable, code: "temporarily_unavailable", header: "Retry-After: 5"},
		{name: "nok, body over the limit", body: "user=ada&password=" + strings.Repeat("a", 5000), status: http.StatusBadRequest, code: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEndpointsFixture(t, false)
			rec := post(f.ep.Token(), tt.body)
			if tt.status == http.StatusOK {
				p := wantPair(t, rec)
				if res := authenticate(t, f.bearer, p.AccessToken); res.Kind != strategy.KindSuccess || res.User != "1" {
					t.Errorf("access token: got %+v; want user 1", res)
				}
				return
			}
			body := wantOAuthError(t, rec, tt.status, tt.code)
			if tt.header != "" {
				name, value, _ := strings.Cut(tt.header, ": ")
				if got := rec.Header().Get(name); got != value {
					t.Errorf("%s: got %q; want %q", name, got, value)
				}
			}
			if strings.Contains(rec.Body.String(), "10.0.0.7") {
				t.Errorf("the fault leaked: %s", rec.Body)
			}
			if tt.status == http.StatusInternalServerError {
				if body.Description != "" {
					t.Errorf("500 with a description %q", body.Description)
				}
				if !strings.Contains(f.logs.String(), "database down") {
					t.Errorf("fault not logged: %s", f.logs)
				}
			}
		})
	}
}

func TestEndpointsMethodAndMediaType(t *testing.T) {
	f := newEndpointsFixture(t, false)
	for name, h := range map[string]http.Handler{"token": f.ep.Token(), "refresh": f.ep.Refresh(), "revoke": f.ep.Revoke()} {
		t.Run(name+", GET is 405", func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			wantOAuthError(t, rec, http.StatusMethodNotAllowed, "invalid_request")
			if got := rec.Header().Get("Allow"); got != http.MethodPost {
				t.Errorf("Allow: got %q; want POST", got)
			}
		})
	}
	for name, h := range map[string]http.Handler{"refresh": f.ep.Refresh(), "revoke": f.ep.Revoke()} {
		t.Run(name+", text/plain is 415", func(t *testing.T) {
			wantOAuthError(t, post(h, "abc", "Content-Type", "text/plain"), http.StatusUnsupportedMediaType, "invalid_request")
		})
		t.Run(name+", no body is 415", func(t *testing.T) {
			wantOAuthError(t, post(h, ""), http.StatusUnsupportedMediaType, "invalid_request")
		})
	}
}

func TestEndpointsRefresh(t *testing.T) {
	f := newEndpointsFixture(t, false)
	live := wantPair(t, post(f.ep.Token(), "user=ada&password=secret"))
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"nok, unknown token", refreshJSON(strings.Repeat("A", 43)), http.StatusBadRequest, "invalid_grant"},
		{"nok, access token as refresh token", refreshJSON(live.AccessToken), http.StatusBadRequest, "invalid_grant"},
		{"nok, missing refresh_token", `{}`, http.StatusBadRequest, "invalid_request"},
		{"nok, refresh_token not a string", `{"refresh_token":42}`, http.StatusBadRequest, "invalid_request"},
		{"nok, two JSON values", refreshJSON(live.RefreshToken) + `{}`, http.StatusBadRequest, "invalid_request"},
		{"nok, broken JSON", `{"refresh_token":`, http.StatusBadRequest, "invalid_request"},
		{"nok, field twice in a form", "refresh_token=a&refresh_token=b", http.StatusBadRequest, "invalid_request"},
		{"nok, another grant_type", "grant_type=password&refresh_token=" + live.RefreshToken, http.StatusBadRequest, "unsupported_grant_type"},
		{"nok, JSON body over 4 KiB", refreshJSON(strings.Repeat("A", 5000)), http.StatusRequestEntityTooLarge, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := wantOAuthError(t, post(f.ep.Refresh(), tt.body), tt.status, tt.code)
			if body.Description == "" {
				t.Error("no error_description")
			}
		})
	}
	t.Run("ok, form with grant_type, rotates", func(t *testing.T) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {live.RefreshToken}}.Encode()
		next := wantPair(t, post(f.ep.Refresh(), form))
		if next.RefreshToken == live.RefreshToken {
			t.Error("refresh token not rotated")
		}
	})
}

// TestEndpointsRefreshReuse is reuse detection through the handlers: the
// rotated token presented again revokes the login, the token it was
// rotated to and the login's access tokens included, and is logged.
func TestEndpointsRefreshReuse(t *testing.T) {
	f := newEndpointsFixture(t, false)
	stolen := wantPair(t, post(f.ep.Token(), "user=ada&password=secret"))
	other := wantPair(t, post(f.ep.Token(), "user=ada&password=secret"))
	rotated := wantPair(t, post(f.ep.Refresh(), refreshJSON(stolen.RefreshToken)))

	wantOAuthError(t, post(f.ep.Refresh(), refreshJSON(stolen.RefreshToken)), http.StatusBadRequest, "invalid_grant")
	if !strings.Contains(f.logs.String(), "refresh token reused") {
		t.Errorf("reuse not logged: %s", f.logs)
	}
	wantOAuthError(t, post(f.ep.Refresh(), refreshJSON(rotated.RefreshToken)), http.StatusBadRequest, "invalid_grant")
	for name, tok := range map[string]string{"stolen": stolen.AccessToken, "rotated": rotated.AccessToken} {
		if res := authenticate(t, f.bearer, tok); res.Kind != strategy.KindFail {
			t.Errorf("%s access token after reuse: got %v; want a fail", name, res.Kind)
		}
	}
	if res := authenticate(t, f.bearer, other.AccessToken); res.Kind != strategy.KindSuccess {
		t.Errorf("other login's access token: got %v; want success", res.Kind)
	}
	wantPair(t, post(f.ep.Refresh(), refreshJSON(other.RefreshToken)))
}

func TestEndpointsRevoke(t *testing.T) {
	t.Run("ok, without Owner, the holder revokes; unknown tokens are 200 too", func(t *testing.T) {
		f := newEndpointsFixture(t, false)
		p := wantPair(t, post(f.ep.Token(), "user=ada&password=secret"))
		for _, body := range []string{"token=" + p.RefreshToken, refreshJSON(p.RefreshToken), refreshJSON(strings.Repeat("A", 43)), refreshJSON("x")} {
			rec := post(f.ep.Revoke(), body)
			if rec.Code != http.StatusOK {
				t.Fatalf("revoke %q: got %d %s; want 200", body, rec.Code, rec.Body)
			}
			wantNoStore(t, rec)
		}
		wantOAuthError(t, post(f.ep.Refresh(), refreshJSON(p.RefreshToken)), http.StatusBadRequest, "invalid_grant")
		if res := authenticate(t, f.bearer, p.AccessToken); res.Kind != strategy.KindFail {
			t.Errorf("access token after revoke: got %v; want a fail", res.Kind)
		}
	})
	t.Run("nok, missing token, or both names", func(t *testing.T) {
		f := newEndpointsFixture(t, false)
		wantOAuthError(t, post(f.ep.Revoke(), `{}`), http.StatusBadRequest, "invalid_request")
		wantOAuthError(t, post(f.ep.Revoke(), "token=a&refresh_token=b"), http.StatusBadRequest, "invalid_request")
	})
	t.Run("Owner: a bearer token is required, and another subject's token is left alone", func(t *testing.T) {
		f := newEndpointsFixture(t, true)
		ada := wantPair(t, post(f.ep.Token(), "user=ada&password=secret"))
		bob, err := f.iss.Issue(context.Background(), "2")
		if err != nil {
			t.Fatal(err)
		}
		rec := post(f.ep.Revoke(), refreshJSON(ada.RefreshToken))
		wantOAuthError(t, rec, http.StatusUnauthorized, "invalid_token")
		if got := rec.Header().Get("WWW-Authenticate"); got != `Bearer realm="api"` {
			t.Errorf("WWW-Authenticate: got %q; want the bare Bearer challenge", got)
		}
		rec = post(f.ep.Revoke(), refreshJSON(ada.RefreshToken), "Authorization", "Bearer not-a-jwt")
		wantOAuthError(t, rec, http.StatusUnauthorized, "invalid_token")
		if got := rec.Header().Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
			t.Errorf("WWW-Authenticate: got %q; want invalid_token", got)
		}
		if rec := post(f.ep.Revoke(), refreshJSON(bob.RefreshToken), "Authorization", "Bearer "+ada.AccessToken); rec.Code != http.StatusOK {
			t.Errorf("revoke of bob's token by ada: got %d; want 200", rec.Code)
		}
		wantPair(t, post(f.ep.Refresh(), refreshJSON(bob.RefreshToken)))
		if rec := post(f.ep.Revoke(), refreshJSON(ada.RefreshToken), "Authorization", "Bearer "+ada.AccessToken); rec.Code != http.StatusOK {
			t.Errorf("revoke of her own token: got %d; want 200", rec.Code)
		}
		wantOAuthError(t, post(f.ep.Refresh(), refreshJSON(ada.RefreshToken)), http.StatusBadRequest, "invalid_grant")
	})
}

func TestEndpointsConfig(t *testing.T) {
	k := newTestKeys(t)
	iss, _, _, _ := issuerAndStrategy(t, jwt.Key{Key: k.ed})
	if _, err := iss.Endpoints(jwt.EndpointsConfig{MaxBodyBytes: -1}); !errors.Is(err, jwt.ErrInvalidConfig) {
		t.Errorf("negative MaxBodyBytes: got %v; want ErrInvalidConfig", err)
	}
	noStore, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Key: k.ed}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noStore.Endpoints(jwt.EndpointsConfig{}); !errors.Is(err, jwt.ErrInvalidConfig) {
		t.Errorf("issuer without a store: got %v; want ErrInvalidConfig", err)
	}
	ep, err := iss.Endpoints(jwt.EndpointsConfig{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	wantOAuthError(t, post(ep.Token(), "user=ada&password=secret"), http.StatusInternalServerError, "server_error")
}

// TestCheckWith maps every kind of result to a grant or a refusal.
func TestCheckWith(t *testing.T) {
	tests := []struct {
		name   string
		res    strategy.Result[string]
		err    error
		status int
		code   string
	}{
		{name: "ok, success", res: strategy.Success("7", strategy.Info{})},
		{name: "nok, fail with a challenge", res: strategy.Fail[string](`Basic realm="x"`, 0, strategy.MsgIncorrectCredentials), status: 401, code: "invalid_client"},
		{name: "nok, fail with a bearer challenge", res: strategy.Fail[string](`bearer realm="x", error="invalid_token"`, 0, strategy.MsgInvalidToken), status: 401, code: "invalid_token"},
		{name: "nok, 400 fail with a challenge", res: strategy.Fail[string](`Bearer realm="x", error="invalid_request"`, 400, ""), status: 400, code: "invalid_request"},
		{name: "nok, 403 fail", res: strategy.Fail[string](`Bearer realm="x", error="insufficient_scope"`, 403, ""), status: 403, code: "insufficient_scope"},
		{name: "nok, pass", res: strategy.Pass[string](), status: 400, code: "invalid_request"},
		{name: "nok, body over the limit", res: strategy.Fail[string]("", 413, strategy.MsgRequestTooLarge), status: 413, code: "invalid_request"},
		{name: "nok, throttled", res: strategy.Fail[string]("", 429, strategy.MsgTooManyAttempts), status: 429, code: "invalid_grant"},
		{name: "fault, redirect", res: strategy.Redirect[string]("/elsewhere", 0)},
		{name: "fault, error", err: errors.New("down")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := jwt.CheckWith[string](strategy.Func[string](func(*http.Request) (strategy.Result[string], error) { return tt.res, tt.err }),
				func(u string) string { return "user-" + u })
			g, err := check(context.Background(), httptest.NewRequest(http.MethodPost, "/", nil))
			te, isTokenError := errors.AsType[*jwt.TokenError](err)
			switch {
			case tt.res.Kind == strategy.KindSuccess:
				if err != nil || g.Subject != "user-7" {
					t.Errorf("got %+v, %v; want subject user-7", g, err)
				}
			case tt.status == 0:
				if err == nil || isTokenError {
					t.Errorf("got %v; want a fault, not a refusal", err)
				}
			case !isTokenError:
				t.Errorf("got %v; want a *TokenError", err)
			case te.Status != tt.status || te.Code != tt.code:
				t.Errorf("got %d %s; want %d %s", te.Status, te.Code, tt.status, tt.code)
			case tt.res.Challenge != "" && te.Header.Get("WWW-Authenticate") != tt.res.Challenge:
				t.Errorf("WWW-Authenticate: got %q; want %q", te.Header.Get("WWW-Authenticate"), tt.res.Challenge)
			}
		})
	}
}
