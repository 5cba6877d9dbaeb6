package passport

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/strategy"
)

// ErrorHandlerConfig configures [ErrorHandler].
type ErrorHandlerConfig struct {
	// IsAPI reports whether a request is an API call, answered with JSON
	// whatever its Accept header says. Optional. Default: the path starts
	// with one of APIPrefixes.
	IsAPI func(r *http.Request) bool

	// APIPrefixes are path prefixes of API routes, such as "/api/".
	// Optional. Default none. Each must start with "/"; setting them
	// together with IsAPI is a configuration error.
	APIPrefixes []string

	// Template renders the HTML page; it is executed with an [ErrorPage].
	// Optional. Default a small standalone page. html/template escapes
	// every value. ErrorHandler executes it once on a sample page at
	// construction, so a template that cannot render fails at start-up.
	Template *template.Template

	// Render writes the HTML page itself, for an app whose error page
	// needs more than an ErrorPage — the logged-in user in its layout, its
	// own echo.Renderer: it is called with the page filled in and
	// translated, and must respond with page.Status, for instance
	// c.Render(page.Status, "error.html", data). The handler has already
	// set X-Content-Type-Options: nosniff. An error it returns is logged,
	// and the plain-text answer is sent when nothing was written yet (as
	// it is when Render returns nil without writing).
	// Optional. Default: execute Template. Setting both Render and
	// Template is a configuration error.
	Render func(c echo.Context, page ErrorPage) error

	// Translate turns the texts of the response into the app's words, at
	// render, with the request's context: the error's message (a text of
	// the catalogue listed by [strategy.Messages], such as
	// [strategy.MsgTooManyAttempts], or the app's own), the status title
	// (Go's [http.StatusText], such as "Unauthorized"), and the page's
	// labels ([strategy.MsgBack] and the waits, [strategy.MsgTryAgainInMinutes]
	// and its siblings). Each is translated once; a message is never
	// stored translated. Give [Config.Translate] the same function, for the
	// flash messages. Optional. Default: the English text.
	Translate strategy.Translator

	// BackURL is the link the page offers back, usually the form the
	// request came from. Optional. Default: the request's own path when
	// the method was POST (the form is normally served by GET on the same
	// path), else "/". It must be a same-origin relative URL; anything else
	// is replaced by "/".
	BackURL func(c echo.Context) string

	// Now is the clock that reads a Retry-After given as a date.
	// Optional. Default time.Now; for tests.
	Now func() time.Time

	// Logger receives 5xx errors with their causes, which are never shown.
	// Optional. Default slog.Default().
	Logger *slog.Logger
}

// Validate reports a configuration mistake of cfg, an error wrapping
// [ErrInvalidConfig] that names the field: the mistakes [ErrorHandler]
// panics on.
func (cfg ErrorHandlerConfig) Validate() error {
	if cfg.IsAPI != nil && len(cfg.APIPrefixes) > 0 {
		return fmt.Errorf("%w: ErrorHandlerConfig.IsAPI and APIPrefixes are both set; APIPrefixes would be ignored", ErrInvalidConfig)
	}
	for _, p := range cfg.APIPrefixes {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("%w: ErrorHandlerConfig.APIPrefixes entry %q does not start with \"/\"", ErrInvalidConfig, p)
		}
	}
	if cfg.Render != nil && cfg.Template != nil {
		return fmt.Errorf("%w: ErrorHandlerConfig.Render and Template are both set; Template would be ignored", ErrInvalidConfig)
	}
	if cfg.Template != nil {
		sample := ErrorPage{Status: http.StatusTooManyRequests, Title: "Too Many Requests", Message: "Too many attempts.", RetryAfter: 60, Wait: "Try again in 1 minute.", BackURL: "/login", Back: "Back"}
		if err := cfg.Template.Execute(io.Discard, sample); err != nil {
			return fmt.Errorf("%w: ErrorHandlerConfig.Template fails on a sample page: %w", ErrInvalidConfig, err)
		}
	}
	return nil
}

