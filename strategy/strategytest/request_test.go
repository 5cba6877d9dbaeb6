package strategytest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gopassport/passport/strategy"
)

func TestNewRequestDefaults(t *testing.T) {
	r := NewRequest("GET", "/login?next=%2F").Build()
	checks := []struct{ name, got, want string }{
		{"method", r.Method, "GET"},
		{"path", r.URL.Path, "/login"},
		{"query", r.URL.Query().Get("next"), "/"},
		{"request URI", r.RequestURI, "/login?next=%2F"},
		{"host", r.Host, DefaultHost},
		{"remote address", r.RemoteAddr, DefaultRemoteAddr},
		{"client IP", strategy.ClientIP(r), "192.0.2.1"},
		{"proto", r.Proto, "HTTP/1.1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q; want %q", c.name, c.got, c.want)
		}
	}
	if r.Body == nil || r.ContentLength != 0 || r.TLS != nil {
		t.Errorf("got body %v, length %d, TLS %v; want http.NoBody, 0, nil", r.Body, r.ContentLength, r.TLS)
	}
}

func TestRequestBuilderBodies(t *testing.T) {
	tests := []struct {
		name     string
		b        *RequestBuilder
		wantCT   string
		wantBody string
	}{
		{"ok, form", NewRequest("POST", "/").Form(url.Values{"username": {"alice"}, "password": {"a b&c"}}),
			"application/x-www-form-urlencoded", "password=a+b%26c&username=alice"},
		{"ok, JSON", NewRequest("POST", "/").JSON(map[string]string{"username": "alice"}),
			"application/json", `{"username":"alice"}`},
		{"ok, raw body", NewRequest("POST", "/").Body("text/plain", []byte("\x00\xff")), "text/plain", "\x00\xff"},
		{"ok, explicit content type wins", NewRequest("POST", "/").Header("Content-Type", "text/x").JSON(1), "text/x", "1"},
		{"ok, later body replaces", NewRequest("POST", "/").JSON(1).Form(url.Values{"a": {"b"}}),
			"application/x-www-form-urlencoded", "a=b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.b.Build()
			if got := r.Header.Get("Content-Type"); got != tt.wantCT {
				t.Errorf("got content type %q; want %q", got, tt.wantCT)
			}
			body, err := io.ReadAll(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != tt.wantBody {
				t.Errorf("got body %q; want %q", body, tt.wantBody)
			}
			if r.ContentLength != int64(len(tt.wantBody)) {
				t.Errorf("got length %d; want %d", r.ContentLength, len(tt.wantBody))
			}
			again, err := r.GetBody()
			if err != nil {
				t.Fatal(err)
			}
			if body, _ := io.ReadAll(again); string(body) != tt.wantBody {
				t.Errorf("got GetBody %q; want %q", body, tt.wantBody)
			}
		})
	}
}

func TestRequestBuilderMultipart(t *testing.T) {
	r := NewRequest("POST", "/upload").
		Multipart(url.Values{"username": {"alice"}, "tag": {"a", "b"}},
			File{Field: "avatar", Name: "me.png", ContentType: "image/png", Content: []byte("PNG")}).
		Build()
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		t.Fatal(err)
	}
	if got := r.PostForm.Get("username"); got != "alice" {
		t.Errorf("got username %q; want %q", got, "alice")
	}
	if got := strings.Join(r.PostForm["tag"], ","); got != "a,b" {
		t.Errorf("got tags %q; want %q", got, "a,b")
	}
	f, h, err := r.FormFile("avatar")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	content, _ := io.ReadAll(f)
	if h.Filename != "me.png" || h.Header.Get("Content-Type") != "image/png" || string(content) != "PNG" {
		t.Errorf("got file %q %q %q; want %q %q %q", h.Filename, h.Header.Get("Content-Type"), content, "me.png", "image/png", "PNG")
	}
}

