package redisstore_test

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
	"github.com/gopassport/passport/session/storetest"
)

// direct saves values in a new session straight through the store, with
// the given MaxAge, and returns the session and its cookie.
func (f *fixture) direct(t *testing.T, values map[any]any, maxAge int, userAgent string) (string, *http.Cookie) {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	r.Header.Set("User-Agent", userAgent)
	sess, err := f.store.New(r, "passport")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for k, v := range values {
		sess.Values[k] = v
	}
	sess.Options.MaxAge = maxAge
	w := httptest.NewRecorder()
	if err := f.store.Save(r, w, sess); err != nil {
		t.Fatalf("Save: %v", err)
	}
	c := cookieOf(w.Header(), "passport")
	if c == nil || sess.ID == "" {
		t.Fatalf("Save: got cookie %v, ID set %v; want both", c, sess.ID != "")
	}
	return sess.ID, c
}

// TestRecord checks what a save writes: the hash's fields, its TTL, and
// the user's index entry.
func TestRecord(t *testing.T) {
	const hour = int(time.Hour / time.Second)
	created := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name      string
		lifetimes bool // SetLifetimes(10m, 1h), as session.New calls it
		values    map[any]any
		maxAge    int
		userAgent string
		wantTTL   time.Duration
		wantUser  string
		wantUA    string
	}{
		{name: "ok, MaxAge without lifetimes", values: map[any]any{session.UserKey: "alice"}, maxAge: hour, userAgent: "ua/1", wantTTL: time.Hour, wantUser: "alice", wantUA: "ua/1"},
		{name: "ok, MaxAge 0 is 24 hours on the server", values: map[any]any{"k": "v"}, maxAge: 0, wantTTL: 24 * time.Hour},
		{name: "ok, lifetimes but no manager timestamps fall back to MaxAge", lifetimes: true, values: map[any]any{"k": "v"}, maxAge: hour, wantTTL: time.Hour},
		{
			name: "ok, lifetimes: the idle end", lifetimes: true, maxAge: hour,
			values:  map[any]any{"_created": created.Unix(), "_seen": created.Unix() + 60, session.UserKey: "bob"},
			wantTTL: 11*time.Minute - 30*time.Second, wantUser: "bob", // the clock is at created+30s
		},
		{
			name: "ok, lifetimes: the absolute end", lifetimes: true, maxAge: hour,
			values:   map[any]any{"_created": created.Unix() - 3590, "_seen": created.Unix(), session.UserKey: "bob"},
			wantTTL:  10*time.Second - 30*time.Second + time.Minute - time.Minute + 20*time.Second, // created+1h-now = 10s-30s … clamped to 1 s below
			wantUser: "bob",
		},
		{name: "ok, user that is not a string is no user", values: map[any]any{session.UserKey: 7}, maxAge: hour, wantTTL: time.Hour},
		{name: "ok, long user agent cut to 256 bytes", values: map[any]any{"k": "v"}, maxAge: hour, userAgent: strings.Repeat("ü", 200), wantTTL: time.Hour, wantUA: strings.Repeat("ü", 128)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := storetest.NewClock()
			clock.Advance(30 * time.Second)
			f := newFixture(t, clock.Now)
			if tt.lifetimes {
				f.store.SetLifetimes(10*time.Minute, time.Hour)
			}
			id, _ := f.direct(t, tt.values, tt.maxAge, tt.userAgent)
			ctx := t.Context()
			h, err := f.client.HGetAll(ctx, f.sessionKey(id)).Result()
			if err != nil {
				t.Fatal(err)
			}
			values, err := session.DecodeValues([]byte(h["d"]))
			if err != nil || len(values) != len(tt.values) {
				t.Errorf("got values %v (error %v); want %v", values, err, tt.values)
			}
			now := clock.Now().UnixMilli()
			want := map[string]string{
				"u": tt.wantUser, "ua": tt.wantUA, "ip": "192.0.2.1",
				"c": strconv.FormatInt(now, 10), "s": strconv.FormatInt(now, 10),
			}
			for k, v := range want {
				if h[k] != v {
					t.Errorf("got field %s = %q; want %q", k, h[k], v)
				}
			}
			wantTTL := tt.wantTTL
			if wantTTL < time.Second {
				wantTTL = time.Second
			}
			ttl := f.client.PTTL(ctx, f.sessionKey(id)).Val()
			if d := wantTTL - ttl; d < 0 || d > 2*time.Second {
				t.Errorf("got TTL %v; want %v", ttl, wantTTL)
			}
			if e, _ := strconv.ParseInt(h["e"], 10, 64); e != now+wantTTL.Milliseconds() {
				t.Errorf("got expiry field %d; want %d", e, now+wantTTL.Milliseconds())
			}
			// The user's index: the ID, scored by its expiry; a TTL on it.
			if tt.wantUser != "" {
				records, err := f.store.ListUserSessions(ctx, tt.wantUser)
				if err != nil || len(records) != 1 || records[0].Handle != session.Handle(id) {
					t.Fatalf("got %+v, error %v; want the one session", records, err)
				}
				keys := f.client.Keys(ctx, f.prefix+"u:*").Val()
				if len(keys) != 1 || f.client.TTL(ctx, keys[0]).Val() <= 0 {
					t.Errorf("got index keys %v; want one, with a TTL", keys)
				}
			}
		})
	}
}

