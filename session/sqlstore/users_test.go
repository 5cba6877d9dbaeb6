package sqlstore_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
)

var (
	_ session.UserSessions = (*sqlstore.Store)(nil)
	_ session.Lifetimes    = (*sqlstore.Store)(nil)
)

// login logs user in through the manager, as passport's Login does (a new
// ID, the user under session.UserKey), from a client with the given
// User-Agent and remote address, and returns the session cookie.
func (e *env) login(user, userAgent, remoteAddr string) *http.Cookie {
	e.t.Helper()
	r := httptest.NewRequestWithContext(e.t.Context(), http.MethodGet, "/", nil)
	r.Header.Set("User-Agent", userAgent)
	r.RemoteAddr = remoteAddr
	w := httptest.NewRecorder()
	s := e.mgr.Bind(w, r)
	if err := s.Regenerate(); err != nil {
		e.t.Fatalf("Regenerate: %v", err)
	}
	s.Set(session.UserKey, user)
	if err := s.Save(); err != nil {
		e.t.Fatalf("Save: %v", err)
	}
	c := sessionCookie(w)
	if c == nil {
		e.t.Fatalf("login: got no session cookie; want one")
	}
	return c
}

// loggedIn reports whether c's session still holds a user.
func (e *env) loggedIn(c *http.Cookie) bool {
	e.t.Helper()
	return e.get(session.UserKey, c) != "<none>"
}

// handles returns the handles of user's sessions, in the store's order.
func (e *env) handles(user string) []string {
	e.t.Helper()
	list, err := e.store.ListUserSessions(e.t.Context(), user)
	if err != nil {
		e.t.Fatalf("ListUserSessions(%q): %v", user, err)
	}
	var hs []string
	for _, r := range list {
		hs = append(hs, r.Handle)
	}
	return hs
}

func TestListUserSessions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		t0 := e.clock.Now()
		laptop := e.login("alice", "Laptop/1.0", "192.0.2.1:1234")
		e.clock.Advance(time.Minute)
		phone := e.login("alice", "Phone/2.0 "+strings.Repeat("x", 300), "[2001:db8::1]:443")
		bob := e.login("bob", "Bob/1.0", "198.51.100.7:80")
		e.set("theme", "dark") // an anonymous visitor: listed under nobody

		idle := 2 * time.Hour // the manager's default IdleTimeout
		tests := []struct {
			name string
			user string
			want []session.Record
		}{
			{
				name: "ok, two logins of alice, newest first",
				user: "alice",
				want: []session.Record{
					{
						Handle: session.Handle(e.idOf(phone)), Created: t0.Add(time.Minute), LastSeen: t0.Add(time.Minute),
						Expires: t0.Add(time.Minute + idle), IP: "2001:db8::1", UserAgent: ("Phone/2.0 " + strings.Repeat("x", 300))[:256],
					},
					{
						Handle: session.Handle(e.idOf(laptop)), Created: t0, LastSeen: t0,
						Expires: t0.Add(idle), IP: "192.0.2.1", UserAgent: "Laptop/1.0",
					},
				},
			},
			{
				name: "ok, one of bob",
				user: "bob",
				want: []session.Record{{
					Handle: session.Handle(e.idOf(bob)), Created: t0.Add(time.Minute), LastSeen: t0.Add(time.Minute),
					Expires: t0.Add(time.Minute + idle), IP: "198.51.100.7", UserAgent: "Bob/1.0",
				}},
			},
			{name: "ok, unknown user has none", user: "carol"},
			{name: "ok, the empty user has none", user: ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := e.store.ListUserSessions(t.Context(), tt.user)
				if err != nil {
					t.Fatalf("ListUserSessions: %v", err)
				}
				if len(got) != len(tt.want) {
					t.Fatalf("got %d records %+v; want %d", len(got), got, len(tt.want))
				}
				for i := range got {
					g, w := got[i], tt.want[i]
					if g.Handle != w.Handle || !g.Created.Equal(w.Created) || !g.LastSeen.Equal(w.LastSeen) ||
						!g.Expires.Equal(w.Expires) || g.IP != w.IP || g.UserAgent != w.UserAgent {
						t.Errorf("record %d: got %+v; want %+v", i, g, w)
					}
					for _, c := range []*http.Cookie{laptop, phone, bob} {
						if g.Handle == e.idOf(c) {
							t.Errorf("record %d: got the session ID as its handle; want session.Handle(id)", i)
						}
					}
				}
			})
		}

		t.Run("ok, a later save updates last seen, not created", func(t *testing.T) {
			e.clock.Advance(10 * time.Minute)
			if got := e.set("theme", "light", laptop); got == nil {
				t.Fatal("got no cookie")
			}
			list, err := e.store.ListUserSessions(t.Context(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			var rec *session.Record
			for i := range list {
				if list[i].Handle == session.Handle(e.idOf(laptop)) {
					rec = &list[i]
				}
			}
			if rec == nil {
				t.Fatalf("got no record of the laptop in %+v", list)
			}
			if now := e.clock.Now(); !rec.Created.Equal(t0) || !rec.LastSeen.Equal(now) || !rec.Expires.Equal(now.Add(idle)) {
				t.Errorf("got created %v, last seen %v, expires %v; want %v, %v, %v", rec.Created, rec.LastSeen, rec.Expires, t0, now, now.Add(idle))
			}
		})

		t.Run("ok, logging out drops the session from the list", func(t *testing.T) {
			if w := e.do("/logout", bob); w.Code != http.StatusOK {
				t.Fatalf("/logout: got status %d", w.Code)
			}
			if got := e.handles("bob"); len(got) != 0 {
				t.Errorf("got %v; want no session of bob", got)
			}
		})
	})
}

