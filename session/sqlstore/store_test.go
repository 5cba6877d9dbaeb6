package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
)

var _ sessions.Store = (*sqlstore.Store)(nil)

const day = 24 * 60 * 60

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		value string
	}{
		{name: "ok, plain value", value: "alice"},
		{name: "ok, unicode value", value: "Zoë 🚀"},
		{name: "ok, empty value", value: ""},
	}
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, b.setup(t))
				c := e.set("user", url.QueryEscape(tt.value))
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge != day {
					t.Errorf("got cookie %q; want HttpOnly, SameSite=Lax, Path=/, Max-Age=%d", c.String(), day)
				}
				id := e.idOf(c)
				data, expires, ok := e.row(id)
				if !ok {
					t.Fatalf("got no row for the cookie's ID; want one")
				}
				// The manager's default IdleTimeout, 2 hours, ends the
				// session before its AbsoluteTimeout, 24 hours.
				if want := e.clock.Now().Unix() + 2*60*60; expires != want {
					t.Errorf("got expires_at %d; want %d (last activity + the manager's idle timeout)", expires, want)
				}
				values, err := session.DecodeValues(data)
				if err != nil {
					t.Fatalf("decoding the row: %v", err)
				}
				if got, _ := values["user"].(string); got != tt.value {
					t.Errorf("got stored %q; want %q", got, tt.value)
				}
				if got := e.get("user", c); got != tt.value {
					t.Errorf("got %q; want %q", got, tt.value)
				}
				if got := e.rows(); got != 1 {
					t.Errorf("got %d rows; want 1", got)
				}
			})
		}
	})
}

func TestAnonymous(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		valid := e.set("user", "alice")
		id := e.idOf(valid)
		unknownID, err := session.NewID()
		if err != nil {
			t.Fatal(err)
		}
		tampered := []byte(valid.Value)
		mid := len(tampered) / 2
		if tampered[mid] == 'A' {
			tampered[mid] = 'B'
		} else {
			tampered[mid] = 'A'
		}
		tests := []struct {
			name   string
			cookie *http.Cookie
			before func(t *testing.T)
			want   string
		}{
			{name: "ok, valid cookie", cookie: valid, want: "alice"},
			{name: "nok, no cookie", want: "<none>"},
			{name: "nok, tampered cookie", cookie: &http.Cookie{Name: cookieName, Value: string(tampered)}, want: "<none>"},
			{name: "nok, sealed with a foreign key", cookie: seal(t, newKey(t), cookieName, id), want: "<none>"},
			{name: "nok, sealed for another cookie name", cookie: sealAs(t, e.key, "other", id), want: "<none>"},
			{name: "nok, bare ID", cookie: &http.Cookie{Name: cookieName, Value: id}, want: "<none>"},
			{name: "nok, garbage", cookie: &http.Cookie{Name: cookieName, Value: "not-a-cookie"}, want: "<none>"},
			{name: "nok, sealed unknown ID", cookie: seal(t, e.key, cookieName, unknownID), want: "<none>"},
			{name: "nok, sealed SQL", cookie: seal(t, e.key, cookieName, "x' OR '1'='1"), want: "<none>"},
			{
				name:   "nok, corrupt row",
				cookie: valid,
				before: func(t *testing.T) { e.exec("UPDATE {t} SET data = ? WHERE id = ?", []byte{0xff, 0x00}, id) },
				want:   "<none>",
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.before != nil {
					tt.before(t)
				}
				w := e.do("/get?k=user", tt.cookie)
				if w.Code != http.StatusOK {
					t.Fatalf("got status %d; want %d", w.Code, http.StatusOK)
				}
				if got := w.Body.String(); got != tt.want {
					t.Errorf("got %q; want %q", got, tt.want)
				}
			})
		}
	})
}

