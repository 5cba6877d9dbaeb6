package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/password"
)

func TestToken(t *testing.T) {
	form := url.Values{"email": {adaEmail}, "password": {adaPassword}}.Encode()
	// A wrong email or password is RFC 6749's invalid_grant; a request
	// that cannot be a login at all is invalid_request.
	tests := []struct {
		name   string
		req    request
		status int
		code   string // the RFC 6749 error; "" for the app's own error
		desc   string
	}{
		{name: "ok, JSON credentials", req: request{body: credentials(adaEmail, adaPassword)}, status: http.StatusOK},
		{name: "ok, form credentials", req: request{body: form, contentType: "application/x-www-form-urlencoded"}, status: http.StatusOK},
		{name: "ok, email in another case", req: request{body: credentials("ADA@example.com", adaPassword)}, status: http.StatusOK},
		{name: "nok, wrong password", req: request{body: credentials(adaEmail, "wrong")}, status: http.StatusBadRequest,
			code: "invalid_grant", desc: "Incorrect credentials."},
		{name: "nok, unknown email", req: request{body: credentials("eve@example.com", adaPassword)}, status: http.StatusBadRequest,
			code: "invalid_grant", desc: "Incorrect credentials."},
		{name: "nok, empty password", req: request{body: credentials(adaEmail, "")}, status: http.StatusBadRequest,
			code: "invalid_request", desc: "Missing credentials."},
		{name: "nok, no body", req: request{}, status: http.StatusBadRequest, code: "invalid_request", desc: "Missing credentials."},
		{name: "nok, broken JSON", req: request{body: `{"email":`}, status: http.StatusBadRequest,
			code: "invalid_request", desc: "Malformed credentials."},
		{name: "nok, password as a number", req: request{body: `{"email":"ada@example.com","password":1}`}, status: http.StatusBadRequest,
			code: "invalid_request", desc: "Malformed credentials."},
		// The endpoint caps the body at 4 KiB and local fails with its
		// 413, which jwt.CheckWith keeps.
		{name: "nok, body over 4 KiB", req: request{body: credentials(adaEmail, strings.Repeat("a", 5000))}, status: http.StatusRequestEntityTooLarge,
			code: "invalid_request", desc: "Request body too large."},
		// Echo's router answers a wrong method before the endpoint runs.
		{name: "nok, GET", req: request{method: http.MethodGet}, status: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.req.path = tokenPath
			if tt.req.method == "" {
				tt.req.method = http.MethodPost
			}
			rec := f.do(tt.req)
			switch {
			case tt.status != http.StatusOK && tt.code == "":
				wantError(t, rec, tt.status, "")
				return
			case tt.status != http.StatusOK:
				if got := wantTokenError(t, rec, tt.status, tt.code); got.Description != tt.desc {
					t.Errorf("error_description: got %q; want %q", got.Description, tt.desc)
				}
				return
			}
			if rec.Code != http.StatusOK {
				t.Fatalf("got %d %s; want 200", rec.Code, rec.Body)
			}
			wantNoStore(t, rec)
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"access_token", "token_type", "expires_in", "refresh_token"} {
				if _, ok := body[k]; !ok {
					t.Errorf("response has no %q: %s", k, rec.Body)
				}
			}
			if body["token_type"] != "Bearer" {
				t.Errorf("token_type: got %v; want %q", body["token_type"], "Bearer")
			}
			if body["expires_in"] != testAccessTT.Seconds() {
				t.Errorf("expires_in: got %v; want %v", body["expires_in"], testAccessTT.Seconds())
			}
		})
	}
}

// TestAccessTokenClaims checks what the issued access token says.
func TestAccessTokenClaims(t *testing.T) {
	f := newFixture(t)
	pair := f.login(adaEmail, adaPassword)
	claims := &jwt.Claims{}
	tok, _, err := jwtlib.NewParser().ParseUnverified(pair.AccessToken, claims)
	if err != nil {
		t.Fatal(err)
	}
	now := f.clock.now()
	checks := []struct{ name, got, want string }{
		{"alg", tok.Method.Alg(), "EdDSA"},
		{"typ", tok.Header["typ"].(string), jwt.AccessTokenType},
		{"sub", claims.Subject, "1"},
		{"iss", claims.Issuer, testIssuer},
		{"aud", strings.Join(claims.Audience, " "), audience},
		{"iat", claims.IssuedAt.UTC().String(), now.String()},
		{"exp", claims.ExpiresAt.UTC().String(), now.Add(testAccessTT).String()},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q; want %q", c.name, c.got, c.want)
		}
	}
	if kid, _ := tok.Header["kid"].(string); kid == "" {
		t.Error("no kid header")
	}
	if claims.ID == "" {
		t.Error("no jti")
	}
	if strings.Contains(pair.RefreshToken, ".") || len(pair.RefreshToken) != 43 {
		t.Errorf("refresh token %q: want 43 base64url characters, not a JWT", pair.RefreshToken)
	}
}

