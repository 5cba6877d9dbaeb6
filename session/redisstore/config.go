package redisstore

import (
	"errors"
	"time"

	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/internal/configerr"
)

// DefaultKeyPrefix starts every key of the store when Config.KeyPrefix is
// empty.
const DefaultKeyPrefix = "passport:session:"

// DefaultTimeout bounds each call to Redis when Config.Timeout is zero.
const DefaultTimeout = 500 * time.Millisecond

// maxKeyPrefix is the longest Config.KeyPrefix accepted.
const maxKeyPrefix = 64

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake. The error's message names the field.
var ErrInvalidConfig = errors.New("redisstore: invalid config")

// Config configures a [Store].
type Config struct {
	// Keys seal the cookie, which holds only the session ID: the first key
	// seals, every key opens (see [session.NewCodec]; each at least 32
	// bytes). Required. To rotate, put a new key first and keep the old
	// ones for as long as their cookies may live.
	Keys [][]byte
	// KeyPrefix starts the name of every Redis key the store writes:
	// printable ASCII without spaces, at most 64 bytes. Give each app (or
	// each environment sharing a server) its own. Optional. Default
	// [DefaultKeyPrefix].
	KeyPrefix string
	// Timeout bounds every call to Redis, within the request's own
	// context. A call that runs out of it is reported as unavailable
	// ([strategy.ErrUnavailable]). Optional. Default [DefaultTimeout].
	// It must not be negative.
	Timeout time.Duration
	// Options are the cookie options of new sessions. A [session.Manager]
	// sets its own on every session it loads, so they matter only when the
	// store is used without one. Optional. Default
	// [session.DefaultOptions]. Their MaxAge must not be negative.
	Options *sessions.Options
	// Now returns the current time. Optional, for tests. Default time.Now.
	Now func() time.Time
}

// configErrorf returns a configuration mistake matching ErrInvalidConfig.
func configErrorf(format string, args ...any) error {
	return configerr.Errorf(ErrInvalidConfig, format, args...)
}

// validPrefix reports whether p is printable ASCII without spaces, at most
// maxKeyPrefix bytes.
func validPrefix(p string) bool {
	if len(p) > maxKeyPrefix {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}