// sealAs seals data for the cookie called sealedFor, and presents it as the
// session cookie.
func sealAs(t *testing.T, key []byte, sealedFor, data string) *http.Cookie {
	t.Helper()
	c := seal(t, key, sealedFor, data)
	c.Name = cookieName
	return c
}

func TestExpiry(t *testing.T) {
	tests := []struct {
		name        string
		after       time.Duration
		want        string
		wantDeleted int64
	}{
		{name: "ok, one second before expiry", after: 24*time.Hour - time.Second, want: "alice", wantDeleted: 0},
		{name: "nok, at expiry", after: 24 * time.Hour, want: "<none>", wantDeleted: 1},
		{name: "nok, long after expiry", after: 30 * 24 * time.Hour, want: "<none>", wantDeleted: 1},
	}
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Straight through the store, without the manager's own
				// timeouts: expires_at alone decides.
				e := newEnv(t, b.setup(t))
				c := e.storeSave(map[any]any{"user": "alice"}, day)
				e.clock.Advance(tt.after)
				if got := e.loadDirect(c); got != tt.want {
					t.Errorf("got %q; want %q", got, tt.want)
				}
				n, err := e.store.DeleteExpired(t.Context())
				if err != nil {
					t.Fatalf("DeleteExpired: %v", err)
				}
				if n != tt.wantDeleted {
					t.Errorf("got %d deleted; want %d", n, tt.wantDeleted)
				}
				if got, want := e.rows(), 1-int(tt.wantDeleted); got != want {
					t.Errorf("got %d rows; want %d", got, want)
				}
			})
		}
	})
}

// storeSave saves values in a new session straight through the store, with
// the given MaxAge, and returns the cookie.
func (e *env) storeSave(values map[any]any, maxAge int) *http.Cookie {
	e.t.Helper()
	r := httptest.NewRequestWithContext(e.t.Context(), http.MethodGet, "/", nil)
	sess, err := e.store.New(r, cookieName)
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	for k, v := range values {
		sess.Values[k] = v
	}
	sess.Options.MaxAge = maxAge
	w := httptest.NewRecorder()
	if err := e.store.Save(r, w, sess); err != nil {
		e.t.Fatalf("Save: %v", err)
	}
	c := sessionCookie(w)
	if c == nil {
		e.t.Fatalf("Save: got no cookie; want one")
	}
	return c
}

// loadDirect loads the session of cookie c straight from the store and
// returns its "user", or <none>.
func (e *env) loadDirect(c *http.Cookie) string {
	e.t.Helper()
	r := httptest.NewRequestWithContext(e.t.Context(), http.MethodGet, "/", nil)
	r.AddCookie(c)
	sess, err := e.store.New(r, cookieName)
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	if v, ok := sess.Values["user"].(string); ok && !sess.IsNew {
		return v
	}
	if !sess.IsNew || sess.ID != "" || len(sess.Values) != 0 {
		e.t.Errorf("got IsNew=%v ID set=%v values=%d for an anonymous session; want IsNew, no ID, no values",
			sess.IsNew, sess.ID != "", len(sess.Values))
	}
	return "<none>"
}

func TestRegenerate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		before := e.set("theme", "dark") // a visitor's session, perhaps planted
		oldID := e.idOf(before)

		w := e.do("/login?user=alice", before)
		if w.Code != http.StatusOK {
			t.Fatalf("/login: got status %d; want %d", w.Code, http.StatusOK)
		}
		after := sessionCookie(w)
		if after == nil {
			t.Fatalf("/login: got no session cookie; want one")
		}
		newID := e.idOf(after)
		if newID == oldID {
			t.Fatalf("got the same ID after login; want a new one")
		}
		if _, _, ok := e.row(oldID); ok {
			t.Errorf("got a row under the old ID; want it deleted")
		}
		if _, _, ok := e.row(newID); !ok {
			t.Errorf("got no row under the new ID; want one")
		}
		tests := []struct {
			name   string
			cookie *http.Cookie
			key    string
			want   string
		}{
			{name: "ok, new cookie has the user", cookie: after, key: "user", want: "alice"},
			{name: "ok, new cookie kept the values", cookie: after, key: "theme", want: "dark"},
			{name: "nok, replayed old cookie has no user", cookie: before, key: "user", want: "<none>"},
			{name: "nok, replayed old cookie has nothing", cookie: before, key: "theme", want: "<none>"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := e.get(tt.key, tt.cookie); got != tt.want {
					t.Errorf("got %q; want %q", got, tt.want)
				}
			})
		}
		if got := e.rows(); got != 1 {
			t.Errorf("got %d rows; want 1", got)
		}
	})
}

