package passport_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// docSnippet is one ```go block of a Markdown file.
type docSnippet struct {
	file string // path relative to the repository root, slash-separated
	line int    // line of the block's first code line in file
	src  string
}

// docSnippets extracts every ```go fenced block of the Markdown files.
// Blocks that are not Go (output, pseudo-code, shell) use another fence.
func docSnippets(t *testing.T, files []string) []docSnippet {
	t.Helper()
	var out []docSnippet
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i := 0; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) != "```go" {
				continue
			}
			start := i + 1
			j := start
			for j < len(lines) && strings.TrimSpace(lines[j]) != "```" {
				j++
			}
			if j == len(lines) {
				t.Fatalf("%s:%d: ```go block is never closed", f, i+1)
			}
			out = append(out, docSnippet{file: filepath.ToSlash(f), line: start + 1, src: strings.Join(lines[start:j], "\n") + "\n"})
			i = j
		}
	}
	return out
}

// docImports resolves the package names the snippets use without importing
// them. A snippet that needs another package imports it itself (a whole
// file starting with package) or the table grows.
var docImports = map[string]string{
	"bytes": "bytes", "context": "context", "errors": "errors", "fmt": "fmt",
	"http": "net/http", "httptest": "net/http/httptest", "io": "io", "json": "encoding/json",
	"log": "log", "slog": "log/slog", "os": "os", "sql": "database/sql", "strconv": "strconv",
	"strings": "strings", "sync": "sync", "template": "html/template", "testing": "testing",
	"time": "time", "url": "net/url", "subtle": "crypto/subtle", "rand": "crypto/rand",
	"signal": "os/signal", "flag": "flag", "hex": "encoding/hex", "base64": "encoding/base64",
	"echo":          "github.com/labstack/echo/v4",
	"middleware":    "github.com/labstack/echo/v4/middleware",
	"goth":          "github.com/markbates/goth",
	"github":        "github.com/markbates/goth/providers/github",
	"google":        "github.com/markbates/goth/providers/google",
	"passport":      "github.com/gopassport/passport",
	"session":       "github.com/gopassport/passport/session",
	"sqlstore":      "github.com/gopassport/passport/session/sqlstore",
	"redisstore":    "github.com/gopassport/passport/session/redisstore",
	"redisthrottle": "github.com/gopassport/passport/strategy/throttle/redisthrottle",
	"redistokens":   "github.com/gopassport/passport/strategy/jwt/redistokens",
	"redis":         "github.com/redis/go-redis/v9",
	"storetest":     "github.com/gopassport/passport/session/storetest",
	"strategy":      "github.com/gopassport/passport/strategy",
	"local":         "github.com/gopassport/passport/strategy/local",
	"password":      "github.com/gopassport/passport/strategy/password",
	"throttle":      "github.com/gopassport/passport/strategy/throttle",
	"oauth":         "github.com/gopassport/passport/strategy/oauth",
	"jwt":           "github.com/gopassport/passport/strategy/jwt",
	"basic":         "github.com/gopassport/passport/strategy/basic",
	"apikey":        "github.com/gopassport/passport/strategy/apikey",
	"anonymous":     "github.com/gopassport/passport/strategy/anonymous",
	"strategytest":  "github.com/gopassport/passport/strategy/strategytest",
	"providers":     "github.com/gopassport/passport/providers",
	"devoidc":       "github.com/gopassport/passport/providers/devoidc",
	"twitch":        "github.com/markbates/goth/providers/twitch",
	"oauth2":        "golang.org/x/oauth2",
	"endpoints":     "golang.org/x/oauth2/endpoints",
	"fs":            "io/fs",
	"hmacsig":       "github.com/gopassport/passport/examples/custom-strategy/hmacsig",
}

// docPreamble gives the few names that guides use without declaring, so a
// snippet can show the lines that matter: e is the app's *echo.Echo, auth
// its Authenticator of *User, User the app's user type. A name is added to
// a snippet's package only when the snippet uses it and does not declare it.
var docPreamble = map[string]string{
	"e":    "var e = echo.New()",
	"auth": "var auth *passport.Authenticator[*User]",
	"User": "type User struct {\n\tID           int64\n\tEmail        string\n\tName         string\n\tPasswordHash string\n}",
}