// TestSaveGone: an update of a record deleted since it was loaded is
// refused, writes no cookie, and does not recreate the key.
func TestSaveGone(t *testing.T) {
	f := newFixture(t, nil)
	id, c := f.direct(t, map[any]any{session.UserKey: "alice"}, 3600, "")
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	r.AddCookie(c)
	sess, err := f.store.New(r, "passport")
	if err != nil || sess.IsNew || sess.ID != id {
		t.Fatalf("got IsNew %v, error %v; want the stored session", sess.IsNew, err)
	}
	if err := f.store.Delete(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	err = f.store.Save(r, w, sess)
	if !errors.Is(err, redisstore.ErrSessionGone) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v; want ErrSessionGone matching fs.ErrNotExist", err)
	}
	if len(w.Header().Values("Set-Cookie")) != 0 {
		t.Errorf("got a cookie; want none")
	}
	if n := f.client.Exists(t.Context(), f.sessionKey(id)).Val(); n != 0 {
		t.Errorf("got the key back; want it to stay deleted")
	}
	// MaxAge < 0 deletes, and the user's index entry with it.
	id, _ = f.direct(t, map[any]any{session.UserKey: "bob"}, 3600, "")
	sess.ID, sess.Values = id, map[any]any{session.UserKey: "bob"}
	sess.Options.MaxAge = -1
	w = httptest.NewRecorder()
	if err := f.store.Save(r, w, sess); err != nil {
		t.Fatal(err)
	}
	if c := cookieOf(w.Header(), "passport"); c == nil || c.MaxAge >= 0 {
		t.Errorf("got %v; want a cookie that deletes the session cookie", c)
	}
	if n := f.client.Exists(t.Context(), f.sessionKey(id)).Val(); n != 0 {
		t.Errorf("got the key after a delete; want none")
	}
	if keys := f.client.Keys(t.Context(), f.prefix+"u:*").Val(); len(keys) != 1 { // alice's stale entry, pruned on listing
		t.Errorf("got index keys %v; want alice's only", keys)
	} else if n := f.client.ZCard(t.Context(), keys[0]).Val(); n != 1 {
		t.Errorf("got %d entries in alice's index; want 1 until listed", n)
	}
	if records, err := f.store.ListUserSessions(t.Context(), "alice"); err != nil || len(records) != 0 {
		t.Errorf("got %d records, error %v; want none", len(records), err)
	}
	if keys := f.client.Keys(t.Context(), f.prefix+"u:*").Val(); len(keys) != 0 {
		t.Errorf("got index keys %v after listing; want the empty index gone", keys)
	}
}