// A request that loaded the session before a concurrent login regenerated
// it must not bring the old row back when it saves.
func TestSaveAfterConcurrentRegenerate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		before := e.set("theme", "dark")
		oldID := e.idOf(before)

		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		r.AddCookie(before)
		slow, err := e.store.New(r, cookieName)
		if err != nil || slow.IsNew {
			t.Fatalf("loading: got IsNew=%v, err %v; want the stored session", slow.IsNew, err)
		}
		if w := e.do("/login?user=alice", before); w.Code != http.StatusOK {
			t.Fatalf("/login: got status %d; want %d", w.Code, http.StatusOK)
		}

		slow.Values["theme"] = "light"
		w := httptest.NewRecorder()
		err = e.store.Save(r, w, slow)
		if !errors.Is(err, sqlstore.ErrSessionGone) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("got error %v; want ErrSessionGone (and fs.ErrNotExist)", err)
		}
		if c := sessionCookie(w); c != nil {
			t.Errorf("got cookie %q; want none", c.String())
		}
		if _, _, ok := e.row(oldID); ok {
			t.Errorf("got the old row back; want it to stay deleted")
		}
		if got := e.get("user", before); got != "<none>" {
			t.Errorf("got %q for the old cookie; want %q", got, "<none>")
		}
	})
}

func TestDestroy(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		c := e.set("user", "alice")
		stolen := *c

		w := e.do("/logout", c)
		if w.Code != http.StatusOK {
			t.Fatalf("/logout: got status %d; want %d", w.Code, http.StatusOK)
		}
		cleared := sessionCookie(w)
		if cleared == nil || cleared.MaxAge >= 0 || cleared.Value != "" {
			t.Errorf("got %v; want a cookie that deletes the session cookie", cleared)
		}
		if got := e.rows(); got != 0 {
			t.Errorf("got %d rows; want 0", got)
		}
		if got := e.get("user", &stolen); got != "<none>" {
			t.Errorf("got %q for a copy of the old cookie; want %q", got, "<none>")
		}
	})
}

func TestLoadFault(t *testing.T) {
	tests := []struct {
		name    string
		breakDB func(e *env)
		cancel  bool // the request's context
	}{
		{name: "nok, database closed", breakDB: func(e *env) { e.db.Close() }},
		{name: "nok, table dropped", breakDB: func(e *env) { e.exec("DROP TABLE {t}") }},
		{name: "nok, request cancelled", cancel: true},
	}
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, b.setup(t))
				c := e.set("user", "alice")
				if tt.breakDB != nil {
					tt.breakDB(e)
				}
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				if tt.cancel {
					cancel()
				}
				r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/get?k=user", nil)
				r.AddCookie(c)
				s := e.mgr.Bind(httptest.NewRecorder(), r)
				err := s.Load()
				if err == nil {
					t.Fatalf("got no error from Load; want the store's fault")
				}
				if !strings.Contains(err.Error(), "sqlstore: loading session") {
					t.Errorf("got %q; want it to contain %q", err.Error(), "sqlstore: loading session")
				}
				sess, err := e.store.New(r, cookieName)
				if err == nil {
					t.Errorf("got no error from New; want one")
				}
				if sess == nil || !sess.IsNew || sess.ID != "" {
					t.Errorf("got %+v; want a new session alongside the error", sess)
				}

				w := httptest.NewRecorder()
				e.app.ServeHTTP(w, r)
				if w.Code != http.StatusInternalServerError {
					t.Errorf("got status %d; want %d", w.Code, http.StatusInternalServerError)
				}
			})
		}
	})
}

