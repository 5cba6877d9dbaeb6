package passport_test

import (
	"go/version"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestGoDirectiveIsTheLowestNeeded keeps go.mod's go line at the highest
// go line of the dependencies: a higher one (say go 1.26.8) would bump the
// go line of every app that requires passport at its next go mod tidy. The
// README and the getting-started guide name the same Go release.
func TestGoDirectiveIsTheLowestNeeded(t *testing.T) {
	t.Parallel() // runs the go command: nothing shared with other tests
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Main}} {{.GoVersion}}", "all").Output()
	if err != nil {
		t.Fatalf("go list -m all: %v", err)
	}
	var main, need string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		isMain, v, _ := strings.Cut(l, " ")
		if isMain == "true" {
			main = "go" + v
			continue
		}
		if v != "" && (need == "" || version.Compare("go"+v, need) > 0) {
			need = "go" + v
		}
	}
	if main == "go" || need == "" {
		t.Fatalf("go list -m all gave no go versions:\n%s", out)
	}
	if version.Compare(main, need) > 0 {
		t.Errorf("go.mod says %s; the dependencies need only %s: lower it", main, need)
	}
	release := "Go " + strings.TrimPrefix(version.Lang(main), "go")
	for _, f := range []string{"README.md", "docs/getting-started.md"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), release) {
			t.Errorf("%s does not say %q, the release go.mod requires", f, release)
		}
	}
}

// TestGoDocShowsTheMethods keeps the package overview of go doc pointing
// at the Authenticator's methods, which go doc lists only under the
// generic type, and at the guides.
func TestGoDocShowsTheMethods(t *testing.T) {
	t.Parallel() // runs the go command: nothing shared with other tests
	if testing.Short() {
		t.Skip("runs go doc")
	}
	out, err := exec.Command("go", "doc", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go doc: %v\n%s", err, out)
	}
	doc := string(out)
	for _, w := range []string{"go doc passport.Authenticator", "getting-started.md", "migrating-from-passport.md"} {
		if !strings.Contains(doc, w) {
			t.Errorf("go doc of the root does not mention %q", w)
		}
	}
	// Every exported method of Authenticator is named in the overview.
	methods, err := exec.Command("go", "doc", "-short", ".", "Authenticator").CombinedOutput()
	if err != nil {
		t.Fatalf("go doc Authenticator: %v\n%s", err, methods)
	}
	n := 0
	for _, l := range strings.Split(string(methods), "\n") {
		_, rest, ok := strings.Cut(l, "func (a *Authenticator[U]) ")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, "(")
		n++
		if !strings.Contains(doc, "Authenticator."+name) {
			t.Errorf("go doc of the root does not name Authenticator.%s", name)
		}
	}
	if n < 10 {
		t.Errorf("go doc passport.Authenticator listed %d methods; want at least 10:\n%s", n, methods)
	}
}
