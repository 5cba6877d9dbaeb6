//go:build tools

package passport

import (
	_ "github.com/MicahParks/keyfunc/v3"
	_ "github.com/chromedp/chromedp"
	_ "github.com/coreos/go-oidc/v3/oidc"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/gorilla/securecookie"
	_ "github.com/gorilla/sessions"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/labstack/echo/v4"
	_ "github.com/labstack/echo/v4/middleware"
	_ "github.com/markbates/goth"
	_ "github.com/markbates/goth/providers/discord"
	_ "github.com/markbates/goth/providers/github"
	_ "github.com/markbates/goth/providers/gitlab"
	_ "github.com/markbates/goth/providers/google"
	_ "github.com/markbates/goth/providers/microsoftonline"
	_ "github.com/markbates/goth/providers/openidConnect"
	_ "github.com/oauth2-proxy/mockoidc"
	_ "github.com/redis/go-redis/v9"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/crypto/bcrypt"
	_ "golang.org/x/crypto/hkdf"
	_ "golang.org/x/oauth2"
	_ "golang.org/x/time/rate"
	_ "modernc.org/sqlite"
)