func TestRequestBuilderHeadersAndContext(t *testing.T) {
	type key struct{}
	var order []string
	r := NewRequest("GET", "https://api.example.com:8443/v1?a=1").
		Query(url.Values{"b": {"2"}}).
		Header("Authorization", "Basic one").
		Header("authorization", "Basic two").
		Cookie(&http.Cookie{Name: "session", Value: "abc"}).
		RemoteAddr("[2001:db8::1]:443").
		Context(context.WithValue(context.Background(), key{}, "base")).
		WithContext(func(ctx context.Context) context.Context { order = append(order, "first"); return ctx }).
		WithContext(func(ctx context.Context) context.Context { order = append(order, "second"); return ctx }).
		ClientIP("203.0.113.9").
		WithContext(LoggedInAs("alice")).
		Build()

	if got := r.Header.Values("Authorization"); len(got) != 2 {
		t.Errorf("got Authorization %q; want two values", got)
	}
	if c, err := r.Cookie("session"); err != nil || c.Value != "abc" {
		t.Errorf("got cookie %v, %v; want session=abc", c, err)
	}
	if got, want := r.URL.RawQuery, "a=1&b=2"; got != want {
		t.Errorf("got query %q; want %q", got, want)
	}
	if got, want := r.Host, "api.example.com:8443"; got != want {
		t.Errorf("got host %q; want %q", got, want)
	}
	if r.TLS == nil {
		t.Error("got no TLS state; want one for an https target")
	}
	if got := r.Context().Value(key{}); got != "base" {
		t.Errorf("got base context value %v; want %q", got, "base")
	}
	if got := strings.Join(order, ","); got != "first,second" {
		t.Errorf("got hooks run %q; want %q", got, "first,second")
	}
	if got, want := strategy.ClientIP(r), "203.0.113.9"; got != want {
		t.Errorf("got client IP %q; want %q", got, want)
	}
	user, ok, err := strategy.CurrentUser[string](r.Context())
	if user != "alice" || !ok || err != nil {
		t.Errorf("got current user %q, %v, %v; want %q, true, nil", user, ok, err, "alice")
	}
}

func TestRequestBuilderBuildsIndependentRequests(t *testing.T) {
	b := NewRequest("POST", "/").Header("X-A", "1").Form(url.Values{"a": {"1"}})
	r1, r2 := b.Build(), b.Build()
	r1.Header.Set("X-A", "changed")
	if got := r2.Header.Get("X-A"); got != "1" {
		t.Errorf("got %q; want %q", got, "1")
	}
	if got := b.Build().Header.Get("X-A"); got != "1" {
		t.Errorf("got %q from the builder; want %q", got, "1")
	}
	io.ReadAll(r1.Body)
	if body, _ := io.ReadAll(r2.Body); string(body) != "a=1" {
		t.Errorf("got body %q; want %q", body, "a=1")
	}

	c := b.Clone().Header("X-B", "2")
	if b.Build().Header.Get("X-B") != "" || c.Build().Header.Get("X-B") != "2" {
		t.Error("got a clone sharing headers with its original; want independent builders")
	}

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			r := b.Build()
			if err := r.ParseForm(); err != nil || r.PostForm.Get("a") != "1" {
				t.Errorf("got form %v, %v; want a=1", r.PostForm, err)
			}
		})
	}
	wg.Wait()
}

func TestRequestBuilderPanicsOnTestMistakes(t *testing.T) {
	tests := []struct {
		name string
		b    *RequestBuilder
		want string
	}{
		{"nok, target", NewRequest("GET", "no slash"), `strategytest: target "no slash"`},
		{"nok, JSON", NewRequest("POST", "/").JSON(make(chan int)), "strategytest: JSON: json: unsupported type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				v := recover()
				s, _ := v.(string)
				if !strings.HasPrefix(s, tt.want) {
					t.Errorf("got panic %v; want one starting %q", v, tt.want)
				}
			}()
			tt.b.Build()
		})
	}
}

func TestHostileRequestsBuild(t *testing.T) {
	seen := make(map[string]bool)
	for _, c := range HostileRequests() {
		if seen[c.Name] {
			t.Errorf("got case name %q twice; want unique names", c.Name)
		}
		seen[c.Name] = true
		r := c.Request.Build()
		if r.Body == nil || r.Header == nil || r.URL == nil {
			t.Errorf("%s: got a request without body, header or URL", c.Name)
		}
	}
	if len(seen) < 200 {
		t.Errorf("got %d hostile requests; want at least 200", len(seen))
	}
	// Spot checks that the dangerous ones are there.
	for _, name := range []string{"1 MiB Authorization Basic", "1 MiB JSON nesting", "100 Authorization headers", `Authorization "Basic ===="`, "empty CONNECT"} {
		if !seen[name] {
			t.Errorf("got no case %q; want it", name)
		}
	}
}