// ErrorPage is what ErrorHandlerConfig.Template is executed with and
// ErrorHandlerConfig.Render is given. Every
// text is already translated.
type ErrorPage struct {
	// Status is the HTTP status code, Title its text ("Too Many Requests").
	Status int
	Title  string
	// Message is the error's message; for a 5xx only the status text.
	Message string
	// RetryAfter is the Retry-After header in seconds (0 when absent) and
	// Wait its wording ("Try again in 5 minutes.").
	RetryAfter int
	Wait       string
	// BackURL is the link back and Back its label ("Back").
	BackURL string
	Back    string
}

// errorJSON is the body of a JSON error.
type errorJSON struct {
	Error      string `json:"error"`
	Status     int    `json:"status"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

// ErrorHandler returns an echo.HTTPErrorHandler that renders errors for
// people and programs alike: an HTML page for a browser (an Accept header
// that prefers text/html), JSON for an API route, an XMLHttpRequest or an
// Accept that prefers application/json, and plain text otherwise (curl's
// "*/*"). The status code and the headers already set — WWW-Authenticate
// of a 401, Retry-After of a 429, Allow of a 405 — are kept; a 429's page
// says how long to wait and links back. A 5xx shows only its status text;
// the error, with its internal cause, goes to the Logger. As with Echo's
// default handler, a committed response is left alone and a HEAD request
// gets the status without a body.
//
// Set it as the app's handler, e.HTTPErrorHandler = passport.ErrorHandler(cfg).
// The handler is safe for concurrent use.
//
// It panics, at construction only, on a configuration mistake: IsAPI set
// together with APIPrefixes (which it would ignore), an APIPrefixes entry
// that does not start with "/" (it would match no path, or "" every path),
// or a Template that fails on a sample page (an empty root template, a
// field ErrorPage does not have). The panic value is an error wrapping
// [ErrInvalidConfig] that names the field.
func ErrorHandler(cfg ErrorHandlerConfig) echo.HTTPErrorHandler {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	tmpl := cfg.Template
	if tmpl == nil {
		tmpl = defaultErrorTemplate
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	translate := cfg.Translate.Translate
	isAPI := cfg.IsAPI
	if isAPI == nil {
		prefixes := append([]string(nil), cfg.APIPrefixes...)
		isAPI = func(r *http.Request) bool {
			for _, p := range prefixes {
				if strings.HasPrefix(r.URL.Path, p) {
					return true
				}
			}
			return false
		}
	}
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		r := c.Request()
		ctx := r.Context()
		code, msg := http.StatusInternalServerError, ""
		if he, ok := errors.AsType[*echo.HTTPError](err); ok {
			code = he.Code
			if m, ok := he.Message.(string); ok {
				msg = m
			}
		}
		if code < 400 || code > 599 {
			code = http.StatusInternalServerError
		}
		if code >= 500 {
			logger.ErrorContext(ctx, "passport: request failed", "method", r.Method, "path", r.URL.Path, "status", code, "err", err)
			msg = ""
		}
		if msg == "" {
			msg = http.StatusText(code)
		}
		msg = translate(ctx, msg)
		retry := retryAfterSeconds(c.Response().Header().Get(echo.HeaderRetryAfter), now())
		var werr error
		switch {
		case r.Method == http.MethodHead:
			werr = c.NoContent(code)
		case isAPI(r) || wantsJSON(r) || prefers(r, "application/json"):
			werr = c.JSON(code, errorJSON{Error: msg, Status: code, RetryAfter: retry})
		case prefers(r, "text/html"):
			p := ErrorPage{Status: code, Title: translate(ctx, http.StatusText(code)), Message: msg, RetryAfter: retry, Back: translate(ctx, strategy.MsgBack)}
			if retry > 0 {
				p.Wait = waitText(ctx, translate, retry)
			}
			p.BackURL = "/"
			if cfg.BackURL != nil {
				p.BackURL = SafeReturnTo(cfg.BackURL(c))
			} else if r.Method == http.MethodPost {
				p.BackURL = SafeReturnTo(r.URL.Path)
			}
			c.Response().Header().Set(echo.HeaderXContentTypeOptions, "nosniff")
			if cfg.Render != nil {
				rerr := cfg.Render(c, p)
				if rerr == nil && !c.Response().Committed {
					rerr = errors.New("ErrorHandlerConfig.Render returned without writing a response")
				}
				if rerr != nil {
					logger.ErrorContext(ctx, "passport: rendering the error page failed", "err", rerr)
					if !c.Response().Committed {
						werr = plainError(c, code, msg, p.Wait)
					}
				}
				break
			}
			var b strings.Builder
			if terr := tmpl.Execute(&b, p); terr != nil {
				logger.ErrorContext(ctx, "passport: error page template failed", "err", terr)
				werr = plainError(c, code, msg, p.Wait)
				break
			}
			werr = c.HTMLBlob(code, []byte(b.String()))
		default:
			wait := ""
			if retry > 0 {
				wait = waitText(ctx, translate, retry)
			}
			werr = plainError(c, code, msg, wait)
		}
		if werr != nil {
			logger.ErrorContext(ctx, "passport: writing the error response failed", "err", werr)
		}
	}
}

func plainError(c echo.Context, code int, msg, wait string) error {
	c.Response().Header().Set(echo.HeaderXContentTypeOptions, "nosniff")
	if wait != "" {
		msg += " " + wait
	}
	return c.String(code, msg+"\n")
}

// retryAfterSeconds reads a Retry-After header: delay-seconds or an HTTP
// date (counted from now); 0 when absent or unreadable.
func retryAfterSeconds(v string, now time.Time) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return max(n, 0)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(int(t.Sub(now).Seconds()+0.999), 0)
	}
	return 0
}

// waitText words a wait of n seconds. The message IDs given to translate
// are [strategy.MsgTryAgainIn1Second], [strategy.MsgTryAgainInSeconds],
// [strategy.MsgTryAgainIn1Minute] and [strategy.MsgTryAgainInMinutes]: an
// ID with %d is translated first and formatted after, so a translation
// keeps the %d.
func waitText(ctx context.Context, translate func(context.Context, string) string, n int) string {
	var id string
	switch {
	case n == 1:
		return translate(ctx, strategy.MsgTryAgainIn1Second)
	case n < 60:
		id = strategy.MsgTryAgainInSeconds
	case n <= 90:
		return translate(ctx, strategy.MsgTryAgainIn1Minute)
	default:
		id = strategy.MsgTryAgainInMinutes
		n = (n + 59) / 60
	}
	return strings.Replace(translate(ctx, id), "%d", strconv.Itoa(n), 1)
}

// prefers reports whether the Accept header ranks typ (or its type/*)
// at least as high as every other media range, with a quality above 0.
// No Accept header prefers nothing.
func prefers(r *http.Request, typ string) bool {
	accept := r.Header.Get(echo.HeaderAccept)
	if accept == "" {
		return false
	}
	major, _, _ := strings.Cut(typ, "/")
	best, mine := -1.0, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue
		}
		if mt == typ || mt == major+"/*" {
			mine = max(mine, q)
		}
		if mt != "*/*" {
			best = max(best, q)
		}
	}
	return mine > 0 && mine >= best
}

var defaultErrorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Status}} {{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
</head>
<body>
<h1>{{.Status}} {{.Title}}</h1>
<p id="message">{{.Message}}</p>
{{- if .Wait}}
<p id="wait">{{.Wait}}</p>
{{- end}}
<p><a id="back" href="{{.BackURL}}">{{.Back}}</a></p>
</body>
</html>
`))