func TestDeleteUserSession(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		tests := []struct {
			name string
			user string
			// handle picks the handle to end among the three sessions.
			handle       func(e *env, a1, a2, bob *http.Cookie) string
			wantLoggedIn [3]bool // a1, a2, bob afterwards
		}{
			{
				name:         "ok, alice ends her first session by its handle",
				user:         "alice",
				handle:       func(e *env, a1, _, _ *http.Cookie) string { return session.Handle(e.idOf(a1)) },
				wantLoggedIn: [3]bool{false, true, true},
			},
			{
				name:         "nok, alice names bob's handle: nothing ends",
				user:         "alice",
				handle:       func(e *env, _, _, bob *http.Cookie) string { return session.Handle(e.idOf(bob)) },
				wantLoggedIn: [3]bool{true, true, true},
			},
			{
				name:         "nok, the session ID instead of its handle: nothing ends",
				user:         "alice",
				handle:       func(e *env, a1, _, _ *http.Cookie) string { return e.idOf(a1) },
				wantLoggedIn: [3]bool{true, true, true},
			},
			{
				name:         "nok, unknown handle: nothing ends",
				user:         "alice",
				handle:       func(*env, *http.Cookie, *http.Cookie, *http.Cookie) string { return session.Handle("no-such-id") },
				wantLoggedIn: [3]bool{true, true, true},
			},
			{
				name:         "nok, empty handle: nothing ends",
				user:         "alice",
				handle:       func(*env, *http.Cookie, *http.Cookie, *http.Cookie) string { return "" },
				wantLoggedIn: [3]bool{true, true, true},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, b.setup(t))
				a1 := e.login("alice", "A1", "192.0.2.1:1")
				a2 := e.login("alice", "A2", "192.0.2.2:1")
				bob := e.login("bob", "B", "192.0.2.3:1")
				if err := e.store.DeleteUserSession(t.Context(), tt.user, tt.handle(e, a1, a2, bob)); err != nil {
					t.Fatalf("DeleteUserSession: %v", err)
				}
				for i, c := range []*http.Cookie{a1, a2, bob} {
					if got := e.loggedIn(c); got != tt.wantLoggedIn[i] {
						t.Errorf("session %d: got logged in %v; want %v", i, got, tt.wantLoggedIn[i])
					}
				}
			})
		}
	})
}

func TestDeleteUserSessions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		tests := []struct {
			name string
			// except picks the handle to keep among alice's three sessions
			// and bob's.
			except       func(e *env, a []*http.Cookie, bob *http.Cookie) string
			want         int64
			wantLoggedIn [4]bool // a[0], a[1], a[2], bob afterwards
		}{
			{
				name:         "ok, all of alice's",
				except:       func(*env, []*http.Cookie, *http.Cookie) string { return "" },
				want:         3,
				wantLoggedIn: [4]bool{false, false, false, true},
			},
			{
				name:         "ok, all but the current one",
				except:       func(e *env, a []*http.Cookie, _ *http.Cookie) string { return session.Handle(e.idOf(a[1])) },
				want:         2,
				wantLoggedIn: [4]bool{false, true, false, true},
			},
			{
				name:         "nok, except bob's handle keeps none of alice's and not bob's either",
				except:       func(e *env, _ []*http.Cookie, bob *http.Cookie) string { return session.Handle(e.idOf(bob)) },
				want:         3,
				wantLoggedIn: [4]bool{false, false, false, true},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, b.setup(t))
				a := []*http.Cookie{
					e.login("alice", "A1", "192.0.2.1:1"),
					e.login("alice", "A2", "192.0.2.2:1"),
					e.login("alice", "A3", "192.0.2.3:1"),
				}
				bob := e.login("bob", "B", "192.0.2.4:1")
				n, err := e.store.DeleteUserSessions(t.Context(), "alice", tt.except(e, a, bob))
				if err != nil {
					t.Fatalf("DeleteUserSessions: %v", err)
				}
				if n != tt.want {
					t.Errorf("got %d ended; want %d", n, tt.want)
				}
				for i, c := range append(a, bob) {
					if got := e.loggedIn(c); got != tt.wantLoggedIn[i] {
						t.Errorf("session %d: got logged in %v; want %v", i, got, tt.wantLoggedIn[i])
					}
				}
				if got, want := len(e.handles("alice")), 3-int(tt.want); got != want {
					t.Errorf("got %d sessions of alice listed; want %d", got, want)
				}
				// Again: nothing left to end but what was kept.
				if n, err := e.store.DeleteUserSessions(t.Context(), "alice", tt.except(e, a, bob)); err != nil || n != 0 {
					t.Errorf("second call: got %d, %v; want 0, nil", n, err)
				}
			})
		}
	})
}