// wrapSnippet turns a snippet into a Go file of package name. A block that
// starts with package is a whole file; a block that parses as declarations
// is put at the top level; otherwise it is a function body, wrapped in a
// function that returns error (so "return err" works) with every variable
// it declares at its top level used. Imports come from docImports, the
// names it assumes from docPreamble. //line directives make compiler
// errors point at the Markdown file and line.
func wrapSnippet(s docSnippet, name string) (string, error) {
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "", s.src, parser.PackageClauseOnly); err == nil {
		return fmt.Sprintf("//line %s:%d\n%s", s.file, s.line, s.src), nil
	}
	asFile := "package " + name + "\n" + s.src
	if f, err := parser.ParseFile(fset, "", asFile, 0); err == nil {
		var b strings.Builder
		fmt.Fprintf(&b, "package %s\n\n", name)
		imports, pre := snippetNeeds(f)
		writeImports(&b, imports)
		b.WriteString(pre)
		fmt.Fprintf(&b, "//line %s:%d\n%s", s.file, s.line, s.src)
		return b.String(), nil
	}
	asBody := "package " + name + "\nfunc snippet() error {\n" + s.src + "\n}\n"
	f, err := parser.ParseFile(fset, "", asBody, 0)
	if err != nil {
		return "", fmt.Errorf("%s:%d: neither declarations nor statements: %v", s.file, s.line, err)
	}
	imports, pre := snippetNeeds(f)
	var used []string
	for _, st := range f.Decls[0].(*ast.FuncDecl).Body.List {
		used = append(used, declaredBy(st)...)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\n", name)
	writeImports(&b, imports)
	b.WriteString(pre)
	b.WriteString("func snippet() error {\n")
	fmt.Fprintf(&b, "//line %s:%d\n%s", s.file, s.line, s.src)
	b.WriteString("\n")
	for _, u := range used {
		fmt.Fprintf(&b, "\t_ = %s\n", u)
	}
	b.WriteString("\treturn nil\n}\n")
	return b.String(), nil
}

// snippetNeeds lists the imports and preamble declarations for the
// identifiers f uses without declaring.
func snippetNeeds(f *ast.File) (imports []string, preamble string) {
	imported := map[string]bool{}
	for _, im := range f.Imports {
		p := strings.Trim(im.Path.Value, `"`)
		n := p[strings.LastIndex(p, "/")+1:]
		if im.Name != nil {
			n = im.Name.Name
		}
		if strings.HasPrefix(n, "v") && strings.Count(p, "/") > 1 { // .../echo/v4
			q := strings.TrimSuffix(p, "/"+n)
			n = q[strings.LastIndex(q, "/")+1:]
		}
		imported[n] = true
	}
	need := map[string]bool{}
	for _, id := range f.Unresolved {
		need[id.Name] = true
	}
	var pre []string
	if need["auth"] {
		need["User"] = true
	}
	for n := range need {
		if p, ok := docImports[n]; ok && !imported[n] {
			imports = append(imports, p)
		}
		if d, ok := docPreamble[n]; ok {
			pre = append(pre, d)
			if n == "e" && !imported["echo"] {
				imports = append(imports, docImports["echo"])
			}
			if n == "auth" && !imported["passport"] {
				imports = append(imports, docImports["passport"])
			}
		}
	}
	sort.Strings(pre)
	imports = slices.Compact(slices.Sorted(slices.Values(imports)))
	if len(pre) > 0 {
		return imports, "// preamble\n" + strings.Join(pre, "\n") + "\n\n"
	}
	return imports, ""
}

func writeImports(b *strings.Builder, imports []string) {
	if len(imports) == 0 {
		return
	}
	b.WriteString("import (\n")
	for _, p := range imports {
		fmt.Fprintf(b, "\t%q\n", p)
	}
	b.WriteString(")\n\n")
}

// declaredBy lists the variables a top-level statement of a body declares.
func declaredBy(st ast.Stmt) []string {
	var names []string
	switch st := st.(type) {
	case *ast.AssignStmt:
		if st.Tok == token.DEFINE {
			for _, l := range st.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
					names = append(names, id.Name)
				}
			}
		}
	case *ast.DeclStmt:
		if g, ok := st.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
			for _, sp := range g.Specs {
				for _, id := range sp.(*ast.ValueSpec).Names {
					if id.Name != "_" {
						names = append(names, id.Name)
					}
				}
			}
		}
	}
	return names
}

// programFile reports whether a whole-file block is one file of a guide's
// program: its first line is a comment naming the file ("// main.go ...").
// The program files of one Markdown file compile together as one package;
// a name with a directory ("// emaillink/emaillink.go") puts the file in
// that sub-package of the guide's program, so a guide can build a package
// and then use or test it. Every other block is a package of its own.
func programFile(s docSnippet) (string, bool) {
	first, _, _ := strings.Cut(s.src, "\n")
	name, ok := strings.CutPrefix(first, "// ")
	name, _, _ = strings.Cut(name, " ")
	name = strings.TrimSuffix(name, ":")
	if !ok || !strings.HasSuffix(name, ".go") || !filepath.IsLocal(name) || path.Clean(name) != name {
		return "", false
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "", s.src, parser.PackageClauseOnly); err != nil {
		return "", false
	}
	return name, true
}

