package strategy_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gopassport/passport/strategy"
)

// A strategy is one function of the request: here a token in a header.
func ExampleFunc() {
	tokens := map[string]string{"s3cret": "ada"}
	s := strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
		tok := r.Header.Get("X-Token")
		if tok == "" {
			return strategy.Fail[string](`Token realm="api"`, 0, "Token required.").WithReason(strategy.ErrMissingCredentials), nil
		}
		user, ok := tokens[tok]
		if !ok {
			return strategy.Fail[string](`Token realm="api"`, 0, "Invalid token.").WithReason(strategy.ErrInvalidCredentials), nil
		}
		return strategy.Success(user, strategy.Info{}), nil
	})
	for _, tok := range []string{"", "wrong", "s3cret"} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tok != "" {
			r.Header.Set("X-Token", tok)
		}
		res, err := s.Authenticate(r)
		fmt.Println(res.Kind, res.FailStatus(), res.User, res.Info.Message, err)
	}
	// Output:
	// fail 401  Token required. <nil>
	// fail 401  Invalid token. <nil>
	// success 401 ada  <nil>
}

// VerifyFailure answers an app's sentinel errors alike in every strategy.
func ExampleVerifyFailure() {
	for _, err := range []error{strategy.ErrUserNotFound, strategy.ErrThrottled, fmt.Errorf("db down")} {
		status, _, ok := strategy.VerifyFailure(err)
		fmt.Println(status, ok)
	}
	// Output:
	// 0 true
	// 429 true
	// 0 false
}