func TestConcurrentSaves(t *testing.T) {
	const workers, rounds = 6, 8
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		shared := e.set("user", "shared")
		var wg sync.WaitGroup
		for i := range workers {
			wg.Go(func() {
				// A visitor of its own, saved again and again.
				var own *http.Cookie
				for j := range rounds {
					want := fmt.Sprintf("w%d-r%d", i, j)
					w := e.do("/set?k=n&v="+want, own)
					if w.Code != http.StatusOK {
						t.Errorf("own /set: got status %d; want %d (%s)", w.Code, http.StatusOK, w.Body.String())
						return
					}
					if c := sessionCookie(w); c != nil {
						own = c
					}
					w = e.do("/get?k=n", own)
					if got := w.Body.String(); got != want {
						t.Errorf("own /get: got %q; want %q", got, want)
					}
					// And the session every worker writes at once.
					w = e.do("/set?k=n&v="+want, shared)
					if w.Code != http.StatusOK {
						t.Errorf("shared /set: got status %d; want %d (%s)", w.Code, http.StatusOK, w.Body.String())
					}
				}
			})
		}
		wg.Wait()
		if got := e.get("user", shared); got != "shared" {
			t.Errorf("got %q; want %q", got, "shared")
		}
		if got, want := e.rows(), workers+1; got != want {
			t.Errorf("got %d rows; want %d", got, want)
		}
	})
}

func TestStoreSave(t *testing.T) {
	tests := []struct {
		name        string
		maxAge      int
		values      map[any]any
		wantErr     error
		wantTTL     int64
		wantMaxAge  int // of the cookie as parsed by net/http
		wantExpires bool
	}{
		{name: "ok, default MaxAge", maxAge: day, values: map[any]any{"user": "alice"}, wantTTL: day, wantMaxAge: day},
		{name: "ok, MaxAge one hour", maxAge: 3600, values: map[any]any{"user": "alice"}, wantTTL: 3600, wantMaxAge: 3600},
		{name: "ok, MaxAge 0 is a browser session, 24 hours on the server", maxAge: 0, values: map[any]any{"user": "alice"}, wantTTL: day, wantMaxAge: 0},
		{name: "ok, every codec type", maxAge: day, values: map[any]any{"s": "x", "b": []byte{1}, "t": true, "i": 3, "i64": int64(4), "f": 1.5, "l": []string{"a"}}, wantTTL: day, wantMaxAge: day},
		{name: "nok, unsupported value", maxAge: day, values: map[any]any{"user": struct{}{}}, wantErr: session.ErrUnsupportedValue},
	}
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, b.setup(t))
				r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
				sess, err := e.store.New(r, cookieName)
				if err != nil || !sess.IsNew || sess.ID != "" {
					t.Fatalf("New: got IsNew=%v, ID set=%v, err %v; want a new session", sess.IsNew, sess.ID != "", err)
				}
				for k, v := range tt.values {
					sess.Values[k] = v
				}
				sess.Options.MaxAge = tt.maxAge
				w := httptest.NewRecorder()
				err = e.store.Save(r, w, sess)
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) || !strings.HasPrefix(err.Error(), "sqlstore: ") {
						t.Errorf("got error %v; want %v with the sqlstore prefix", err, tt.wantErr)
					}
					if sess.ID != "" || sessionCookie(w) != nil || e.rows() != 0 {
						t.Errorf("got ID set=%v, a cookie=%v, %d rows; want none of them", sess.ID != "", sessionCookie(w) != nil, e.rows())
					}
					return
				}
				if err != nil {
					t.Fatalf("Save: %v", err)
				}
				c := sessionCookie(w)
				if c == nil {
					t.Fatalf("got no cookie; want one")
				}
				if c.MaxAge != tt.wantMaxAge {
					t.Errorf("got cookie Max-Age %d; want %d", c.MaxAge, tt.wantMaxAge)
				}
				if got := e.idOf(c); got != sess.ID || sess.ID == "" {
					t.Errorf("got sealed ID %q; want the session's %q", got, sess.ID)
				}
				_, expires, ok := e.row(sess.ID)
				if !ok {
					t.Fatalf("got no row; want one")
				}
				if want := e.clock.Now().Unix() + tt.wantTTL; expires != want {
					t.Errorf("got expires_at %d; want %d", expires, want)
				}

				// Load it back.
				r2 := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
				r2.AddCookie(c)
				back, err := e.store.New(r2, cookieName)
				if err != nil || back.IsNew || back.ID != sess.ID {
					t.Fatalf("loading back: got IsNew=%v, same ID=%v, err %v; want the saved session", back.IsNew, back.ID == sess.ID, err)
				}
				if got, want := fmt.Sprint(back.Values), fmt.Sprint(tt.values); got != want {
					t.Errorf("got values %s; want %s", got, want)
				}

				// Delete it the gorilla way.
				back.Options.MaxAge = -1
				w = httptest.NewRecorder()
				if err := e.store.Save(r2, w, back); err != nil {
					t.Fatalf("deleting: %v", err)
				}
				if c := sessionCookie(w); c == nil || c.MaxAge >= 0 || c.Value != "" {
					t.Errorf("got %v; want a cookie that deletes the session cookie", c)
				}
				if got := e.rows(); got != 0 {
					t.Errorf("got %d rows; want 0", got)
				}
			})
		}
	})
}

