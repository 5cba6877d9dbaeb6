package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		addr    string
		db      string
		secret  string
		secure  bool
		wantErr string
	}{
		{name: "ok, defaults", addr: "127.0.0.1:8080", db: "passport-demo.db"},
		{name: "ok, PORT", env: map[string]string{"PORT": "9000"}, addr: "127.0.0.1:9000", db: "passport-demo.db"},
		{name: "ok, -addr wins over PORT", args: []string{"-addr", "127.0.0.1:7000"}, env: map[string]string{"PORT": "9000"}, addr: "127.0.0.1:7000", db: "passport-demo.db"},
		{name: "ok, DEMO_DB", env: map[string]string{"DEMO_DB": "/var/lib/demo.db"}, addr: "127.0.0.1:8080", db: "/var/lib/demo.db"},
		{name: "ok, -db wins over DEMO_DB", args: []string{"-db", ":memory:"}, env: map[string]string{"DEMO_DB": "x.db"}, addr: "127.0.0.1:8080", db: ":memory:"},
		{name: "ok, SESSION_SECRET and -secure-cookies", args: []string{"-secure-cookies"}, env: map[string]string{"SESSION_SECRET": testSecret},
			addr: "127.0.0.1:8080", db: "passport-demo.db", secret: testSecret, secure: true},
		{name: "nok, PORT not a number", env: map[string]string{"PORT": "http"}, wantErr: "PORT"},
		{name: "nok, PORT out of range", env: map[string]string{"PORT": "70000"}, wantErr: "PORT"},
		{name: "nok, unknown flag", args: []string{"-verbose"}, wantErr: "flag provided but not defined"},
		{name: "nok, stray argument", args: []string{"serve"}, wantErr: "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOptions(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.addr != tt.addr || o.cfg.DB != tt.db || o.cfg.SessionSecret != tt.secret || o.cfg.SecureCookies != tt.secure {
				t.Errorf("got addr %q db %q secret %q secure %v; want %q %q %q %v",
					o.addr, o.cfg.DB, o.cfg.SessionSecret, o.cfg.SecureCookies, tt.addr, tt.db, tt.secret, tt.secure)
			}
		})
	}
}

func TestServerURL(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080/"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9000}, "http://127.0.0.1:9000/"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 9000}, "http://[::1]:9000/"},
	}
	for _, tt := range tests {
		if got := serverURL(tt.addr); got != tt.want {
			t.Errorf("serverURL(%v): got %q; want %q", tt.addr, got, tt.want)
		}
	}
}

// syncBuffer is a bytes.Buffer that the server's logger and the test can
// use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun starts the program as main does, on a free port, reads the URL
// it logs, fetches the home page and stops it.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-db", ":memory:"}, func(string) string { return "" }, &logs)
	}()

	urlRE := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/)`)
	var url string
	for deadline := time.Now().Add(20 * time.Second); url == "" && time.Now().Before(deadline); {
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if m := urlRE.FindStringSubmatch(logs.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("no URL logged:\n%s", logs.String())
	}
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Nobody is logged on.") {
		t.Errorf("GET %s: got %d; want 200 with the home page", url, res.StatusCode)
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
	if !strings.Contains(logs.String(), "path=/ status=200") {
		t.Errorf("request not logged:\n%s", logs.String())
	}
}
