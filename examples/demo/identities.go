package main

// The identities table of social sign-in (see social.go): which user each
// provider account (provider + subject) is linked to, and the creation of a
// user from a provider's account, with its identity, in one transaction.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gopassport/passport/session/sqlstore"
	"github.com/gopassport/passport/strategy/oauth"
)

// noEmailKey is the email_key of a user created by social sign-in without
// an e-mail address: unique per account, and never an address's key (it
// holds spaces, which validEmail refuses), so no registration takes it and
// no e-mail address matches it. A password logon that types it finds an
// account without a password: wrong credentials.
func noEmailKey(id oauth.Identity) string {
	return "no email " + id.Provider + " " + id.Subject
}

// Errors of users.createWithIdentity.
var (
	errEmailTaken    = errors.New("demo: e-mail address already registered")
	errIdentityTaken = errors.New("demo: provider account already linked")
)

// createWithIdentity creates a user without a password (an empty hash) and
// links the provider's account id to it, in one transaction. An empty
// email stores the user without an address. It returns errEmailTaken or
// errIdentityTaken, and creates nothing, when the address or the account
// is taken.
func (u users) createWithIdentity(ctx context.Context, name, email string, id oauth.Identity, account string) (*User, error) {
	key := emailKey(email)
	if email == "" {
		key = noEmailKey(id)
	}
	tx, err := u.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("demo: creating user: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	now := time.Now().Unix()
	var uid int64
	err = tx.QueryRowContext(ctx, u.db.dialect.Rebind(
		`INSERT INTO users (name, email, email_key, password_hash, created_at) VALUES (?, ?, ?, '', ?)
		 ON CONFLICT (email_key) DO NOTHING RETURNING id`),
		name, email, key, now).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errEmailTaken
	}
	if err != nil {
		return nil, fmt.Errorf("demo: creating user: %w", err)
	}
	linked, err := insertIdentity(ctx, tx, u.db.dialect, uid, id, account, now)
	if err != nil {
		return nil, err
	}
	if !linked {
		return nil, errIdentityTaken
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("demo: creating user: %w", err)
	}
	return &User{ID: uid, Name: name, Email: email}, nil
}

// identities is the identities table: which user each provider account
// (provider + subject) signs in as.
type identities struct {
	db database
}

func (a *app) identities() identities { return identities{db: a.db} }

// linkedIdentity is a provider account as the home page shows it.
type linkedIdentity struct {
	Provider string
	Label    string
	Account  string
}

// owner returns the ID of the user the account id is linked to.
func (t identities) owner(ctx context.Context, id oauth.Identity) (userID int64, found bool, err error) {
	err = t.db.queryRow(ctx, `SELECT user_id FROM identities WHERE provider = ? AND subject = ?`, id.Provider, id.Subject).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("demo: looking up identity: %w", err)
	}
	return userID, true, nil
}

// link links the account id to the user userID; false when it is linked
// already (to anybody).
func (t identities) link(ctx context.Context, userID int64, id oauth.Identity, account string) (bool, error) {
	return insertIdentity(ctx, t.db, t.db.dialect, userID, id, account, time.Now().Unix())
}

// execer is what insertIdentity needs of a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertIdentity inserts a row of the identities table, with d's
// placeholders; false when the account is linked already.
func insertIdentity(ctx context.Context, db execer, d sqlstore.Dialect, userID int64, id oauth.Identity, account string, now int64) (bool, error) {
	res, err := db.ExecContext(ctx, d.Rebind(
		`INSERT INTO identities (provider, subject, user_id, account, created_at) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (provider, subject) DO NOTHING`),
		id.Provider, id.Subject, userID, account, now)
	if err != nil {
		return false, fmt.Errorf("demo: linking identity: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("demo: linking identity: %w", err)
	}
	return n > 0, nil
}

// ofUser returns the accounts linked to the user userID, oldest first.
func (t identities) ofUser(ctx context.Context, userID int64) ([]linkedIdentity, error) {
	rows, err := t.db.query(ctx, `SELECT provider, account FROM identities WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("demo: listing identities: %w", err)
	}
	defer rows.Close()
	var out []linkedIdentity
	for rows.Next() {
		var li linkedIdentity
		if err := rows.Scan(&li.Provider, &li.Account); err != nil {
			return nil, fmt.Errorf("demo: listing identities: %w", err)
		}
		out = append(out, li)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demo: listing identities: %w", err)
	}
	return out, nil
}