// TestRoundTrips counts what each request of a logged-in user costs, with
// a go-redis hook: a page that changes nothing is one command.
func TestRoundTrips(t *testing.T) {
	clock := storetest.NewClock()
	f := newFixture(t, clock.Now)
	var n counter
	f.client.AddHook(&n)
	mgr, err := session.New(session.Config{Store: f.store, Now: clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	app := mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := session.FromContext(r.Context())
		if err := s.Load(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		switch r.URL.Path {
		case "/login":
			if err := s.Regenerate(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			s.Set(session.UserKey, "alice")
		case "/logout":
			if err := s.Destroy(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		v, _ := s.Get(session.UserKey)
		io.WriteString(w, v)
	}))
	var c *http.Cookie
	do := func(path string) {
		t.Helper()
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil)
		if c != nil {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: got status %d (%s); want 200", path, w.Code, w.Body.String())
		}
		if nc := cookieOf(w.Header(), "passport"); nc != nil && nc.MaxAge >= 0 {
			c = nc
		}
	}
	do("/login") // loads the script into the server's cache, if it was not
	do("/logout")
	c = nil // a new visitor
	tests := []struct {
		name        string
		path        string
		advance     time.Duration
		trips, cmds int64
	}{
		{name: "ok, login of a visitor: one pipeline (index and script)", path: "/login", trips: 1, cmds: 5},
		{name: "ok, page of a logged-in user: one HGET", path: "/", trips: 1, cmds: 1},
		{name: "ok, the same again", path: "/", trips: 1, cmds: 1},
		{name: "ok, page after a minute: HGET, then the save of last activity", path: "/", advance: time.Minute, trips: 2, cmds: 6},
		{name: "ok, login again: HGET, delete the old (DEL, ZREM), create the new", path: "/login", trips: 3, cmds: 8},
		{name: "ok, logout: HGET, DEL", path: "/logout", trips: 2, cmds: 2},
		{name: "ok, a replayed cookie of the ended session: one HGET", path: "/", trips: 1, cmds: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.Advance(tt.advance)
			n.reset()
			do(tt.path)
			if got := n.trips.Load(); got != tt.trips {
				t.Errorf("got %d round trips; want %d", got, tt.trips)
			}
			if got := n.commands.Load(); got != tt.cmds {
				t.Errorf("got %d commands; want %d", got, tt.cmds)
			}
		})
	}
}

// TestIndexFollowsTheUser: a session whose user changed without a new ID
// (an app that skipped Regenerate) leaves its old user's list, and ending
// the old user's sessions does not end it; sessions without a user are in
// nobody's list.
func TestIndexFollowsTheUser(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	anon, _ := f.direct(t, map[any]any{"theme": "dark"}, 3600, "")
	id, c := f.direct(t, map[any]any{session.UserKey: "alice"}, 3600, "")
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	r.AddCookie(c)
	sess, err := f.store.New(r, "passport")
	if err != nil || sess.ID != id {
		t.Fatalf("got error %v, same ID %v; want the session", err, sess.ID == id)
	}
	sess.Values[session.UserKey] = "bob"
	if err := f.store.Save(r, httptest.NewRecorder(), sess); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		user string
		want int
	}{
		{name: "ok, the new user lists it", user: "bob", want: 1},
		{name: "ok, the old user no longer does", user: "alice", want: 0},
		{name: "ok, the empty user lists nothing", user: "", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records, err := f.store.ListUserSessions(ctx, tt.user)
			if err != nil || len(records) != tt.want {
				t.Errorf("got %d records, error %v; want %d", len(records), err, tt.want)
			}
		})
	}
	for _, user := range []string{"alice", ""} {
		if n, err := f.store.DeleteUserSessions(ctx, user, ""); err != nil || n != 0 {
			t.Errorf("DeleteUserSessions(%q): got %d, error %v; want 0", user, n, err)
		}
	}
	for _, key := range []string{f.sessionKey(id), f.sessionKey(anon)} {
		if f.client.Exists(ctx, key).Val() != 1 {
			t.Errorf("got a session ended by another user's logout; want it kept")
		}
	}
}
