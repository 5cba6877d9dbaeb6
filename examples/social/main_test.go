package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSignInFlow runs the app's whole flow offline: the page offers "Sign
// in with Dev OIDC", the link goes through the development provider and
// back, the page greets the user, and signing out forgets them.
func TestSignInFlow(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	var logs bytes.Buffer
	h, closeApp, err := newApp(t.Context(), Config{BaseURL: base, DevOIDC: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := closeApp(); err != nil {
			t.Error(err)
		}
	})
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	if !strings.Contains(logs.String(), "NOT FOR PRODUCTION") {
		t.Errorf("no warning about the development provider in %q", logs.String())
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	t.Cleanup(browser.CloseIdleConnections)
	get := func(path string) string {
		t.Helper()
		resp, err := browser.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: got %d", path, resp.StatusCode)
		}
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}

	home := get("/")
	if !strings.Contains(home, `href="/auth/devoidc"`) || !strings.Contains(home, "Sign in with Dev OIDC") {
		t.Fatalf("home page lacks the button:\n%s", home)
	}
	if css := get("/social.css"); !strings.Contains(css, ".social-button--devoidc{") {
		t.Errorf("stylesheet lacks the button's colours:\n%s", css)
	}
	signedIn := get("/auth/devoidc")
	if !strings.Contains(signedIn, "Hello, jane.doe") || !strings.Contains(signedIn, "devoidc (subject 1234567890)") {
		t.Fatalf("after sign-in:\n%s", signedIn)
	}
	// A replayed or forged callback goes back to the page with a message.
	if page := get("/auth/devoidc/callback?state=x&code=y"); !strings.Contains(page, "Hello, jane.doe") {
		t.Errorf("a failed callback logged the user out:\n%s", page)
	}

	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(signedIn)
	if token == nil {
		t.Fatal("no CSRF token in the sign-out form")
	}
	resp, err := browser.PostForm(base+"/logout", url.Values{"_csrf": {token[1]}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Sign in with Dev OIDC") {
		t.Errorf("after sign-out:\n%s", b)
	}
}

func TestNoProviders(t *testing.T) {
	h, closeApp, err := newApp(t.Context(), Config{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer closeApp()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "No provider is configured") {
		t.Errorf("got %d:\n%s", rec.Code, rec.Body.String())
	}
}

func TestHalfConfiguredProviderIsAnError(t *testing.T) {
	_, _, err := newApp(context.Background(), Config{BaseURL: "http://127.0.0.1:1", Getenv: func(k string) string {
		if k == "GITHUB_CLIENT_ID" {
			return "id"
		}
		return ""
	}})
	if err == nil || !strings.Contains(err.Error(), "GITHUB_CLIENT_SECRET") {
		t.Errorf("got %v; want an error naming GITHUB_CLIENT_SECRET", err)
	}
}

func TestRunStops(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out := &signalWriter{started: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-dev-oidc=false"}, func(string) string { return "" },
			slog.New(slog.NewTextHandler(io.Discard, nil)), out)
	}()
	select {
	case <-out.started:
	case err := <-done:
		t.Fatalf("run returned before serving: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	if got := out.String(); !strings.HasPrefix(got, "social: open http://127.0.0.1:") {
		t.Errorf("output: got %q", got)
	}
}

// signalWriter closes started at its first write.
type signalWriter struct {
	mu      sync.Mutex
	b       bytes.Buffer
	started chan struct{}
	once    sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	n, err := w.b.Write(p)
	w.mu.Unlock()
	w.once.Do(func() { close(w.started) })
	return n, err
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
