package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestBrowser drives the demo in headless Chromium through the lesson's
// whole flow: register, log off, log on, the secret word, change it, log
// off.
func TestBrowser(t *testing.T) {
	execPath := chromiumPath(t)
	ta := newTestApp(t, Config{})
	base := ta.srv.URL // http://127.0.0.1:port, the one host used throughout

	// One deadline for the whole test; it also stops the browser.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
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
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// submit clicks a submit button and waits for the page it leads to
	// (after the server's redirect).
	submit := func(name, button string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.ID(button)))); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	expectText := func(name string, id string, want string) {
		t.Helper()
		got, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("%s: reading #%s: %v", name, id, err)
		}
		if !strings.Contains(got, want) {
			t.Fatalf("%s: #%s: got %q; want it to contain %q", name, id, got, want)
		}
	}
	expectLocation := func(name, want string) {
		t.Helper()
		got, err := chromedp.Run(bctx, chromedp.Location())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got != base+want {
			t.Fatalf("%s: location: got %q; want %q", name, got, base+want)
		}
	}

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

	shot, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	png := filepath.Join(t.TempDir(), "secret-word.png")
	if err := os.WriteFile(png, shot, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the secret word page: %s", png)

	// Log off from the secret word page; the word is gone with the session.
	submit("log off again", "logoff")
	expectLocation("after the last logoff", "/")
	expectText("after the last logoff", "status", "Nobody is logged on.")
	step("secret word after logoff", chromedp.Navigate(base+"/secretWord"))
	expectLocation("secret word after logoff", "/sessions/logon")
}
