package passport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gopassport/passport/session"
)

// UserRevoker ends what a user holds outside the session store: the
// access and refresh tokens of strategy/jwt's Issuer (its RevokeUser), an
// app's API keys. [Authenticator.LogoutAll] calls each of Config.Revokers.
type UserRevoker interface {
	RevokeUser(ctx context.Context, subject string) error
}

// LogoutAll logs the user whose key is userKey (the string Serialize
// returns) out everywhere: every session of the user on the session store,
// on every instance of the app, and every token of Config.Revokers (a JWT
// issuer's RevokeUser). Call it after a password change, when an admin
// locks an account, or for "log out of all devices". The request that
// calls it is logged out too, unless the app logs it in again.
//
// The store must index sessions by user ([session.UserSessions]:
// session/sqlstore and session/redisstore do), or the session manager
// must keep a revocation list (session.Config.Revocations), which then
// refuses every cookie of the user issued until now. Otherwise (the cookie
// store alone, whose sessions are the cookies themselves) the revokers
// still run, and the error wraps [session.ErrNotSupported]: a copied
// cookie stays valid until it expires, and the app must know.
// A store that is down gives an error wrapping strategy.ErrUnavailable.
func (a *Authenticator[U]) LogoutAll(ctx context.Context, userKey string) error {
	if userKey == "" {
		return errors.New("passport: LogoutAll needs a user key")
	}
	var errs []error
	for _, r := range a.revokers {
		if err := r.RevokeUser(ctx, userKey); err != nil {
			errs = append(errs, fmt.Errorf("passport: revoking the tokens of the user: %w", err))
		}
	}
	ended := int64(0)
	if a.sessions == nil {
		errs = append(errs, fmt.Errorf("passport: LogoutAll without Config.Sessions: %w", session.ErrNotSupported))
	} else if us, ok := a.sessions.Store().(session.UserSessions); ok {
		n, err := us.DeleteUserSessions(ctx, userKey, "")
		if err != nil {
			errs = append(errs, fmt.Errorf("passport: ending the sessions of the user: %w", err))
		}
		ended = n
	} else if rv := a.sessions.Revocations(); rv != nil {
		// A cookie store with a revocation list: every cookie of the user
		// issued until now is refused from now on.
		if err := rv.RevokeUser(ctx, userKey, time.Now()); err != nil {
			errs = append(errs, fmt.Errorf("passport: revoking the sessions of the user: %w", err))
		}
	} else {
		errs = append(errs, fmt.Errorf("passport: the session store %T cannot end a user's sessions (give the session manager Revocations): %w", a.sessions.Store(), session.ErrNotSupported))
	}
	if a.audit != nil {
		a.audit.LogAttrs(ctx, slog.LevelInfo, "passport: logout_all", slog.String("event", "logout_all"),
			slog.String("user", userKey), slog.Int64("sessions", ended), slog.Int("revokers", len(a.revokers)))
	}
	return errors.Join(errs...)
}
