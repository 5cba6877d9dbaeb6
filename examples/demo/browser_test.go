package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/gopassport/passport/internal/testenv"
)

// chromiumPath returns the browser to drive: $CHROMIUM, else chromium on
// the PATH. Without one the test is skipped, or fails when
// PASSPORT_REQUIRE_SERVICES=1.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err == nil {
		return p
	}
	if os.Getenv(testenv.EnvRequireServices) == "1" {
		t.Fatalf("chromium is not installed (%v) and %s=1 requires it: install it (apt-get install chromium) or set CHROMIUM to its path", err, testenv.EnvRequireServices)
	}
	t.Skipf("skipping: chromium is not installed (%v); install it (apt-get install chromium) or set CHROMIUM to its path (%s=1 makes this a failure)", err, testenv.EnvRequireServices)
	return ""
}

// chrome is a headless Chromium driven by a test, on the demo at base.
type chrome struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newChrome starts Chromium (or skips the test, see chromiumPath) for the
// demo at base. One deadline covers the whole test; it also stops the
// browser.
func newChrome(t *testing.T, base string) *chrome {
	t.Helper()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "chromium-profile")),
		chromedp.WindowSize(1024, 768),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	return &chrome{t: t, ctx: bctx, base: base}
}

// step runs actions, failing the test with name.
func (br *chrome) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	br.t.Helper()
	if err := chromedp.Do(br.ctx, actions...); err != nil {
		br.t.Fatalf("%s: %v", name, err)
	}
}

// submit clicks a submit button (or a link) and waits for the page it leads to (after
// the server's redirect).
func (br *chrome) submit(name, button string) {
	br.t.Helper()
	if _, err := chromedp.Run(br.ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.ID(button)))); err != nil {
		br.t.Fatalf("%s: %v", name, err)
	}
}

// screenshot saves the visible page as name.png in the test's directory
// (or in $DEMO_SCREENSHOTS, to keep it).
func (br *chrome) screenshot(name string) {
	br.t.Helper()
	br.savePNG(name, chromedp.CaptureScreenshot())
}

// fullScreenshot saves the whole page as name.png in the test's
// directory.
func (br *chrome) fullScreenshot(name string) {
	br.t.Helper()
	br.savePNG(name, chromedp.FullScreenshot(100)) // 100: PNG, not JPEG
}