func TestSaveDeleteWithoutID(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		e.set("user", "alice")
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		sess, err := e.store.New(r, cookieName)
		if err != nil {
			t.Fatal(err)
		}
		sess.Options.MaxAge = -1
		w := httptest.NewRecorder()
		if err := e.store.Save(r, w, sess); err != nil {
			t.Fatalf("Save: %v", err)
		}
		if c := sessionCookie(w); c == nil || c.MaxAge >= 0 {
			t.Errorf("got %v; want a cookie that deletes the session cookie", c)
		}
		if got := e.rows(); got != 1 {
			t.Errorf("got %d rows; want 1 (the other session untouched)", got)
		}
	})
}

func TestGetRegistry(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		c := e.set("user", "alice")
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		r.AddCookie(c)
		a, err := e.store.Get(r, cookieName)
		if err != nil {
			t.Fatal(err)
		}
		a2, err := e.store.Get(r, cookieName)
		if err != nil {
			t.Fatal(err)
		}
		if a != a2 {
			t.Errorf("got two sessions from two Gets; want the same one")
		}
		if got, _ := a.Values["user"].(string); got != "alice" {
			t.Errorf("got %q; want %q", got, "alice")
		}
	})
}

func TestKeyRotation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		c := e.set("user", "alice")
		newer := newKey(t)
		tests := []struct {
			name string
			keys [][]byte
			want string
		}{
			{name: "ok, old key still listed", keys: [][]byte{newer, e.key}, want: "alice"},
			{name: "nok, old key dropped", keys: [][]byte{newer}, want: "<none>"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				st, err := sqlstore.New(t.Context(), e.db, sqlstore.Config{
					Keys: tt.keys, Table: fx.table, Dialect: fx.dialect, CleanupInterval: -1, Now: e.clock.Now,
				})
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
				r.AddCookie(c)
				sess, err := st.New(r, cookieName)
				if err != nil {
					t.Fatal(err)
				}
				got, ok := sess.Values["user"].(string)
				if !ok {
					got = "<none>"
				}
				if got != tt.want {
					t.Errorf("got %q; want %q", got, tt.want)
				}
				if ok {
					// A save re-seals with the newest key.
					w := httptest.NewRecorder()
					if err := st.Save(r, w, sess); err != nil {
						t.Fatal(err)
					}
					resealed := sessionCookie(w)
					if got := loadWith(t, e.db, fx, newer, resealed); got != "alice" {
						t.Errorf("got %q with the new key alone; want %q", got, "alice")
					}
				}
			})
		}
	})
}

