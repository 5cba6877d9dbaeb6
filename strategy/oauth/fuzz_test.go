package oauth

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func FuzzCallbackParams(f *testing.F) {
	f.Add(false, "state=abc&code=xyz", []byte(nil))
	f.Add(true, "", []byte("state=abc&code=xyz"))
	f.Add(false, "state=a&state=b", []byte(nil))
	f.Add(true, "state=q", []byte("%zz=1"))
	f.Add(false, "error=access_denied&error_description=%3Cscript%3E", []byte(nil))
	f.Fuzz(func(t *testing.T, post bool, query string, body []byte) {
		method := http.MethodGet
		if post {
			method = http.MethodPost
		}
		r := httptest.NewRequest(method, "/auth/x/callback", bytes.NewReader(body))
		r.URL.RawQuery = query
		if post {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		v, err := callbackParams(r)
		if err != nil {
			if err != errMalformedCallback {
				t.Fatalf("got %v; want errMalformedCallback", err)
			}
			return
		}
		for _, k := range []string{"state", "code", "error"} {
			if len(v[k]) > 1 {
				t.Fatalf("%s repeated: %q", k, v[k])
			}
		}
		if len(v.Get("state")) > maxStateParam || len(v.Get("code")) > maxCodeParam {
			t.Fatalf("oversized state or code accepted")
		}
	})
}

func FuzzDecodeHandshake(f *testing.F) {
	good, err := handshake{
		Version: handshakeVersion, Provider: "github", State: "0123456789012345678901234567890123456789012",
		Created: 1, Session: `{"AuthURL":"https://github.com/login/oauth/authorize"}`, ReturnTo: "/x",
	}.encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(`{"v":1}`)
	f.Add(``)
	f.Add(`{"v":1,"p":"a","s":"0123456789012345678901234567890123456789012","t":1,"g":"x","r":"//evil"}`)
	f.Fuzz(func(t *testing.T, s string) {
		h, err := decodeHandshake(s)
		if err != nil {
			if err != errBadHandshake {
				t.Fatalf("got %v; want errBadHandshake", err)
			}
			return
		}
		again, err := h.encode()
		if err != nil {
			t.Fatal(err)
		}
		h2, err := decodeHandshake(again)
		if err != nil || !reflect.DeepEqual(h, h2) {
			t.Fatalf("round trip changed %+v into %+v (%v)", h, h2, err)
		}
		if h.ReturnTo != "" && !safeReturnTo(h.ReturnTo) {
			t.Fatalf("unsafe return-to accepted: %q", h.ReturnTo)
		}
	})
}

// FuzzDescribe feeds describe the text a provider controls (an error
// body's OAuth error code, a URL in a transport error): it never panics,
// never lets a secret through, and never keeps a URL's query.
func FuzzDescribe(f *testing.F) {
	f.Add("invalid_grant", "https://www.googleapis.com/oauth2/v2/userinfo?access_token=SECRET-TOKEN", "SECRET-TOKEN")
	f.Add("bad code \x00 \n", "http://127.0.0.1:1/token?code=SECRET-CODE#frag", "SECRET-CODE")
	f.Add("", "::not a url", "x")
	f.Fuzz(func(t *testing.T, code, rawURL, secret string) {
		errs := []error{
			&oauth2.RetrieveError{Response: &http.Response{Status: "400 Bad Request", StatusCode: 400}, Body: []byte(secret), ErrorCode: code},
			&url.Error{Op: "Get", URL: rawURL, Err: errors.New("connection refused")},
			fmt.Errorf("goth: %s: %s", rawURL, secret),
		}
		for _, err := range errs {
			got := describe(err, secret)
			// Secrets are random base64url: short ones, spaces and the
			// brackets of "[redacted]" would match describe's own words.
			if len(secret) >= 12 && !strings.ContainsAny(secret, " []") && strings.Contains(got, secret) {
				t.Fatalf("describe(%v) = %q: holds the secret %q", err, got, secret)
			}
			var ue *url.Error
			if errors.As(err, &ue) && strings.Contains(got, rawURL) && strings.Contains(rawURL, "?") {
				t.Fatalf("describe(%v) = %q: holds the URL with its query", err, got)
			}
		}
	})
}
