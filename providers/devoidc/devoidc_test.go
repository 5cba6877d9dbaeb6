package devoidc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/markbates/goth"

	"github.com/gopassport/passport/providers"
	"github.com/gopassport/passport/providers/devoidc"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

func TestStartRefuses(t *testing.T) {
	tests := []struct {
		name string
		cfg  devoidc.Config
		is   error
	}{
		{"nok, Enabled", devoidc.Config{}, devoidc.ErrNotEnabled},
		{"nok, Addr on all interfaces", devoidc.Config{Enabled: true, Addr: "0.0.0.0:0"}, devoidc.ErrInvalidConfig},
		{"nok, Addr public", devoidc.Config{Enabled: true, Addr: "192.0.2.1:0"}, devoidc.ErrInvalidConfig},
		{"nok, Addr without a port", devoidc.Config{Enabled: true, Addr: "127.0.0.1"}, devoidc.ErrInvalidConfig},
		{"nok, User.Subject", devoidc.Config{Enabled: true, User: &devoidc.User{Email: "a@example.test"}}, devoidc.ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := devoidc.Start(tt.cfg)
			if err == nil {
				_ = s.Close()
				t.Fatal("got no error")
			}
			if !errors.Is(err, tt.is) || !errors.Is(err, devoidc.ErrInvalidConfig) {
				t.Errorf("got %v; want %v and %v", err, tt.is, devoidc.ErrInvalidConfig)
			}
		})
	}
}

func TestWarnsLoudly(t *testing.T) {
	var logs bytes.Buffer
	s, err := devoidc.Start(devoidc.Config{Enabled: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "NOT FOR PRODUCTION") || !strings.Contains(out, s.Issuer()) {
		t.Errorf("log: got %q; want a warning naming the issuer and NOT FOR PRODUCTION", out)
	}
	if !strings.HasPrefix(s.Issuer(), "http://127.0.0.1:") || !strings.HasSuffix(s.Issuer(), "/oidc") {
		t.Errorf("issuer: got %q; want http://127.0.0.1:PORT/oidc", s.Issuer())
	}
}

// site is an app with the devoidc provider on /auth/devoidc.
type site struct {
	srv *httptest.Server
	dev *devoidc.Server
}

func newSite(t *testing.T, cfg devoidc.Config) *site {
	t.Helper()
	cfg.Enabled = true
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	dev, err := devoidc.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dev.Close() })
	st := &site{dev: dev}
	strategies := map[string]strategy.Strategy[string]{}
	mux := http.NewServeMux()
	key := bytes.Repeat([]byte{7}, 32)
	store, err := session.NewCookieStore(key)
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	serve := func(w http.ResponseWriter, r *http.Request) {
		s, ok := strategies[r.PathValue("name")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		res, err := s.Authenticate(r)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		case res.Kind == strategy.KindRedirect:
			http.Redirect(w, r, res.Location, http.StatusFound)
		case res.Kind == strategy.KindSuccess:
			_, _ = io.WriteString(w, "signed in as "+res.User)
		default:
			http.Error(w, fmt.Sprintf("%s: %v", res.Info.Message, res.Reason), res.FailStatus())
		}
	}
	mux.HandleFunc("/auth/{name}", serve)
	mux.HandleFunc("/auth/{name}/callback", serve)
	st.srv = httptest.NewServer(mgr.Middleware(mux))
	t.Cleanup(st.srv.Close)

	cat, err := providers.New(t.Context(), providers.Config{BaseURL: st.srv.URL, HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.AddTo(cat); err != nil {
		t.Fatal(err)
	}
	err = providers.Register(cat, func(name string, s strategy.Strategy[string]) error { strategies[name] = s; return nil },
		func(_ context.Context, u goth.User) (string, error) {
			return u.Provider + ":" + u.UserID + ":" + u.Email, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (st *site) signIn(t testing.TB) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	resp, err := c.Get(st.srv.URL + "/auth/devoidc")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSignIn(t *testing.T) {
	st := newSite(t, devoidc.Config{})
	code, body := st.signIn(t)
	if code != http.StatusOK || body != "signed in as devoidc:1234567890:jane.doe@example.com" {
		t.Errorf("got %d %q; want 200 signed in as devoidc:1234567890:jane.doe@example.com", code, body)
	}
	// Basic credentials were accepted at once: one token request.
	if got := st.dev.TokenRequests(); got != 1 {
		t.Errorf("token requests: got %d; want 1", got)
	}
}

func TestConfiguredUser(t *testing.T) {
	st := newSite(t, devoidc.Config{Name: "dev", Label: "Local", User: &devoidc.User{Subject: "u-7", Email: "grace@example.test"}})
	// The provider is registered as "dev".
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	resp, err := c.Get(st.srv.URL + "/auth/dev")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "signed in as dev:u-7:grace@example.test" {
		t.Errorf("got %d %q; want 200 signed in as dev:u-7:grace@example.test", resp.StatusCode, b)
	}
}

// TestConcurrentSignIns would race inside mockoidc without the
// one-at-a-time middleware (run with -race).
func TestConcurrentSignIns(t *testing.T) {
	st := newSite(t, devoidc.Config{})
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 16 {
		wg.Go(func() {
			if code, body := st.signIn(t); code != http.StatusOK {
				errs <- fmt.Sprintf("got %d %q", code, body)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestClose(t *testing.T) {
	s, err := devoidc.Start(devoidc.Config{Enabled: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	issuer := s.Issuer()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	c := &http.Client{Timeout: time.Second}
	if resp, err := c.Get(issuer + "/.well-known/openid-configuration"); err == nil {
		resp.Body.Close()
		t.Error("the server still answers after Close")
	}
}
