package apikey_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/apikey"
)

// TestNewRefusesBadConfig: New refuses a Config value that can only be a
// mistake with an error wrapping ErrInvalidConfig that names the field;
// zero values are the documented defaults.
func TestNewRefusesBadConfig(t *testing.T) {
	v := verify()
	tests := []struct {
		name  string
		cfg   apikey.Config[string]
		field string // "" when New must succeed
	}{
		{"ok, zero value means default", apikey.Config[string]{Verify: v}, ""},
		{"ok, QueryParam of unreserved characters", apikey.Config[string]{Verify: v, QueryParam: "api-key_v1.x~"}, ""},
		{"nok, Verify missing", apikey.Config[string]{}, "Config.Verify"},
		{"nok, Header not a token", apikey.Config[string]{Verify: v, Header: "X API Key"}, "Config.Header"},
		{"nok, Header is Authorization", apikey.Config[string]{Verify: v, Header: "Authorization"}, "Config.Header"},
		{"nok, Header with DisableHeader", apikey.Config[string]{Verify: v, Header: "X-Key", DisableHeader: true, QueryParam: "key"}, "Config.Header"},
		{"nok, Scheme not a token", apikey.Config[string]{Verify: v, Scheme: "Api Key"}, "Config.Scheme"},
		{"nok, QueryParam with '&'", apikey.Config[string]{Verify: v, QueryParam: "a&b"}, "Config.QueryParam"},
		{"nok, QueryParam with '='", apikey.Config[string]{Verify: v, QueryParam: "key="}, "Config.QueryParam"},
		{"nok, QueryParam with a space", apikey.Config[string]{Verify: v, QueryParam: "api key"}, "Config.QueryParam"},
		{"nok, no source", apikey.Config[string]{Verify: v, DisableHeader: true}, "Config.Scheme"},
		{"nok, MaxKeyBytes negative", apikey.Config[string]{Verify: v, MaxKeyBytes: -1}, "Config.MaxKeyBytes"},
		{"nok, Challenge with CRLF", apikey.Config[string]{Verify: v, Challenge: "ApiKey\r\nX: y"}, "Config.Challenge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := apikey.New(tt.cfg)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v; want no error", err)
				}
				// The default source: the X-API-Key header.
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.Header.Set(apikey.DefaultHeader, aliceKey)
				res, err := s.Authenticate(r)
				if err != nil || res.Kind != strategy.KindSuccess {
					t.Fatalf("got %q, %v; want a success", res.Kind, err)
				}
				return
			}
			if !errors.Is(err, apikey.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if !strings.HasPrefix(err.Error(), "apikey: ") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want the package prefix and %s", err, tt.field)
			}
		})
	}
}
