package strategytest

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy"
)

var errDB = errors.New("db down")

// returning is a strategy that always returns res and err.
func returning(res strategy.Result[string], err error) strategy.Strategy[string] {
	return strategy.Func[string](func(*http.Request) (strategy.Result[string], error) { return res, err })
}

func TestRunReportsWrongOutcomes(t *testing.T) {
	invalid := strategy.Fail[string](`Basic realm="x"`, 0, "Invalid credentials.").WithReason(strategy.ErrInvalidCredentials)
	tests := []struct {
		name      string
		strategy  strategy.Strategy[string]
		assert    func(tb testing.TB, o Call[string])
		want      string // the first message, exactly, or a prefix when it ends in "..."
		wantFatal bool
	}{
		{
			name:      "nok, no outcome",
			strategy:  returning(strategy.Result[string]{}, nil),
			assert:    func(tb testing.TB, o Call[string]) { o.Success(tb) },
			want:      "got no outcome (zero Result, nil error); want success",
			wantFatal: true,
		},
		{
			name:      "nok, no outcome but fields set",
			strategy:  returning(strategy.Result[string]{Status: 401}, nil),
			assert:    func(tb testing.TB, o Call[string]) { o.Fail(tb, 401) },
			want:      "got no outcome (Result of kind none, nil error); want fail (401)",
			wantFatal: true,
		},
		{
			name:      "nok, two outcomes, want fail",
			strategy:  returning(strategy.Fail[string]("", 0, "x"), errDB),
			assert:    func(tb testing.TB, o Call[string]) { o.Fail(tb, 401) },
			want:      `got two outcomes (fail (401 "x") and error ("db down")); want fail (401)`,
			wantFatal: true,
		},
		{
			name:      "nok, two outcomes, want error",
			strategy:  returning(strategy.Success("alice", strategy.Info{}), errDB),
			assert:    func(tb testing.TB, o Call[string]) { o.Error(tb) },
			want:      `got two outcomes (success (user "alice") and error ("db down")); want error`,
			wantFatal: true,
		},
		{
			name:      "nok, fail, want success",
			strategy:  returning(invalid, nil),
			assert:    func(tb testing.TB, o Call[string]) { o.Success(tb) },
			want:      `got fail (401 "Invalid credentials.", challenge "Basic realm=\"x\"", reason "strategy: invalid credentials"); want success`,
			wantFatal: true,
		},
		{
			name:      "nok, success, want fail",
			strategy:  returning(strategy.Success("alice", strategy.Info{}), nil),
			assert:    func(tb testing.TB, o Call[string]) { o.FailWithChallenge(tb, 401, "Basic") },
			want:      `got success (user "alice"); want fail (401, challenge "Basic")`,
			wantFatal: true,
		},
		{
			name:      "nok, pass, want redirect",
			strategy:  returning(strategy.Pass[string](), nil),
			assert:    func(tb testing.TB, o Call[string]) { o.Redirect(tb, "/login") },
			want:      `got pass; want redirect ("/login")`,
			wantFatal: true,
		},
		{
			name:      "nok, redirect, want pass",
			strategy:  returning(strategy.Redirect[string]("/login", 0), nil),
			assert:    func(tb testing.TB, o Call[string]) { o.Pass(tb) },
			want:      `got redirect (302 "/login"); want pass`,
			wantFatal: true,
		},
		{
			name:      "nok, error, want success",
			strategy:  returning(strategy.Result[string]{}, errDB),
			assert:    func(tb testing.TB, o Call[string]) { o.Success(tb) },
			want:      `got error ("db down"); want success`,
			wantFatal: true,
		},
		{
			name:      "nok, success, want error",
			strategy:  returning(strategy.Success("alice", strategy.Info{}), nil),
			assert:    func(tb testing.TB, o Call[string]) { o.Error(tb) },
			want:      `got success (user "alice"); want error`,
			wantFatal: true,
		},
		{
			name: "nok, panic",
			strategy: strategy.Func[string](func(*http.Request) (strategy.Result[string], error) {
				panic("boom")
			}),
			assert:    func(tb testing.TB, o Call[string]) { o.Success(tb) },
			want:      "strategytest: Authenticate panicked: boom\ngoroutine ...",
			wantFatal: true,
		},
		{
			name: "nok, panic with a nil map write",
			strategy: strategy.Func[string](func(*http.Request) (strategy.Result[string], error) {
				var m map[string]int
				m["x"]++
				return strategy.Pass[string](), nil
			}),
			assert:    func(tb testing.TB, o Call[string]) { o.Pass(tb) },
			want:      "strategytest: Authenticate panicked: assignment to entry in nil map...",
			wantFatal: true,
		},
		{
			name:     "nok, wrong user",
			strategy: returning(strategy.Success("alice", strategy.Info{}), nil),
			assert:   func(tb testing.TB, o Call[string]) { o.SuccessWith(tb, "bob") },
			want:     `got success (user "alice"); want success (user "bob")`,
		},
		{
			name:     "nok, wrong status",
			strategy: returning(strategy.Fail[string]("", 400, "Bad request."), nil),
			assert:   func(tb testing.TB, o Call[string]) { o.Fail(tb, 401) },
			want:     `got fail (400 "Bad request."); want fail (401)`,
		},
		{
			name:     "nok, wrong challenge",
			strategy: returning(invalid, nil),
			assert:   func(tb testing.TB, o Call[string]) { o.FailWithChallenge(tb, 401, `Basic realm="y"`) },
			want:     `got fail (401 "Invalid credentials.", challenge "Basic realm=\"x\"", reason "strategy: invalid credentials"); want fail (401, challenge "Basic realm=\"y\"")`,
		},
		{
			name:     "nok, wrong location",
			strategy: returning(strategy.Redirect[string]("/a", 303), nil),
			assert:   func(tb testing.TB, o Call[string]) { o.Redirect(tb, "/b") },
			want:     `got redirect (303 "/a"); want redirect ("/b")`,
		},
		{
			name:     "nok, fail with status 200",
			strategy: returning(strategy.Fail[string]("", 200, "x"), nil),
			assert:   func(tb testing.TB, o Call[string]) { o.Fail(tb, 200) },
			want:     `got fail (200 "x"): fail status 200 is not 0 or 4xx/5xx`,
		},
		{
			name:     "nok, redirect without location",
			strategy: returning(strategy.Redirect[string]("", 0), nil),
			assert:   func(tb testing.TB, o Call[string]) { o.Redirect(tb, "") },
			want:     `got redirect (302 ""): redirect without a location`,
		},
		{
			name:     "nok, challenge splitting the header",
			strategy: returning(strategy.Fail[string]("Basic\r\nSet-Cookie: x=y", 0, ""), nil),
			assert:   func(tb testing.TB, o Call[string]) { o.Fail(tb, 401) },
			want:     `got fail (401 "", challenge "Basic\r\nSet-Cookie: x=y"): challenge "Basic\r\nSet-Cookie: x=y" holds a control character`,
		},
		{
			name:     "nok, wrong reason",
			strategy: returning(invalid, nil),
			assert: func(tb testing.TB, o Call[string]) {
				o.Fail(tb, 401, WantReason(strategy.ErrMissingCredentials))
			},
			want: "got reason strategy: invalid credentials; want strategy: missing credentials (outcome fail ...",
		},
		{
			name:     "nok, wrong message",
			strategy: returning(invalid, nil),
			assert:   func(tb testing.TB, o Call[string]) { o.Fail(tb, 401, WantMessage("Nope.")) },
			want:     `got message "Invalid credentials."; want "Nope." (outcome fail ...`,
		},
		{
			name:     "nok, missing header",
			strategy: returning(invalid, nil),
			assert:   func(tb testing.TB, o Call[string]) { o.Fail(tb, 401, WantHeader("Retry-After", "60")) },
			want:     `got header Retry-After []; want "60" (outcome fail ...`,
		},
		{
			name:     "nok, wrong scope",
			strategy: returning(strategy.Success("alice", strategy.Info{Scope: []string{"read"}}), nil),
			assert:   func(tb testing.TB, o Call[string]) { o.Success(tb, WantScope("read", "write")) },
			want:     `got scope ["read"]; want ["read" "write"] (outcome success ...`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRequest("GET", "/").Build()
			f := runFake(t, func(tb testing.TB) {
				o := Run(tb, tt.strategy, r)
				tt.assert(tb, o)
			})
			if !f.Failed() {
				t.Fatalf("got no failure reported; want %q", tt.want)
			}
			first := f.msgs[0]
			if prefix, ok := strings.CutSuffix(tt.want, "..."); ok {
				if !strings.HasPrefix(first, prefix) {
					t.Errorf("got %q; want a message starting %q", first, prefix)
				}
			} else if first != tt.want {
				t.Errorf("got %q; want %q", first, tt.want)
			}
			if f.fatal != tt.wantFatal {
				t.Errorf("got fatal %v; want %v", f.fatal, tt.wantFatal)
			}
		})
	}
}

