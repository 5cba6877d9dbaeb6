package passport_test

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/throttle"
)

// messageSinks finds, in one file's syntax, the places where library code
// hands a text to an end user without taking it from the catalogue: a
// string literal (alone or inside an expression) as the message of
// strategy.Fail, strategy.WithUserMessage, echo.NewHTTPError or a session's
// AddFlash; assigned to an Info's Message or set in an Info or
// FailMessages literal; given to a translate function; or a constant
// declared with a catalogue text (a copy that would drift from it).
func messageSinks(fset *token.FileSet, f *ast.File, catalogue []string) []string {
	var found []string
	report := func(n ast.Node, what string) {
		found = append(found, fset.Position(n.Pos()).String()+": "+what)
	}
	hasLiteral := func(e ast.Expr) bool {
		lit := false
		ast.Inspect(e, func(n ast.Node) bool {
			if b, ok := n.(*ast.BasicLit); ok && b.Kind == token.STRING {
				lit = true
			}
			return !lit
		})
		return lit
	}
	// funcName is "pkg.Name" or "Name" (a method's or a local function's),
	// type arguments dropped.
	funcName := func(e ast.Expr) string {
		switch x := e.(type) {
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		}
		switch x := e.(type) {
		case *ast.Ident:
			return x.Name
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok {
				return id.Name + "." + x.Sel.Name
			}
			return x.Sel.Name
		}
		return ""
	}
	typeName := func(e ast.Expr) string {
		if e == nil {
			return ""
		}
		n := funcName(e)
		if i := strings.LastIndexByte(n, '.'); i >= 0 {
			n = n[i+1:]
		}
		return n
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			name := funcName(x.Fun)
			arg := -1
			switch {
			case name == "strategy.Fail" || (f.Name.Name == "strategy" && name == "Fail"):
				arg = 2
			case name == "strategy.WithUserMessage" || (f.Name.Name == "strategy" && name == "WithUserMessage"):
				arg = 1
			case name == "echo.NewHTTPError", strings.HasSuffix(name, "AddFlash"):
				arg = 1
			case strings.EqualFold(name, "translate") || strings.HasSuffix(name, ".Translate"):
				arg = 1
			}
			if arg >= 0 && arg < len(x.Args) && hasLiteral(x.Args[arg]) {
				report(x, "a literal message passed to "+name)
			}
		case *ast.AssignStmt:
			for i, lhs := range x.Lhs {
				sel, ok := lhs.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Message" || i >= len(x.Rhs) {
					continue
				}
				if in, ok := sel.X.(*ast.SelectorExpr); ok && in.Sel.Name == "Info" && hasLiteral(x.Rhs[i]) {
					report(x, "a literal assigned to Info.Message")
				}
			}
		case *ast.CompositeLit:
			switch typeName(x.Type) {
			case "Info", "FailMessages":
				for _, el := range x.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && hasLiteral(kv.Value) {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name != "Type" && k.Name != "Scope" && k.Name != "Extra" {
							report(kv, "a literal "+k.Name+" in a "+typeName(x.Type)+" literal")
						}
					}
				}
			}
		case *ast.ValueSpec:
			for _, v := range x.Values {
				if b, ok := v.(*ast.BasicLit); ok && b.Kind == token.STRING {
					if s, err := strconv.Unquote(b.Value); err == nil && slices.Contains(catalogue, s) {
						report(b, "a copy of the catalogue text "+b.Value)
					}
				}
			}
		}
		return true
	})
	return found
}

