package main

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// uaTransport sends every request with a User-Agent, so that the sessions
// of two test browsers tell apart in the list.
type uaTransport struct {
	ua   string
	next http.RoundTripper
}

func (t uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", t.ua)
	return t.next.RoundTrip(r)
}

// device returns a new visitor whose requests carry the User-Agent ua.
func (ta *testApp) device(t *testing.T, ua string) *browser {
	t.Helper()
	b := ta.browser(t)
	b.http.Transport = uaTransport{ua: ua, next: http.DefaultTransport}
	return b
}

// listed is one device of the page, as a test reads it.
type listed struct {
	userAgent string
	current   bool
	handle    string // "" for the current one, which has no Sign out form
	html      string
}

var (
	deviceItemRE   = regexp.MustCompile(`(?s)<li class="device( current)?">(.*?)</li>`)
	deviceUARE     = regexp.MustCompile(`<strong class="user-agent">(.*?)</strong>`)
	deviceHandleRE = regexp.MustCompile(`name="handle" value="([^"]+)"`)
	deviceTimeRE   = regexp.MustCompile(`<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">\d{4}-\d\d-\d\d \d\d:\d\d UTC</time>`)
)

// devices fetches the devices page and returns its list.
func (b *browser) devices() ([]listed, response) {
	b.t.Helper()
	res := b.get(devicesPath)
	if res.status != http.StatusOK {
		b.t.Fatalf("GET %s: got %d; want 200\n%s", devicesPath, res.status, res.body)
	}
	var out []listed
	for _, m := range deviceItemRE.FindAllStringSubmatch(res.body, -1) {
		d := listed{current: m[1] != "", html: m[2]}
		if ua := deviceUARE.FindStringSubmatch(m[2]); ua != nil {
			d.userAgent = html.UnescapeString(ua[1])
		}
		if h := deviceHandleRE.FindStringSubmatch(m[2]); h != nil {
			d.handle = h[1]
		}
		out = append(out, d)
	}
	return out, res
}

// handleOf returns the handle of the listed device with user agent ua.
func handleOf(t *testing.T, list []listed, ua string) string {
	t.Helper()
	for _, d := range list {
		if d.userAgent == ua {
			if d.handle == "" {
				t.Fatalf("device %q has no Sign out form", ua)
			}
			return d.handle
		}
	}
	t.Fatalf("device %q not listed in %+v", ua, list)
	return ""
}

// expectLoggedOut fails unless b's session no longer opens /secretWord.
func expectLoggedOut(t *testing.T, name string, b *browser) {
	t.Helper()
	res := b.get("/secretWord")
	if res.status != http.StatusFound || res.location() != "/sessions/logon" {
		t.Errorf("%s: GET /secretWord: got %d %q; want 302 to /sessions/logon", name, res.status, res.location())
	}
}

// expectFlash fails unless the page after a POST (a 303 back to the list)
// shows msg.
func expectFlash(t *testing.T, b *browser, res response, msg string) {
	t.Helper()
	if res.status != http.StatusSeeOther || res.location() != devicesPath {
		t.Fatalf("POST: got %d %q; want 303 to %s\n%s", res.status, res.location(), devicesPath, res.body)
	}
	_, page := b.devices()
	if !strings.Contains(page.body, `role="status">`+msg+`</p>`) && !strings.Contains(page.body, `role="alert">`+msg+`</p>`) {
		t.Errorf("the page after the POST does not show %q:\n%s", msg, page.body)
	}
}

