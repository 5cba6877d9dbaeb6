package jwt_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy/jwt"
)

// FuzzTokenBody sends arbitrary bodies and media types to the refresh and
// revocation endpoints: they never panic nor fault, and every refusal is a
// 4xx with an RFC 6749 error body and the no-store headers. The seed
// corpus is in testdata/fuzz/FuzzTokenBody.
func FuzzTokenBody(f *testing.F) {
	k := newTestKeys(f)
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Key: k.ed}, Store: jwt.NewMemoryStore(jwt.MemoryStoreConfig{})})
	if err != nil {
		f.Fatal(err)
	}
	ep, err := iss.Endpoints(jwt.EndpointsConfig{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("application/json", `{"refresh_token":"`+strings.Repeat("A", 43)+`"}`)
	f.Add("application/x-www-form-urlencoded", "grant_type=refresh_token&refresh_token=abc")
	handlers := []http.Handler{ep.Refresh(), ep.Revoke()}
	f.Fuzz(func(t *testing.T, contentType, body string) {
		for _, h := range handlers {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			r.Header.Set("Content-Type", contentType)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Pragma") != "no-cache" {
				t.Fatalf("no no-store headers: %v", rec.Header())
			}
			if rec.Code == http.StatusOK {
				continue
			}
			if rec.Code < 400 || rec.Code > 499 {
				t.Fatalf("got %d %s; want 200 or a 4xx", rec.Code, rec.Body)
			}
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("error body %q: %v", rec.Body, err)
			}
		}
	})
}