// TestMessagesComeFromTheCatalogue keeps every user-facing text of the
// library in strategy's catalogue, so that an app's Translator sees them
// all: it walks the module's non-test Go files outside examples/ and
// testdata.
func TestMessagesComeFromTheCatalogue(t *testing.T) {
	catalogue := strategy.Messages()
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (d.Name() == "examples" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.ToSlash(path) == "strategy/messages.go" {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		for _, msg := range messageSinks(fset, f, catalogue) {
			t.Error(msg + "; use a constant of strategy's catalogue (strategy/messages.go)")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("walked %d files; want the whole module", files)
	}
}

// TestMessageSinks checks the checker: each of these must be caught.
func TestMessageSinks(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want int
	}{
		{name: "nok, literal fail message", src: `return strategy.Fail[U]("", 401, "Nope.")`, want: 1},
		{name: "nok, message built at fail time", src: `return strategy.Fail[U]("", 0, "Could not sign in with "+label+".")`, want: 1},
		{name: "nok, literal Info.Message", src: `res.Info.Message = "Welcome!"`, want: 1},
		{name: "nok, literal in an Info", src: `_ = strategy.Info{Message: "Hi.", Type: "info"}`, want: 1},
		{name: "nok, literal FailMessages", src: `_ = strategy.FailMessages{Invalid: "Bad."}`, want: 1},
		{name: "nok, literal flash", src: `sess.AddFlash("error", "Please log in.")`, want: 1},
		{name: "nok, literal HTTP error", src: `return echo.NewHTTPError(403, "Go away.")`, want: 1},
		{name: "nok, literal user message", src: `return strategy.WithUserMessage(err, "Locked.")`, want: 1},
		{name: "nok, literal label", src: `_ = translate(ctx, "Back")`, want: 1},
		{name: "ok, catalogue constants", src: `return strategy.Fail[U](s.challenge, 401, strategy.MsgInvalidToken)`, want: 0},
		{name: "ok, configured message", src: `sess.AddFlash("error", a.translate.Translate(ctx, cfg.flash))`, want: 0},
		{name: "ok, status text", src: `return echo.NewHTTPError(401, http.StatusText(401))`, want: 0},
		{name: "ok, flash kind", src: `_ = strategy.Info{Type: "error"}`, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "package x\nfunc f() {\n" + tt.src + "\n}\n"
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "x.go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := messageSinks(fset, f, strategy.Messages()); len(got) != tt.want {
				t.Errorf("got %q; want %d findings", got, tt.want)
			}
		})
	}
	t.Run("nok, a copy of a catalogue text", func(t *testing.T) {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "x.go", "package x\nconst msgInvalid = \"Invalid API key.\"\n", 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := messageSinks(fset, f, strategy.Messages()); len(got) != 1 {
			t.Errorf("got %q; want 1 finding", got)
		}
	})
}

// french is a map-based Translator that records every message it is given,
// so that a test can tell that nothing is translated twice.
type french struct {
	mu   sync.Mutex
	seen []string
}

var frenchTexts = map[string]string{
	strategy.MsgIncorrectCredentials: "Identifiants incorrects.",
	strategy.MsgTooManyAttempts:      "Trop de tentatives. Réessayez plus tard.",
	strategy.MsgTryAgainInMinutes:    "Réessayez dans %d minutes.",
	strategy.MsgBack:                 "Retour",
	strategy.MsgPleaseLogIn:          "Connectez-vous pour voir cette page.",
	"Too Many Requests":              "Trop de requêtes",
	"Welcome back!":                  "Bon retour !",
	"Slow down, please.":             "Doucement, s'il vous plaît.",
}

func (fr *french) translate(_ context.Context, m string) string {
	fr.mu.Lock()
	fr.seen = append(fr.seen, m)
	fr.mu.Unlock()
	if s, ok := frenchTexts[m]; ok {
		return s
	}
	return m
}

// retranslated lists the French texts that were given to the Translator:
// a message translated a second time.
func (fr *french) retranslated() []string {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	var out []string
	for _, m := range fr.seen {
		for _, v := range frenchTexts {
			if m == v {
				out = append(out, m)
			}
		}
	}
	return out
}

