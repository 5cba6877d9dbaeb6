package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopassport/passport/providers"
)

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		addr    string
		db      string
		secret  string
		secure  bool
		wantErr string
	}{
		{name: "ok, defaults", addr: "127.0.0.1:3000", db: "passport-demo.db"},
		{name: "ok, PORT", env: map[string]string{"PORT": "9000"}, addr: "127.0.0.1:9000", db: "passport-demo.db"},
		{name: "ok, -addr wins over PORT", args: []string{"-addr", "127.0.0.1:7000"}, env: map[string]string{"PORT": "9000"}, addr: "127.0.0.1:7000", db: "passport-demo.db"},
		{name: "ok, DEMO_DB", env: map[string]string{"DEMO_DB": "/var/lib/demo.db"}, addr: "127.0.0.1:3000", db: "/var/lib/demo.db"},
		{name: "ok, -db wins over DEMO_DB", args: []string{"-db", ":memory:"}, env: map[string]string{"DEMO_DB": "x.db"}, addr: "127.0.0.1:3000", db: ":memory:"},
		{name: "ok, DEMO_DB a PostgreSQL URL", env: map[string]string{"DEMO_DB": "postgres://u@127.0.0.1:5432/demo"}, addr: "127.0.0.1:3000", db: "postgres://u@127.0.0.1:5432/demo"},
		{name: "ok, SESSION_SECRET and -secure-cookies", args: []string{"-secure-cookies"}, env: map[string]string{"SESSION_SECRET": testSecret},
			addr: "127.0.0.1:3000", db: "passport-demo.db", secret: testSecret, secure: true},
		{name: "nok, -sessions not a redis or postgres URL", args: []string{"-sessions", "mysql://x"}, wantErr: "-sessions"},
		{name: "nok, DEMO_SESSIONS not a redis URL", env: map[string]string{"DEMO_SESSIONS": "127.0.0.1:6379"}, wantErr: "-sessions"},
		{name: "nok, PORT not a number", env: map[string]string{"PORT": "http"}, wantErr: "PORT"},
		{name: "nok, PORT out of range", env: map[string]string{"PORT": "70000"}, wantErr: "PORT"},
		{name: "nok, unknown flag", args: []string{"-verbose"}, wantErr: "flag provided but not defined"},
		{name: "nok, stray argument", args: []string{"serve"}, wantErr: "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOptions(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.addr != tt.addr || o.cfg.DB != tt.db || o.cfg.SessionSecret != tt.secret || o.cfg.SecureCookies != tt.secure {
				t.Errorf("got addr %q db %q secret %q secure %v; want %q %q %q %v",
					o.addr, o.cfg.DB, o.cfg.SessionSecret, o.cfg.SecureCookies, tt.addr, tt.db, tt.secret, tt.secure)
			}
		})
	}
}

func TestServerURL(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080/"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9000}, "http://127.0.0.1:9000/"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 9000}, "http://[::1]:9000/"},
	}
	for _, tt := range tests {
		if got := serverURL(tt.addr); got != tt.want {
			t.Errorf("serverURL(%v): got %q; want %q", tt.addr, got, tt.want)
		}
	}
}

// syncBuffer is a bytes.Buffer that the server's logger and the test can
// use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun starts the program as main does, on a free port, reads the URL
// it logs, fetches the home page and stops it.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-db", ":memory:"}, func(string) string { return "" }, &out, &logs)
	}()

	// One line on stdout, with the real port of 127.0.0.1:0.
	urlRE := regexp.MustCompile(`^passport demo: open (http://127\.0\.0\.1:(\d+)/)\n$`)
	var url string
	for deadline := time.Now().Add(20 * time.Second); url == "" && time.Now().Before(deadline); {
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if m := urlRE.FindStringSubmatch(out.String()); m != nil && m[2] != "0" {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("stdout: got %q; want one line passport demo: open http://127.0.0.1:<port>/\nlogs:\n%s", out.String(), logs.String())
	}
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Nobody is logged on.") {
		t.Errorf("GET %s: got %d; want 200 with the home page", url, res.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if !strings.Contains(logs.String(), "path=/ status=200") {
		t.Errorf("request not logged:\n%s", logs.String())
	}
	if got := out.String(); strings.Count(got, "\n") != 1 {
		t.Errorf("stdout: got %q; want the one line with the URL", got)
	}
}

// TestHelp checks -h and -help: the usage names every flag and every
// environment variable the demo reads, and run returns flag.ErrHelp, which
// exitCode maps to 0. TestHelpExitStatus runs the real main.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		t.Run(arg, func(t *testing.T) {
			var out, errOut syncBuffer
			err := run(t.Context(), []string{arg}, func(string) string { return "" }, &out, &errOut)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("run(%s): got %v; want flag.ErrHelp", arg, err)
			}
			if code := exitCode(err); code != 0 {
				t.Errorf("exitCode: got %d; want 0", code)
			}
			help := errOut.String()
			for _, name := range append(helpFlags, helpEnv...) {
				if !strings.Contains(help, name) {
					t.Errorf("the help does not name %s:\n%s", name, help)
				}
			}
			if out.String() != "" {
				t.Errorf("stdout: got %q; want nothing (no server started)", out.String())
			}
		})
	}
}

