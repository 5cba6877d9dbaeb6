package strategy_test

import (
	"context"
	"errors"
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

// A verify callback says why it refuses somebody, in words for the user;
// the error still matches the sentinel the strategy branches on.
func ExampleWithUserMessage() {
	verify := func(_ context.Context, username string) (string, error) {
		switch username {
		case "ada":
			return "ada", nil
		case "bob":
			return "", strategy.WithUserMessage(
				fmt.Errorf("myapp: %s is suspended: %w", username, strategy.ErrInvalidCredentials),
				"Your account is suspended. Contact support to restore it.")
		}
		return "", strategy.ErrUserNotFound
	}
	_, err := verify(context.Background(), "bob")
	msg, ok := strategy.UserMessage(err)
	fmt.Println(errors.Is(err, strategy.ErrInvalidCredentials), err)
	fmt.Println(msg, ok)
	// Output:
	// true myapp: bob is suspended: strategy: invalid credentials
	// Your account is suspended. Contact support to restore it. true
}

// A strategy shows the message of its verify callback's refusal in place
// of its own generic one; the status and reason stay its own.
func ExampleUserMessage() {
	verify := func(_ context.Context, key string) (string, error) {
		if key == "revoked" {
			return "", strategy.WithUserMessage(strategy.ErrInvalidCredentials, "This key was revoked. Create a new one.")
		}
		return "", strategy.ErrUserNotFound
	}
	s := strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
		user, err := verify(r.Context(), r.Header.Get("X-Key"))
		if err == nil {
			return strategy.Success(user, strategy.Info{}), nil
		}
		status, reason, ok := strategy.VerifyFailure(err)
		if !ok {
			return strategy.Result[string]{}, fmt.Errorf("mykey: verify: %w", err)
		}
		msg := "Invalid key."
		if m, ok := strategy.UserMessage(err); ok {
			msg = m
		}
		return strategy.Fail[string](`Key realm="api"`, status, msg).WithReason(reason), nil
	})
	for _, key := range []string{"revoked", "unknown"} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("X-Key", key)
		res, _ := s.Authenticate(r)
		fmt.Printf("%d %q\n", res.FailStatus(), res.Info.Message)
	}
	// Output:
	// 401 "This key was revoked. Create a new one."
	// 401 "Invalid key."
}
