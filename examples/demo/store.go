package main

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/session"
)

// memoryDB is the name that keeps the whole database in memory.
const memoryDB = ":memory:"

// minSecretBytes is the shortest SESSION_SECRET accepted.
const minSecretBytes = 32

// sessionKeySetting is the settings row that holds the generated session
// key.
const sessionKeySetting = "session_key"

// schema creates the demo's tables. The session table belongs to sqlstore,
// which creates it itself.
const schema = `
CREATE TABLE IF NOT EXISTS users (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL,
	email         TEXT    NOT NULL,
	email_key     TEXT    NOT NULL UNIQUE, -- accountKey(email): one account per address and its look-alikes (see noEmailKey for a user without one)
	password_hash TEXT    NOT NULL, -- '' for a user created by social sign-in: no password logs on
	created_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS identities ( -- accounts at sign-in providers, linked to users
	id         INTEGER PRIMARY KEY,
	provider   TEXT    NOT NULL, -- the provider's name in the catalogue, such as "devoidc" or "github"
	subject    TEXT    NOT NULL, -- the provider's stable ID of the account (OpenID Connect's sub)
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	account    TEXT    NOT NULL, -- the account's e-mail address or name when it was linked: shown, never looked up
	created_at INTEGER NOT NULL,
	UNIQUE (provider, subject) -- never the e-mail address: that is whatever the provider says
);
CREATE INDEX IF NOT EXISTS identities_user_id ON identities (user_id);
CREATE TABLE IF NOT EXISTS settings (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
);`

// User is a registered user as the app sees it once logged in. The password
// hash never leaves the users table except inside verify.
type User struct {
	ID    int64
	Name  string
	Email string
}

// openDB opens the SQLite database at path (a file, created when missing,
// or ":memory:") and creates the tables.
//
// Files are opened with busy_timeout, so that concurrent requests wait for
// each other's locks instead of failing with SQLITE_BUSY, and in WAL mode,
// so that readers do not wait for the writer. An in-memory database exists
// once per connection, so the pool is limited to one connection.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("demo: empty database path")
	}
	if strings.ContainsAny(path, "?#") {
		// The driver reads everything after "?" as options.
		return nil, fmt.Errorf("demo: database path %q must not contain '?' or '#'", path)
	}
	dsn := path + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	if path != memoryDB {
		dsn += "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("demo: opening %s: %w", path, err)
	}
	if path == memoryDB {
		db.SetMaxOpenConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("demo: creating tables in %s: %w", path, err)
	}
	if err := rekeyUsers(ctx, db); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// rekeyUsers brings every user's email_key up to date with emailKey, for a
