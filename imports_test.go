package passport_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules keeps the layering of the design: the contract and the
// session manager know nothing of Echo or goth; only strategy/oauth and
// providers import goth; the root imports no concrete strategy; nothing
// below the root imports it.
func TestImportRules(t *testing.T) {
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