// TestDevicesList checks that two logins of one user are both listed,
// the current one marked "this device" and without a Sign
// out button, times in UTC, the user agent escaped.
func TestDevicesList(t *testing.T) {
	ta := newTestApp(t, Config{})
	const laptopUA = `Laptop <script>alert(1)</script> & "Co"`
	laptop := ta.device(t, laptopUA)
	laptop.register("Alice", "alice@example.com", testPassword)
	phone := ta.device(t, "Phone")
	if res := phone.logon("alice@example.com", testPassword); res.status != http.StatusFound {
		t.Fatalf("phone logon: got %d; want 302", res.status)
	}

	for _, tc := range []struct {
		name      string
		b         *browser
		currentUA string
		otherUA   string
	}{
		{name: "from the phone", b: phone, currentUA: "Phone", otherUA: laptopUA},
		{name: "from the laptop", b: laptop, currentUA: laptopUA, otherUA: "Phone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, res := tc.b.devices()
			if strings.Contains(res.body, "<script>") || !strings.Contains(res.body, "Laptop &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Co&#34;") {
				t.Errorf("the user agent is not escaped:\n%s", res.body)
			}
			if len(list) != 2 {
				t.Fatalf("got %d devices; want 2:\n%s", len(list), res.body)
			}
			var current, other []listed
			for _, d := range list {
				if d.current {
					current = append(current, d)
				} else {
					other = append(other, d)
				}
				if n := len(deviceTimeRE.FindAllString(d.html, -1)); n != 3 {
					t.Errorf("device %q: got %d UTC times; want 3 (last active, signed in, expires):\n%s", d.userAgent, n, d.html)
				}
			}
			if len(current) != 1 || current[0].userAgent != tc.currentUA || current[0].handle != "" ||
				!strings.Contains(current[0].html, "this device") {
				t.Errorf("current: got %+v; want one, %q, marked this device, no Sign out", current, tc.currentUA)
			}
			if len(other) != 1 || other[0].userAgent != tc.otherUA || other[0].handle == "" ||
				strings.Contains(other[0].html, "this device") {
				t.Errorf("other: got %+v; want one, %q, with a Sign out form", other, tc.otherUA)
			}
			// Newest first is the store's promise (session/storetest checks
			// it on a fake clock); both logins here fall in one second, the
			// stores' resolution, so their order is not asserted.
			if !strings.Contains(res.body, `id="end-others"`) {
				t.Error("no Sign out everywhere else button")
			}
			if res.header.Get(echo.HeaderCacheControl) != "no-store" {
				t.Errorf("Cache-Control: got %q; want no-store", res.header.Get(echo.HeaderCacheControl))
			}
		})
	}
}

// TestDevicesEndOne checks that signing out of the other device logs its
// cookie out, keeps the current one, and says so.
func TestDevicesEndOne(t *testing.T) {
	ta := newTestApp(t, Config{})
	laptop := ta.device(t, "Laptop")
	laptop.register("Alice", "alice@example.com", testPassword)
	phone := ta.device(t, "Phone")
	phone.logon("alice@example.com", testPassword)

	list, _ := phone.devices()
	res := phone.submit(devicesPath, devicesEndPath, url.Values{"handle": {handleOf(t, list, "Laptop")}})
	expectFlash(t, phone, res, "Signed out of 1 other device.")

	expectLoggedOut(t, "the laptop", laptop)
	if got := phone.secretWord(); got != defaultSecretWord {
		t.Errorf("the phone's secret word: got %q", got)
	}
	list, page := phone.devices()
	if len(list) != 1 || !list[0].current || list[0].userAgent != "Phone" {
		t.Errorf("after ending the laptop: got %+v; want only the phone", list)
	}
	if !strings.Contains(page.body, msgNoOtherDevices) || strings.Contains(page.body, `id="end-others"`) {
		t.Errorf("with no other device the page should say %q and offer no end-others:\n%s", msgNoOtherDevices, page.body)
	}
}

// TestDevicesEndOthers checks "Sign out everywhere else": every other
// session of the user is logged out, the current one and another user's
// are kept.
func TestDevicesEndOthers(t *testing.T) {
	ta := newTestApp(t, Config{})
	laptop := ta.device(t, "Laptop")
	laptop.register("Alice", "alice@example.com", testPassword)
	phone := ta.device(t, "Phone")
	phone.logon("alice@example.com", testPassword)
	tablet := ta.device(t, "Tablet")
	tablet.logon("alice@example.com", testPassword)
	bob := ta.device(t, "Bob's")
	bob.register("Bob", "bob@example.com", testPassword)

	res := tablet.submit(devicesPath, devicesEndOthersPath, nil)
	expectFlash(t, tablet, res, "Signed out of 2 other devices.")
	expectLoggedOut(t, "the laptop", laptop)
	expectLoggedOut(t, "the phone", phone)
	if got := tablet.loggedOnAs(); got != "Alice" {
		t.Errorf("the tablet: logged on as %q; want Alice", got)
	}
	if got := bob.loggedOnAs(); got != "Bob" {
		t.Errorf("bob: logged on as %q; want Bob", got)
	}

	// Again, with nobody else left.
	res = tablet.submit(devicesPath, devicesEndOthersPath, nil)
	expectFlash(t, tablet, res, msgNoOtherDevices)
	if got := tablet.loggedOnAs(); got != "Alice" {
		t.Errorf("the tablet after the second end-others: logged on as %q; want Alice", got)
	}
}

