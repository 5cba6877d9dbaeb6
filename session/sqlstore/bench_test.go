package sqlstore_test

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gopassport/passport/session/sqlstore"
)

// openSQLite opens a SQLite file with the recommended settings, closed
// after the test.
func openSQLite(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkLoad measures New for a request with a valid cookie: opening the
// cookie, one SELECT by primary key, decoding the values.
func BenchmarkLoad(b *testing.B) {
	db := openSQLite(b, filepath.Join(b.TempDir(), "bench.db"))
	st, err := sqlstore.New(b.Context(), db, sqlstore.Config{Keys: [][]byte{newKey(b)}, CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })

	r := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/", nil)
	sess, err := st.New(r, cookieName)
	if err != nil {
		b.Fatal(err)
	}
	sess.Values["user"] = "user-12345"
	sess.Values["_created"] = int64(1_800_000_000)
	sess.Values["_seen"] = int64(1_800_000_000)
	w := httptest.NewRecorder()
	if err := st.Save(r, w, sess); err != nil {
		b.Fatal(err)
	}
	r = httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/", nil)
	r.AddCookie(sessionCookie(w))

	b.ReportAllocs()
	for b.Loop() {
		got, err := st.New(r, cookieName)
		if err != nil || got.IsNew {
			b.Fatalf("got IsNew=%v, err %v; want the saved session", got.IsNew, err)
		}
	}
}

// BenchmarkSave measures Save of a loaded session: encoding the values and
// one conditional UPDATE with the user columns.
func BenchmarkSave(b *testing.B) {
	db := openSQLite(b, filepath.Join(b.TempDir(), "bench.db"))
	st, err := sqlstore.New(b.Context(), db, sqlstore.Config{Keys: [][]byte{newKey(b)}, CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	r := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/", nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0")
	sess, err := st.New(r, cookieName)
	if err != nil {
		b.Fatal(err)
	}
	sess.Values["passport.user"] = "user-12345"
	sess.Values["_created"] = int64(1_800_000_000)
	sess.Values["_seen"] = int64(1_800_000_000)
	if err := st.Save(r, httptest.NewRecorder(), sess); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := st.Save(r, httptest.NewRecorder(), sess); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListUserSessions measures listing a user's five sessions.
func BenchmarkListUserSessions(b *testing.B) {
	db := openSQLite(b, filepath.Join(b.TempDir(), "bench.db"))
	st, err := sqlstore.New(b.Context(), db, sqlstore.Config{Keys: [][]byte{newKey(b)}, CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	for range 5 {
		r := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/", nil)
		sess, _ := st.New(r, cookieName)
		sess.Values["passport.user"] = "user-12345"
		if err := st.Save(r, httptest.NewRecorder(), sess); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if l, err := st.ListUserSessions(b.Context(), "user-12345"); err != nil || len(l) != 5 {
			b.Fatalf("got %d, %v", len(l), err)
		}
	}
}
