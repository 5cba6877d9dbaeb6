package main

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/strategy/jwt"
)

// maxTokenBody is the most read of a refresh or logout body: a refresh
// token is 43 characters.
const maxTokenBody = 4 << 10

// token answers POST /api/v1/token, after the local strategy accepted the
// email and password: a new login, with a fresh refresh-token family.
func (a *app) token(c echo.Context) error {
	u, err := a.userOf(c)
	if err != nil {
		return err
	}
	pair, err := a.issuer.Issue(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pair)
}

// refresh answers POST /api/v1/token/refresh: the refresh token is
// rotated. Every refusal is the same 401, whatever its reason; a reused
// token (its login is then revoked) is logged as a security event.
func (a *app) refresh(c echo.Context) error {
	tok, err := readRefreshToken(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pair, err := a.issuer.Refresh(ctx, tok)
	switch {
	case errors.Is(err, jwt.ErrRefreshReused):
		// The family is revoked (unless the store failed, which err then
		// says too): the thief and the client must both log in again.
		a.logger.WarnContext(ctx, "api: refresh token reused, login revoked", "ip", c.RealIP(), "err", err)
		return refreshRefused(err)
	case errors.Is(err, jwt.ErrRefreshInvalid), errors.Is(err, jwt.ErrRefreshExpired), errors.Is(err, jwt.ErrRefreshRevoked):
		return refreshRefused(err)
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, pair)
}

// me answers GET /api/v1/me with the authenticated user.
func (a *app) me(c echo.Context) error {
	u, err := a.userOf(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// logout answers POST /api/v1/logout: the refresh token's family (the
// login) is revoked, and with it every access token of the login: the
// strategy checks the family named by each token's "sid" in the same
// store. The access token that authenticates the request must belong to
// the same user as the refresh token, so a stolen refresh token cannot be
// used to log somebody else out.
func (a *app) logout(c echo.Context) error {
	u, err := a.userOf(c)
	if err != nil {
		return err
	}
	tok, err := readRefreshToken(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	rec, err := a.tokens.GetRefresh(ctx, jwt.HashRefreshToken(tok))
	switch {
	case errors.Is(err, jwt.ErrNotFound):
		return unknownRefresh()
	case err != nil:
		return err
	case rec.Subject != u.ID:
		return unknownRefresh()
	}
	if err := a.issuer.Revoke(ctx, tok); err != nil {
		if errors.Is(err, jwt.ErrRefreshInvalid) {
			return unknownRefresh()
		}
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// unknownRefresh answers a logout whose refresh token is not one of the
// caller's logins. It is a 400, not a 401: the access token was fine.
func unknownRefresh() error {
	return echo.NewHTTPError(http.StatusBadRequest, "Unknown refresh token.")
}

// refreshRefused is the 401 of a refresh token that cannot be used; the
// reason stays in the logs.
func refreshRefused(reason error) error {
	return echo.NewHTTPError(http.StatusUnauthorized, "Invalid refresh token.").WithInternal(reason)
}

// readRefreshToken reads {"refresh_token": "..."} from a JSON body, or the
// refresh_token field of a form, at most maxTokenBody bytes.
func readRefreshToken(c echo.Context) (string, error) {
	r := c.Request()
	mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil {
		mt = ""
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxTokenBody)
	var tok string
	switch mt {
	case echo.MIMEApplicationJSON:
		var body struct {
			RefreshToken string `json:"refresh_token"`
		}
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&body); err != nil {
			return "", bodyError(err, "Malformed JSON body.")
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return "", bodyError(err, "Malformed JSON body.")
		}
		tok = body.RefreshToken
	case echo.MIMEApplicationForm:
		if err := r.ParseForm(); err != nil {
			return "", bodyError(err, "Malformed form.")
		}
		values := r.PostForm["refresh_token"]
		if len(values) > 1 {
			return "", echo.NewHTTPError(http.StatusBadRequest, "refresh_token sent more than once.")
		}
		if len(values) == 1 {
			tok = values[0]
		}
	default:
		return "", echo.NewHTTPError(http.StatusUnsupportedMediaType, "Send application/json or application/x-www-form-urlencoded.")
	}
	if tok == "" {
		return "", echo.NewHTTPError(http.StatusBadRequest, "Missing refresh_token.")
	}
	return tok, nil
}

// bodyError is the error of a body that cannot be read: 413 when it is
// over the limit, else 400 with msg.
func bodyError(err error, msg string) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "Request body too large.").WithInternal(err)
	}
	return echo.NewHTTPError(http.StatusBadRequest, msg).WithInternal(err)
}