// TestDevicesRefusals checks the POSTs that end nothing: another user's
// handle, a made-up one, the current session's, none, and forms without
// a valid CSRF token (403). After each, every session still works.
func TestDevicesRefusals(t *testing.T) {
	ta := newTestApp(t, Config{})
	laptop := ta.device(t, "Laptop")
	laptop.register("Alice", "alice@example.com", testPassword)
	phone := ta.device(t, "Phone")
	phone.logon("alice@example.com", testPassword)
	bob := ta.device(t, "Bob's")
	bob.register("Bob", "bob@example.com", testPassword)

	aliceList, _ := phone.devices()
	laptopHandle := handleOf(t, aliceList, "Laptop")
	bobOther := ta.device(t, "Bob's other")
	bobOther.logon("bob@example.com", testPassword)
	bobList, _ := bob.devices()
	bobOtherHandle := handleOf(t, bobList, "Bob's other")

	for _, tc := range []struct {
		name string
		b    *browser
		// post sends the request.
		post       func(b *browser) response
		wantStatus int
		wantMsg    string // the flash after a 303
	}{
		{
			name: "another user's handle", b: bob,
			post: func(b *browser) response {
				return b.submit(devicesPath, devicesEndPath, url.Values{"handle": {laptopHandle}})
			},
			wantStatus: http.StatusSeeOther, wantMsg: msgDeviceGone,
		},
		{
			name: "a made-up handle", b: phone,
			post: func(b *browser) response {
				return b.submit(devicesPath, devicesEndPath, url.Values{"handle": {"AAAAAAAAAAAAAAAAAAAAAA"}})
			},
			wantStatus: http.StatusSeeOther, wantMsg: msgDeviceGone,
		},
		{
			name: "the current session's handle", b: bobOther,
			post: func(b *browser) response {
				// The page has no form for the current session: bob's
				// other browser lists it.
				return b.submit(devicesPath, devicesEndPath, url.Values{"handle": {bobOtherHandle}})
			},
			wantStatus: http.StatusSeeOther, wantMsg: msgDeviceIsCurrent,
		},
		{
			name: "no handle", b: phone,
			post:       func(b *browser) response { return b.submit(devicesPath, devicesEndPath, url.Values{"handle": {""}}) },
			wantStatus: http.StatusBadRequest,
		},
		{
			name: "a handle too long", b: phone,
			post: func(b *browser) response {
				return b.submit(devicesPath, devicesEndPath, url.Values{"handle": {strings.Repeat("A", maxHandleLen+1)}})
			},
			wantStatus: http.StatusBadRequest,
		},
		{
			name: "end without a CSRF token", b: phone,
			post:       func(b *browser) response { return b.post(devicesEndPath, url.Values{"handle": {laptopHandle}}) },
			wantStatus: http.StatusForbidden,
		},
		{
			name: "end with a wrong CSRF token", b: phone,
			post: func(b *browser) response {
				return b.post(devicesEndPath, url.Values{"handle": {laptopHandle}, "_csrf": {"tampered"}})
			},
			wantStatus: http.StatusForbidden,
		},
		{
			name: "end with another user's CSRF token", b: phone,
			post: func(b *browser) response {
				return b.post(devicesEndPath, url.Values{"handle": {laptopHandle}, "_csrf": {bob.csrf(devicesPath)}})
			},
			wantStatus: http.StatusForbidden,
		},
		{
			name: "end-others without a CSRF token", b: phone,
			post:       func(b *browser) response { return b.post(devicesEndOthersPath, nil) },
			wantStatus: http.StatusForbidden,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.post(tc.b)
			if tc.wantMsg != "" {
				expectFlash(t, tc.b, res, tc.wantMsg)
			} else if res.status != tc.wantStatus {
				t.Fatalf("got %d; want %d\n%s", res.status, tc.wantStatus, res.body)
			}
			for _, who := range []struct {
				name string
				b    *browser
				want string
			}{{"laptop", laptop, "Alice"}, {"phone", phone, "Alice"}, {"bob", bob, "Bob"}, {"bob's other", bobOther, "Bob"}} {
				if got := who.b.loggedOnAs(); got != who.want {
					t.Errorf("%s: logged on as %q; want %q", who.name, got, who.want)
				}
			}
		})
	}
	if got, _ := bobOther.devices(); len(got) != 2 {
		t.Errorf("bob's devices at the end: got %d; want 2", len(got))
	}
}

