package anonymous_test

import (
	"net/http"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/anonymous"
	"github.com/gopassport/passport/strategy/strategytest"
)

type user struct {
	ID    string
	Guest bool
}

func TestAuthenticate(t *testing.T) {
	guest := &user{ID: "guest", Guest: true}
	s := anonymous.New(guest)
	tests := []struct {
		name string
		req  *strategytest.RequestBuilder
	}{
		{"ok, empty request", strategytest.NewRequest("GET", "/")},
		{"ok, with credentials", strategytest.NewRequest("GET", "/").Header("Authorization", "Basic YTpi")},
		{"ok, with a form", strategytest.NewRequest("POST", "/").Form(map[string][]string{"username": {"alice"}})},
		{"ok, with a user logged in", strategytest.NewRequest("GET", "/").WithContext(strategytest.LoggedInAs(&user{ID: "alice"}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strategytest.Run(t, s, tt.req.Build()).Success(t)
			if got != guest {
				t.Errorf("got %p; want the guest %p", got, guest)
			}
		})
	}
	if got := s.Guest(); got != guest {
		t.Errorf("got guest %p; want %p", got, guest)
	}
	if got := s.Name(); got != "anonymous" {
		t.Errorf("got name %q; want %q", got, "anonymous")
	}
}

func TestZeroGuest(t *testing.T) {
	s := anonymous.New("")
	strategytest.Run(t, s, strategytest.NewRequest("GET", "/").Build()).SuccessWith(t, "")
}

// TestLast shows why anonymous goes last: the first success wins, so in
// front it would shadow the strategy that checks credentials.
func TestLast(t *testing.T) {
	token := strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
		switch r.Header.Get("X-Token") {
		case "":
			return strategy.Fail[string]("Token", 0, "").WithReason(strategy.ErrMissingCredentials), nil
		case "s3cret":
			return strategy.Success("alice", strategy.Info{}), nil
		default:
			return strategy.Fail[string]("Token", 0, "").WithReason(strategy.ErrInvalidCredentials), nil
		}
	})
	guest := anonymous.New("guest")
	// first is the user of the first strategy that succeeds.
	first := func(t *testing.T, r *strategytest.RequestBuilder, list ...strategy.Strategy[string]) string {
		t.Helper()
		for _, s := range list {
			if o := strategytest.Run(t, s, r.Build()); o.Result.Kind == strategy.KindSuccess {
				return o.Result.User
			}
		}
		return ""
	}
	tests := []struct {
		name  string
		req   *strategytest.RequestBuilder
		list  []strategy.Strategy[string]
		wantU string
	}{
		{"ok, last: a token is checked", strategytest.NewRequest("GET", "/").Header("X-Token", "s3cret"), []strategy.Strategy[string]{token, guest}, "alice"},
		{"ok, last: no token is a guest", strategytest.NewRequest("GET", "/"), []strategy.Strategy[string]{token, guest}, "guest"},
		{"ok, last: a wrong token is a guest too", strategytest.NewRequest("GET", "/").Header("X-Token", "nope"), []strategy.Strategy[string]{token, guest}, "guest"},
		{"nok, first: the token is never checked", strategytest.NewRequest("GET", "/").Header("X-Token", "s3cret"), []strategy.Strategy[string]{guest, token}, "guest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := first(t, tt.req, tt.list...); got != tt.wantU {
				t.Errorf("got %q; want %q", got, tt.wantU)
			}
		})
	}
}

func TestConformance(t *testing.T) {
	strategytest.Conformance(t,
		func(testing.TB) strategy.Strategy[user] { return anonymous.New(user{ID: "guest", Guest: true}) },
		strategytest.ConformanceCases{
			Good: []strategytest.Case{
				{Name: "empty", Request: strategytest.NewRequest("GET", "/")},
				{Name: "with credentials", Request: strategytest.NewRequest("GET", "/").Header("Authorization", "Basic YTpi")},
			},
		})
}

func BenchmarkAuthenticate(b *testing.B) {
	s := anonymous.New(&user{ID: "guest"})
	r := strategytest.NewRequest("GET", "/").Build()
	b.ReportAllocs()
	for b.Loop() {
		if res, err := s.Authenticate(r); err != nil || res.Kind != strategy.KindSuccess {
			b.Fatalf("got %v, %v; want success", res.Kind, err)
		}
	}
}