func (br *chrome) savePNG(name string, capture chromedp.Action[[]byte]) {
	br.t.Helper()
	shot, err := chromedp.Run(br.ctx, capture)
	if err != nil {
		br.t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("DEMO_SCREENSHOTS") // to keep them for a look; never committed
	if dir == "" {
		dir = br.t.TempDir()
	}
	png := filepath.Join(dir, name+".png")
	if err := os.WriteFile(png, shot, 0o600); err != nil {
		br.t.Fatal(err)
	}
	br.t.Logf("screenshot: %s", png)
}

// expectText fails unless the text of the element with id contains want.
func (br *chrome) expectText(name string, id string, want string) {
	br.t.Helper()
	got, err := chromedp.Run(br.ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		br.t.Fatalf("%s: reading #%s: %v", name, id, err)
	}
	if !strings.Contains(got, want) {
		br.t.Fatalf("%s: #%s: got %q; want it to contain %q", name, id, got, want)
	}
}

// expectCSSText fails unless the text of the first element that the CSS
// selector sel matches contains want.
func (br *chrome) expectCSSText(name string, sel string, want string) {
	br.t.Helper()
	got, err := chromedp.Run(br.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		br.t.Fatalf("%s: reading %s: %v", name, sel, err)
	}
	if !strings.Contains(got, want) {
		br.t.Fatalf("%s: %s: got %q; want it to contain %q", name, sel, got, want)
	}
}

// expectValue fails unless the input with id holds want.
func (br *chrome) expectValue(name string, id string, want string) {
	br.t.Helper()
	got, err := chromedp.Run(br.ctx, chromedp.Value(chromedp.ID(id)))
	if err != nil {
		br.t.Fatalf("%s: reading #%s: %v", name, id, err)
	}
	if got != want {
		br.t.Fatalf("%s: #%s: got value %q; want %q", name, id, got, want)
	}
}

// expectLocation fails unless the page is base+want.
func (br *chrome) expectLocation(name, want string) {
	br.t.Helper()
	got, err := chromedp.Run(br.ctx, chromedp.Location())
	if err != nil {
		br.t.Fatalf("%s: %v", name, err)
	}
	if got != br.base+want {
		br.t.Fatalf("%s: location: got %q; want %q", name, got, br.base+want)
	}
}

// TestBrowser drives the demo in headless Chromium through the lesson's
// whole flow: register, log off, log on, the secret word, change it, log
// off; then social sign-in: click "Sign in with Dev OIDC" on the logon page,
// go through the development provider and land on / logged on.
func TestBrowser(t *testing.T) {
	chromiumPath(t) // skip before starting the app
	ta := newSocialTestApp(t, Config{DevOIDC: true})
	base := ta.srv.URL // http://127.0.0.1:port, the one host used throughout, also in the callback URL
	br := newChrome(t, base)
	bctx := br.ctx
	step, submit, screenshot, expectText, expectLocation := br.step, br.submit, br.screenshot, br.expectText, br.expectLocation

	// Register: lands on the home page, logged on.
	step("open the registration form",
		chromedp.Navigate(base+"/sessions/register"),
		chromedp.SendKeys(chromedp.ID("name"), "Ada Lovelace"),
		chromedp.SendKeys(chromedp.ID("email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.SendKeys(chromedp.ID("password1"), testPassword),
	)
	submit("register", "register")
	expectLocation("after registering", "/")
	expectText("after registering", "status", "User Ada Lovelace is logged on.")

	// Log off.
	submit("log off", "logoff")
	expectText("after logging off", "status", "Nobody is logged on.")

	// Log on again.
	step("open the logon form",
		chromedp.Navigate(base+"/sessions/logon"),
		chromedp.SendKeys(chromedp.ID("email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	)
	submit("log on", "logon")
	expectLocation("after logging on", "/")
	expectText("after logging on", "status", "User Ada Lovelace is logged on.")

	// The secret word, then a new one.
	step("open the secret word", chromedp.Navigate(base+"/secretWord"))
	expectText("secret word page", "secret", "The secret word is: "+defaultSecretWord)
	step("type a new word", chromedp.SendKeys(chromedp.ID("secretWord"), "xylophone"))
	submit("change the secret word", "change")
	expectLocation("after changing the word", "/secretWord")
	expectText("after changing the word", "secret", "The secret word is: xylophone")

	screenshot("secret-word")

	// A form whose token was tampered with is refused with the 403 page,
	// though the browser sends Sec-Fetch-Site: same-origin (which Echo's
	// own CSRF middleware would let through without a token); the word
	// stays.
	step("tamper with the form's token",
		chromedp.Navigate(base+"/secretWord"),
		chromedp.SetAttributeValue(chromedp.CSS(`form[action="/secretWord"] input[name="_csrf"]`), "value", "tampered"),
		chromedp.SendKeys(chromedp.ID("secretWord"), "forged"),
	)
	submit("submit the tampered form", "change")
	expectText("the tampered form", "message", "The form has expired or did not come from this site.")
	step("the word after the tampered form", chromedp.Navigate(base+"/secretWord"))
	expectText("the word after the tampered form", "secret", "The secret word is: xylophone")

	// Log off from the secret word page; the word is gone with the session.
	submit("log off again", "logoff")
	expectLocation("after the last logoff", "/")
	expectText("after the last logoff", "status", "Nobody is logged on.")
	step("secret word after logoff", chromedp.Navigate(base+"/secretWord"))
	expectLocation("secret word after logoff", "/sessions/logon")

	// Social sign-in, as a new visitor (without cookies: the session
	// above remembers /secretWord as the page to return to after a logon).
	// The button is a link whose text names the provider. Clicking it goes
	// to the provider (another port of 127.0.0.1), which signs its test
	// user in at once and sends the browser back to the callback, which
	// logs on and redirects home.
	if _, err := chromedp.Call(bctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatalf("clearing cookies: %v", err)
	}
	step("open the logon page", chromedp.Navigate(base+"/sessions/logon"))
	// (The link's text also holds the icon's "Dev", hidden from screen
	// readers: match the label's span.)
	devButton := chromedp.Search(`//a[span[normalize-space(.)="Sign in with Dev OIDC"]]`)
	href, err := chromedp.Run(bctx, chromedp.AttributeValue(devButton, "href"))
	if err != nil || href.Value != "/auth/devoidc" {
		t.Fatalf("the Sign in with Dev OIDC link: href %q, err %v; want /auth/devoidc", href.Value, err)
	}
	screenshot("logon-buttons")
	if _, err := chromedp.Run(bctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(devButton))); err != nil {
		t.Fatalf("click Sign in with Dev OIDC: %v", err)
	}
	expectLocation("after signing in with Dev OIDC", "/")
	expectText("after signing in with Dev OIDC", "status", "User "+devName+" is logged on.")
	expectText("after signing in with Dev OIDC", "identities", "Dev OIDC · "+devEmail)
	screenshot("dev-oidc-signed-in")
	if n := ta.social.dev.TokenRequests(); n != 1 {
		t.Errorf("token requests: got %d; want 1", n)
	}
}

// TestBrowserLogonErrors drives the logon form's failures in Chromium: a
// wrong password shows the error with the e-mail address still typed in,
// and exhausting the throttle shows the 429 page, which says how long to
// wait and links back to the form. The throttle's clock is frozen, so the
// lock lasts through the test. Both pages are saved as screenshots.
func TestBrowserLogonErrors(t *testing.T) {
	chromiumPath(t)
	frozen := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ta := newTestApp(t, Config{now: func() time.Time { return frozen }, logonLimit: 2})
	ta.browser(t).register("Ada Lovelace", "ada@example.com", testPassword)
	br := newChrome(t, ta.srv.URL)

	logon := func(name, email, password string) {
		t.Helper()
		br.step(name,
			chromedp.Navigate(br.base+"/sessions/logon"),
			chromedp.Clear(chromedp.ID("email")), // holds the address of the last failure
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), password),
		)
		br.submit(name, "logon")
	}

	// A wrong password: the form again, with the error and the address.
	logon("wrong password", "ada@example.com", "wrong password")
	br.expectLocation("after a wrong password", "/sessions/logon")
	br.expectCSSText("after a wrong password", "p.flash.error", "Incorrect credentials.")
	br.expectValue("after a wrong password", "email", "ada@example.com")
	br.expectValue("after a wrong password", "password", "")
	br.fullScreenshot("logon-error")

	// The second failure reaches the limit; the next attempt is refused.
	logon("second wrong password", "ada@example.com", "wrong again")
	logon("throttled", "ada@example.com", "and again")
	br.expectText("the 429 page", "message", "Too many")
	br.expectText("the 429 page", "wait", "Try again in ")
	href, err := chromedp.Run(br.ctx, chromedp.AttributeValue(chromedp.ID("back"), "href"))
	if err != nil || href.Value != "/sessions/logon" {
		t.Fatalf("the 429 page's back link: href %q, err %v; want /sessions/logon", href.Value, err)
	}
	br.expectText("the 429 page", "register-link", "Register") // the header of every page
	br.fullScreenshot("too-many-requests")

	// Back to the form, which still holds the address.
	br.submit("back to the form", "back")
	br.expectLocation("back to the form", "/sessions/logon")
	br.expectValue("back to the form", "email", "ada@example.com")
}

// TestBrowserDevices drives the devices page in Chromium: the user logs on
// in Chromium and in a second client, sees both sessions with Chromium's
// marked "this device", signs the other one out with its button, and the
// other client is logged out while Chromium stays logged on.
func TestBrowserDevices(t *testing.T) {
	chromiumPath(t)
	ta := newTestApp(t, Config{})
	other := ta.device(t, "Other client")
	other.register("Ada Lovelace", "ada@example.com", testPassword)
	br := newChrome(t, ta.srv.URL)

	br.step("open the logon form",
		chromedp.Navigate(br.base+"/sessions/logon"),
		chromedp.SendKeys(chromedp.ID("email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	)
	br.submit("log on", "logon")
	br.submit("open the devices page", "devices-link")
	br.expectLocation("the devices page", devicesPath)
	br.expectCSSText("the devices page", "li.device.current", "this device")
	br.expectCSSText("the devices page", "li.device:not(.current) .user-agent", "Other client")
	br.fullScreenshot("devices")

	br.step("wait for the other device's button", chromedp.WaitVisible(chromedp.CSS("li.device:not(.current) button.end")))
	if _, err := chromedp.Run(br.ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS("li.device:not(.current) button.end")))); err != nil {
		t.Fatalf("click Sign out: %v", err)
	}
	br.expectLocation("after signing the other device out", devicesPath)
	br.expectCSSText("after signing the other device out", "p.flash.info", "Signed out of 1 other device.")
	br.expectText("after signing the other device out", "no-others", msgNoOtherDevices)
	expectLoggedOut(t, "the other client", other)
	br.step("the secret word, still logged on", chromedp.Navigate(br.base+"/secretWord"))
	br.expectText("the secret word, still logged on", "secret", "The secret word is: "+defaultSecretWord)
}
