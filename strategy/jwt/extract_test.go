package jwt_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

func TestExtractors(t *testing.T) {
	get := func(mod func(r *http.Request)) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if mod != nil {
			mod(r)
		}
		return r
	}
	post := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	query := func(q string) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/?"+q, nil)
	}
	auth := func(values ...string) *http.Request {
		return get(func(r *http.Request) {
			for _, v := range values {
				r.Header.Add("Authorization", v)
			}
		})
	}
	tests := []struct {
		name    string
		ext     jwt.Extractor
		req     *http.Request
		want    string
		wantErr error
	}{
		{name: "ok, bearer", ext: jwt.Bearer(), req: auth("Bearer a.b.c"), want: "a.b.c"},
		{name: "ok, bearer lower case", ext: jwt.Bearer(), req: auth("bearer a.b.c"), want: "a.b.c"},
		{name: "ok, bearer upper case, two spaces", ext: jwt.Bearer(), req: auth("BEARER  a.b.c"), want: "a.b.c"},
		{name: "ok, bearer token68 padding", ext: jwt.Bearer(), req: auth("Bearer abc=="), want: "abc=="},
		{name: "nok, no header", ext: jwt.Bearer(), req: auth(), wantErr: strategy.ErrMissingCredentials},
		{name: "nok, basic scheme", ext: jwt.Bearer(), req: auth("Basic dXNlcjpwYXNz"), wantErr: strategy.ErrMissingCredentials},
		{name: "nok, scheme prefix of another", ext: jwt.Bearer(), req: auth("Bearerx a.b.c"), wantErr: strategy.ErrMissingCredentials},
		{name: "nok, bare scheme", ext: jwt.Bearer(), req: auth("Bearer"), wantErr: strategy.ErrMissingCredentials},
		{name: "nok, scheme and spaces", ext: jwt.Bearer(), req: auth("Bearer   "), wantErr: strategy.ErrMissingCredentials},
		{name: "nok, two headers", ext: jwt.Bearer(), req: auth("Bearer a.b.c", "Bearer d.e.f"), wantErr: strategy.ErrMalformedCredentials},
		{name: "nok, two headers, other scheme first", ext: jwt.Bearer(), req: auth("Basic x", "Bearer d.e.f"), wantErr: strategy.ErrMalformedCredentials},
		{name: "nok, space in token", ext: jwt.Bearer(), req: auth("Bearer a.b c"), wantErr: strategy.ErrMalformedCredentials},
		{name: "nok, tab after scheme", ext: jwt.Bearer(), req: auth("Bearer\ta.b.c"), wantErr: strategy.ErrMissingCredentials},
		{name: "ok, alphabet left to the strategy", ext: jwt.Bearer(), req: auth("Bearer a=b@c"), want: "a=b@c"},
		{name: "nok, comma", ext: jwt.Bearer(), req: auth("Bearer a.b.c, Basic x"), wantErr: strategy.ErrMalformedCredentials},
		{name: "ok, other auth scheme", ext: jwt.AuthScheme("JWT"), req: auth("jwt a.b.c"), want: "a.b.c"},
		{name: "ok, header without prefix", ext: jwt.Header("X-Auth-Token", ""), req: get(func(r *http.Request) { r.Header.Set("X-Auth-Token", " a.b.c ") }), want: "a.b.c"},
		{name: "ok, header with prefix", ext: jwt.Header("authorization", "Token "), req: auth("token a.b.c"), want: "a.b.c"},
		{name: "nok, header without the prefix", ext: jwt.Header("Authorization", "Token "), req: auth("Bearer a.b.c"), wantErr: strategy.ErrMissingCredentials},
		{name: "nok, header absent", ext: jwt.Header("X-Auth-Token", ""), req: get(nil), wantErr: strategy.ErrMissingCredentials},
		{name: "nok, header twice", ext: jwt.Header("X-Auth-Token", ""), req: get(func(r *http.Request) { r.Header.Add("X-Auth-Token", "a"); r.Header.Add("X-Auth-Token", "b") }), wantErr: strategy.ErrMalformedCredentials},
		{name: "nok, header with space", ext: jwt.Header("X-Auth-Token", ""), req: get(func(r *http.Request) { r.Header.Set("X-Auth-Token", "a b") }), wantErr: strategy.ErrMalformedCredentials},
		{name: "ok, cookie", ext: jwt.Cookie("at"), req: get(func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "at", Value: "a.b.c"}) }), want: "a.b.c"},
		{name: "nok, no cookie", ext: jwt.Cookie("at"), req: get(nil), wantErr: strategy.ErrMissingCredentials},
		{name: "nok, empty cookie", ext: jwt.Cookie("at"), req: get(func(r *http.Request) { r.Header.Set("Cookie", "at=") }), wantErr: strategy.ErrMissingCredentials},
		{name: "nok, two cookies", ext: jwt.Cookie("at"), req: get(func(r *http.Request) { r.Header.Set("Cookie", "at=a; at=b") }), wantErr: strategy.ErrMalformedCredentials},
		{name: "ok, form", ext: jwt.Form("access_token"), req: post("access_token=a.b.c"), want: "a.b.c"},
		{name: "nok, form field twice", ext: jwt.Form("access_token"), req: post("access_token=a&access_token=b"), wantErr: strategy.ErrMalformedCredentials},
		{name: "nok, form field absent", ext: jwt.Form("access_token"), req: post("x=1"), wantErr: strategy.ErrMissingCredentials},
		{name: "nok, form ignores the query", ext: jwt.Form("access_token"), req: query("access_token=a.b.c"), wantErr: strategy.ErrMissingCredentials},
		{name: "nok, unreadable form", ext: jwt.Form("access_token"), req: post("access_token=%zz"), wantErr: strategy.ErrMalformedCredentials},
		{name: "ok, query", ext: jwt.Query("access_token"), req: query("access_token=" + url.QueryEscape("a.b.c")), want: "a.b.c"},
		{name: "nok, query twice", ext: jwt.Query("access_token"), req: query("access_token=a&access_token=b"), wantErr: strategy.ErrMalformedCredentials},
		{name: "nok, query absent", ext: jwt.Query("access_token"), req: query("x=1"), wantErr: strategy.ErrMissingCredentials},
		{name: "ok, chain falls through to the cookie", ext: jwt.Chain(jwt.Bearer(), jwt.Cookie("at")),
			req: get(func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "at", Value: "c.o.o"}) }), want: "c.o.o"},
		{name: "ok, chain takes the first found", ext: jwt.Chain(jwt.Bearer(), jwt.Cookie("at")),
			req: get(func(r *http.Request) {
				r.Header.Set("Authorization", "Bearer h.e.a")
				r.AddCookie(&http.Cookie{Name: "at", Value: "c.o.o"})
			}), want: "h.e.a"},
		{name: "nok, chain stops at a malformed request", ext: jwt.Chain(jwt.Bearer(), jwt.Cookie("at")),
			req: get(func(r *http.Request) {
				r.Header.Add("Authorization", "Bearer a")
				r.Header.Add("Authorization", "Bearer b")
				r.AddCookie(&http.Cookie{Name: "at", Value: "c.o.o"})
			}), wantErr: strategy.ErrMalformedCredentials},
		{name: "nok, empty chain", ext: jwt.Chain(), req: auth("Bearer a.b.c"), wantErr: strategy.ErrMissingCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.ext(tt.req)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got error %v; want %v", err, tt.wantErr)
				}
				if got != "" {
					t.Errorf("got token %q; want none", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			if got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
