package jwt

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	jwtlib "github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// RemoteKeySetConfig configures [NewRemoteKeySet].
type RemoteKeySetConfig struct {
	// URL is the address of the JWK Set, such as an identity provider's
	// jwks_uri. Required. It must be https, or http on a loopback host
	// (localhost, 127.0.0.0/8, ::1) for tests and local development.
	URL string
	// Client makes the requests. Optional. Default: a client with a
	// Timeout of [RemoteKeySetConfig.Timeout]. A client without a Timeout is used
	// as given; each request is bounded by Timeout anyway.
	Client *http.Client
	// Timeout bounds each fetch of the set. Optional. Default 10 seconds.
	// It must not be negative.
	Timeout time.Duration
	// RefreshInterval is how often the set is fetched in the background.
	// Optional. Default one hour. It must not be negative.
	RefreshInterval time.Duration
	// UnknownKIDInterval is the shortest time between two fetches caused
	// by tokens whose kid is not in the set (a key rotation at the
	// provider). Optional. Default 5 minutes. A flood of tokens with made-up
	// kids therefore causes at most one fetch per interval; the other
	// tokens fail at once, or after at most Timeout when the next fetch is
	// due within Timeout.
	UnknownKIDInterval time.Duration
	// ErrorHandler receives the errors of background fetches. Optional.
	// Default: logged with [slog.Default] at level error.
	ErrorHandler func(ctx context.Context, err error)
}

// RemoteKeySet is a remote JSON Web Key Set, fetched with keyfunc/jwkset and kept
// up to date by a background goroutine. Use it as [Config.RemoteKeys].
//
// Only the set's RSA, EC and OKP (Ed25519) keys whose "use" is empty or
// "sig" are used; symmetric ("oct") keys in a remote set are ignored,
// since a secret published at a URL is no secret. Headers of the token
// that name other keys (jku, x5u, jwk, x5c) are never followed.
//
// A RemoteKeySet is safe for concurrent use. Call [RemoteKeySet.Close], or cancel the
// context given to [NewRemoteKeySet], to stop its goroutine.
type RemoteKeySet struct {
	kf     keyfunc.Keyfunc
	cancel context.CancelFunc
	once   sync.Once
}

