package oauth

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
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