// loadWith loads c's "user" through a store sealing with key alone.
func loadWith(t *testing.T, db *sql.DB, fx fixture, key []byte, c *http.Cookie) string {
	t.Helper()
	st, err := sqlstore.New(t.Context(), db, sqlstore.Config{Keys: [][]byte{key}, Table: fx.table, Dialect: fx.dialect, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	r.AddCookie(c)
	sess, err := st.New(r, cookieName)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := sess.Values["user"].(string)
	if !ok {
		return "<none>"
	}
	return v
}

func TestDelete(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		a := e.set("user", "alice")
		bob := e.set("user", "bob")
		tests := []struct {
			name     string
			id       string
			wantRows int
		}{
			{name: "ok, unknown ID", id: "no-such-session-id", wantRows: 2},
			{name: "ok, alice", id: e.idOf(a), wantRows: 1},
			{name: "ok, alice again", id: e.idOf(a), wantRows: 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := e.store.Delete(t.Context(), tt.id); err != nil {
					t.Fatalf("Delete: %v", err)
				}
				if got := e.rows(); got != tt.wantRows {
					t.Errorf("got %d rows; want %d", got, tt.wantRows)
				}
			})
		}
		if got := e.get("user", a); got != "<none>" {
			t.Errorf("got %q; want %q", got, "<none>")
		}
		if got := e.get("user", bob); got != "bob" {
			t.Errorf("got %q; want %q", got, "bob")
		}
	})
}