// Many sessions of one user are deleted in several batches.
func TestDeleteUserSessionsMany(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx)
		const n = 1203 // three batches
		tx, err := e.db.BeginTx(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if _, err := tx.ExecContext(t.Context(), e.query("INSERT INTO {t} (id, data, expires_at, user_key, created_at) VALUES (?, ?, ?, ?, ?)"),
				"many-sessions-id-"+strings.Repeat("0", 6-len(itoa(i)))+itoa(i), []byte{}, e.clock.Now().Unix()+3600, "alice", e.clock.Now().Unix()); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		keep := session.Handle("many-sessions-id-000007")
		got, err := e.store.DeleteUserSessions(t.Context(), "alice", keep)
		if err != nil {
			t.Fatalf("DeleteUserSessions: %v", err)
		}
		if got != n-1 {
			t.Errorf("got %d ended; want %d", got, n-1)
		}
		if hs := e.handles("alice"); len(hs) != 1 || hs[0] != keep {
			t.Errorf("got handles %v; want only %s", hs, keep)
		}
	})
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// The row expires when the manager would end the session: at the last
// activity plus IdleTimeout, capped by the creation plus AbsoluteTimeout.
// The store alone (without the manager's own check) stops serving it then.
func TestExpiryHonoursManagerTimeouts(t *testing.T) {
	const (
		idle     = 30 * time.Minute
		absolute = time.Hour
	)
	tests := []struct {
		name string
		// steps are the times, after the login, of requests that save the
		// session.
		steps       []time.Duration
		wantExpires time.Duration // after the login
	}{
		{name: "ok, no activity: login + idle", wantExpires: idle},
		{name: "ok, activity extends it: last activity + idle", steps: []time.Duration{20 * time.Minute}, wantExpires: 50 * time.Minute},
		{name: "ok, capped by login + absolute", steps: []time.Duration{20 * time.Minute, 45 * time.Minute}, wantExpires: absolute},
	}
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, b.setup(t), func(c *session.Config) {
					c.IdleTimeout, c.AbsoluteTimeout = idle, absolute
				})
				t0 := e.clock.Now()
				c := e.login("alice", "UA", "192.0.2.1:1")
				for _, at := range tt.steps {
					e.clock.Advance(at - e.clock.Now().Sub(t0))
					c = e.set("n", itoa(int(at/time.Minute)), c)
				}
				_, expires, ok := e.row(e.idOf(c))
				if !ok {
					t.Fatalf("got no row; want one")
				}
				if want := t0.Add(tt.wantExpires).Unix(); expires != want {
					t.Errorf("got expires_at login+%ds; want login+%ds", expires-t0.Unix(), want-t0.Unix())
				}
				e.clock.Advance(tt.wantExpires - time.Second - e.clock.Now().Sub(t0))
				if !e.storeHas(c) {
					t.Errorf("one second before expiry: got no session from the store; want it")
				}
				e.clock.Advance(time.Second)
				if e.storeHas(c) {
					t.Errorf("at expiry: got the session from the store; want none")
				}
				if hs := e.handles("alice"); len(hs) != 0 {
					t.Errorf("at expiry: got %d sessions listed; want none", len(hs))
				}
			})
		}
	})
}

// storeHas reports whether the store itself, without the manager, serves
// c's session.
func (e *env) storeHas(c *http.Cookie) bool {
	e.t.Helper()
	r := httptest.NewRequestWithContext(e.t.Context(), http.MethodGet, "/", nil)
	r.AddCookie(c)
	sess, err := e.store.New(r, cookieName)
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	return !sess.IsNew
}

// Without the manager's timestamps, or before SetLifetimes, the MaxAge rule
// stays.
func TestExpiryWithoutManagerTimestamps(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		e := newEnv(t, fx) // the manager called SetLifetimes(2h, 24h)
		tests := []struct {
			name   string
			before func()
			values map[any]any
			want   int64 // seconds from now
		}{
			{name: "ok, no timestamps: MaxAge", values: map[any]any{"user": "alice"}, want: 3600},
			{name: "ok, timestamps: the manager's idle timeout", values: map[any]any{"_created": e.clock.Now().Unix(), "_seen": e.clock.Now().Unix()}, want: 7200},
			{
				name:   "ok, lifetimes unset: MaxAge",
				before: func() { e.store.SetLifetimes(0, 0) },
				values: map[any]any{"_created": e.clock.Now().Unix(), "_seen": e.clock.Now().Unix()},
				want:   3600,
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.before != nil {
					tt.before()
				}
				c := e.storeSave(tt.values, 3600)
				_, expires, _ := e.row(e.idOf(c))
				if got := expires - e.clock.Now().Unix(); got != tt.want {
					t.Errorf("got expires_at now+%d; want now+%d", got, tt.want)
				}
			})
		}
	})
}