// frenchApp is a login app with the local strategy (one wrong password
// per account, then a 5-minute lock), the library's error handler, and
// one Translator for both, as the guide says.
func frenchApp(t *testing.T, throttledMessage string) (*echo.Echo, *french) {
	t.Helper()
	fr := &french{}
	key, _ := session.GenerateKey()
	store, _ := session.NewCookieStore(key)
	mgr, _ := session.New(session.Config{Store: store})
	auth, err := passport.New(passport.Config[string]{
		Sessions:     mgr,
		Serialize:    func(u string) (string, error) { return u, nil },
		Deserialize:  func(_ context.Context, k string) (string, error) { return k, nil },
		DisableAudit: true,
		Translate:    fr.translate,
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := local.New(local.Config[string]{
		Verify: func(_ context.Context, name, pw string) (string, error) {
			if pw == "right" {
				return name, nil
			}
			return "", strategy.ErrInvalidCredentials
		},
		Throttle:         throttle.NewMemory(throttle.MemoryConfig{AccountLimit: 1, BaseDelay: 5 * time.Minute, MaxDelay: 15 * time.Minute}),
		ThrottledMessage: throttledMessage,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.Use("local", s); err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = passport.ErrorHandler(passport.ErrorHandlerConfig{Translate: fr.translate})
	e.Use(auth.Session())
	e.POST("/login", auth.Authenticate("local", passport.SuccessRedirect("/"), passport.SuccessFlash("Welcome back!"),
		passport.FailureRedirect("/login"), passport.FailureFlash("")).Handler())
	e.GET("/flashes", func(c echo.Context) error {
		sess, _ := passport.SessionFrom(c)
		return c.JSON(http.StatusOK, map[string][]string{"error": sess.Flashes("error"), "success": sess.Flashes("success")})
	})
	e.GET("/secret", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.RequireLoginWithConfig(passport.RequireLoginConfig{LoginURL: "/login"}))
	return e, fr
}

func TestTranslateFlashesAndErrorPage(t *testing.T) {
	post := func(e *echo.Echo, username, password, accept string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"username": {username}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	flashes := func(t *testing.T, e *echo.Echo, rec *httptest.ResponseRecorder) map[string][]string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/flashes", nil)
		c := cookieOf(t, rec, "passport")
		if c == nil {
			t.Fatal("no session cookie")
		}
		req.AddCookie(c)
		got := httptest.NewRecorder()
		e.ServeHTTP(got, req)
		var m map[string][]string
		if err := json.Unmarshal(got.Body.Bytes(), &m); err != nil {
			t.Fatalf("flashes %q: %v", got.Body, err)
		}
		return m
	}

	t.Run("nok, the failure flash is the strategy's message in French", func(t *testing.T) {
		e, fr := frenchApp(t, "")
		rec := post(e, "ada", "wrong", browserAccept)
		if rec.Code != http.StatusFound {
			t.Fatalf("got %d; want 302", rec.Code)
		}
		if got := flashes(t, e, rec)["error"]; !slices.Equal(got, []string{"Identifiants incorrects."}) {
			t.Errorf("error flashes: got %q; want the French message", got)
		}
		if re := fr.retranslated(); len(re) > 0 {
			t.Errorf("translated twice: %q", re)
		}
	})
	t.Run("ok, the route's own success flash is an ID of the app's catalogue", func(t *testing.T) {
		e, _ := frenchApp(t, "")
		rec := post(e, "ada", "right", browserAccept)
		if got := flashes(t, e, rec)["success"]; !slices.Equal(got, []string{"Bon retour !"}) {
			t.Errorf("success flashes: got %q; want %q", got, "Bon retour !")
		}
	})
	t.Run("ok, RequireLogin's flash is translated", func(t *testing.T) {
		e, _ := frenchApp(t, "")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/secret", nil))
		if rec.Code != http.StatusFound {
			t.Fatalf("got %d; want 302", rec.Code)
		}
		if got := flashes(t, e, rec)["error"]; !slices.Equal(got, []string{"Connectez-vous pour voir cette page."}) {
			t.Errorf("error flashes: got %q", got)
		}
	})
	t.Run("nok, the 429 page is French for a browser", func(t *testing.T) {
		e, fr := frenchApp(t, "")
		post(e, "bea", "wrong", browserAccept)
		rec := post(e, "bea", "wrong", browserAccept)
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "300" {
			t.Fatalf("got %d, Retry-After %q; want 429, 300", rec.Code, rec.Header().Get("Retry-After"))
		}
		body := rec.Body.String()
		for _, want := range []string{"429 Trop de requêtes", "Trop de tentatives. Réessayez plus tard.", "Réessayez dans 5 minutes.", ">Retour<"} {
			if !strings.Contains(body, want) {
				t.Errorf("body %q; want %q", body, want)
			}
		}
		for _, english := range []string{strategy.MsgTooManyAttempts, "Try again in", ">Back<"} {
			if strings.Contains(body, english) {
				t.Errorf("body %q still holds %q", body, english)
			}
		}
		if re := fr.retranslated(); len(re) > 0 {
			t.Errorf("translated twice: %q", re)
		}
	})
	t.Run("nok, the 429 JSON error is French", func(t *testing.T) {
		e, _ := frenchApp(t, "")
		post(e, "cy", "wrong", "application/json")
		rec := post(e, "cy", "wrong", "application/json")
		var got struct {
			Error      string `json:"error"`
			RetryAfter int    `json:"retry_after"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("body %q: %v", rec.Body, err)
		}
		if got.Error != "Trop de tentatives. Réessayez plus tard." || got.RetryAfter != 300 {
			t.Errorf("got %+v; want the French message and retry_after 300", got)
		}
	})
	t.Run("nok, ThrottledMessage is the app's ID, translated", func(t *testing.T) {
		e, _ := frenchApp(t, "Slow down, please.")
		post(e, "dee", "wrong", "application/json")
		rec := post(e, "dee", "wrong", "application/json")
		if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), `"error":"Doucement, s'il vous plaît."`) {
			t.Errorf("got %d %q; want 429 with the French ThrottledMessage", rec.Code, rec.Body)
		}
	})
}
