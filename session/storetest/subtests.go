package storetest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopassport/passport/session"
)

func (k *kit) freshIDs(t *testing.T) {
	e := k.env(t)
	valid, validID := e.login("alice", "")
	copyOf := *valid
	gone := &copyOf
	e.ok("/logout", valid, "") // gone is now a sealed cookie of an unknown ID

	foreignKey, err := session.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := session.NewCodec(foreignKey)
	if err != nil {
		t.Fatal(err)
	}
	planted, err := session.NewID()
	if err != nil {
		t.Fatal(err)
	}
	sealedForeign, err := foreign.Seal(e.mgr.Name(), []byte(planted))
	if err != nil {
		t.Fatal(err)
	}
	other, otherID := e.login("bob", "")
	name := e.mgr.Name()
	tests := []struct {
		name   string
		cookie *http.Cookie
		notID  string // the ID the new session must not have
	}{
		{name: "nok, sealed cookie of an unknown ID", cookie: gone, notID: validID},
		{name: "nok, unsealed ID", cookie: &http.Cookie{Name: name, Value: planted}, notID: planted},
		{name: "nok, another session's bare ID", cookie: &http.Cookie{Name: name, Value: otherID}, notID: otherID},
		{name: "nok, sealed with a foreign key", cookie: &http.Cookie{Name: name, Value: sealedForeign}, notID: planted},
		{name: "nok, garbage", cookie: &http.Cookie{Name: name, Value: "not-a-cookie"}, notID: "not-a-cookie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.user(tt.cookie); got != "<none>" {
				t.Fatalf("got user %q; want nobody", got)
			}
			res := e.ok("/set?k=theme&v=dark", tt.cookie, "")
			if res.id == "" || res.id == tt.notID || res.id == validID || res.id == otherID {
				t.Errorf("got a session ID taken from the request or another session; want a fresh one")
			}
			if res.cookie == nil || res.cookie.Value == tt.cookie.Value {
				t.Errorf("got cookie %v; want a new session cookie", res.cookie)
			}
		})
	}
	if got := e.user(other); got != "bob" {
		t.Errorf("got %q for bob's cookie; want %q", got, "bob")
	}
}

func (k *kit) regenerate(t *testing.T) {
	e := k.env(t)
	before := e.ok("/set?k=theme&v=dark", nil, "") // a visitor's session, perhaps planted
	if before.cookie == nil {
		t.Fatal("/set: got no cookie; want one")
	}
	after := e.ok("/login?user=alice", before.cookie, "")
	if after.cookie == nil || after.id == "" || after.id == before.id {
		t.Fatalf("/login: got cookie %v, same ID %v; want a new cookie and ID", after.cookie, after.id == before.id)
	}
	tests := []struct {
		name   string
		cookie *http.Cookie
		key    string
		want   string
	}{
		{name: "ok, new cookie has the user", cookie: after.cookie, key: session.UserKey, want: "alice"},
		{name: "ok, new cookie kept the values", cookie: after.cookie, key: "theme", want: "dark"},
		{name: "nok, replayed old cookie has no user", cookie: before.cookie, key: session.UserKey, want: "<none>"},
		{name: "nok, replayed old cookie has nothing", cookie: before.cookie, key: "theme", want: "<none>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.ok("/get?k="+url.QueryEscape(tt.key), tt.cookie, "").answer; got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func (k *kit) noResurrection(t *testing.T) {
	tests := []struct {
		name  string
		other string // what the concurrent request does with the cookie
	}{
		{name: "nok, save after a concurrent logout", other: "/logout"},
		{name: "nok, save after a concurrent login (regenerate)", other: "/login?user=mallory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := k.env(t)
			c, _ := e.login("alice", "")

			// The slow request loads the session first …
			r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/slow", nil)
			r.AddCookie(c)
			w := httptest.NewRecorder()
			slow := e.mgr.Bind(w, r)
			if err := slow.Load(); err != nil || slow.IsNew() {
				t.Fatalf("slow request: got IsNew %v, error %v; want the stored session", slow.IsNew(), err)
			}
			// … another request ends it …
			e.ok(tt.other, c, "")
			// … and the slow one saves its copy.
			slow.Set("theme", "light")
			err := slow.Save()
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("got save error %v; want one matching fs.ErrNotExist", err)
			}
			if got := w.Header().Values("Set-Cookie"); len(got) != 0 {
				t.Errorf("got Set-Cookie %q; want none", got)
			}
			if got := e.user(c); got != "<none>" {
				t.Errorf("got user %q for the ended session; want nobody (the session came back)", got)
			}
			if got := e.ok("/get?k=theme", c, "").answer; got != "<none>" {
				t.Errorf("got theme %q for the ended session; want nothing", got)
			}
		})
	}
}

