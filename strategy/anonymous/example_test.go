package anonymous_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/anonymous"
)

func ExampleNew() {
	type User struct {
		Name  string
		Guest bool
	}
	guest := &User{Name: "guest", Guest: true}
	s := anonymous.New(guest)

	res, err := s.Authenticate(httptest.NewRequest(http.MethodGet, "/articles", nil))
	fmt.Println(res.Kind, res.User.Name, res.User.Guest, err)
	fmt.Println(res.User == s.Guest())
	// Output:
	// success guest true <nil>
	// true
}

func ExampleNew_last() {
	// A route that tries a token first and lets everyone else in as a
	// guest: anonymous comes last, since the first success wins.
	token := strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
		if r.Header.Get("X-Token") == "s3cret" {
			return strategy.Success("alice", strategy.Info{}), nil
		}
		return strategy.Fail[string]("Token", 0, "Token required."), nil
	})
	route := []strategy.Strategy[string]{token, anonymous.New("guest")}

	serve := func(r *http.Request) string {
		for _, s := range route {
			if res, err := s.Authenticate(r); err == nil && res.Kind == strategy.KindSuccess {
				return res.User
			}
		}
		return ""
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	fmt.Println(serve(r))
	r.Header.Set("X-Token", "s3cret")
	fmt.Println(serve(r))
	// Output:
	// guest
	// alice
}