// TestDevicesAnonymous checks that a visitor is sent to the logon form,
// for the page and for the POSTs (with a valid token of its own session).
func TestDevicesAnonymous(t *testing.T) {
	ta := newTestApp(t, Config{})
	visitor := ta.browser(t)
	for _, tc := range []struct {
		name string
		do   func() response
	}{
		{"GET the page", func() response { return visitor.get(devicesPath) }},
		{"POST end", func() response {
			return visitor.submit("/sessions/logon", devicesEndPath, url.Values{"handle": {"AAAAAAAAAAAAAAAAAAAAAA"}})
		}},
		{"POST end-others", func() response { return visitor.submit("/sessions/logon", devicesEndOthersPath, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.do()
			if res.status != http.StatusFound || res.location() != "/sessions/logon" {
				t.Errorf("got %d %q; want 302 to /sessions/logon", res.status, res.location())
			}
		})
	}
}

// TestDevicesLink checks that the header of every page links to the
// devices page for a logged-in user, and not for a visitor.
func TestDevicesLink(t *testing.T) {
	ta := newTestApp(t, Config{})
	b := ta.browser(t)
	if res := b.get("/"); strings.Contains(res.body, `href="/account/sessions"`) {
		t.Error("a visitor's page links to the devices page")
	}
	b.register("Alice", "alice@example.com", testPassword)
	for _, path := range []string{"/", "/secretWord", devicesPath} {
		if res := b.get(path); !strings.Contains(res.body, `<a id="devices-link" href="/account/sessions">Your devices</a>`) {
			t.Errorf("GET %s: no link to the devices page", path)
		}
	}
}

// TestDevicesUnavailable checks the guard for a session store that is not
// a session.UserSessions (the demo's always is): the page says the list is
// unavailable, and the POSTs end nothing and say so.
func TestDevicesUnavailable(t *testing.T) {
	ta := newTestApp(t, Config{})
	d, err := newDevices(ta.app)
	if err != nil {
		t.Fatal(err)
	}
	if d.store == nil {
		t.Fatal("the demo's session store is not a session.UserSessions")
	}
	d.store = nil // as with a store that cannot list

	for _, tc := range []struct {
		name       string
		method     string
		handler    func(echo.Context) error
		wantStatus int
		wantBody   string
	}{
		{"list", http.MethodGet, d.list, http.StatusOK, msgDevicesUnavailable},
		{"end", http.MethodPost, d.end, http.StatusSeeOther, ""},
		{"end-others", http.MethodPost, d.endOthers, http.StatusSeeOther, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, devicesPath, strings.NewReader("handle=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			if err := tc.handler(ta.e.NewContext(req, rec)); err != nil {
				t.Fatalf("handler: %v", err)
			}
			if rec.Code != tc.wantStatus || !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Errorf("got %d %q; want %d containing %q", rec.Code, rec.Body.String(), tc.wantStatus, tc.wantBody)
			}
			if tc.wantStatus == http.StatusSeeOther && rec.Header().Get("Location") != devicesPath {
				t.Errorf("Location: got %q; want %s", rec.Header().Get("Location"), devicesPath)
			}
		})
	}
}
