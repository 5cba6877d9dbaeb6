package main

import (
	"net/http"
	"testing"

	"github.com/gopassport/passport/strategy/jwt"
)

// FuzzTokenBody posts arbitrary bodies to the two routes that read a
// refresh token: the answer is always an RFC 6749 error the client caused
// (or, at logout, RFC 7009's 200 for a token it does not know), never a
// 500 nor a 401 (the access token is valid), and the login is never
// revoked by a body that does not name its refresh token.
func FuzzTokenBody(f *testing.F) {
	f.Add("application/json", []byte(`{"refresh_token":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`))
	f.Add("application/json; charset=utf-8", []byte(`{"refresh_token":null}`))
	f.Add("application/json", []byte(`{"refresh_token":["a","b"]} trailing`))
	f.Add("application/x-www-form-urlencoded", []byte("refresh_token=%zz"))
	f.Add("application/x-www-form-urlencoded", []byte("refresh_token=a;b&refresh_token=c"))
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\n"))
	f.Add("", []byte("\xff\xfe"))
	fx := newFixture(f)
	pair := fx.login(adaEmail, adaPassword)
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		fx.t = t
		for _, r := range []request{
			{method: http.MethodPost, path: refreshPath},
			{method: http.MethodPost, path: logoutPath, bearer: pair.AccessToken},
		} {
			r.body, r.contentType = string(body), contentType
			if r.contentType == "" {
				r.contentType = "x/none" // do not let do() default to JSON
			}
			rec := fx.do(r)
			switch {
			case rec.Code == http.StatusOK && r.path == logoutPath:
				wantLoggedOut(t, rec)
			case rec.Code == http.StatusBadRequest, rec.Code == http.StatusRequestEntityTooLarge, rec.Code == http.StatusUnsupportedMediaType:
				wantTokenError(t, rec, rec.Code, "")
			default:
				t.Fatalf("%s %q %q: got %d %s", r.path, contentType, body, rec.Code, rec.Body)
			}
		}
		// The login is intact: its refresh token still rotates (keep the
		// new pair for the next input).
		rec := fx.refresh(pair.RefreshToken)
		if rec.Code != http.StatusOK {
			t.Fatalf("the login was revoked by body %q: refresh got %d", body, rec.Code)
		}
		pair = decode[jwt.TokenPair](t, rec)
	})
}