// docFiles are the Markdown files whose Go blocks must compile.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"README.md"}, files...)
}

// TestDocSnippetsCompile builds every ```go block of README.md and
// docs/*.md, one package per block, in a temporary module that replaces
// this module with the checkout, then runs the test files of the guides'
// programs. A failure names the Markdown file and line.
func TestDocSnippetsCompile(t *testing.T) {
	t.Parallel() // runs the go command: nothing shared with other tests
	if testing.Short() {
		t.Skip("runs go build")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not installed: the guides' snippets are not compiled")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	snippets := docSnippets(t, docFiles(t))
	if len(snippets) < 50 {
		t.Fatalf("found %d Go blocks in the guides; want at least 50", len(snippets))
	}
	dir := t.TempDir()
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	gomod = bytes.Replace(gomod, []byte("module github.com/gopassport/passport"), []byte("module docsnippets"), 1)
	gomod = fmt.Appendf(gomod, "\nrequire github.com/gopassport/passport v0.0.0\n\nreplace github.com/gopassport/passport => %s\n", root)
	gosum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var failed []string
	write(filepath.Join(dir, "go.mod"), gomod)
	write(filepath.Join(dir, "go.sum"), gosum)
	tested := map[string]string{} // package directory (relative) -> its guide
	for i, s := range snippets {
		name := fmt.Sprintf("snippet%d", i)
		src, err := wrapSnippet(s, name)
		if err != nil {
			failed = append(failed, err.Error())
			continue
		}
		file := filepath.Join(name, "snippet.go")
		if f, ok := programFile(s); ok {
			// A file of a guide's program: with the others of its guide.
			file = filepath.Join("program_"+strings.NewReplacer("/", "_", ".", "_").Replace(s.file), filepath.FromSlash(f))
			if strings.HasSuffix(f, "_test.go") {
				tested["."+string(filepath.Separator)+filepath.Dir(file)] = s.file
			}
		}
		write(filepath.Join(dir, file), []byte(src))
	}
	run := func(args ...string) (string, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if out, err := run("build", "-o", os.DevNull, "./..."); err != nil {
		for _, l := range strings.Split(out, "\n") {
			if !strings.HasPrefix(l, "# ") {
				failed = append(failed, l)
			}
		}
		if len(failed) == 0 {
			t.Errorf("go build of the guides' Go blocks: %v\n%s", err, out)
		}
	}
	if len(failed) > 0 {
		t.Fatalf("the guides' Go blocks do not compile (file:line of the Markdown):\n%s", strings.Join(failed, "\n"))
	}
	// A guide's test files (// pkg/pkg_test.go) are compiled and run: the
	// test a guide shows passes.
	for _, pkg := range slices.Sorted(maps.Keys(tested)) {
		if out, err := run("test", "-count=1", pkg); err != nil {
			t.Errorf("go test of the test files of %s: %v\n%s", tested[pkg], err, out)
		}
	}
}

// TestProgramFile checks which first lines make a block a file of a
// guide's program, and that none can place a file outside it.
func TestProgramFile(t *testing.T) {
	t.Parallel() // runs the go command: nothing shared with other tests
	for _, tt := range []struct {
		name, src, want string
		ok              bool
	}{
		{"ok, a file of the program", "// main.go: the server.\npackage main\n", "main.go", true},
		{"ok, a file of a sub-package", "// emaillink/emaillink.go\npackage emaillink\n", "emaillink/emaillink.go", true},
		{"ok, a test file of a sub-package", "// emaillink/emaillink_test.go\npackage emaillink\n", "emaillink/emaillink_test.go", true},
		{"nok, outside the program", "// ../main.go\npackage main\n", "", false},
		{"nok, an absolute path", "// /tmp/main.go\npackage main\n", "", false},
		{"nok, an unclean path", "// ./main.go\npackage main\n", "", false},
		{"nok, not a Go file", "// main.txt\npackage main\n", "", false},
		{"nok, no package clause", "// main.go\nfunc main() {}\n", "", false},
		{"nok, a comment of another kind", "// Strategy as package strategy declares it.\npackage strategy\n", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := programFile(docSnippet{file: "docs/x.md", line: 1, src: tt.src})
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
