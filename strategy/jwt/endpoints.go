package jwt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gopassport/passport/strategy"
)

// unavailableRetryAfter is the Retry-After, in seconds, of the 503 that
// answers a request whose store is down ([strategy.ErrUnavailable]).
const unavailableRetryAfter = "5"

// DefaultMaxBodyBytes is the most an endpoint of [Issuer.Endpoints] reads
// of a request body unless [EndpointsConfig.MaxBodyBytes] says otherwise:
// a refresh token is 43 characters, a login a few hundred bytes.
const DefaultMaxBodyBytes = 4 << 10

// EndpointsConfig configures [Issuer.Endpoints].
type EndpointsConfig struct {
	// Authenticate checks the credentials of a token request and returns
	// the subject (and scopes) of the new login. It gets the request with
	// its body not yet read (and capped at MaxBodyBytes), so that it reads
	// the app's own fields, JSON or a form; [CheckWith] builds it from a
	// strategy such as local's. A refusal is a [*TokenError], sent as it
	// is; any other error is a fault: a 500 with no details, the error
	// logged. Required for [Endpoints.Token].
	Authenticate func(ctx context.Context, r *http.Request) (Grant, error)
	// Owner returns the subject that a revocation request authenticated
	// as (with a bearer access token, say; [CheckWith] builds it from the
	// jwt strategy). [Endpoints.Revoke] then revokes only a refresh token
	// of that subject, so that a stolen refresh token cannot log somebody
	// else out; its errors are treated as Authenticate's. Optional.
	// Default nil: whoever holds a refresh token may revoke it.
	Owner func(ctx context.Context, r *http.Request) (Grant, error)
	// MaxBodyBytes caps the request body; a longer one is a 413.
	// Optional. Default [DefaultMaxBodyBytes]. It must not be negative.
	MaxBodyBytes int64
	// Logger receives faults and reused refresh tokens (a security
	// event). Optional. Default [slog.Default].
	Logger *slog.Logger
}

// Grant is what a token request's credentials grant: the subject of the
// access and refresh tokens and their scopes.
type Grant struct {
	// Subject is the "sub" of the tokens. Required.
	Subject string
	// Scope is their "scope". Optional.
	Scope []string
}

// Endpoints are the OAuth 2.0 token endpoints of an [Issuer], as
// [net/http] handlers (wrap them with echo.WrapHandler on Echo). Every
// answer carries Cache-Control: no-store and Pragma: no-cache (RFC 6749
// section 5.1), and every refusal an RFC 6749 section 5.2 JSON body,
// {"error":"invalid_grant","error_description":"..."}. A fault is a 500
// server_error, or a 503 temporarily_unavailable with Retry-After when a
// store is down ([strategy.ErrUnavailable]). Build them with
// [Issuer.Endpoints]; they are safe for concurrent use.
type Endpoints struct {
	issuer  *Issuer
	auth    func(context.Context, *http.Request) (Grant, error)
	owner   func(context.Context, *http.Request) (Grant, error)
	maxBody int64
	logger  *slog.Logger
}

// Endpoints returns the token endpoints of the issuer. A configuration
// mistake (a negative MaxBodyBytes, an issuer without a Store) is an error
// wrapping [ErrInvalidConfig].
func (i *Issuer) Endpoints(cfg EndpointsConfig) (*Endpoints, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if i.store == nil {
		return nil, invalidConfig(errors.New("jwt: IssuerConfig.Store is required for the token endpoints"))
	}
	e := &Endpoints{issuer: i, auth: cfg.Authenticate, owner: cfg.Owner, maxBody: cfg.MaxBodyBytes, logger: cfg.Logger}
	if e.maxBody == 0 {
		e.maxBody = DefaultMaxBodyBytes
	}
	if e.logger == nil {
		e.logger = slog.Default()
	}
	return e, nil
}

// Validate returns the configuration mistake of cfg, wrapping
// [ErrInvalidConfig], or nil.
func (cfg EndpointsConfig) Validate() error {
	if cfg.MaxBodyBytes < 0 {
		return invalidConfig(fmt.Errorf("jwt: EndpointsConfig.MaxBodyBytes %d is negative", cfg.MaxBodyBytes))
	}
	return nil
}

