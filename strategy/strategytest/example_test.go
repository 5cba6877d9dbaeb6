package strategytest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/strategytest"
)

func ExampleNewRequest() {
	r := strategytest.NewRequest("POST", "/sessions/logon?next=%2Fhome").
		Form(url.Values{"username": {"alice"}, "password": {"s3cret"}}).
		Header("Accept", "text/html").
		Cookie(&http.Cookie{Name: "session", Value: "abc"}).
		RemoteAddr("203.0.113.7:5555").
		Build()

	if err := r.ParseForm(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Method, r.URL.Path, r.Host)
	fmt.Println(r.PostForm.Get("username"), r.Form.Get("next"))
	fmt.Println(r.Header.Get("Content-Type"))
	fmt.Println(r.Header.Get("Cookie"))
	fmt.Println(strategy.ClientIP(r))
	// Output:
	// POST /sessions/logon example.com
	// alice /home
	// application/x-www-form-urlencoded
	// session=abc
	// 203.0.113.7
}

func ExampleNewRequest_loggedIn() {
	// A strategy that links a new identity to the account already logged
	// in reads it with strategy.CurrentUser.
	r := strategytest.NewRequest("GET", "/auth/github/callback").
		WithContext(strategytest.LoggedInAs("alice")).
		Build()

	user, ok, err := strategy.CurrentUser[string](r.Context())
	fmt.Println(user, ok, err)
	// Output: alice true <nil>
}

// printTB stands in for the *testing.T of a real test: it prints what the
// test would report.
type printTB struct{ testing.TB }

func (printTB) Helper()                           {}
func (printTB) Errorf(format string, args ...any) { fmt.Printf("Errorf: "+format+"\n", args...) }
func (printTB) Fatalf(format string, args ...any) { fmt.Printf("Fatalf: "+format+"\n", args...) }

func ExampleRun() {
	// In a test, t is the *testing.T.
	var t testing.TB = printTB{}

	tokens := strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
		switch r.Header.Get("X-Token") {
		case "":
			return strategy.Fail[string]("Token", 0, "Token required.").WithReason(strategy.ErrMissingCredentials), nil
		case "s3cret":
			return strategy.Success("alice", strategy.Info{}), nil
		default:
			return strategy.Fail[string]("Token", 0, "Invalid token.").WithReason(strategy.ErrInvalidCredentials), nil
		}
	})

	// Right outcomes report nothing.
	r := strategytest.NewRequest("GET", "/").Header("X-Token", "s3cret").Build()
	user := strategytest.Run(t, tokens, r).Success(t)
	fmt.Println("user:", user)

	r = strategytest.NewRequest("GET", "/").Build()
	strategytest.Run(t, tokens, r).FailWithChallenge(t, 401, "Token",
		strategytest.WantReason(strategy.ErrMissingCredentials))

	// A wrong outcome is reported with what happened and what was wanted.
	r = strategytest.NewRequest("GET", "/").Header("X-Token", "wrong").Build()
	strategytest.Run(t, tokens, r).Success(t)
	// Output:
	// user: alice
	// Fatalf: got fail (401 "Invalid token.", challenge "Token", reason "strategy: invalid credentials"); want success
}

func ExampleConformance() {
	// In a test file:
	//
	//	func TestConformance(t *testing.T) {
	//		strategytest.Conformance(t, newStrategy, strategytest.ConformanceCases{
	//			Good: []strategytest.Case{{Name: "known token", Request: strategytest.NewRequest("GET", "/").Header("X-Token", "s3cret")}},
	//			Bad:  []strategytest.Case{{Name: "wrong token", Request: strategytest.NewRequest("GET", "/").Header("X-Token", "nope")}},
	//		})
	//	}
	//
	// The hostile requests it sends are also available on their own:
	cases := strategytest.HostileRequests()
	fmt.Println(cases[0].Name)
	fmt.Println(len(cases) > 200)
	// Output:
	// empty GET
	// true
}
