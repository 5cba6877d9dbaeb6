package passport_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
)

// ExampleErrorHandler shows one error answered three ways: JSON for an API
// client, plain text for curl, and Retry-After kept for both.
func ExampleErrorHandler() {
	e := echo.New()
	e.HTTPErrorHandler = passport.ErrorHandler(passport.ErrorHandlerConfig{APIPrefixes: []string{"/api/"}})
	throttled := func(c echo.Context) error {
		c.Response().Header().Set("Retry-After", "120")
		return echo.NewHTTPError(http.StatusTooManyRequests, "Too many attempts. Try again later.")
	}
	e.POST("/api/token", throttled)
	e.POST("/login", throttled)

	for _, path := range []string{"/api/token", "/login"} {
		req := httptest.NewRequest(http.MethodPost, path, nil)
		req.Header.Set("Accept", "*/*")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		fmt.Println(path, rec.Code, rec.Header().Get("Retry-After"), rec.Header().Get("Content-Type"))
	}
	// Output:
	// /api/token 429 120 application/json
	// /login 429 120 text/plain; charset=UTF-8
}