// Token answers POST requests for a new login: Authenticate checks the
// credentials, and the answer is a fresh [TokenPair] (200) or Authenticate's
// refusal. Without Authenticate every request is a fault (500).
func (e *Endpoints) Token() http.Handler {
	return e.handler(func(w http.ResponseWriter, r *http.Request) error {
		if e.auth == nil {
			return errors.New("jwt: EndpointsConfig.Authenticate is not set")
		}
		g, err := e.auth(r.Context(), r)
		if err != nil {
			return err
		}
		if g.Subject == "" {
			return errors.New("jwt: Authenticate returned an empty subject")
		}
		pair, err := e.issuer.Issue(r.Context(), g.Subject, g.Scope...)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, pair)
	})
}

// Refresh answers POST requests with a refresh_token (JSON or a form, with
// an optional grant_type "refresh_token"): the token is rotated and the new
// [TokenPair] sent (200). A token that cannot be used, whatever the reason,
// is a 400 invalid_grant; a reused one (its login is then revoked, see
// [ErrRefreshReused]) is logged as a security event.
func (e *Endpoints) Refresh() http.Handler {
	return e.handler(func(w http.ResponseWriter, r *http.Request) error {
		tok, err := readRefreshToken(r, "refresh_token")
		if err != nil {
			return err
		}
		pair, err := e.issuer.Refresh(r.Context(), tok)
		switch {
		case errors.Is(err, ErrRefreshReused):
			e.logger.WarnContext(r.Context(), "jwt: refresh token reused, login revoked", "ip", strategy.ClientIP(r), "err", err)
			return invalidGrant(err)
		case errors.Is(err, ErrRefreshInvalid), errors.Is(err, ErrRefreshExpired), errors.Is(err, ErrRefreshRevoked):
			return invalidGrant(err)
		case err != nil:
			return err
		}
		return writeJSON(w, http.StatusOK, pair)
	})
}

// Revoke answers POST requests with a refresh_token (JSON or a form, RFC
// 7009's token field accepted too): the token's login is revoked, and with
// it the access tokens of the login for a strategy whose
// [Config.Revocations] is the issuer's store. As RFC 7009 says, the answer
// is 200 whether or not the token was known (there is nothing the client
// could do about it); with Owner set, a refresh token of another subject is
// left alone and answered the same way.
func (e *Endpoints) Revoke() http.Handler {
	return e.handler(func(w http.ResponseWriter, r *http.Request) error {
		var owner string
		if e.owner != nil {
			g, err := e.owner(r.Context(), r)
			if err != nil {
				return err
			}
			if g.Subject == "" {
				return errors.New("jwt: Owner returned an empty subject")
			}
			owner = g.Subject
		}
		tok, err := readRefreshToken(r, "token")
		if err != nil {
			return err
		}
		if owner != "" {
			err = e.issuer.RevokeFor(r.Context(), tok, owner)
		} else {
			err = e.issuer.Revoke(r.Context(), tok)
		}
		if err != nil && !errors.Is(err, ErrRefreshInvalid) {
			return err
		}
		w.WriteHeader(http.StatusOK)
		return nil
	})
}

// handler sets the no-store headers and renders the error of serve: a
// [*TokenError] as it says, anything else as a 500.
func (e *Endpoints) handler(serve func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Pragma", "no-cache")
		if r.Method != http.MethodPost {
			h.Set("Allow", http.MethodPost)
			writeTokenError(w, &TokenError{Status: http.StatusMethodNotAllowed, Code: "invalid_request", Description: "use POST"})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, e.maxBody)
		err := serve(w, r)
		if err == nil {
			return
		}
		if te, ok := errors.AsType[*TokenError](err); ok {
			writeTokenError(w, te)
			return
		}
		if errors.Is(err, strategy.ErrUnavailable) {
			// A store is down: the client should come back, not report a bug.
			e.logger.WarnContext(r.Context(), "jwt: a store is unavailable", "path", r.URL.Path, "err", err)
			writeTokenError(w, &TokenError{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable",
				Header: http.Header{"Retry-After": {unavailableRetryAfter}}})
			return
		}
		e.logger.ErrorContext(r.Context(), "jwt: token endpoint failed", "path", r.URL.Path, "err", err)
		writeTokenError(w, &TokenError{Status: http.StatusInternalServerError, Code: "server_error"})
	})
}