func TestRunAcceptsRightOutcomes(t *testing.T) {
	type user struct{ ID int }
	alice := &user{ID: 1}
	tests := []struct {
		name     string
		strategy strategy.Strategy[*user]
		assert   func(tb testing.TB, o Call[*user])
	}{
		{
			name: "ok, success",
			strategy: strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
				return strategy.Success(alice, strategy.Info{}), nil
			}),
			assert: func(tb testing.TB, o Call[*user]) {
				if got := o.Success(tb); got != alice {
					tb.Errorf("got %v; want %v", got, alice)
				}
			},
		},
		{
			name: "ok, success with an equal user and scopes",
			strategy: strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
				return strategy.Success(&user{ID: 1}, strategy.Info{Scope: []string{"read"}, Message: "Welcome."}), nil
			}),
			assert: func(tb testing.TB, o Call[*user]) {
				o.SuccessWith(tb, alice, WantScope("read"), WantMessage("Welcome."))
			},
		},
		{
			name: "ok, fail with status 0 read as 401",
			strategy: strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
				return strategy.Fail[*user]("Basic", 0, "").WithReason(strategy.ErrMissingCredentials), nil
			}),
			assert: func(tb testing.TB, o Call[*user]) {
				o.FailWithChallenge(tb, 401, "Basic", WantReason(strategy.ErrMissingCredentials))
			},
		},
		{
			name: "ok, fail with a header",
			strategy: strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
				return strategy.Fail[*user]("", 429, "Too many attempts.").WithHeader("Retry-After", "60"), nil
			}),
			assert: func(tb testing.TB, o Call[*user]) { o.Fail(tb, 429, WantHeader("retry-after", "60")) },
		},
		{
			name: "ok, redirect",
			strategy: strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
				return strategy.Redirect[*user]("https://idp.example/auth", 0), nil
			}),
			assert: func(tb testing.TB, o Call[*user]) {
				if got := o.Redirect(tb, "https://idp.example/auth").RedirectStatus(); got != 302 {
					tb.Errorf("got %d; want 302", got)
				}
			},
		},
		{
			name:     "ok, pass",
			strategy: strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) { return strategy.Pass[*user](), nil }),
			assert:   func(tb testing.TB, o Call[*user]) { o.Pass(tb) },
		},
		{
			name: "ok, error",
			strategy: strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
				return strategy.Result[*user]{}, errDB
			}),
			assert: func(tb testing.TB, o Call[*user]) {
				if err := o.Error(tb); !errors.Is(err, errDB) {
					tb.Errorf("got %v; want %v", err, errDB)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRequest("GET", "/").Build()
			f := runFake(t, func(tb testing.TB) { tt.assert(tb, Run(tb, tt.strategy, r)) })
			if f.Failed() {
				t.Errorf("got failures %q; want none", f.output())
			}
		})
	}
}

