package devoidc

import (
	"encoding/base64"
	"testing"
)

func FuzzBasicCredentials(f *testing.F) {
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte("client%3A1:s%40cret")))
	f.Add("Basic !!!")
	f.Add("Bearer x")
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte("%zz:x")))
	f.Fuzz(func(t *testing.T, header string) {
		id, secret, ok := basicCredentials(header)
		if !ok {
			if id != "" || secret != "" {
				t.Fatalf("refused header returned %q %q", id, secret)
			}
			return
		}
		if id == "" {
			t.Fatal("accepted an empty client ID")
		}
	})
}

func TestBasicCredentials(t *testing.T) {
	tests := []struct {
		name, header, id, secret string
		ok                       bool
	}{
		{"ok, url-encoded", "Basic " + base64.StdEncoding.EncodeToString([]byte("client%3A1:s%40cret")), "client:1", "s@cret", true},
		{"nok, bearer", "Bearer x", "", "", false},
		{"nok, bad escape", "Basic " + base64.StdEncoding.EncodeToString([]byte("%zz:x")), "", "", false},
		{"nok, empty id", "Basic " + base64.StdEncoding.EncodeToString([]byte(":x")), "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, secret, ok := basicCredentials(tt.header)
			if id != tt.id || secret != tt.secret || ok != tt.ok {
				t.Errorf("got %q %q %v; want %q %q %v", id, secret, ok, tt.id, tt.secret, tt.ok)
			}
		})
	}
}