// TokenError is a refusal of a token endpoint, sent as an RFC 6749
// section 5.2 error response. Authenticate and Owner of [EndpointsConfig]
// return it to refuse a request.
type TokenError struct {
	// Status is the HTTP status: 400 for most errors, 401 with a
	// WWW-Authenticate header for a failed HTTP authentication, 413 for a
	// body over the limit, 429 when throttled.
	Status int
	// Code is the "error" field: invalid_request, invalid_grant,
	// invalid_client, unsupported_grant_type, invalid_token, ...
	Code string
	// Description is the "error_description" field: a short text for the
	// developer, never a secret nor a reason the client must not learn.
	// Optional.
	Description string
	// Header holds response headers to send with it, such as
	// WWW-Authenticate or Retry-After. Optional.
	Header http.Header
	// Err is the cause, for the logs; it is never sent. Optional.
	Err error
}

// Error returns the code, the description and the cause.
func (e *TokenError) Error() string {
	s := "jwt: " + e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *TokenError) Unwrap() error { return e.Err }

// invalidGrant is the refusal of a refresh token that cannot be used; the
// reason stays in the error, never in the response.
func invalidGrant(reason error) *TokenError {
	return &TokenError{Status: http.StatusBadRequest, Code: "invalid_grant", Description: "invalid refresh token", Err: reason}
}

// writeTokenError sends te as an RFC 6749 error response.
func writeTokenError(w http.ResponseWriter, te *TokenError) {
	status := te.Status
	if status < 400 || status > 599 {
		status = http.StatusBadRequest
	}
	for k, v := range te.Header {
		w.Header()[k] = append([]string(nil), v...)
	}
	body := struct {
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
	}{te.Code, te.Description}
	if body.Error == "" {
		body.Error = "invalid_request"
	}
	_ = writeJSON(w, status, body)
}

// writeJSON sends v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// CheckWith adapts a strategy to [EndpointsConfig.Authenticate] or
// [EndpointsConfig.Owner]: a success grants subject(user) with the scopes
// of its Info; a fail is a [*TokenError] (a fail with a challenge keeps its
// status, 401 by default, and sends the challenge in WWW-Authenticate, as
// invalid_token for a Bearer challenge and invalid_client for another; a
// 400 is invalid_request, a 429 keeps its status and headers such as
// Retry-After, any other fail is a 400 invalid_grant); a strategy that
// passes is a 400 invalid_request; a body over the limit keeps its 413 as
// invalid_request; a redirect or the strategy's error is a
// fault. The fail's message, a text of the catalogue, is the description.
func CheckWith[U any](s strategy.Strategy[U], subject func(U) string) func(ctx context.Context, r *http.Request) (Grant, error) {
	return func(ctx context.Context, r *http.Request) (Grant, error) {
		res, err := s.Authenticate(r.WithContext(ctx))
		if err != nil {
			return Grant{}, err
		}
		switch res.Kind {
		case strategy.KindSuccess:
			return Grant{Subject: subject(res.User), Scope: res.Info.Scope}, nil
		case strategy.KindFail:
			return Grant{}, failError(res.FailStatus(), res.Challenge, res.Info.Message, res.Header, res.Reason)
		case strategy.KindPass:
			return Grant{}, &TokenError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "no credentials"}
		default:
			return Grant{}, fmt.Errorf("jwt: the strategy answered a token request with a %v", res.Kind)
		}
	}
}

// failError maps a strategy's fail to a token endpoint's refusal.
func failError(status int, challenge, message string, header http.Header, reason error) *TokenError {
	te := &TokenError{Status: http.StatusBadRequest, Code: "invalid_grant", Description: message, Header: header.Clone(), Err: reason}
	switch {
	case challenge != "":
		te.Status = status
		// A refused bearer token is RFC 6750's invalid_token; any other
		// scheme authenticates a client (RFC 6749 section 5.2).
		te.Code = "invalid_client"
		if scheme, _, _ := strings.Cut(challenge, " "); strings.EqualFold(scheme, "Bearer") {
			te.Code = "invalid_token"
		}
		if te.Header == nil {
			te.Header = http.Header{}
		}
		te.Header.Set("WWW-Authenticate", challenge)
		switch status {
		case http.StatusBadRequest:
			te.Code = "invalid_request"
		case http.StatusForbidden:
			te.Code = "insufficient_scope"
		}
	case status == http.StatusBadRequest:
		te.Code = "invalid_request"
	case status == http.StatusRequestEntityTooLarge:
		te.Status, te.Code = status, "invalid_request"
	case status == http.StatusTooManyRequests:
		te.Status = status
	}
	return te
}
