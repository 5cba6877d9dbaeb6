package jwt_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/jwt"
)

// checkConfigError asserts that err is a configuration mistake naming
// field, or no error at all when field is "".
func checkConfigError(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("got %v; want no error", err)
		}
		return
	}
	if !errors.Is(err, jwt.ErrInvalidConfig) {
		t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
	}
	if !strings.HasPrefix(err.Error(), "jwt: ") || !strings.Contains(err.Error(), field) {
		t.Errorf("got %q; want the package prefix and %s", err, field)
	}
}

// TestNewRefusesBadConfig: New refuses a Config value that can only be a
// mistake with an error wrapping ErrInvalidConfig that names the field;
// zero values are the documented defaults.
func TestNewRefusesBadConfig(t *testing.T) {
	k := newTestKeys(t)
	tests := []struct {
		name  string
		mod   func(*jwt.Config[string, *jwt.Claims])
		field string
	}{
		{"ok, zero value means default", func(c *jwt.Config[string, *jwt.Claims]) {
			c.Leeway, c.MaxTokenBytes, c.MaxTokenLifetime, c.Realm = 0, 0, 0, ""
		}, ""},
		{"ok, negative MaxTokenLifetime turns the cap off", func(c *jwt.Config[string, *jwt.Claims]) { c.MaxTokenLifetime = -1 }, ""},
		{"nok, Verify missing", func(c *jwt.Config[string, *jwt.Claims]) { c.Verify = nil }, "Verify"},
		{"nok, Algorithms none", func(c *jwt.Config[string, *jwt.Claims]) { c.Algorithms = []string{"none"} }, `"none"`},
		{"nok, Keys and RemoteKeys missing", func(c *jwt.Config[string, *jwt.Claims]) { c.Keys = nil }, "Config.Keys"},
		{"nok, Keys short secret", func(c *jwt.Config[string, *jwt.Claims]) { c.Keys = []jwt.Key{{Key: []byte("secret")}} }, "at least 32"},
		{"nok, Leeway negative", func(c *jwt.Config[string, *jwt.Claims]) { c.Leeway = -time.Second }, "Config.Leeway"},
		{"nok, MaxTokenBytes negative", func(c *jwt.Config[string, *jwt.Claims]) { c.MaxTokenBytes = -1 }, "Config.MaxTokenBytes"},
		{"nok, Audience empty entry", func(c *jwt.Config[string, *jwt.Claims]) { c.Audience = []string{"api", ""} }, "Config.Audience"},
		{"nok, Realm with a quote", func(c *jwt.Config[string, *jwt.Claims]) { c.Realm = `a"b` }, "Config.Realm"},
		{"nok, FingerprintCookie invalid", func(c *jwt.Config[string, *jwt.Claims]) { c.FingerprintCookie = "a b" }, "Config.FingerprintCookie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig(k, &counter{})
			tt.mod(&cfg)
			s, err := jwt.New(cfg)
			checkConfigError(t, err, tt.field)
			if tt.field == "" && s == nil {
				t.Fatal("got a nil Strategy")
			}
		})
	}
}

// TestNewIssuerRefusesBadConfig: the same rule for NewIssuer. A negative
// TTL used to be taken as the default silently.
func TestNewIssuerRefusesBadConfig(t *testing.T) {
	k := newTestKeys(t)
	base := jwt.IssuerConfig{Issuer: testIssuer, Audience: []string{testAudience}, Key: jwt.Key{Key: k.ed}, Now: func() time.Time { return testNow }}
	tests := []struct {
		name  string
		mod   func(*jwt.IssuerConfig)
		field string
	}{
		{"ok, zero value means default", func(*jwt.IssuerConfig) {}, ""},
		{"ok, RefreshTTL equal to AccessTTL", func(c *jwt.IssuerConfig) { c.AccessTTL, c.RefreshTTL = time.Hour, time.Hour }, ""},
		{"nok, Issuer missing", func(c *jwt.IssuerConfig) { c.Issuer = "" }, "IssuerConfig.Issuer"},
		{"nok, Key missing", func(c *jwt.IssuerConfig) { c.Key = jwt.Key{} }, "IssuerConfig.Key"},
		{"nok, AccessTTL negative", func(c *jwt.IssuerConfig) { c.AccessTTL = -time.Minute }, "IssuerConfig.AccessTTL"},
		{"nok, RefreshTTL negative", func(c *jwt.IssuerConfig) { c.RefreshTTL = -time.Hour }, "IssuerConfig.RefreshTTL"},
		{"nok, RefreshTTL shorter than AccessTTL", func(c *jwt.IssuerConfig) { c.AccessTTL, c.RefreshTTL = time.Hour, time.Minute }, "IssuerConfig.RefreshTTL"},
		{"nok, RefreshTTL shorter than the default AccessTTL", func(c *jwt.IssuerConfig) { c.RefreshTTL = time.Minute }, "IssuerConfig.RefreshTTL"},
		{"nok, Audience empty entry", func(c *jwt.IssuerConfig) { c.Audience = []string{""} }, "IssuerConfig.Audience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.mod(&cfg)
			iss, err := jwt.NewIssuer(cfg)
			checkConfigError(t, err, tt.field)
			if tt.field != "" {
				return
			}
			// The defaults hold: a token of 15 minutes unless set.
			_, exp, err := iss.AccessToken("alice")
			if err != nil {
				t.Fatal(err)
			}
			want := 15 * time.Minute
			if cfg.AccessTTL != 0 {
				want = cfg.AccessTTL
			}
			if got := exp.Sub(testNow); got != want {
				t.Errorf("access token lifetime: got %v; want %v", got, want)
			}
		})
	}
}

// TestNewRemoteKeySetRefusesBadConfig: the same rule for NewRemoteKeySet. A negative
// duration used to be taken as the default silently.
func TestNewRemoteKeySetRefusesBadConfig(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}))
	defer srv.Close()
	tests := []struct {
		name  string
		cfg   jwt.RemoteKeySetConfig
		field string
	}{
		{"ok, zero value means default", jwt.RemoteKeySetConfig{URL: srv.URL, ErrorHandler: func(context.Context, error) {}}, ""},
		{"nok, URL missing", jwt.RemoteKeySetConfig{}, "RemoteKeySetConfig.URL"},
		{"nok, URL not absolute", jwt.RemoteKeySetConfig{URL: "/.well-known/jwks.json"}, "RemoteKeySetConfig.URL"},
		{"nok, URL plain http to a remote host", jwt.RemoteKeySetConfig{URL: "http://idp.example/jwks"}, "RemoteKeySetConfig.URL"},
		{"nok, Timeout negative", jwt.RemoteKeySetConfig{URL: srv.URL, Timeout: -time.Second}, "RemoteKeySetConfig.Timeout"},
		{"nok, RefreshInterval negative", jwt.RemoteKeySetConfig{URL: srv.URL, RefreshInterval: -time.Hour}, "RemoteKeySetConfig.RefreshInterval"},
		{"nok, UnknownKIDInterval negative", jwt.RemoteKeySetConfig{URL: srv.URL, UnknownKIDInterval: -time.Minute}, "RemoteKeySetConfig.UnknownKIDInterval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			set, err := jwt.NewRemoteKeySet(ctx, tt.cfg)
			checkConfigError(t, err, tt.field)
			if set != nil {
				_ = set.Close()
			}
		})
	}
}
