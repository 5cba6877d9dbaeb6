package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzRegistration checks that the registration form's validation never
// panics and accepts only what the users table may hold.
func FuzzRegistration(f *testing.F) {
	f.Add("Alice", "alice@example.com", "correct horse", "correct horse")
	f.Add("", "", "", "")
	f.Add(" Bob\x00", "Bob <bob@example.com>", "short", "short")
	f.Add("Ca\xffrol", "carol@example.com\n", strings.Repeat("p", 1025), strings.Repeat("p", 1025))
	f.Add(strings.Repeat("é", 101), "\"quoted\"@example.com", "pässwörd", "pässwörd")
	f.Fuzz(func(t *testing.T, name, email, password, password1 string) {
		fields, form := registration{Name: name, Email: email, Password: password, Password1: password1}.validate()
		if len(fields) > 0 || len(form) > 0 {
			return
		}
		n, e := strings.TrimSpace(name), strings.TrimSpace(email)
		switch {
		case n == "" || !utf8.ValidString(n) || utf8.RuneCountInString(n) > maxNameRunes || strings.ContainsFunc(n, unicode.IsControl):
			t.Errorf("accepted name %q", name)
		case e == "" || len(e) > maxEmailBytes || !utf8.ValidString(e) || strings.ContainsFunc(e, unicode.IsControl):
			t.Errorf("accepted email %q", email)
		case utf8.RuneCountInString(password) < minPasswordRunes || len(password) > maxPasswordBytes:
			t.Errorf("accepted password of %d bytes", len(password))
		case password != password1:
			t.Errorf("accepted different passwords")
		}
		if _, err := mail.ParseAddress(e); err != nil {
			t.Errorf("accepted email %q that net/mail refuses: %v", email, err)
		}
	})
}

// FuzzCheckSecretWord checks that an accepted secret word is printable,
// at most 100 characters and never starts with a P.
func FuzzCheckSecretWord(f *testing.F) {
	f.Add("syzygy")
	f.Add("Pizza")
	f.Add("")
	f.Add("\xff")
	f.Add(strings.Repeat("z", 101))
	f.Fuzz(func(t *testing.T, raw string) {
		word := strings.TrimSpace(raw)
		if checkSecretWord(word) != "" {
			return
		}
		if word == "" || !utf8.ValidString(word) || utf8.RuneCountInString(word) > maxSecretWordRunes ||
			strings.ContainsFunc(word, unicode.IsControl) || word[0] == 'p' || word[0] == 'P' {
			t.Errorf("accepted secret word %q", word)
		}
	})
}

// FuzzLogonBody posts arbitrary form bodies to the logon route, with a
// valid CSRF token: whatever the body, the answer is a redirect back to
// the form (or home), a 4xx, never a 500.
func FuzzLogonBody(f *testing.F) {
	a, err := buildApp(context.Background(), Config{DB: memoryDB, hasher: cheapHasher(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = a.close() })
	if _, _, err := a.users.create(context.Background(), "Alice", "alice@example.com", mustHash(f, a)); err != nil {
		f.Fatal(err)
	}
	// fresh returns a new session and its CSRF token, as the logon form
	// hands them out: the token is bound to the session, and a logon
	// replaces it, so each input gets its own.
	fresh := func(t testing.TB) (string, *http.Cookie) {
		rec := httptest.NewRecorder()
		a.e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/sessions/logon", nil))
		m := csrfRE.FindStringSubmatch(rec.Body.String())
		cookies := rec.Result().Cookies()
		if m == nil || len(cookies) != 1 {
			t.Fatalf("GET /sessions/logon: no token or no session cookie (%d cookies)", len(cookies))
		}
		return m[1], cookies[0]
	}

	f.Add("email=alice%40example.com&password=correct+horse+battery")
	f.Add("email=&password=")
	f.Add("email=a%00b&password=x")
	f.Add("email=%ff&password=x")
	f.Add("email=a&email=b&password=x")
	f.Add("%zz=%zz")
	f.Add(strings.Repeat("email=x&", 1000))
	f.Fuzz(func(t *testing.T, body string) {
		token, sessionCookie := fresh(t)
		req := httptest.NewRequest(http.MethodPost, "/sessions/logon", strings.NewReader(body+"&_csrf="+token))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(sessionCookie)
		rec := httptest.NewRecorder()
		a.e.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("body %q: got status %d", body, rec.Code)
		}
	})
}

func mustHash(tb testing.TB, a *app) string {
	tb.Helper()
	h, err := a.hashPassword(testPassword)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}