func TestNewConfig(t *testing.T) {
	key := newKey(t)
	open := func(t *testing.T) *sql.DB { return openSQLite(t, filepath.Join(t.TempDir(), "s.db")) }
	tests := []struct {
		name    string
		db      func(t *testing.T) *sql.DB
		cfg     sqlstore.Config
		wantErr string
		wantIs  error
		table   string // created when ok
	}{
		{name: "ok, defaults", cfg: sqlstore.Config{Keys: [][]byte{key}}, table: "passport_sessions"},
		{name: "ok, own table", cfg: sqlstore.Config{Keys: [][]byte{key}, Table: "Web_Sessions2"}, table: "Web_Sessions2"},
		{name: "ok, reserved word as table", cfg: sqlstore.Config{Keys: [][]byte{key}, Table: "order"}, table: "order"},
		{name: "ok, 48-byte table", cfg: sqlstore.Config{Keys: [][]byte{key}, Table: strings.Repeat("t", 48)}, table: strings.Repeat("t", 48)},
		{name: "nok, nil db", db: func(*testing.T) *sql.DB { return nil }, cfg: sqlstore.Config{Keys: [][]byte{key}}, wantErr: "sqlstore: nil *sql.DB"},
		{name: "nok, no keys", cfg: sqlstore.Config{}, wantErr: "sqlstore: Config.Keys is required"},
		{name: "nok, short key", cfg: sqlstore.Config{Keys: [][]byte{[]byte("short")}}, wantIs: session.ErrKeyTooShort, wantErr: "sqlstore: session: key missing"},
		{name: "nok, short second key", cfg: sqlstore.Config{Keys: [][]byte{key, make([]byte, 31)}}, wantIs: session.ErrKeyTooShort, wantErr: "sqlstore: "},
		{name: "nok, table with a quote", cfg: sqlstore.Config{Keys: [][]byte{key}, Table: `a"b`}, wantErr: "sqlstore: invalid table name"},
		{name: "nok, table with SQL", cfg: sqlstore.Config{Keys: [][]byte{key}, Table: "s; DROP TABLE users"}, wantErr: "sqlstore: invalid table name"},
		{name: "nok, schema-qualified table", cfg: sqlstore.Config{Keys: [][]byte{key}, Table: "main.sessions"}, wantErr: "sqlstore: invalid table name"},
		{name: "nok, table starting with a digit", cfg: sqlstore.Config{Keys: [][]byte{key}, Table: "1sessions"}, wantErr: "sqlstore: invalid table name"},
		{name: "nok, non-ASCII table", cfg: sqlstore.Config{Keys: [][]byte{key}, Table: "séssions"}, wantErr: "sqlstore: invalid table name"},
		{name: "nok, 49-byte table", cfg: sqlstore.Config{Keys: [][]byte{key}, Table: strings.Repeat("t", 49)}, wantErr: "sqlstore: invalid table name"},
		{name: "nok, unknown dialect", cfg: sqlstore.Config{Keys: [][]byte{key}, Dialect: sqlstore.Dialect(7)}, wantErr: "sqlstore: unknown dialect Dialect(7)"},
		{
			name: "nok, database closed",
			db: func(t *testing.T) *sql.DB {
				db := open(t)
				db.Close()
				return db
			},
			cfg:     sqlstore.Config{Keys: [][]byte{key}},
			wantErr: "sqlstore: creating table passport_sessions",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mk := open
			if tt.db != nil {
				mk = tt.db
			}
			db := mk(t)
			st, err := sqlstore.New(t.Context(), db, tt.cfg)
			if tt.wantErr != "" {
				if err == nil {
					st.Close()
					t.Fatalf("got no error; want %q", tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Errorf("got %q; want it to start with %q", err.Error(), tt.wantErr)
				}
				if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
					t.Errorf("got %v; want errors.Is %v", err, tt.wantIs)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer st.Close()
			var n int
			if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM "`+tt.table+`"`).Scan(&n); err != nil {
				t.Errorf("got %v querying %s; want the table created", err, tt.table)
			}
			// New again on an existing table is fine.
			again, err := sqlstore.New(t.Context(), db, tt.cfg)
			if err != nil {
				t.Errorf("second New: %v", err)
			} else {
				again.Close()
			}
		})
	}
}

func TestDialectString(t *testing.T) {
	tests := []struct {
		d    sqlstore.Dialect
		want string
	}{
		{sqlstore.SQLite, "SQLite"},
		{sqlstore.PostgreSQL, "PostgreSQL"},
		{sqlstore.Dialect(9), "Dialect(9)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.d.String(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// TestSaveDoesNotReviveAnExpiredRow loads a session just before it
// expires and saves it after: the row expired meanwhile (not yet cleaned
// up), and the save is refused with ErrSessionGone, no cookie written.
func TestSaveDoesNotReviveAnExpiredRow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		c := e.storeSave(map[any]any{"user": "alice"}, day)
		e.clock.Advance(24*time.Hour - time.Second)
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		r.AddCookie(c)
		sess, err := e.store.New(r, cookieName)
		if err != nil || sess.IsNew {
			t.Fatalf("load before expiry: IsNew=%v, %v; want the session", sess.IsNew, err)
		}
		e.clock.Advance(2 * time.Second)
		w := httptest.NewRecorder()
		if err := e.store.Save(r, w, sess); !errors.Is(err, sqlstore.ErrSessionGone) {
			t.Fatalf("save after expiry: %v; want ErrSessionGone", err)
		}
		if sessionCookie(w) != nil {
			t.Error("the refused save wrote a cookie")
		}
		if got := e.loadDirect(c); got != "<none>" {
			t.Errorf("after the refused save: %q; want <none>", got)
		}
	})
}
