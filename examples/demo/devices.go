package main

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/providers"
	"github.com/gopassport/passport/session"
)

// The "your devices" page: GET devicesPath lists the sessions of the
// logged-in user, POST devicesEndPath ends one of the others and POST
// devicesEndOthersPath ends all but the current one.
const (
	devicesPath          = "/account/sessions"
	devicesEndPath       = "/account/sessions/end"
	devicesEndOthersPath = "/account/sessions/end-others"
	devicesPageTitle     = "Your devices"
	// devicesTimeLayout is how the page shows times, in UTC.
	devicesTimeLayout = "2006-01-02 15:04 UTC"
	// maxHandleLen bounds the handle a form posts: session.Handle's are
	// 22 characters.
	maxHandleLen = 64
)

// Messages of the devices page. Tests look for them.
const (
	msgDevicesUnavailable = "The list of your devices is unavailable: this session store cannot list a user's sessions."
	msgDeviceGone         = "That device was already signed out."
	msgDeviceIsCurrent    = "That is this device: use Log off to sign out of it."
	msgNoOtherDevices     = "You are not signed in on any other device."
	msgDeviceUnknownAgent = "Unknown browser"
)

// msgSignedOut is the flash after ending n other sessions.
func msgSignedOut(n int64) string {
	if n == 1 {
		return "Signed out of 1 other device."
	}
	return fmt.Sprintf("Signed out of %d other devices.", n)
}

// devices serves the devices page.
type devices struct {
	a *app
	// store lists and ends the sessions of a user; nil when the session
	// store cannot (it is not a session.UserSessions), and the page says
	// so.
	store session.UserSessions
	// page is templates/devices.html in the layout.
	page *template.Template
}

// devicesPage is what templates/devices.html sees: every page's data and
// the list.
type devicesPage struct {
	*page
	// Unavailable is set when the store cannot list sessions.
	Unavailable bool
	// Devices are the user's live sessions, newest first.
	Devices []deviceRow
	// Others is how many of Devices are not the current session.
	Others int
}

// deviceRow is one session in the list, ready to show.
type deviceRow struct {
	// Handle names the session in the "Sign out" form (session.Handle of
	// its ID, worth nothing as a cookie).
	Handle string
	// Current marks the session of this request ("this device").
	Current bool
	// UserAgent and IP are those of the request that last saved the
	// session; html/template escapes them.
	UserAgent, IP string
	// Created, LastSeen and Expires are shown in UTC (devicesTimeLayout),
	// with the RFC 3339 forms for the <time> elements.
	Created, LastSeen, Expires          string
	CreatedISO, LastSeenISO, ExpiresISO string
}

// mountDevices adds the devices routes, for logged-in users only
// (loggedIn is the RequireLogin middleware). The session store is asked
// once, here, whether it implements session.UserSessions.
func (a *app) mountDevices(e *echo.Echo, loggedIn echo.MiddlewareFunc) error {
	d, err := newDevices(a)
	if err != nil {
		return err
	}
	e.GET(devicesPath, d.list, loggedIn)
	e.POST(devicesEndPath, d.end, loggedIn)
	e.POST(devicesEndOthersPath, d.endOthers, loggedIn)
	return nil
}

// newDevices parses the page and asks a's session store whether it
// implements session.UserSessions.
func newDevices(a *app) (*devices, error) {
	t, err := template.New("layout.html").ParseFS(assets, "templates/layout.html", "templates/devices.html")
	if err != nil {
		return nil, fmt.Errorf("demo: parsing template devices: %w", err)
	}
	if t, err = providers.ParseButtons(t); err != nil {
		return nil, fmt.Errorf("demo: parsing template devices: %w", err)
	}
	d := &devices{a: a, page: t}
	if mgr := a.auth.SessionManager(); mgr != nil {
		d.store, _ = mgr.Store().(session.UserSessions)
	}
	return d, nil
}

// current returns the user key of the logged-in user (the Serialize
// string) and the handle of this request's session.
func (d *devices) current(c echo.Context) (userKey, handle string, err error) {
	u, ok, err := d.a.auth.LoadUser(c)
	if err != nil {
		return "", "", err
	}
	if !ok {
		// RequireLogin runs first; this is a request it let through
		// without a user, which cannot happen.
		return "", "", echo.NewHTTPError(http.StatusUnauthorized)
	}
	if s, ok := passport.SessionFrom(c); ok && s.ID() != "" {
		handle = session.Handle(s.ID())
	}
	return strconv.FormatInt(u.ID, 10), handle, nil
}

