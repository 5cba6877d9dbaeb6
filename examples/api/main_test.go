package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		addr    string
		issuer  string
		wantErr string
	}{
		{name: "ok, defaults", addr: "127.0.0.1:8082", issuer: "http://127.0.0.1:8082"},
		{name: "ok, -addr sets the issuer", args: []string{"-addr", "127.0.0.1:9000"}, addr: "127.0.0.1:9000", issuer: "http://127.0.0.1:9000"},
		{name: "ok, -issuer", args: []string{"-issuer", "https://api.example.com"}, addr: "127.0.0.1:8082", issuer: "https://api.example.com"},
		{name: "nok, unknown flag", args: []string{"-verbose"}, wantErr: "flag provided but not defined"},
		{name: "nok, stray argument", args: []string{"serve"}, wantErr: "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOptions(tt.args, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.addr != tt.addr || o.issuer != tt.issuer {
				t.Errorf("got addr %q issuer %q; want %q %q", o.addr, o.issuer, tt.addr, tt.issuer)
			}
		})
	}
}

// TestRun starts the program as main does, on a free port, logs in as the
// seeded user, and stops it.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, &logs) }()

	urlRE := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); {
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if m := urlRE.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("no URL logged:\n%s", logs.String())
	}
	res, err := http.Post(base+tokenPath, "application/json", strings.NewReader(credentials("ada@example.com", demoPassword)))
	if err != nil {
		t.Fatal(err)
	}
	var pair struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(res.Body).Decode(&pair)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || pair.AccessToken == "" {
		t.Fatalf("login: got %d %v; want 200 with an access token", res.StatusCode, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}
