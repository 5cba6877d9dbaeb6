package strategytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gopassport/passport/strategy"
)

// tokenStrategy is a well-behaved strategy: a token in X-Token, looked up
// in a map it never changes.
type tokenStrategy struct{ tokens map[string]string }

func (s tokenStrategy) Authenticate(r *http.Request) (strategy.Result[string], error) {
	values := r.Header.Values("X-Token")
	switch {
	case len(values) == 0 || values[0] == "":
		return strategy.Fail[string]("Token", 0, "Token required.").WithReason(strategy.ErrMissingCredentials), nil
	case len(values) > 1 || len(values[0]) > 256:
		return strategy.Fail[string]("Token", 400, "Malformed token.").WithReason(strategy.ErrMalformedCredentials), nil
	}
	user, ok := s.tokens[values[0]]
	if !ok {
		return strategy.Fail[string]("Token", 0, "Invalid token.").WithReason(strategy.ErrInvalidCredentials), nil
	}
	return strategy.Success(user, strategy.Info{}), nil
}

func newToken(testing.TB) strategy.Strategy[string] {
	return tokenStrategy{tokens: map[string]string{"s3cret": "alice"}}
}

func tokenCases() ConformanceCases {
	return ConformanceCases{
		Good: []Case{{Name: "known token", Request: NewRequest("GET", "/").Header("X-Token", "s3cret")}},
		Bad: []Case{
			{Name: "unknown token", Request: NewRequest("GET", "/").Header("X-Token", "nope")},
			{Name: "no token", Request: NewRequest("GET", "/")},
		},
	}
}

func TestConformancePassesAWellBehavedStrategy(t *testing.T) {
	Conformance(t, newToken, tokenCases())
}

