package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// TestLookAlikeAccounts is the look-alike attack: addresses that
// display like alice@example.com (fullwidth, a combining accent, a dotless
// i, a Cyrillic a) are refused at registration as taken, reach alice's
// account at logon, and share its throttle budget; format and bidi
// characters are refused outright.
func TestLookAlikeAccounts(t *testing.T) {
	ta := newTestApp(t, Config{})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	form := func(name, email string) url.Values {
		return url.Values{"name": {name}, "email": {email}, "password": {testPassword}, "password1": {testPassword}}
	}
	refused := []struct {
		name, person, email, msg string
	}{
		{"nok, fullwidth", "Mallory", "ａｌｉｃｅ@ｅｘａｍｐｌｅ.com", msgEmailTaken},
		{"nok, combining accent", "Mallory", "alice\u0301@example.com", msgEmailTaken},
		{"nok, precomposed accent", "Mallory", "alicé@example.com", msgEmailTaken},
		{"nok, dotless i", "Mallory", "alıce@example.com", msgEmailTaken},
		{"nok, Cyrillic a", "Mallory", "\u0430lice@example.com", msgEmailTaken},
		{"nok, digit one for l", "Mallory", "a1ice@example.com", msgEmailTaken},
		{"nok, upper case", "Mallory", "ALICE@EXAMPLE.COM", msgEmailTaken},
		{"nok, right-to-left override", "Mallory", "alice\u202e@example.com", msgEmailInvalid},
		{"nok, zero width space", "Mallory", "al\u200bice@example.com", msgEmailInvalid},
		{"nok, bidi override in the name", "Alice\u202eecilA", "mallory@example.com", msgNameInvalid},
		{"nok, zero width joiner in the name", "Al\u200dice", "mallory@example.com", msgNameInvalid},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := ta.countUsers(t)
			res := ta.browser(t).submit("/sessions/register", "/sessions/register", form(tt.person, tt.email))
			if res.status != http.StatusBadRequest || !strings.Contains(res.body, strings.ReplaceAll(tt.msg, "'", "&#39;")) {
				t.Errorf("register %q: got %d; want 400 with %q", tt.email, res.status, tt.msg)
			}
			if got := ta.countUsers(t); got != before {
				t.Errorf("users: got %d; want %d", got, before)
			}
		})
	}

	logons := []struct {
		name, email, as string
	}{
		{"ok, fullwidth reaches alice", "ａｌｉｃｅ@ｅｘａｍｐｌｅ.com", "Alice"},
		{"ok, dotless i reaches alice", "alıce@example.com", "Alice"},
		{"ok, Cyrillic a reaches alice", "\u0430lice@example.com", "Alice"},
		{"nok, right-to-left override", "alice\u202e@example.com", ""},
	}
	for _, tt := range logons {
		t.Run(tt.name, func(t *testing.T) {
			b := ta.browser(t)
			b.logon(tt.email, testPassword)
			if got := b.loggedOnAs(); got != tt.as {
				t.Errorf("logon %q: logged on as %q; want %q", tt.email, got, tt.as)
			}
		})
	}

	t.Run("nok, look-alikes share alice's throttle budget", func(t *testing.T) {
		ta := newTestApp(t, Config{})
		ta.browser(t).register("Alice", "alice@example.com", testPassword)
		spellings := []string{"alice@example.com", "ａｌｉｃｅ@example.com", "alıce@example.com", "\u0430lice@example.com", "alicé@example.com"}
		b := ta.browser(t)
		for i := range 10 {
			b.logon(spellings[i%len(spellings)], "wrong password")
		}
		res := b.logon("alice@example.com", testPassword)
		if res.status != http.StatusTooManyRequests {
			t.Errorf("after 10 failures under 5 spellings: got %d; want 429", res.status)
		}
	})
}

// FuzzAccountKey checks that accountKey is idempotent (the strategy hands
// the key to verify, which keys it again) and that no format, bidi control
// or space survives in a key. The seed corpus is in
// testdata/fuzz/FuzzAccountKey.
func FuzzAccountKey(f *testing.F) {
	for _, s := range []string{"alice@example.com", "ａｌｉｃｅ@ｅｘａｍｐｌｅ.com", "alice\u0301@example.com", "alıce@example.com", "\u0430lice@bücher.example", "alice\u202e@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, email string) {
		key, err := accountKey(email)
		if err != nil {
			return
		}
		if strings.ContainsFunc(key, func(r rune) bool { return hiddenRune(r) || unicode.IsSpace(r) }) {
			t.Errorf("accountKey(%q) = %q holds a hidden character or a space", email, key)
		}
		again, err := accountKey(key)
		if err != nil || again != key {
			t.Errorf("accountKey is not idempotent: %q → %q → %q, %v", email, key, again, err)
		}
	})
}

// TestRekeyUsers checks that a database written when account keys were only
// lower-cased gets the new keys when it is opened, so that its users still
// log on, on SQLite and on PostgreSQL.
func TestRekeyUsers(t *testing.T) {
	for _, tt := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"SQLite", func(t *testing.T) string { return t.TempDir() + "/demo.db" }},
		{"PostgreSQL", postgresDB},
	} {
		t.Run(tt.name, func(t *testing.T) { testRekeyUsers(t, tt.db(t)) })
	}
}

func testRekeyUsers(t *testing.T, path string) {
	db, err := openDB(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"Bob0@Example.com", "alice@example.com", "alıce@example.com"} {
		if _, err := db.exec(t.Context(), `INSERT INTO users (name, email, email_key, password_hash, created_at) VALUES ('Bob', ?, ?, '', 0)`,
			email, strings.ToLower(email)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = openDB(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	rows, err := db.query(t.Context(), `SELECT email_key FROM users ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	_ = rows.Close()
	// "bob0" folds to "bobo" (a zero looks like an o). "alıce", a look-alike
	// registered before keys were folded, cannot take alice's key and keeps
	// its old one.
	want := []string{"bobo@example.com", "alice@example.com", "alıce@example.com"}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Errorf("keys: got %q; want %q", keys, want)
	}
}