// list is GET /account/sessions: the user's sessions, newest first, the
// current one marked "this device", every other with a "Sign out" button.
func (d *devices) list(c echo.Context) error {
	p := &devicesPage{page: d.a.newPage(c, devicesPageTitle)}
	if d.store == nil {
		p.Unavailable = true
		return d.render(c, p)
	}
	user, current, err := d.current(c)
	if err != nil {
		return err
	}
	recs, err := d.store.ListUserSessions(c.Request().Context(), user)
	if err != nil {
		return err
	}
	p.Devices = make([]deviceRow, 0, len(recs))
	for _, r := range recs {
		row := deviceRow{
			Handle:      r.Handle,
			Current:     current != "" && r.Handle == current,
			UserAgent:   r.UserAgent,
			IP:          r.IP,
			Created:     showTime(r.Created),
			LastSeen:    showTime(r.LastSeen),
			Expires:     showTime(r.Expires),
			CreatedISO:  isoTime(r.Created),
			LastSeenISO: isoTime(r.LastSeen),
			ExpiresISO:  isoTime(r.Expires),
		}
		if row.UserAgent == "" {
			row.UserAgent = msgDeviceUnknownAgent
		}
		if !row.Current {
			p.Others++
		}
		p.Devices = append(p.Devices, row)
	}
	return d.render(c, p)
}

// end is POST /account/sessions/end with a handle: ends that session of
// the user and goes back to the list with a flash. The store ends nothing
// when the handle is not one of the user's sessions (another user's, made
// up, already ended); the list read first only picks the message. The
// current session is not ended here: Log off does that.
func (d *devices) end(c echo.Context) error {
	if d.store == nil {
		return d.back(c, "error", msgDevicesUnavailable)
	}
	handle := c.FormValue("handle")
	if handle == "" || len(handle) > maxHandleLen {
		return echo.NewHTTPError(http.StatusBadRequest, "No device was chosen.")
	}
	user, current, err := d.current(c)
	if err != nil {
		return err
	}
	if handle == current {
		return d.back(c, "error", msgDeviceIsCurrent)
	}
	ctx := c.Request().Context()
	recs, err := d.store.ListUserSessions(ctx, user)
	if err != nil {
		return err
	}
	known := false
	for _, r := range recs {
		if r.Handle == handle {
			known = true
			break
		}
	}
	// Even for a handle not in the list: the store is the guard, and
	// ends only a session of user.
	if err := d.store.DeleteUserSession(ctx, user, handle); err != nil {
		return err
	}
	if !known {
		return d.back(c, "info", msgDeviceGone)
	}
	return d.back(c, "info", msgSignedOut(1))
}

// endOthers is POST /account/sessions/end-others: ends every session of
// the user but this one ("Sign out everywhere else").
func (d *devices) endOthers(c echo.Context) error {
	if d.store == nil {
		return d.back(c, "error", msgDevicesUnavailable)
	}
	user, current, err := d.current(c)
	if err != nil {
		return err
	}
	if current == "" {
		// A logged-in session always has an ID (the login saved it);
		// without one, except = "" would end this session too.
		return echo.NewHTTPError(http.StatusInternalServerError)
	}
	n, err := d.store.DeleteUserSessions(c.Request().Context(), user, current)
	if err != nil {
		return err
	}
	if n == 0 {
		return d.back(c, "info", msgNoOtherDevices)
	}
	return d.back(c, "info", msgSignedOut(n))
}

// back redirects (303, so that the browser GETs) to the list with a flash
// of kind ("info" or "error").
func (d *devices) back(c echo.Context, kind, msg string) error {
	if s, ok := passport.SessionFrom(c); ok {
		s.AddFlash(kind, msg)
	}
	return c.Redirect(http.StatusSeeOther, devicesPath)
}

// render writes the devices page as app.render writes the others: with
// the session's flash messages, executed into a buffer first, never
// cached.
func (d *devices) render(c echo.Context, p *devicesPage) error {
	if sess, ok := passport.SessionFrom(c); ok {
		p.Errors = append(sess.Flashes("error"), p.Errors...)
		p.Infos = append(append(sess.Flashes("success"), sess.Flashes("info")...), p.Infos...)
	}
	var buf bytes.Buffer
	if err := d.page.Execute(&buf, p); err != nil {
		return fmt.Errorf("demo: rendering devices: %w", err)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// showTime is t in UTC in devicesTimeLayout, "" for the zero time.
func showTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(devicesTimeLayout)
}

// isoTime is t in UTC as RFC 3339, for a <time datetime>.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
