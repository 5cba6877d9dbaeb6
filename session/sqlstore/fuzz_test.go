package sqlstore_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gopassport/passport/session/sqlstore"
)

// FuzzNew feeds arbitrary session cookies to New: none was sealed by the
// store's key, so every one must give a new anonymous session, never an
// error or a panic.
func FuzzNew(f *testing.F) {
	key := newKey(f)
	f.Add("")
	f.Add("not-a-cookie")
	f.Add(seal(f, newKey(f), cookieName, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").Value)
	f.Add(seal(f, key, "other", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").Value)

	db := openSQLite(f, filepath.Join(f.TempDir(), "fuzz.db"))
	st, err := sqlstore.New(f.Context(), db, sqlstore.Config{Keys: [][]byte{key}, CleanupInterval: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })

	f.Fuzz(func(t *testing.T, value string) {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		r.Header.Set("Cookie", cookieName+"="+value)
		sess, err := st.New(r, cookieName)
		if err != nil {
			t.Fatalf("got error %v; want none", err)
		}
		if sess == nil || !sess.IsNew || sess.ID != "" || len(sess.Values) != 0 {
			t.Fatalf("got %+v; want a new empty session", sess)
		}
	})
}