func TestMe(t *testing.T) {
	f := newFixture(t)
	pair := f.login(adaEmail, adaPassword)

	rec := f.me(pair.AccessToken)
	if rec.Code != http.StatusOK {
		t.Fatalf("got %d %s; want 200", rec.Code, rec.Body)
	}
	var got map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"id": "1", "name": "Ada Lovelace", "email": adaEmail}
	if len(got) != len(want) {
		t.Errorf("got %v; want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q; want %q", k, got[k], v)
		}
	}
}

// TestChallenges checks the RFC 6750 answers of the bearer routes.
func TestChallenges(t *testing.T) {
	f := newFixture(t)
	pair := f.login(adaEmail, adaPassword)
	claims := &jwt.Claims{}
	if _, _, err := jwtlib.NewParser().ParseUnverified(pair.AccessToken, claims); err != nil {
		t.Fatal(err)
	}
	// forged: the same claims and kid, signed with another key.
	other, err := jwt.GenerateEd25519Key()
	if err != nil {
		t.Fatal(err)
	}
	forgedTok := jwtlib.NewWithClaims(jwtlib.SigningMethodEdDSA, claims)
	forgedTok.Header["typ"] = jwt.AccessTokenType
	forgedTok.Header["kid"] = tokenKID(t, pair.AccessToken)
	forged, err := forgedTok.SignedString(other)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		req       request
		status    int
		code      string // the RFC 6749 error of the token endpoints; "" for /me
		challenge string
	}{
		{name: "nok, no token", req: request{method: http.MethodGet, path: mePath}, status: http.StatusUnauthorized,
			challenge: `Bearer realm="api"`},
		{name: "nok, basic credentials", req: request{method: http.MethodGet, path: mePath, header: http.Header{"Authorization": {"Basic YWRhOnB3"}}},
			status: http.StatusUnauthorized, challenge: `Bearer realm="api"`},
		{name: "nok, garbage token", req: request{method: http.MethodGet, path: mePath, bearer: "not-a-jwt"}, status: http.StatusUnauthorized,
			challenge: `Bearer realm="api", error="invalid_token", error_description="malformed token"`},
		{name: "nok, forged signature", req: request{method: http.MethodGet, path: mePath, bearer: forged}, status: http.StatusUnauthorized,
			challenge: `Bearer realm="api", error="invalid_token", error_description="invalid signature"`},
		{name: "nok, refresh token as access token", req: request{method: http.MethodGet, path: mePath, bearer: pair.RefreshToken}, status: http.StatusUnauthorized,
			challenge: `Bearer realm="api", error="invalid_token", error_description="malformed token"`},
		{name: "nok, two authorization headers", req: request{method: http.MethodGet, path: mePath,
			header: http.Header{"Authorization": {"Bearer " + pair.AccessToken, "Bearer " + pair.AccessToken}}}, status: http.StatusBadRequest,
			challenge: `Bearer realm="api", error="invalid_request", error_description="repeated authorization header"`},
		{name: "nok, logout without token", req: request{method: http.MethodPost, path: logoutPath, body: refreshBody(pair.RefreshToken)},
			status: http.StatusUnauthorized, code: "invalid_token", challenge: `Bearer realm="api"`},
		{name: "nok, logout with a garbage token", req: request{method: http.MethodPost, path: logoutPath, bearer: "not-a-jwt", body: refreshBody(pair.RefreshToken)},
			status: http.StatusUnauthorized, code: "invalid_token",
			challenge: `Bearer realm="api", error="invalid_token", error_description="malformed token"`},
		{name: "nok, 1 MiB token", req: request{method: http.MethodGet, path: mePath, bearer: strings.Repeat("a.", 1<<19)}, status: http.StatusUnauthorized,
			challenge: `Bearer realm="api", error="invalid_token", error_description="token too large"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(tt.req)
			if tt.code != "" {
				wantTokenError(t, rec, tt.status, tt.code)
			} else {
				wantError(t, rec, tt.status, "")
			}
			if got := rec.Header().Values("WWW-Authenticate"); len(got) != 1 || got[0] != tt.challenge {
				t.Errorf("WWW-Authenticate: got %q; want %q", got, tt.challenge)
			}
		})
	}
	// The refresh token is still good: nothing above used it up, nor
	// logged it out.
	if rec := f.refresh(pair.RefreshToken); rec.Code != http.StatusOK {
		t.Errorf("refresh after the refused requests: got %d; want 200", rec.Code)
	}
}

func TestAccessTokenExpires(t *testing.T) {
	f := newFixture(t)
	pair := f.login(adaEmail, adaPassword)
	f.clock.advance(testAccessTT + time.Second)
	rec := f.me(pair.AccessToken)
	wantError(t, rec, http.StatusUnauthorized, "Invalid token.")
	want := `Bearer realm="api", error="invalid_token", error_description="token expired"`
	if got := rec.Header().Get("WWW-Authenticate"); got != want {
		t.Errorf("WWW-Authenticate: got %q; want %q", got, want)
	}
	// The refresh token outlives it and gets a working access token.
	rec = f.refresh(pair.RefreshToken)
	if rec.Code != http.StatusOK {
		t.Fatalf("refresh: got %d %s; want 200", rec.Code, rec.Body)
	}
	next := decode[jwt.TokenPair](t, rec)
	if rec := f.me(next.AccessToken); rec.Code != http.StatusOK {
		t.Errorf("me with the refreshed token: got %d; want 200", rec.Code)
	}
}

func TestRefreshRotation(t *testing.T) {
	f := newFixture(t)
	first := f.login(adaEmail, adaPassword)
	f.clock.advance(time.Second) // a new iat, so a new access token

	rec := f.refresh(first.RefreshToken)
	if rec.Code != http.StatusOK {
		t.Fatalf("refresh: got %d %s; want 200", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q; want no-store", got)
	}
	second := decode[jwt.TokenPair](t, rec)
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken {
		t.Fatalf("refresh token not rotated: got %q after %q", second.RefreshToken, first.RefreshToken)
	}
	if second.AccessToken == first.AccessToken || second.TokenType != "Bearer" || second.ExpiresIn != int64(testAccessTT.Seconds()) {
		t.Errorf("got pair %+v; want a new Bearer access token for %v", second, testAccessTT)
	}
	for name, access := range map[string]string{"new": second.AccessToken, "old, still within its lifetime": first.AccessToken} {
		if rec := f.me(access); rec.Code != http.StatusOK {
			t.Errorf("me with the %s access token: got %d; want 200", name, rec.Code)
		}
	}

	// The new refresh token rotates in turn.
	rec = f.refresh(second.RefreshToken)
	if rec.Code != http.StatusOK {
		t.Fatalf("second refresh: got %d %s; want 200", rec.Code, rec.Body)
	}
	if third := decode[jwt.TokenPair](t, rec); third.RefreshToken == second.RefreshToken {
		t.Error("second refresh did not rotate")
	}
}

// TestRefreshReuse is reuse detection end to end: presenting a rotated
// refresh token revokes the whole login, the token it was rotated to
// included, and leaves the user's other logins alone.
func TestRefreshReuse(t *testing.T) {
	f := newFixture(t)
	stolen := f.login(adaEmail, adaPassword)
	otherDevice := f.login(adaEmail, adaPassword)

	rec := f.refresh(stolen.RefreshToken)
	if rec.Code != http.StatusOK {
		t.Fatalf("first refresh: got %d; want 200", rec.Code)
	}
	rotated := decode[jwt.TokenPair](t, rec)

	// The old token comes back (the thief, or the client replaying).
	wantInvalidGrant(t, f.refresh(stolen.RefreshToken))
	if !strings.Contains(f.logs.String(), "refresh token reused") {
		t.Errorf("reuse not logged; logs:\n%s", f.logs)
	}
	// The token it was rotated to is dead too.
	wantInvalidGrant(t, f.refresh(rotated.RefreshToken))
	// And stays dead.
	wantInvalidGrant(t, f.refresh(stolen.RefreshToken))
	// So are the access tokens of the login, at once.
	wantRevoked(t, f.me(stolen.AccessToken))
	wantRevoked(t, f.me(rotated.AccessToken))
	if rec := f.me(otherDevice.AccessToken); rec.Code != http.StatusOK {
		t.Errorf("other login's access token: got %d; want 200", rec.Code)
	}

	// Another login of the same user is not affected.
	if rec := f.refresh(otherDevice.RefreshToken); rec.Code != http.StatusOK {
		t.Errorf("other login: got %d; want 200", rec.Code)
	}
	// Logging in again works.
	again := f.login(adaEmail, adaPassword)
	if rec := f.refresh(again.RefreshToken); rec.Code != http.StatusOK {
		t.Errorf("new login: got %d; want 200", rec.Code)
	}
}

// TestRefreshRace sends one refresh token twice at once: exactly one
// request rotates it; the other is a reuse.
func TestRefreshRace(t *testing.T) {
	f := newFixture(t)
	pair := f.login(adaEmail, adaPassword)
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req := httptest.NewRequest(http.MethodPost, refreshPath, strings.NewReader(refreshBody(pair.RefreshToken)))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			f.app.e.ServeHTTP(rec, req)
			codes[i] = rec.Code
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusBadRequest:
		default:
			t.Errorf("got status %d; want 200 or 400", c)
		}
	}
	if ok != 1 {
		t.Errorf("got %d successful refreshes of one token; want 1 (codes %v)", ok, codes)
	}
}

func TestRefreshRequests(t *testing.T) {
	f := newFixture(t)
	pair := f.login(adaEmail, adaPassword)
	const mediaTypes = "send application/json or application/x-www-form-urlencoded"
	tests := []struct {
		name   string
		req    request
		status int
		code   string // the RFC 6749 error; "" for the app's own error
		desc   string
	}{
		{name: "nok, unknown token", req: request{body: refreshBody(strings.Repeat("A", 43))}, status: http.StatusBadRequest,
			code: "invalid_grant", desc: "invalid refresh token"},
		{name: "nok, access token as refresh token", req: request{body: refreshBody(pair.AccessToken)}, status: http.StatusBadRequest,
			code: "invalid_grant", desc: "invalid refresh token"},
		{name: "nok, missing refresh_token", req: request{body: `{}`}, status: http.StatusBadRequest,
			code: "invalid_request", desc: "missing refresh_token"},
		{name: "nok, refresh_token not a string", req: request{body: `{"refresh_token":42}`}, status: http.StatusBadRequest,
			code: "invalid_request", desc: "malformed JSON body"},
		{name: "nok, two JSON values", req: request{body: refreshBody(pair.RefreshToken) + `{}`}, status: http.StatusBadRequest,
			code: "invalid_request", desc: "malformed JSON body"},
		{name: "nok, broken JSON", req: request{body: `{"refresh_token":`}, status: http.StatusBadRequest,
			code: "invalid_request", desc: "malformed JSON body"},
		{name: "nok, another grant_type", req: request{body: `{"grant_type":"password","refresh_token":"` + pair.RefreshToken + `"}`},
			status: http.StatusBadRequest, code: "unsupported_grant_type", desc: "grant_type must be refresh_token"},
		{name: "nok, text/plain", req: request{body: pair.RefreshToken, contentType: "text/plain"}, status: http.StatusUnsupportedMediaType,
			code: "invalid_request", desc: mediaTypes},
		{name: "nok, no content type", req: request{}, status: http.StatusUnsupportedMediaType, code: "invalid_request", desc: mediaTypes},
		{name: "nok, field twice in a form", req: request{body: "refresh_token=a&refresh_token=b", contentType: "application/x-www-form-urlencoded"},
			status: http.StatusBadRequest, code: "invalid_request", desc: "refresh_token sent more than once"},
		{name: "nok, body over 4 KiB", req: request{body: `{"refresh_token":"` + strings.Repeat("A", 5000) + `"}`}, status: http.StatusRequestEntityTooLarge,
			code: "invalid_request", desc: "request body too large"},
		// Echo's router answers a wrong method before the endpoint runs.
		{name: "nok, GET", req: request{method: http.MethodGet}, status: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.path = refreshPath
			if tt.req.method == "" {
				tt.req.method = http.MethodPost
			}
			rec := f.do(tt.req)
			if tt.code == "" {
				wantError(t, rec, tt.status, "")
				return
			}
			if got := wantTokenError(t, rec, tt.status, tt.code); got.Description != tt.desc {
				t.Errorf("error_description: got %q; want %q", got.Description, tt.desc)
			}
		})
	}
	// None of the refusals used the refresh token up.
	for _, tt := range []struct{ name, body string }{
		{"ok, form", url.Values{"refresh_token": {pair.RefreshToken}}.Encode()},
		{"ok, form with grant_type", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {f.login(adaEmail, adaPassword).RefreshToken}}.Encode()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(request{method: http.MethodPost, path: refreshPath, body: tt.body, contentType: "application/x-www-form-urlencoded"})
			if rec.Code != http.StatusOK {
				t.Fatalf("got %d %s; want 200", rec.Code, rec.Body)
			}
			wantNoStore(t, rec)
		})
	}
}

func TestRefreshExpires(t *testing.T) {
	f := newFixture(t)
	pair := f.login(adaEmail, adaPassword)
	f.clock.advance(31 * 24 * time.Hour) // the default refresh lifetime is 30 days
	wantInvalidGrant(t, f.refresh(pair.RefreshToken))
}

// TestLogout: logout is RFC 7009 revocation behind a bearer access token.
// It answers 200 whenever it got a token to revoke, known or not, of the
// caller or not: there is nothing a client could do about the difference,
// and a thief learns nothing from it. What is stored says what it did.
func TestLogout(t *testing.T) {
	t.Run("ok, revokes the login", func(t *testing.T) {
		f := newFixture(t)
		pair := f.login(adaEmail, adaPassword)
		other := f.login(adaEmail, adaPassword)
		wantLoggedOut(t, f.logout(pair.AccessToken, pair.RefreshToken))
		wantInvalidGrant(t, f.refresh(pair.RefreshToken))
		// The login's access token is refused at once, not when it
		// expires, at logout too.
		wantRevoked(t, f.me(pair.AccessToken))
		rec := f.logout(pair.AccessToken, other.RefreshToken)
		wantTokenError(t, rec, http.StatusUnauthorized, "invalid_token")
		if got := rec.Header().Get("WWW-Authenticate"); !strings.Contains(got, `error_description="token revoked"`) {
			t.Errorf("logout with the revoked access token: got WWW-Authenticate %q; want token revoked", got)
		}
		if rec := f.me(other.AccessToken); rec.Code != http.StatusOK {
			t.Errorf("other login's access token after logout: got %d; want 200", rec.Code)
		}
		// A second logout of the same login (with a live access token of
		// the user) changes nothing.
		wantLoggedOut(t, f.logout(other.AccessToken, pair.RefreshToken))
		if rec := f.refresh(other.RefreshToken); rec.Code != http.StatusOK {
			t.Errorf("other login after logout: got %d; want 200", rec.Code)
		}
	})
	t.Run("ok, revokes the tokens the login was rotated to", func(t *testing.T) {
		f := newFixture(t)
		pair := f.login(adaEmail, adaPassword)
		rec := f.refresh(pair.RefreshToken)
		next := decode[jwt.TokenPair](t, rec)
		// Logging out with the latest refresh token ends the whole login.
		wantLoggedOut(t, f.logout(next.AccessToken, next.RefreshToken))
		wantInvalidGrant(t, f.refresh(next.RefreshToken))
		wantRevoked(t, f.me(pair.AccessToken))
		wantRevoked(t, f.me(next.AccessToken))
	})
	t.Run("ok, RFC 7009 token field", func(t *testing.T) {
		f := newFixture(t)
		pair := f.login(adaEmail, adaPassword)
		body := url.Values{"token": {pair.RefreshToken}}.Encode()
		wantLoggedOut(t, f.do(request{method: http.MethodPost, path: logoutPath, bearer: pair.AccessToken, body: body,
			contentType: "application/x-www-form-urlencoded"}))
		wantInvalidGrant(t, f.refresh(pair.RefreshToken))
		wantRevoked(t, f.me(pair.AccessToken))
	})
	t.Run("ok, another user's refresh token is left alone", func(t *testing.T) {
		f := newFixture(t)
		ada := f.login(adaEmail, adaPassword)
		bob := f.login(bobEmail, bobPassword)
		wantLoggedOut(t, f.logout(ada.AccessToken, bob.RefreshToken))
		if rec := f.me(bob.AccessToken); rec.Code != http.StatusOK {
			t.Errorf("bob's access token after ada's attempt: got %d; want 200", rec.Code)
		}
		if rec := f.refresh(bob.RefreshToken); rec.Code != http.StatusOK {
			t.Errorf("bob's login after ada's attempt: got %d; want 200", rec.Code)
		}
	})
	for _, tt := range []struct {
		name, body string
		status     int
		code       string // the RFC 6749 error; "" for a 200
	}{
		{"ok, unknown refresh token", refreshBody(strings.Repeat("A", 43)), http.StatusOK, ""},
		{"ok, malformed refresh token", refreshBody("x"), http.StatusOK, ""},
		{"nok, missing refresh_token", `{}`, http.StatusBadRequest, "invalid_request"},
		{"nok, token and refresh_token", `{"token":"a","refresh_token":"b"}`, http.StatusBadRequest, "invalid_request"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			pair := f.login(adaEmail, adaPassword)
			rec := f.do(request{method: http.MethodPost, path: logoutPath, bearer: pair.AccessToken, body: tt.body})
			if tt.code == "" {
				wantLoggedOut(t, rec)
			} else {
				wantTokenError(t, rec, tt.status, tt.code)
			}
			// The caller's login was not in the request: it is intact.
			if rec := f.me(pair.AccessToken); rec.Code != http.StatusOK {
				t.Errorf("me after the logout: got %d; want 200", rec.Code)
			}
			if rec := f.refresh(pair.RefreshToken); rec.Code != http.StatusOK {
				t.Errorf("refresh after the logout: got %d; want 200", rec.Code)
			}
		})
	}
}

// TestRevokeUser: revoking everything of a user (a password change) ends
// their access tokens at once, through the strategy's Revocations.
func TestRevokeUser(t *testing.T) {
	f := newFixture(t)
	pair := f.login(adaEmail, adaPassword)
	if err := f.app.issuer.RevokeUser(context.Background(), "1"); err != nil {
		t.Fatal(err)
	}
	wantError(t, f.me(pair.AccessToken), http.StatusUnauthorized, "Invalid token.")
	wantInvalidGrant(t, f.refresh(pair.RefreshToken))
	f.clock.advance(time.Second)
	if rec := f.me(f.login(adaEmail, adaPassword).AccessToken); rec.Code != http.StatusOK {
		t.Errorf("me after a new login: got %d; want 200", rec.Code)
	}
}

// TestJWKS serves the app and verifies one of its tokens with nothing but
// the published key set, as another service would.
func TestJWKS(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.app.e)
	defer srv.Close()

	res, err := srv.Client().Get(srv.URL + jwksPath)
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	err = json.NewDecoder(res.Body).Decode(&set)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %q; want 200 application/json", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if len(set.Keys) != 1 {
		t.Fatalf("got %d keys; want 1", len(set.Keys))
	}
	k := set.Keys[0]
	for name, want := range map[string]string{"kty": "OKP", "crv": "Ed25519", "use": "sig"} {
		if k[name] != want {
			t.Errorf("%s: got %v; want %q", name, k[name], want)
		}
	}
	if _, private := k["d"]; private {
		t.Error("the JWK Set holds the private key")
	}

	ctx := t.Context()
	jwks, err := jwt.NewRemoteKeySet(ctx, jwt.RemoteKeySetConfig{URL: srv.URL + jwksPath, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer jwks.Close()
	verifier, err := jwt.New(jwt.Config[string, *jwt.Claims]{
		Algorithms: []string{"EdDSA"},
		RemoteKeys: jwks,
		Issuer:     testIssuer,
		Audience:   []string{audience},
		TokenTypes: []string{jwt.AccessTokenType},
		Now:        f.clock.now,
		Verify:     func(_ context.Context, c *jwt.Claims) (string, error) { return c.Subject, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	pair := f.login(adaEmail, adaPassword)
	req := httptest.NewRequest(http.MethodGet, "/elsewhere", nil)
	req.Header.Set("Authorization", "Bearer "+pair.AccessToken)
	got, err := verifier.Authenticate(req)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != strategy.KindSuccess || got.User != "1" {
		t.Errorf("got %v %q; want success for user %q", got.Kind, got.User, "1")
	}

	res, err = srv.Client().Head(srv.URL + jwksPath)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("HEAD: got %d; want 200", res.StatusCode)
	}
}

// TestErrorsAreJSON: whatever goes wrong, the answer is JSON, and a 500
// says nothing of its cause. The app's own errors are {"error","status"};
// the token endpoints' are RFC 6749's.
func TestErrorsAreJSON(t *testing.T) {
	f := newFixture(t)
	wantError(t, f.do(request{method: http.MethodGet, path: "/api/v1/nothing"}), http.StatusNotFound, "Not Found")
	wantError(t, f.do(request{method: http.MethodGet, path: "/"}), http.StatusNotFound, "Not Found")
	wantError(t, f.do(request{method: http.MethodDelete, path: mePath}), http.StatusMethodNotAllowed, "")

	// A fault: the stored hash of a user is corrupt.
	f.app.users.byID["2"].hash = "$argon2id$garbage"
	rec := f.do(request{method: http.MethodPost, path: tokenPath, body: credentials(bobEmail, bobPassword)})
	if got := wantTokenError(t, rec, http.StatusInternalServerError, "server_error"); got.Description != "" {
		t.Errorf("500 with a description: %q", got.Description)
	}
	if strings.Contains(rec.Body.String(), "argon2") || strings.Contains(rec.Body.String(), "hash") {
		t.Errorf("500 body shows internals: %s", rec.Body)
	}
	if !strings.Contains(f.logs.String(), password.ErrMalformedHash.Error()) {
		t.Errorf("the fault's cause is not logged; logs:\n%s", f.logs)
	}

	rec = f.do(request{method: http.MethodHead, path: mePath})
	if rec.Code != http.StatusMethodNotAllowed || rec.Body.Len() != 0 {
		t.Errorf("HEAD: got %d with %d bytes; want 405 without a body", rec.Code, rec.Body.Len())
	}
}

func TestThrottle(t *testing.T) {
	f := newFixture(t)
	var rec *httptest.ResponseRecorder
	for range 11 {
		rec = f.do(request{method: http.MethodPost, path: tokenPath, body: credentials(adaEmail, "wrong")})
	}
	wantTokenError(t, rec, http.StatusTooManyRequests, "invalid_grant")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func TestNewAppConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  config
	}{
		{"nok, no issuer", config{}},
		{"nok, user without password", config{Issuer: testIssuer, Users: []seedUser{{ID: "1", Email: adaEmail}}}},
		{"nok, duplicate email", config{Issuer: testIssuer, Hasher: cheapHasher(), Users: []seedUser{
			{ID: "1", Email: adaEmail, Password: "a"}, {ID: "2", Email: " ADA@example.com", Password: "b"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := newApp(tt.cfg); err == nil {
				t.Error("got no error")
			}
		})
	}
}

// tokenKID returns the kid header of a token.
func tokenKID(t *testing.T, tok string) string {
	t.Helper()
	parsed, _, err := jwtlib.NewParser().ParseUnverified(tok, &jwt.Claims{})
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := parsed.Header["kid"].(string)
	return kid
}

// TestSweep: the background sweep deletes expired refresh tokens from the
// in-memory store at its interval, and stops with its context. It runs in a
// synctest bubble: the ticker's minute passes at once, and synctest.Wait
// returns when the sweep is blocked again, so nothing polls or sleeps.
func TestSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		pair := f.login(adaEmail, adaPassword)
		hash := jwt.HashRefreshToken(pair.RefreshToken)
		f.clock.advance(31 * 24 * time.Hour)

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			f.app.sweep(ctx, time.Minute)
		}()
		synctest.Wait()
		if _, err := f.app.tokens.GetRefresh(t.Context(), hash); err != nil {
			t.Fatalf("the token is gone before the first tick: %v", err)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if _, err := f.app.tokens.GetRefresh(t.Context(), hash); !errors.Is(err, jwt.ErrNotFound) {
			t.Fatalf("expired refresh token still stored after a tick: %v", err)
		}
		cancel()
		synctest.Wait()
		select {
		case <-done:
		default:
			t.Fatal("sweep did not stop with its context")
		}
	})
}

// wantRevoked checks the 401 of a revoked access token.
func wantRevoked(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("got %d %s; want 401", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("WWW-Authenticate"); !strings.Contains(got, `error_description="token revoked"`) {
		t.Errorf("got WWW-Authenticate %q; want token revoked", got)
	}
}
