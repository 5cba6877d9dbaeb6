package main

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// me answers GET /api/v1/me with the authenticated user.
func (a *app) me(c echo.Context) error {
	u, err := a.userOf(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// userOf returns the user the route's strategy authenticated. The routes
// that call it run behind a strategy, so a missing user is a fault.
func (a *app) userOf(c echo.Context) (*User, error) {
	u, ok := a.auth.User(c)
	if !ok || u == nil {
		return nil, errors.New("api: no authenticated user on an authenticated route")
	}
	return u, nil
}
