package main

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// handleError renders the errors of the app's own routes (and Echo's
// router) as JSON, {"error": message, "status": code}; the token endpoints
// answer their own refusals. The status code and the headers already set
// (WWW-Authenticate of a 401, Allow of a 405) are kept; a 5xx shows only
// its status text, the cause goes to the log.
func (a *app) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code := http.StatusInternalServerError
	msg := ""
	if he, ok := errors.AsType[*echo.HTTPError](err); ok {
		code = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		}
	}
	if code < 400 || code > 599 {
		code = http.StatusInternalServerError
	}
	r := c.Request()
	if code >= 500 {
		a.logger.ErrorContext(r.Context(), "api: request failed", "method", r.Method, "path", r.URL.Path, "status", code, "err", err)
		msg = ""
	}
	if msg == "" {
		msg = http.StatusText(code)
	}
	var werr error
	if r.Method == http.MethodHead {
		werr = c.NoContent(code)
	} else {
		werr = c.JSON(code, errorBody{Error: msg, Status: code})
	}
	if werr != nil {
		a.logger.ErrorContext(r.Context(), "api: writing the error response failed", "err", werr)
	}
}

// errorBody is the JSON form of every error.
type errorBody struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}
