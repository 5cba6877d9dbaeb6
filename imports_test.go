package passport_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestImportRules keeps the layering of the design: the contract and the
// session manager know nothing of Echo or goth; only strategy/oauth and
// providers import goth; the root imports no concrete strategy; nothing
// below the root imports it.
func TestImportRules(t *testing.T) {
	t.Parallel() // runs the go command: nothing shared with other tests
	if testing.Short() {
		t.Skip("runs go list")
	}
	const mod = "github.com/gopassport/passport"
	deps := func(t *testing.T, pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{mod + "/strategy", []string{"github.com/labstack/echo", "github.com/markbates/goth", "github.com/gorilla/"}},
		{mod + "/session", []string{"github.com/labstack/echo", "github.com/markbates/goth"}},
		{mod + "/session/sqlstore", []string{"github.com/labstack/echo", "github.com/markbates/goth", "modernc.org/sqlite"}},
		{mod + "/session/redisstore", []string{"github.com/labstack/echo", "github.com/markbates/goth", "modernc.org/sqlite"}},
		{mod + "/session/storetest", []string{"github.com/labstack/echo", "github.com/markbates/goth"}},
		{mod + "/strategy/throttle/throttletest", []string{"github.com/labstack/echo", "github.com/markbates/goth", mod + "/session", "github.com/redis/"}},
		{mod + "/strategy/throttle/redisthrottle", []string{"github.com/labstack/echo", "github.com/markbates/goth", mod + "/session"}},
		{mod + "/strategy/throttle/sqlthrottle", []string{"github.com/labstack/echo", "github.com/markbates/goth", mod + "/session", "modernc.org/sqlite", "github.com/jackc/pgx"}},
		{mod + "/strategy/jwt/redistokens", []string{"github.com/labstack/echo", "github.com/markbates/goth", mod + "/session"}},
		{mod + "/strategy/local", []string{"github.com/labstack/echo", "github.com/markbates/goth", mod + "/session"}},
		{mod + "/strategy/jwt", []string{"github.com/labstack/echo", "github.com/markbates/goth"}},
		{mod + "/strategy/basic", []string{"github.com/labstack/echo", "github.com/markbates/goth"}},
		{mod + "/strategy/apikey", []string{"github.com/labstack/echo", "github.com/markbates/goth"}},
		{mod + "/strategy/oauth", []string{"github.com/labstack/echo", "github.com/oauth2-proxy/mockoidc"}},
		{mod + "/strategy/strategytest", []string{"github.com/labstack/echo", "github.com/markbates/goth"}},
		{mod, []string{"github.com/markbates/goth", mod + "/strategy/", mod + "/providers", "modernc.org/sqlite", "github.com/chromedp", "github.com/oauth2-proxy/mockoidc"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			for _, d := range deps(t, tt.pkg) {
				for _, f := range tt.forbidden {
					if strings.HasPrefix(d, f) {
						t.Errorf("%s imports %s", tt.pkg, d)
					}
				}
				if tt.pkg != mod && d == mod {
					t.Errorf("%s imports the root package", tt.pkg)
				}
			}
		})
	}
}

// TestLibraryUserCompilesNoHeavyDependency lists what a program that
// imports only the root and strategy/local compiles: none of the heavy
// dependencies that examples, tests and opt-in packages use.
func TestLibraryUserCompilesNoHeavyDependency(t *testing.T) {
	t.Parallel() // runs the go command: nothing shared with other tests
	if testing.Short() {
		t.Skip("runs go list")
	}
	const mod = "github.com/gopassport/passport"
	dir := t.TempDir()
	prog := "package main\n\nimport (\n\t_ \"" + mod + "\"\n\t_ \"" + mod + "/strategy/local\"\n)\n\nfunc main() {}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", filepath.Join(dir, "main.go"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps of a program importing the root and strategy/local: %v", err)
	}
	heavy := []string{"modernc.org/", "github.com/oauth2-proxy/mockoidc", "github.com/chromedp/",
		"github.com/jackc/pgx", "github.com/lestrrat-go/jwx", "github.com/mtibben/confusables",
		"github.com/markbates/goth", "github.com/golang-jwt/jwt", "github.com/coreos/go-oidc", "github.com/redis/go-redis"}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, mod+"/strategy/local") {
		t.Fatalf("go list -deps did not list strategy/local:\n%s", out)
	}
	for _, d := range deps {
		for _, h := range heavy {
			if strings.HasPrefix(d, h) {
				t.Errorf("a program importing only the root and strategy/local compiles %s", d)
			}
		}
	}
}

// TestOnlyOAuthImportsGoth keeps goth in strategy/oauth and providers (and
// their test kits and the examples): every other non-test package stays
// free of it. Tests of the root may use goth; apps never compile them.
func TestOnlyOAuthImportsGoth(t *testing.T) {
	t.Parallel() // runs the go command: nothing shared with other tests
	if testing.Short() {
		t.Skip("runs go list")
	}
	const mod = "github.com/gopassport/passport"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list ./...: %v", err)
	}
	allowed := []string{mod + "/strategy/oauth", mod + "/providers", mod + "/examples/"}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || !slices.ContainsFunc(f[1:], func(p string) bool { return strings.HasPrefix(p, "github.com/markbates/goth") }) {
			continue
		}
		n++
		pkg, _, _ := strings.Cut(f[0], " ")
		if !slices.ContainsFunc(allowed, func(a string) bool { return strings.HasPrefix(pkg, a) }) {
			t.Errorf("%s imports goth; only strategy/oauth and providers may", f[0])
		}
	}
	if n == 0 {
		t.Error("no package imports goth: the check saw nothing")
	}
}