// expires returns when the store expires the session id.
func (k *kit) expires(t *testing.T, e *env, id, user string) (time.Time, bool) {
	t.Helper()
	if k.cfg.Expires != nil {
		return k.cfg.Expires(t, e.store, id)
	}
	us, ok := e.store.(session.UserSessions)
	if !ok {
		t.Skip("storetest: the store implements neither Config.Expires nor session.UserSessions; lifetimes not checked")
	}
	records, err := us.ListUserSessions(t.Context(), user)
	if err != nil {
		t.Fatalf("ListUserSessions: %v", err)
	}
	for _, rec := range records {
		if rec.Handle == session.Handle(id) {
			return rec.Expires, true
		}
	}
	return time.Time{}, false
}

func (k *kit) lifetimes(t *testing.T) {
	e := k.env(t)
	start := e.now().Truncate(time.Second)
	c, id := e.login("alice", "")
	check := func(step string, want time.Time, tolerance time.Duration) {
		t.Helper()
		got, ok := k.expires(t, e, id, "alice")
		if !ok {
			t.Fatalf("%s: got no record; want one", step)
		}
		if d := got.Sub(want); d < -tolerance || d > tolerance {
			t.Errorf("%s: got expiry %v; want %v (±%v): the idle or absolute timeout", step, got, want, tolerance)
		}
	}
	tolerance := time.Second
	if k.cfg.Clock == nil {
		tolerance = 5 * time.Second // real time passes between the login and the check
	}
	check("after login", start.Add(idleTimeout), tolerance)
	if k.cfg.Clock == nil {
		return
	}
	// Activity moves the idle end forward …
	var seen time.Time
	for range 6 {
		k.cfg.Clock.Advance(idleTimeout - time.Minute)
		seen = e.now().Truncate(time.Second)
		if got := e.user(c); got != "alice" {
			t.Fatalf("after activity: got user %q; want alice", got)
		}
		want := seen.Add(idleTimeout)
		if abs := start.Add(absoluteTimeout); abs.Before(want) {
			want = abs
		}
		check(fmt.Sprintf("after activity at +%v", seen.Sub(start)), want, tolerance)
	}
	// … never past the absolute end.
	if !seen.Add(idleTimeout).After(start.Add(absoluteTimeout)) {
		t.Fatalf("storetest: the activity loop did not reach the absolute timeout")
	}
	k.cfg.Clock.Advance(absoluteTimeout)
	if got := e.user(c); got != "<none>" {
		t.Errorf("after the absolute timeout: got user %q; want nobody", got)
	}
}

func (k *kit) concurrentSaves(t *testing.T) {
	e := k.env(t)
	c, id := e.login("alice", "")
	n := k.cfg.Concurrency
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			r := httptest.NewRequestWithContext(context.WithoutCancel(t.Context()), http.MethodGet, fmt.Sprintf("/set?k=k%d&v=v%d", i, i), nil)
			r.AddCookie(c)
			w := httptest.NewRecorder()
			e.app.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				errs <- fmt.Errorf("request %d: got status %d (%s); want %d", i, w.Code, strings.TrimSpace(w.Body.String()), http.StatusOK)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	res := e.ok("/get?k="+url.QueryEscape(session.UserKey), c, "")
	if res.answer != "alice" || res.id != id {
		t.Errorf("after %d concurrent saves: got user %q, same ID %v; want alice in the same session", n, res.answer, res.id == id)
	}
}