// helpFlags and helpEnv are what -h must name.
var (
	helpFlags = []string{"-addr", "-db", "-secure-cookies", "-dev-oidc", "-base-url"}
	helpEnv   = []string{"PORT", "DEMO_DB", "DEMO_DEV_OIDC", "SESSION_SECRET",
		providers.EnvGitHubClientID, providers.EnvGitHubClientSecret,
		providers.EnvGoogleClientID, providers.EnvGoogleClientSecret,
		providers.EnvGitLabClientID, providers.EnvGitLabClientSecret, providers.EnvGitLabURL,
		providers.EnvDiscordClientID, providers.EnvDiscordClientSecret,
		providers.EnvMicrosoftClientID, providers.EnvMicrosoftClientSecret,
		providers.EnvOIDCIssuer, providers.EnvOIDCClientID, providers.EnvOIDCClientSecret,
		providers.EnvOIDCName, providers.EnvOIDCLabel,
	}
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{flag.ErrHelp, 0},
		{fmt.Errorf("wrapped: %w", flag.ErrHelp), 0},
		{errors.New("flag provided but not defined: -verbose"), 1},
		{errors.New("demo: listen tcp: address already in use"), 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v): got %d; want %d", tt.err, got, tt.want)
		}
	}
}

// envRunMain makes the test binary run main itself, with the arguments
// after "--" in its command line: the standard way to test an exit status.
const envRunMain = "PASSPORT_DEMO_TEST_RUN_MAIN"

// TestHelpExitStatus runs main with -h in a child process (this test
// binary, re-executed) and checks the process's exit status and output,
// and that an unknown flag still fails.
func TestHelpExitStatus(t *testing.T) {
	if os.Getenv(envRunMain) == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"demo"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		return
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "SESSION_SECRET"},
		{[]string{"-help"}, 0, providers.EnvOIDCIssuer},
		{[]string{"-verbose"}, 1, "flag provided but not defined: -verbose"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], append([]string{"-test.run=^TestHelpExitStatus$", "--"}, tt.args...)...)
			cmd.Env = append(os.Environ(), envRunMain+"=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := errors.AsType[*exec.ExitError](err); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code {
				t.Errorf("exit status: got %d; want %d\nstderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr does not contain %q:\n%s", tt.want, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout: got %q; want nothing", stdout.String())
			}
		})
	}
}

// TestParseSessionsOption reads -sessions and DEMO_SESSIONS.
func TestParseSessionsOption(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{name: "ok, default: the database file", want: ""},
		{name: "ok, -sessions", args: []string{"-sessions", "redis://127.0.0.1:6379/2"}, want: "redis://127.0.0.1:6379/2"},
		{name: "ok, DEMO_SESSIONS", env: map[string]string{"DEMO_SESSIONS": "rediss://cache.example:6380/0"}, want: "rediss://cache.example:6380/0"},
		{name: "ok, -sessions postgres", args: []string{"-sessions", "postgres://postgres@127.0.0.1:5432/test"}, want: "postgres://postgres@127.0.0.1:5432/test"},
		{name: "ok, -sessions wins", args: []string{"-sessions", "redis://a:1/0"}, env: map[string]string{"DEMO_SESSIONS": "redis://b:2/0"}, want: "redis://a:1/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOptions(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if o.cfg.Sessions != tt.want {
				t.Errorf("Sessions = %q; want %q", o.cfg.Sessions, tt.want)
			}
		})
	}
}
