package passport_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/apikey"
	"github.com/gopassport/passport/strategy/basic"
)

// TestBasicThenAPIKey is Passport's multi-strategy route with the real
// strategies: basic then apikey. No credentials → 401 with both
// challenges, in order; either credential alone gets in; a malformed Basic
// header's 400 wins.
func TestBasicThenAPIKey(t *testing.T) {
	auth, err := passport.New(passport.Config[string]{
		Serialize:   func(u string) (string, error) { return u, nil },
		Deserialize: func(_ context.Context, u string) (string, error) { return u, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := basic.New(basic.Config[string]{Realm: "api", Verify: basic.StaticUsers(map[string]string{"alice": "s3cret"})})
	if err != nil {
		t.Fatal(err)
	}
	key, err := apikey.Generate("pk")
	if err != nil {
		t.Fatal(err)
	}
	hash := apikey.Hash(key)
	k, err := apikey.New(apikey.Config[string]{Verify: func(_ context.Context, presented string) (string, error) {
		if apikey.CheckKey(hash, presented) {
			return "build-bot", nil
		}
		return "", strategy.ErrInvalidCredentials
	}})
	if err != nil {
		t.Fatal(err)
	}
	_ = auth.Use("basic", b)
	_ = auth.Use("apikey", k)
	e := echo.New()
	e.GET("/api/me", func(c echo.Context) error {
		u, _ := auth.User(c)
		return c.String(http.StatusOK, u)
	}, auth.AuthenticateAny([]string{"basic", "apikey"}, passport.Stateless()).Middleware())

	basicAuth := func(user, pw string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
	}
	tests := []struct {
		name       string
		headers    map[string]string
		wantStatus int
		wantBody   string
		wantChall  []string
	}{
		{"nok, no credentials → both challenges", nil, 401, "", []string{`Basic realm="api", charset="UTF-8"`, `ApiKey realm="api"`}},
		{"nok, wrong password → both challenges", map[string]string{"Authorization": basicAuth("alice", "nope")}, 401, "", []string{`Basic realm="api", charset="UTF-8"`, `ApiKey realm="api"`}},
		{"ok, basic", map[string]string{"Authorization": basicAuth("alice", "s3cret")}, 200, "alice", nil},
		{"ok, api key", map[string]string{"X-API-Key": key}, 200, "build-bot", nil},
		{"nok, malformed basic → its 400 wins", map[string]string{"Authorization": "Basic !!!"}, 400, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
			for h, v := range tt.headers {
				req.Header.Set(h, v)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || (tt.wantBody != "" && rec.Body.String() != tt.wantBody) {
				t.Errorf("got %d %q; want %d %q", rec.Code, rec.Body.String(), tt.wantStatus, tt.wantBody)
			}
			if got := rec.Header().Values("WWW-Authenticate"); tt.wantChall != nil && !slices.Equal(got, tt.wantChall) {
				t.Errorf("got challenges %q; want %q", got, tt.wantChall)
			}
		})
	}
}