func (k *kit) userSessions(t *testing.T) {
	e := k.env(t)
	us, ok := e.store.(session.UserSessions)
	if !ok {
		t.Skip("storetest: the store does not implement session.UserSessions")
	}
	longUA := strings.Repeat("é", 200) // 400 bytes
	phone, phoneID := e.login("alice", "phone/1.0")
	if k.cfg.Clock != nil {
		k.cfg.Clock.Advance(time.Minute)
	}
	laptop, laptopID := e.login("alice", longUA)
	bob, bobID := e.login("bob", "bob/1.0")
	ctx := t.Context()
	// A request of the phone's that is still running when its session is
	// ended from elsewhere.
	slowR := httptest.NewRequestWithContext(ctx, http.MethodGet, "/slow", nil)
	slowR.AddCookie(phone)
	slowW := httptest.NewRecorder()
	slow := e.mgr.Bind(slowW, slowR)
	if err := slow.Load(); err != nil || slow.IsNew() {
		t.Fatalf("slow request: got IsNew %v, error %v; want the phone's session", slow.IsNew(), err)
	}

	list := func(user string) []session.Record {
		t.Helper()
		records, err := us.ListUserSessions(ctx, user)
		if err != nil {
			t.Fatalf("ListUserSessions(%q): %v", user, err)
		}
		return records
	}
	records := list("alice")
	if len(records) != 2 {
		t.Fatalf("got %d sessions of alice; want 2", len(records))
	}
	byHandle := map[string]session.Record{}
	for _, rec := range records {
		for _, id := range []string{phoneID, laptopID, bobID} {
			if strings.Contains(fmt.Sprintf("%+v", rec), id) {
				t.Errorf("got a record showing a session ID; want only its handle")
			}
		}
		byHandle[rec.Handle] = rec
	}
	ph, okPhone := byHandle[session.Handle(phoneID)]
	lp, okLaptop := byHandle[session.Handle(laptopID)]
	if !okPhone || !okLaptop {
		t.Fatalf("got handles %v; want the handles of both logins", byHandle)
	}
	if k.cfg.Clock != nil && records[0].Handle != session.Handle(laptopID) {
		t.Errorf("got the phone first; want the newest session (the laptop) first")
	}
	if ph.UserAgent != "phone/1.0" {
		t.Errorf("got user agent %q; want %q", ph.UserAgent, "phone/1.0")
	}
	if len(lp.UserAgent) > 256 || !strings.HasPrefix(longUA, lp.UserAgent) || len(lp.UserAgent) < 250 {
		t.Errorf("got a user agent of %d bytes; want the request's cut to 256 bytes", len(lp.UserAgent))
	}
	if ph.IP != "192.0.2.1" { // httptest's RemoteAddr
		t.Errorf("got IP %q; want %q", ph.IP, "192.0.2.1")
	}
	if ph.Created.IsZero() || ph.LastSeen.Before(ph.Created) || !ph.Expires.After(ph.LastSeen) {
		t.Errorf("got Created %v, LastSeen %v, Expires %v; want Created <= LastSeen < Expires", ph.Created, ph.LastSeen, ph.Expires)
	}
	if got := list("carol"); len(got) != 0 {
		t.Errorf("got %d sessions of a user who never logged in; want 0", len(got))
	}

	steps := []struct {
		name  string
		do    func() (int64, error)
		wantN int64 // when do counts (returns n >= 0)
		want  map[*http.Cookie]string
	}{
		{
			name: "nok, another user's handle ends nothing",
			do:   func() (int64, error) { return -1, us.DeleteUserSession(ctx, "alice", session.Handle(bobID)) },
			want: map[*http.Cookie]string{phone: "alice", laptop: "alice", bob: "bob"},
		},
		{
			name: "nok, a handle named by another user ends nothing",
			do:   func() (int64, error) { return -1, us.DeleteUserSession(ctx, "bob", session.Handle(phoneID)) },
			want: map[*http.Cookie]string{phone: "alice", laptop: "alice", bob: "bob"},
		},
		{
			name: "nok, an ID instead of a handle ends nothing",
			do:   func() (int64, error) { return -1, us.DeleteUserSession(ctx, "alice", phoneID) },
			want: map[*http.Cookie]string{phone: "alice", laptop: "alice", bob: "bob"},
		},
		{
			name:  "ok, all but the current one",
			do:    func() (int64, error) { return us.DeleteUserSessions(ctx, "alice", session.Handle(laptopID)) },
			wantN: 1,
			want:  map[*http.Cookie]string{phone: "<none>", laptop: "alice", bob: "bob"},
		},
		{
			name:  "ok, all of them",
			do:    func() (int64, error) { return us.DeleteUserSessions(ctx, "alice", "") },
			wantN: 1,
			want:  map[*http.Cookie]string{phone: "<none>", laptop: "<none>", bob: "bob"},
		},
		{
			name: "ok, one by its handle",
			do:   func() (int64, error) { return -1, us.DeleteUserSession(ctx, "bob", session.Handle(bobID)) },
			want: map[*http.Cookie]string{bob: "<none>"},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			n, err := st.do()
			if err != nil {
				t.Fatalf("got error %v; want none", err)
			}
			if n >= 0 && n != st.wantN {
				t.Errorf("got %d sessions ended; want %d", n, st.wantN)
			}
			for c, want := range st.want {
				if got := e.user(c); got != want {
					t.Errorf("got user %q for a cookie; want %q", got, want)
				}
			}
		})
	}
	if got := list("alice"); len(got) != 0 {
		t.Errorf("got %d sessions of alice after ending them all; want 0", len(got))
	}
	slow.Set("theme", "light")
	if err := slow.Save(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("save of a session ended by DeleteUserSessions: got %v; want an error matching fs.ErrNotExist", err)
	}
	if got := slowW.Header().Values("Set-Cookie"); len(got) != 0 {
		t.Errorf("got Set-Cookie %q from the refused save; want none", got)
	}
	if got := e.user(phone); got != "<none>" {
		t.Errorf("got user %q for the phone after the slow save; want nobody (the session came back)", got)
	}
}
