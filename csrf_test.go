package passport_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
)

// csrfFixture is a fixture with the CSRF middleware after Session, a page
// that shows the token, a form target, login and logout.
func csrfFixture(t *testing.T, cfg passport.CSRFConfig) *fixture {
	t.Helper()
	f := newFixture(t)
	f.e.Use(passport.CSRFWithConfig(cfg))
	f.e.GET("/form", func(c echo.Context) error {
		tok, _ := c.Get("csrf").(string)
		return c.String(http.StatusOK, tok)
	})
	f.e.POST("/change", func(c echo.Context) error { return c.String(http.StatusOK, "changed") })
	if err := f.auth.Use("header", f.byHeader()); err != nil {
		t.Fatal(err)
	}
	// Login then show the token of the new session in the same response.
	f.e.POST("/login", func(c echo.Context) error {
		if err := f.auth.Login(c, f.users["1"]); err != nil {
			return err
		}
		tok, _ := c.Get("csrf").(string)
		return c.String(http.StatusOK, tok)
	})
	f.e.POST("/logout", func(c echo.Context) error {
		if err := f.auth.Logout(c); err != nil {
			return err
		}
		tok, _ := c.Get("csrf").(string)
		return c.String(http.StatusOK, tok)
	})
	return f
}

// visitor keeps the session cookie across requests.
type visitor struct {
	t      *testing.T
	f      *fixture
	cookie *http.Cookie
}

func (v *visitor) do(req *http.Request) *httptest.ResponseRecorder {
	v.t.Helper()
	if v.cookie != nil {
		req.AddCookie(v.cookie)
	}
	rec := v.f.do(req)
	if c := cookieOf(v.t, rec, "passport"); c != nil {
		v.cookie = c
	}
	return rec
}

