package session

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"
)

// UserKey is the session key under which passport keeps the serialized
// user: the server-side stores index sessions by it, to list and end the
// sessions of one user. It is the same string as passport.UserKey.
const UserKey = "passport.user"

// ErrNotSupported is returned by a store, or by passport's LogoutAll, for
// an operation that the store cannot do: the cookie store cannot list or
// end the sessions of a user, whose records are the cookies themselves.
var ErrNotSupported = errors.New("session: not supported by this store")

// Lifetimes is implemented by server-side stores that expire their records
// by the session's own timeouts. [New] calls SetLifetimes once, with the
// Manager's IdleTimeout (0: none) and AbsoluteTimeout, so that a record
// expires when its session would: at the earlier of its creation plus
// absolute and its last activity plus idle ([ExpiresAt]).
type Lifetimes interface {
	SetLifetimes(idle, absolute time.Duration)
}

// ExpiresAt returns when the session of values ends by the Manager's
// timeouts: the earlier of created + absolute and, with idle > 0, last
// activity + idle, from the timestamps the Manager keeps in every session.
// ok is false when values carry none (a session the Manager did not
// write); a store then falls back to the cookie's MaxAge.
func ExpiresAt(values map[any]any, idle, absolute time.Duration) (at time.Time, ok bool) {
	created, _ := values[createdKey].(int64)
	seen, _ := values[seenKey].(int64)
	if created == 0 || seen == 0 {
		return time.Time{}, false
	}
	at = time.Unix(created, 0).Add(absolute)
	if idle > 0 {
		if end := time.Unix(seen, 0).Add(idle); end.Before(at) {
			at = end
		}
	}
	return at, true
}

// UserSessions is implemented by server-side stores that index sessions by
// the user logged in to them ([UserKey]): an app shows a user's devices
// and ends one of them, and passport's LogoutAll ends them all.
type UserSessions interface {
	// ListUserSessions returns the live sessions of user, newest first.
	ListUserSessions(ctx context.Context, user string) ([]Record, error)
	// DeleteUserSessions ends every session of user but the one whose
	// handle is except ("" ends them all) and returns how many it ended.
	DeleteUserSessions(ctx context.Context, user, except string) (int64, error)
	// DeleteUserSession ends the session of user with the given handle;
	// a handle that is not one of user's sessions is no error and ends
	// nothing, so that a user cannot end another's session.
	DeleteUserSession(ctx context.Context, user, handle string) error
}

// Record describes one server-side session, for a "your devices" page.
type Record struct {
	// Handle names the session without being its ID ([Handle]): it can be
	// shown in a page and posted back, and is worth nothing as a cookie.
	Handle string
	// Created is when the session was first saved; LastSeen when it was
	// last saved.
	Created, LastSeen time.Time
	// Expires is when the record expires unless it is saved again.
	Expires time.Time
	// IP and UserAgent are those of the request that last saved it,
	// UserAgent cut to 256 bytes.
	IP, UserAgent string
}

// Handle returns the handle of the session with the given ID: the first
// 16 bytes of its SHA-256, base64url. Compare it with a [Record]'s to mark
// the current session in a list.
func Handle(id string) string {
	sum := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
