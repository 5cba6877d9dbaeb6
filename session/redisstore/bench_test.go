package redisstore_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gopassport/passport/session"
)

// benchValues is a logged-in session as passport leaves it: the user, the
// manager's timestamps, a CSRF secret.
func benchValues() map[any]any {
	now := time.Now().Unix()
	return map[any]any{
		session.UserKey: "user-12345",
		"_created":      now,
		"_seen":         now,
		"_csrf":         "0123456789abcdef0123456789abcdef0123456789a",
	}
}

// benchSession saves a logged-in session and reports its size in Redis.
func benchSession(b *testing.B) (*fixture, *http.Cookie) {
	b.Helper()
	f := newFixture(b, nil)
	f.store.SetLifetimes(2*time.Hour, 24*time.Hour)
	r := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/", nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36")
	sess, err := f.store.New(r, "passport")
	if err != nil {
		b.Fatal(err)
	}
	sess.Values = benchValues()
	w := httptest.NewRecorder()
	if err := f.store.Save(r, w, sess); err != nil {
		b.Fatal(err)
	}
	size, err := f.client.MemoryUsage(b.Context(), f.sessionKey(sess.ID)).Result()
	if err != nil {
		b.Fatal(err)
	}
	// Reported when the benchmark ends: b.Loop drops earlier metrics.
	b.Cleanup(func() { b.ReportMetric(float64(size), "bytes/session") })
	return f, cookieOf(w.Header(), "passport")
}

// BenchmarkLoad is the hot path: the session of a logged-in request.
func BenchmarkLoad(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		f, c := benchSession(b)
		r := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/", nil)
		r.AddCookie(c)
		b.ReportAllocs()
		for b.Loop() {
			sess, err := f.store.New(r, "passport")
			if err != nil || sess.IsNew {
				b.Fatalf("got IsNew %v, error %v", sess.IsNew, err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		f, c := benchSession(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			r := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/", nil)
			r.AddCookie(c)
			for pb.Next() {
				sess, err := f.store.New(r, "passport")
				if err != nil || sess.IsNew {
					b.Errorf("got IsNew %v, error %v", sess.IsNew, err)
					return
				}
			}
		})
	})
}

// BenchmarkSave updates a logged-in session (the save of a request that
// changed it): one pipeline of the index and the script.
func BenchmarkSave(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		f, c := benchSession(b)
		r := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/", nil)
		r.AddCookie(c)
		sess, err := f.store.New(r, "passport")
		if err != nil {
			b.Fatal(err)
		}
		w := discard{}
		b.ReportAllocs()
		for b.Loop() {
			if err := f.store.Save(r, w, sess); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		f, c := benchSession(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			r := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/", nil)
			r.AddCookie(c)
			sess, err := f.store.New(r, "passport")
			if err != nil {
				b.Error(err)
				return
			}
			for pb.Next() {
				if err := f.store.Save(r, discard{}, sess); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// discard is a ResponseWriter that keeps nothing, so that the benchmark
// measures the store, not a growing header.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) WriteHeader(int)             {}