func (v *visitor) token() string {
	v.t.Helper()
	rec := v.do(httptest.NewRequest(http.MethodGet, "/form", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
		v.t.Fatalf("GET /form: got %d %q; want 200 and a token", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func postForm(path string, form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	return req
}

func TestCSRF(t *testing.T) {
	var reasons []error
	f := csrfFixture(t, passport.CSRFConfig{ErrorHandler: func(err error, c echo.Context) error {
		reasons = append(reasons, err)
		return echo.NewHTTPError(http.StatusForbidden, "Forbidden")
	}})
	other := &visitor{t: t, f: f}
	otherToken := other.token()

	tests := []struct {
		name       string
		req        func(tok string) *http.Request
		wantStatus int
		wantReason error
	}{
		{"ok, form token", func(tok string) *http.Request { return postForm("/change", url.Values{"_csrf": {tok}}) }, 200, nil},
		{"ok, header token", func(tok string) *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/change", nil)
			req.Header.Set("X-CSRF-Token", tok)
			return req
		}, 200, nil},
		{"ok, same-site with the token", func(tok string) *http.Request {
			req := postForm("/change", url.Values{"_csrf": {tok}})
			req.Header.Set("Sec-Fetch-Site", "same-site")
			return req
		}, 200, nil},
		{"ok, same-origin with the token", func(tok string) *http.Request {
			req := postForm("/change", url.Values{"_csrf": {tok}})
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			return req
		}, 200, nil},
		{"ok, a wrong header beside a right form token", func(tok string) *http.Request {
			req := postForm("/change", url.Values{"_csrf": {tok}})
			req.Header.Set("X-CSRF-Token", "wrong")
			return req
		}, 200, nil},
		{"ok, GET needs no token", func(string) *http.Request { return httptest.NewRequest(http.MethodGet, "/form", nil) }, 200, nil},
		{"nok, missing token", func(string) *http.Request { return postForm("/change", url.Values{}) }, 403, passport.ErrCSRFMissing},
		{"nok, empty token", func(string) *http.Request { return postForm("/change", url.Values{"_csrf": {""}}) }, 403, passport.ErrCSRFMissing},
		{"nok, same-origin without a token (Echo would let it through)", func(string) *http.Request {
			req := postForm("/change", url.Values{})
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			return req
		}, 403, passport.ErrCSRFMissing},
		{"nok, wrong token", func(tok string) *http.Request {
			return postForm("/change", url.Values{"_csrf": {tok[1:] + tok[:1]}})
		}, 403, passport.ErrCSRFInvalid},
		{"nok, truncated token", func(tok string) *http.Request { return postForm("/change", url.Values{"_csrf": {tok[:len(tok)-1]}}) }, 403, passport.ErrCSRFInvalid},
		{"nok, another visitor's token", func(string) *http.Request { return postForm("/change", url.Values{"_csrf": {otherToken}}) }, 403, passport.ErrCSRFInvalid},
		{"nok, the token in the query string", func(tok string) *http.Request {
			return postForm("/change?_csrf="+url.QueryEscape(tok), url.Values{})
		}, 403, passport.ErrCSRFMissing},
		{"nok, cross-site even with the token", func(tok string) *http.Request {
			req := postForm("/change", url.Values{"_csrf": {tok}})
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			return req
		}, 403, passport.ErrCSRFCrossSite},
		{"nok, DELETE without a token", func(string) *http.Request { return httptest.NewRequest(http.MethodDelete, "/change", nil) }, 403, passport.ErrCSRFMissing},
	}
	f.e.DELETE("/change", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &visitor{t: t, f: f}
			tok := v.token()
			before := v.cookie
			reasons = nil
			rec := v.do(tt.req(tok))
			if rec.Code != tt.wantStatus {
				t.Fatalf("got %d %q; want %d", rec.Code, rec.Body, tt.wantStatus)
			}
			if tt.wantReason != nil {
				if len(reasons) != 1 || !errors.Is(reasons[0], tt.wantReason) {
					t.Errorf("got reasons %v; want %v", reasons, tt.wantReason)
				}
				if c := cookieOf(t, rec, "passport"); c != nil {
					t.Errorf("a refused request set a cookie %v; want the session unchanged", c)
				}
				if v.cookie != before {
					t.Error("the session changed")
				}
			}
		})
	}

	t.Run("ok, each page gets another token, all valid", func(t *testing.T) {
		v := &visitor{t: t, f: f}
		a, b := v.token(), v.token()
		if a == b {
			t.Errorf("two pages got the same token %q; want fresh masks", a)
		}
		for _, tok := range []string{a, b} {
			if rec := v.do(postForm("/change", url.Values{"_csrf": {tok}})); rec.Code != http.StatusOK {
				t.Errorf("got %d; want 200", rec.Code)
			}
		}
	})

	t.Run("nok, a token captured before login is refused after login", func(t *testing.T) {
		v := &visitor{t: t, f: f}
		captured := v.token()
		rec := v.do(postForm("/login", url.Values{"_csrf": {captured}}))
		if rec.Code != http.StatusOK {
			t.Fatalf("login: got %d", rec.Code)
		}
		fresh := rec.Body.String() // the token Login put in the context
		reasons = nil
		if rec := v.do(postForm("/change", url.Values{"_csrf": {captured}})); rec.Code != http.StatusForbidden {
			t.Errorf("the pre-login token after login: got %d; want 403", rec.Code)
		}
		if len(reasons) != 1 || !errors.Is(reasons[0], passport.ErrCSRFInvalid) {
			t.Errorf("got reasons %v; want ErrCSRFInvalid", reasons)
		}
		if rec := v.do(postForm("/change", url.Values{"_csrf": {fresh}})); rec.Code != http.StatusOK {
			t.Errorf("the token Login handed out: got %d; want 200", rec.Code)
		}
		if rec := v.do(postForm("/change", url.Values{"_csrf": {v.token()}})); rec.Code != http.StatusOK {
			t.Errorf("a token of the logged-in session: got %d; want 200", rec.Code)
		}
	})

	t.Run("nok, a token captured before logout is refused after logout", func(t *testing.T) {
		v := &visitor{t: t, f: f}
		rec := v.do(postForm("/login", url.Values{"_csrf": {v.token()}}))
		loggedIn := rec.Body.String()
		rec = v.do(postForm("/logout", url.Values{"_csrf": {loggedIn}}))
		if rec.Code != http.StatusOK {
			t.Fatalf("logout: got %d", rec.Code)
		}
		fresh := rec.Body.String()
		if rec := v.do(postForm("/change", url.Values{"_csrf": {loggedIn}})); rec.Code != http.StatusForbidden {
			t.Errorf("the logged-in token after logout: got %d; want 403", rec.Code)
		}
		if rec := v.do(postForm("/change", url.Values{"_csrf": {fresh}})); rec.Code != http.StatusOK {
			t.Errorf("the token Logout handed out: got %d; want 200", rec.Code)
		}
	})
}

func TestCSRFDefaultsAndConfig(t *testing.T) {
	t.Run("nok, the default answer is a bare 403", func(t *testing.T) {
		f := csrfFixture(t, passport.CSRFConfig{})
		rec := f.do(postForm("/change", url.Values{}))
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "Forbidden") {
			t.Errorf("got %d %q; want 403 Forbidden", rec.Code, rec.Body)
		}
	})
	t.Run("ok, skipped routes take no token", func(t *testing.T) {
		f := csrfFixture(t, passport.CSRFConfig{Skipper: func(c echo.Context) bool { return c.Path() == "/change" }})
		if rec := f.do(postForm("/change", url.Values{})); rec.Code != http.StatusOK {
			t.Errorf("got %d; want 200", rec.Code)
		}
	})
	t.Run("ok, custom lookup and context key", func(t *testing.T) {
		f := newFixture(t)
		f.e.Use(passport.CSRFWithConfig(passport.CSRFConfig{TokenLookup: "header:X-XSRF-Token", ContextKey: "xsrf"}))
		f.e.GET("/form", func(c echo.Context) error { tok, _ := c.Get("xsrf").(string); return c.String(http.StatusOK, tok) })
		f.e.POST("/change", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
		v := &visitor{t: t, f: f}
		tok := v.token()
		req := httptest.NewRequest(http.MethodPost, "/change", nil)
		req.Header.Set("X-XSRF-Token", tok)
		if rec := v.do(req); rec.Code != http.StatusOK {
			t.Errorf("header token: got %d; want 200", rec.Code)
		}
		if rec := v.do(postForm("/change", url.Values{"_csrf": {tok}})); rec.Code != http.StatusForbidden {
			t.Errorf("form token when only the header is looked up: got %d; want 403", rec.Code)
		}
	})
	t.Run("nok, bad TokenLookup is a construction error", func(t *testing.T) {
		for _, lookup := range []string{"query:csrf", "header", "form:", "cookie:x", "header:X,bogus"} {
			if err := (passport.CSRFConfig{TokenLookup: lookup}).Validate(); err == nil {
				t.Errorf("%q: got no error", lookup)
			}
		}
	})
	t.Run("nok, without the Session middleware a 500", func(t *testing.T) {
		e := echo.New()
		e.Use(passport.CSRF())
		e.GET("/", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "Session") {
			t.Errorf("got %d %q; want a bare 500", rec.Code, rec.Body)
		}
	})
	t.Run("ok, CSRFToken for a skipped route is valid", func(t *testing.T) {
		f := csrfFixture(t, passport.CSRFConfig{Skipper: func(c echo.Context) bool { return c.Path() == "/token" }})
		f.e.GET("/token", func(c echo.Context) error {
			tok, err := passport.CSRFToken(c)
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, map[string]string{"csrf": tok})
		})
		v := &visitor{t: t, f: f}
		rec := v.do(httptest.NewRequest(http.MethodGet, "/token", nil))
		tok := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(rec.Body.String()), `{"csrf":"`), `"}`)
		if rec := v.do(postForm("/change", url.Values{"_csrf": {tok}})); rec.Code != http.StatusOK {
			t.Errorf("got %d; want 200", rec.Code)
		}
	})
}
