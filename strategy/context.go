package strategy

import (
	"context"
	"net"
	"net/http"
)

// userLoaderKey is the context key under which passport puts the loader of
// the user already logged in. Its type parameter keeps users of different
// types apart.
type userLoaderKey[U any] struct{}

// WithUserLoader returns a copy of ctx from which [CurrentUser] loads the
// user already logged in on this request by calling load. passport sets it
// on every request that runs a strategy; other routers may set it too.
func WithUserLoader[U any](ctx context.Context, load func(context.Context) (U, bool, error)) context.Context {
	return context.WithValue(ctx, userLoaderKey[U]{}, load)
}

// CurrentUser returns the user already logged in on the request whose
// context is ctx, for verify callbacks that link a new identity to an
// existing account. ok is false when nobody is logged in; err reports a
// fault while loading the user.
func CurrentUser[U any](ctx context.Context) (user U, ok bool, err error) {
	load, found := ctx.Value(userLoaderKey[U]{}).(func(context.Context) (U, bool, error))
	if !found || load == nil {
		return user, false, nil
	}
	return load(ctx)
}

// clientIPKey is the context key under which the router puts the client's
// address as it decided it (after trusted proxies).
type clientIPKey struct{}

// WithClientIP returns a copy of ctx that carries ip as the client's
// address. passport sets it from Echo's RealIP (which honours the app's
// IPExtractor) before running strategies.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP returns the client's address for r: the one set with
// [WithClientIP], else the host part of r.RemoteAddr. Strategies use it for
// throttling and audit logs; it never trusts X-Forwarded-For by itself.
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok && ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