// database written when keys were only lower-cased. Two old accounts whose
// addresses are look-alikes of each other cannot share one key: the later
// keeps its old key (UPDATE OR IGNORE), and logs on only by the password
// reset an app would offer.
func rekeyUsers(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT id, email, email_key FROM users WHERE email <> ''`)
	if err != nil {
		return fmt.Errorf("demo: reading account keys: %w", err)
	}
	type rekey struct {
		id  int64
		key string
	}
	var todo []rekey
	for rows.Next() {
		var (
			id         int64
			email, key string
		)
		if err := rows.Scan(&id, &email, &key); err != nil {
			_ = rows.Close()
			return fmt.Errorf("demo: reading account keys: %w", err)
		}
		if k := emailKey(email); k != key {
			todo = append(todo, rekey{id, k})
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("demo: reading account keys: %w", err)
	}
	for _, r := range todo {
		if _, err := db.ExecContext(ctx, `UPDATE OR IGNORE users SET email_key = ? WHERE id = ?`, r.key, r.id); err != nil {
			return fmt.Errorf("demo: updating the account key of user %d: %w", r.id, err)
		}
	}
	return nil
}

// emailKey is the form under which an email is unique and looked up: its
// accountKey, the same key the local strategy throttles under. An address
// that has none (registration refuses those; a provider might send one) is
// keyed trimmed and lower-cased, prefixed so that it never equals an
// account key.
func emailKey(email string) string {
	if key, err := accountKey(email); err == nil {
		return key
	}
	return "invalid " + strings.ToLower(strings.TrimSpace(email))
}

// users is the users table.
type users struct {
	db *sql.DB
}

// create inserts a user and reports false when the email is taken.
func (u users) create(ctx context.Context, name, email, hash string) (*User, bool, error) {
	res, err := u.db.ExecContext(ctx,
		`INSERT INTO users (name, email, email_key, password_hash, created_at) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (email_key) DO NOTHING`,
		name, email, emailKey(email), hash, time.Now().Unix())
	if err != nil {
		return nil, false, fmt.Errorf("demo: creating user: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, fmt.Errorf("demo: creating user: %w", err)
	}
	if n == 0 {
		return nil, false, nil
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, false, fmt.Errorf("demo: creating user: %w", err)
	}
	return &User{ID: id, Name: name, Email: email}, true, nil
}

// byID loads the user of key, the exact form the demo writes (the ID in
// decimal, as subject and the session write it): "01" or "+1" is no user,
// though it parses as 1, so that a key that is not the one the demo
// issued never names a user. An unknown key wraps passport.ErrUserNotFound,
// which logs a session of a deleted user out silently and refuses a token.
func (u users) byID(ctx context.Context, key string) (*User, error) {
	id, err := strconv.ParseInt(key, 10, 64)
	if err != nil || strconv.FormatInt(id, 10) != key {
		return nil, fmt.Errorf("demo: user key %q: %w", key, passport.ErrUserNotFound)
	}
	var usr User
	err = u.db.QueryRowContext(ctx, `SELECT id, name, email FROM users WHERE id = ?`, id).
		Scan(&usr.ID, &usr.Name, &usr.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("demo: user %d: %w", id, passport.ErrUserNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("demo: loading user %d: %w", id, err)
	}
	return &usr, nil
}

// byEmail loads a user and its password hash by email, case-insensitively.
// found is false for an unknown email.
func (u users) byEmail(ctx context.Context, email string) (usr *User, hash string, found bool, err error) {
	usr = &User{}
	err = u.db.QueryRowContext(ctx, `SELECT id, name, email, password_hash FROM users WHERE email_key = ?`, emailKey(email)).
		Scan(&usr.ID, &usr.Name, &usr.Email, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, fmt.Errorf("demo: looking up user by email: %w", err)
	}
	return usr, hash, true, nil
}

// setHash replaces a user's password hash (rehash on login).
func (u users) setHash(ctx context.Context, id int64, hash string) error {
	if _, err := u.db.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id); err != nil {
		return fmt.Errorf("demo: updating password hash: %w", err)
	}
	return nil
}

// sessionKeys returns the keys that seal session cookies. With a secret
// (SESSION_SECRET) the key is derived from it with HKDF-SHA256, so every
// instance started with the same secret shares it; a secret shorter than 32
// bytes is refused. Without one, a random key is generated on the first run
// and kept in the settings table, so sessions survive a restart.
func sessionKeys(ctx context.Context, db *sql.DB, secret string) ([][]byte, error) {
	if secret != "" {
		key, err := deriveSessionKey(secret)
		if err != nil {
			return nil, err
		}
		return [][]byte{key}, nil
	}
	fresh, err := session.GenerateKey()
	if err != nil {
		return nil, fmt.Errorf("demo: generating the session key: %w", err)
	}
	// INSERT OR IGNORE then SELECT: two instances starting at once on the
	// same file end up with the same key.
	if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)`, sessionKeySetting, fresh); err != nil {
		return nil, fmt.Errorf("demo: storing the session key: %w", err)
	}
	var key []byte
	if err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, sessionKeySetting).Scan(&key); err != nil {
		return nil, fmt.Errorf("demo: reading the session key: %w", err)
	}
	if len(key) < minSecretBytes {
		return nil, fmt.Errorf("demo: the session key stored in the settings table is %d bytes, want at least %d; delete that row to generate a new one", len(key), minSecretBytes)
	}
	return [][]byte{key}, nil
}

// deriveSessionKey derives the 32-byte session key from SESSION_SECRET.
func deriveSessionKey(secret string) ([]byte, error) {
	if len(secret) < minSecretBytes {
		return nil, fmt.Errorf("demo: SESSION_SECRET is %d bytes, it must be at least %d (for example the output of `openssl rand -base64 32`)", len(secret), minSecretBytes)
	}
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, "passport demo session key v1", 32)
	if err != nil {
		return nil, fmt.Errorf("demo: deriving the session key: %w", err)
	}
	return key, nil
}