// NewRemoteKeySet fetches the set at cfg.URL (waiting at most cfg.Timeout) and
// starts the goroutine that refreshes it. The goroutine ends when ctx is
// cancelled or [RemoteKeySet.Close] is called.
//
// A first fetch that fails is not an error (the provider may be starting
// too): it is reported to cfg.ErrorHandler and retried on the next
// refresh or unknown kid. While the set holds no key at all, tokens that
// need it make Authenticate return an error (a 500), not a fail, since the
// fault is the server's.
//
// A configuration mistake (no URL, one that is not an absolute https URL,
// a negative duration) is an error wrapping [ErrInvalidConfig].
func NewRemoteKeySet(ctx context.Context, cfg RemoteKeySetConfig) (*RemoteKeySet, error) {
	if ctx == nil {
		return nil, errors.New("jwt: nil context")
	}
	if err := checkJWKSConfig(cfg); err != nil {
		return nil, invalidConfig(err)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = time.Hour
	}
	if cfg.UnknownKIDInterval == 0 {
		cfg.UnknownKIDInterval = 5 * time.Minute
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.Timeout}
	}
	handler := cfg.ErrorHandler
	if handler == nil {
		handler = func(ctx context.Context, err error) {
			slog.Default().ErrorContext(ctx, "jwt: cannot refresh JWK Set", "error", err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{cfg.URL}, keyfunc.Override{
		Client:           cfg.Client,
		HTTPTimeout:      cfg.Timeout,
		RefreshInterval:  cfg.RefreshInterval,
		RateLimitWaitMax: cfg.Timeout,
		RefreshErrorHandlerFunc: func(string) func(context.Context, error) {
			return handler
		},
		RefreshUnknownKID: rate.NewLimiter(rate.Every(cfg.UnknownKIDInterval), 1),
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("jwt: JWK Set: %w", err)
	}
	return &RemoteKeySet{kf: kf, cancel: cancel}, nil
}

// Close stops the background refresh. It is safe to call more than once;
// it always returns nil.
func (j *RemoteKeySet) Close() error {
	j.once.Do(j.cancel)
	return nil
}

// checkJWKSConfig returns the configuration mistake of cfg, if any.
func checkJWKSConfig(cfg RemoteKeySetConfig) error {
	if err := checkJWKSURL(cfg.URL); err != nil {
		return err
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{
		{"Timeout", cfg.Timeout},
		{"RefreshInterval", cfg.RefreshInterval},
		{"UnknownKIDInterval", cfg.UnknownKIDInterval},
	} {
		if d.v < 0 {
			return fmt.Errorf("jwt: RemoteKeySetConfig.%s %v is negative", d.field, d.v)
		}
	}
	return nil
}

// checkJWKSURL accepts https URLs, and http ones on a loopback host.
func checkJWKSURL(raw string) error {
	if raw == "" {
		return errors.New("jwt: RemoteKeySetConfig.URL is required")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("jwt: RemoteKeySetConfig.URL is not an absolute URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if strings.EqualFold(host, "localhost") {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
		return errors.New("jwt: RemoteKeySetConfig.URL must use https")
	default:
		return errors.New("jwt: RemoteKeySetConfig.URL must use https")
	}
}

// lookup returns the key of the set that verifies a token signed with alg
// and carrying kid (hasKID false: no kid header), or a verification key
// set of every candidate when there is no kid.
func (j *RemoteKeySet) lookup(ctx context.Context, alg, kid string, hasKID bool) (any, error) {
	store := j.kf.Storage()
	if hasKID {
		jwk, err := store.KeyRead(ctx, kid)
		if err != nil {
			// Not found, even after a refresh, or the refresh limiter said
			// no: the kid is unknown as far as this request goes.
			return nil, j.unknown(ctx)
		}
		key, ok := jwkKey(jwk, alg)
		if !ok {
			return nil, errUnknownKey
		}
		return key, nil
	}
	all, err := store.KeyReadAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("jwt: read JWK Set: %w", errors.Join(err, errKeysUnavailable))
	}
	if len(all) == 0 {
		return nil, errKeysUnavailable
	}
	var set jwtlib.VerificationKeySet
	for _, jwk := range all {
		if key, ok := jwkKey(jwk, alg); ok {
			set.Keys = append(set.Keys, key)
		}
	}
	if len(set.Keys) == 0 {
		return nil, errUnknownKey
	}
	return set, nil
}

// unknown classifies an unknown kid: a fault when the set is empty (it
// was never fetched), a bad token otherwise.
func (j *RemoteKeySet) unknown(ctx context.Context) error {
	all, err := j.kf.Storage().KeyReadAll(ctx)
	if err != nil || len(all) == 0 {
		return errKeysUnavailable
	}
	return errUnknownKey
}

// jwkKey returns the public key of jwk when it may verify a token signed
// with alg.
func jwkKey(jwk jwkset.JWK, alg string) (any, bool) {
	m := jwk.Marshal()
	if m.USE != "" && m.USE != jwkset.UseSig {
		return nil, false
	}
	if m.ALG != "" && !sameAlgorithm(m.ALG.String(), alg) {
		return nil, false
	}
	key := jwk.Key()
	if _, isSecret := key.([]byte); isSecret {
		return nil, false
	}
	if pk, ok := key.(interface{ Public() crypto.PublicKey }); ok {
		key = pk.Public()
	}
	pub, fam, err := publicKey(key)
	if err != nil {
		return nil, false
	}
	vk := verifyKey{fam: fam, key: pub}
	if !vk.accepts(alg) {
		return nil, false
	}
	return pub, true
}

// sameAlgorithm reports whether a JWK's alg fits a token's alg: equal, or
// "EdDSA" and "Ed25519", which name the same algorithm for an Ed25519 key
// (RFC 9864); the key's type is checked afterwards. jwkset writes "EdDSA"
// for every Ed25519 key.
func sameAlgorithm(jwkAlg, tokenAlg string) bool {
	if jwkAlg == tokenAlg {
		return true
	}
	ed := func(a string) bool { return a == "EdDSA" || a == algEd25519 }
	return ed(jwkAlg) && ed(tokenAlg)
}