func TestConformanceCatchesBrokenStrategies(t *testing.T) {
	good := tokenStrategy{tokens: map[string]string{"s3cret": "alice"}}
	tests := []struct {
		name     string
		strategy func() strategy.Strategy[string]
		subtest  string // the subtest that must fail
		want     string // a part of its first message
	}{
		{
			name: "nok, panics on a large header",
			strategy: func() strategy.Strategy[string] {
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					if len(r.Header.Get("Authorization")) > 1<<19 {
						panic("header too large")
					}
					return good.Authenticate(r)
				})
			},
			subtest: "hostile",
			want:    `1 MiB Authorization Basic: got panic (header too large); want an outcome and a nil error`,
		},
		{
			name: "nok, error on a body that does not decode",
			strategy: func() strategy.Strategy[string] {
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					if r.Header.Get("Content-Type") == "application/json" {
						var v map[string]any
						if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
							return strategy.Result[string]{}, fmt.Errorf("decode: %w", err)
						}
					}
					return good.Authenticate(r)
				})
			},
			subtest: "hostile",
			want:    `: got error ("decode: `,
		},
		{
			name: "nok, no outcome on an empty request",
			strategy: func() strategy.Strategy[string] {
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					if len(r.Header) == 0 {
						return strategy.Result[string]{}, nil
					}
					return good.Authenticate(r)
				})
			},
			subtest: "hostile",
			want:    `empty GET: got no outcome (zero Result, nil error); want an outcome and a nil error`,
		},
		{
			name: "nok, two outcomes on a repeated header",
			strategy: func() strategy.Strategy[string] {
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					if len(r.Header.Values("Authorization")) > 1 {
						return strategy.Fail[string]("", 400, ""), errors.New("repeated")
					}
					return good.Authenticate(r)
				})
			},
			subtest: "hostile",
			want:    `100 Authorization headers: got two outcomes (fail (400 "") and error ("repeated"))`,
		},
		{
			name: "nok, malformed fail",
			strategy: func() strategy.Strategy[string] {
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					return strategy.Fail[string]("", 200, "OK?"), nil
				})
			},
			subtest: "hostile",
			want:    `fail status 200 is not 0 or 4xx/5xx`,
		},
		{
			name: "nok, error for a wrong token",
			strategy: func() strategy.Strategy[string] {
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					if v := r.Header.Get("X-Token"); v != "" && v != "s3cret" {
						return strategy.Result[string]{}, strategy.ErrInvalidCredentials
					}
					return good.Authenticate(r)
				})
			},
			subtest: "bad",
			want:    `unknown token: got error ("strategy: invalid credentials"); want fail (4xx)`,
		},
		{
			name: "nok, pass for a wrong token",
			strategy: func() strategy.Strategy[string] {
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					if v := r.Header.Get("X-Token"); v != "s3cret" {
						return strategy.Pass[string](), nil
					}
					return good.Authenticate(r)
				})
			},
			subtest: "bad",
			want:    `unknown token: got pass; want fail (4xx)`,
		},
		{
			name: "nok, 500 fail for a wrong token",
			strategy: func() strategy.Strategy[string] {
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					return strategy.Fail[string]("", 500, "Oops."), nil
				})
			},
			subtest: "bad",
			want:    `unknown token: got fail (500 "Oops."); want fail (4xx)`,
		},
		{
			name: "nok, the good token fails",
			strategy: func() strategy.Strategy[string] {
				return tokenStrategy{tokens: map[string]string{"other": "bob"}}
			},
			subtest: "good",
			want:    `known token: got fail (401 "Invalid token.", challenge "Token", reason "strategy: invalid credentials"); want success`,
		},
		{
			name: "nok, changes the request's headers",
			strategy: func() strategy.Strategy[string] {
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					res, err := good.Authenticate(r)
					r.Header.Del("X-Token")
					return res, err
				})
			},
			subtest: "good",
			want:    `known token: the strategy changed the request`,
		},
		{
			name: "nok, changes the request's URL",
			strategy: func() strategy.Strategy[string] {
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					r.URL.RawQuery = ""
					return good.Authenticate(r)
				})
			},
			subtest: "hostile",
			want:    `the strategy changed the request`,
		},
		{
			name: "nok, locks everyone out after many requests",
			strategy: func() strategy.Strategy[string] {
				var calls atomic.Int64
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					if calls.Add(1) > 100 {
						return strategy.Fail[string]("Token", 429, "Locked.").WithReason(strategy.ErrThrottled), nil
					}
					return good.Authenticate(r)
				})
			},
			subtest: "stable",
			want:    `known token: got fail (429 "Locked.", challenge "Token", reason "strategy: too many attempts"); want success (after the other requests)`,
		},
		{
			name: "nok, a message that changes with shared state",
			strategy: func() strategy.Strategy[string] {
				var fails atomic.Int64
				return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
					res, err := good.Authenticate(r)
					if res.Kind == strategy.KindFail {
						res.Info.Message = fmt.Sprintf("Failure number %d.", fails.Add(1))
					}
					return res, err
				})
			},
			subtest: "stable",
			want:    `unknown token: got fail (401 "Failure number `,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subs := fakeConformance(t, func(testing.TB) strategy.Strategy[string] { return tt.strategy() }, tokenCases())
			f, ok := subs[tt.subtest]
			if !ok {
				t.Fatalf("got no subtest %q; want it run", tt.subtest)
			}
			if !f.Failed() {
				t.Fatalf("got subtest %q passing; want it to report %q", tt.subtest, tt.want)
			}
			if out := f.output(); !strings.Contains(out, tt.want) {
				t.Errorf("got %q; want a report containing %q", firstLines(out, 3), tt.want)
			}
		})
	}
}

func TestConformanceReportsAreBounded(t *testing.T) {
	subs := fakeConformance(t, func(testing.TB) strategy.Strategy[string] {
		return strategy.Func[string](func(*http.Request) (strategy.Result[string], error) {
			return strategy.Result[string]{}, errDB
		})
	}, ConformanceCases{})
	f := subs["hostile"]
	if n := len(f.msgs); n != maxReports+1 {
		t.Errorf("got %d messages; want %d", n, maxReports+1)
	}
	if last := f.msgs[len(f.msgs)-1]; !strings.HasPrefix(last, "and ") || !strings.HasSuffix(last, " more problems") {
		t.Errorf("got %q; want a count of the problems left out", last)
	}
	for _, name := range []string{"hostile", "bad", "good", "concurrent", "stable"} {
		if _, ok := subs[name]; !ok {
			t.Errorf("got no subtest %q; want it run", name)
		}
	}
	if subs["concurrent"] == nil || !subs["concurrent"].Failed() {
		t.Error("got the concurrent subtest passing; want it to report the errors too")
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
