package strategy_test

import (
	"context"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy"
)

// catalogueConstants parses messages.go and returns the value of every
// exported Msg* constant, in declaration order, so that a constant added
// to the file and forgotten in Messages fails the test.
func catalogueConstants(t *testing.T) (names, values []string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "messages.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs, ok := spec.(*ast.ValueSpec)
			if !ok {
				continue
			}
			for i, n := range vs.Names {
				if !n.IsExported() || !strings.HasPrefix(n.Name, "Msg") {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s is not a string literal", n.Name)
					continue
				}
				names = append(names, n.Name)
				values = append(values, constant.StringVal(constant.MakeFromLiteral(lit.Value, lit.Kind, 0)))
			}
		}
	}
	return names, values
}

func TestMessagesListsTheCatalogue(t *testing.T) {
	names, values := catalogueConstants(t)
	if len(names) == 0 {
		t.Fatal("no Msg constants found in messages.go")
	}
	got := strategy.Messages()
	for i, v := range values {
		if !slices.Contains(got, v) {
			t.Errorf("Messages() misses %s (%q)", names[i], v)
		}
	}
	for _, m := range got {
		if !slices.Contains(values, m) {
			t.Errorf("Messages() holds %q, which is no Msg constant", m)
		}
	}
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m] {
			t.Errorf("Messages() holds %q twice", m)
		}
		seen[m] = true
	}
	t.Run("ok, a fresh slice each call", func(t *testing.T) {
		a := strategy.Messages()
		a[0] = "changed"
		if b := strategy.Messages(); b[0] == "changed" {
			t.Errorf("Messages()[0] = %q after the caller changed its slice", b[0])
		}
	})
	t.Run("ok, format IDs hold one %d", func(t *testing.T) {
		for _, m := range got {
			if n := strings.Count(m, "%"); n != 0 && (n != 1 || !strings.Contains(m, "%d")) {
				t.Errorf("%q: a format ID holds exactly one %%d", m)
			}
		}
	})
}

func TestTranslatorTranslate(t *testing.T) {
	fr := strategy.Translator(func(_ context.Context, m string) string {
		switch m {
		case strategy.MsgTooManyAttempts:
			return "Trop de tentatives. Réessayez plus tard."
		case strategy.MsgBack:
			return "" // a broken table
		}
		return m
	})
	tests := []struct {
		name string
		t    strategy.Translator
		msg  string
		want string
	}{
		{name: "ok, translated", t: fr, msg: strategy.MsgTooManyAttempts, want: "Trop de tentatives. Réessayez plus tard."},
		{name: "ok, no translation is the ID", t: fr, msg: strategy.MsgInvalidToken, want: strategy.MsgInvalidToken},
		{name: "ok, an empty translation is the ID", t: fr, msg: strategy.MsgBack, want: strategy.MsgBack},
		{name: "ok, nil is English", t: nil, msg: strategy.MsgTooManyAttempts, want: strategy.MsgTooManyAttempts},
		{name: "ok, empty stays empty", t: fr, msg: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.t.Translate(context.Background(), tt.msg); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