func TestRunNilStrategy(t *testing.T) {
	f := runFake(t, func(tb testing.TB) {
		Run[string](tb, nil, NewRequest("GET", "/").Build()).Pass(tb)
	})
	if !f.fatal || !strings.Contains(f.output(), "nil strategy") {
		t.Errorf("got %q; want a fatal report of the nil strategy", f.output())
	}
}

func TestFakeTBStopsOnFatal(t *testing.T) {
	reached := false
	f := runFake(t, func(tb testing.TB) {
		tb.Fatalf("stop %d", 1)
		reached = true
	})
	if reached {
		t.Error("got code after Fatalf run; want the goroutine stopped")
	}
	if got, want := f.output(), "stop 1"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestOutcomeString(t *testing.T) {
	type user struct{ Name string }
	tests := []struct {
		name string
		o    Call[*user]
		want string
	}{
		{"success of a pointer", Call[*user]{Result: strategy.Success(&user{Name: "a"}, strategy.Info{})}, `success (user &{Name:a})`},
		{"fail", Call[*user]{Result: strategy.Fail[*user]("", 403, "No.")}, `fail (403 "No.")`},
		{"redirect", Call[*user]{Result: strategy.Redirect[*user]("/x", 307)}, `redirect (307 "/x")`},
		{"pass", Call[*user]{Result: strategy.Pass[*user]()}, "pass"},
		{"panic", Call[*user]{Panicked: true, PanicValue: errDB}, "panic (db down)"},
		{"unknown kind", Call[*user]{Result: strategy.Result[*user]{Kind: 9}}, "unknown kind 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.o.String(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
