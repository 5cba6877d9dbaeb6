package strategytest

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy"
)

// Call is what one call of [strategy.Strategy.Authenticate] produced:
// its Result and error, or the panic it raised. Get one from [Run] and
// check it with exactly one of the assertion methods ([Call.Success],
// [Call.Fail], [Call.Redirect], [Call.Pass], [Call.Error] and
// their variants), each of which fails the test unless the strategy gave
// exactly that one outcome.
//
// An assertion that sees the wrong outcome, no outcome (a zero Result with a
// nil error), two outcomes (a Result together with an error) or a panic
// stops the test with t.Fatalf, reporting "got <outcome>; want <outcome>",
// for example:
//
//	got fail (401 "Invalid credentials.", challenge "Basic realm=\"api\""); want success
//
// A right outcome with a wrong detail (another user, status or location)
// is reported with t.Errorf, so the test goes on.
type Call[U any] struct {
	// Result is what the strategy returned.
	Result strategy.Result[U]
	// Err is the error the strategy returned.
	Err error
	// Panicked reports that Authenticate panicked; PanicValue is what it
	// panicked with and Stack the goroutine's stack at that moment.
	Panicked   bool
	PanicValue any
	Stack      []byte
}

// Run calls s.Authenticate(r) once and returns what happened. A panic is
// recovered and reported with t.Fatalf, with the panic value and stack;
// everything else is left to the assertion methods of [Call].
//
// Run is safe to call from parallel tests; the strategy must be too.
func Run[U any](t testing.TB, s strategy.Strategy[U], r *http.Request) Call[U] {
	t.Helper()
	o := invoke(s, r)
	if o.Panicked {
		t.Fatalf("strategytest: Authenticate panicked: %v\n%s", o.PanicValue, o.Stack)
	}
	return o
}

// invoke runs s.Authenticate(r) and turns a panic into an Call. It never
// touches a testing.TB, so it may run on any goroutine.
func invoke[U any](s strategy.Strategy[U], r *http.Request) (o Call[U]) {
	defer func() {
		if v := recover(); v != nil {
			o = Call[U]{Panicked: true, PanicValue: v, Stack: debug.Stack()}
		}
	}()
	if s == nil {
		panic("strategytest: nil strategy")
	}
	res, err := s.Authenticate(r)
	return Call[U]{Result: res, Err: err}
}

// None reports that the strategy gave no outcome: a Result of
// [strategy.KindNone] and a nil error.
func (o Call[U]) None() bool {
	return !o.Panicked && o.Err == nil && o.Result.Kind == strategy.KindNone
}

// Two reports that the strategy gave two outcomes: a non-zero Result
// together with a non-nil error. The contract wants one or the other.
func (o Call[U]) Two() bool {
	return !o.Panicked && o.Err != nil && !reflect.ValueOf(o.Result).IsZero()
}

// String describes the outcome as the failure messages do: `success (user
// "alice")`, `fail (401 "Invalid credentials.", challenge "Basic
// realm=\"api\"", reason "strategy: invalid credentials")`, `redirect (302
// "/login")`, `pass`, `error ("db down")`, `no outcome (zero Result, nil
// error)`, `two outcomes (fail (...) and error (...))` or `panic (...)`.
func (o Call[U]) String() string {
	switch {
	case o.Panicked:
		return fmt.Sprintf("panic (%v)", o.PanicValue)
	case o.Two():
		return fmt.Sprintf("two outcomes (%s and error (%q))", describe(o.Result), o.Err.Error())
	case o.Err != nil:
		return fmt.Sprintf("error (%q)", o.Err.Error())
	case o.Result.Kind == strategy.KindNone:
		if reflect.ValueOf(o.Result).IsZero() {
			return "no outcome (zero Result, nil error)"
		}
		return "no outcome (Result of kind none, nil error)"
	default:
		return describe(o.Result)
	}
}

// describe formats a Result that holds an outcome.
func describe[U any](r strategy.Result[U]) string {
	switch r.Kind {
	case strategy.KindSuccess:
		return fmt.Sprintf("success (user %s)", formatUser(r.User))
	case strategy.KindFail:
		var b strings.Builder
		fmt.Fprintf(&b, "fail (%d %q", r.FailStatus(), r.Info.Message)
		if r.Challenge != "" {
			fmt.Fprintf(&b, ", challenge %q", r.Challenge)
		}
		if r.Reason != nil {
			fmt.Fprintf(&b, ", reason %q", r.Reason.Error())
		}
		b.WriteString(")")
		return b.String()
	case strategy.KindRedirect:
		return fmt.Sprintf("redirect (%d %q)", r.RedirectStatus(), r.Location)
	case strategy.KindPass:
		return "pass"
	case strategy.KindNone:
		return "none"
	default:
		return fmt.Sprintf("unknown kind %d", r.Kind)
	}
}

// formatUser prints strings quoted and anything else with field names, so
// that a *User shows its fields rather than its address.
func formatUser(u any) string {
	if s, ok := u.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%+v", u)
}

// expect stops the test unless o is exactly one outcome of the given kind
// (KindNone standing for an error), then checks that the Result is well
// formed.
func (o Call[U]) expect(t testing.TB, kind strategy.Kind, want string) {
	t.Helper()
	var ok bool
	if kind == strategy.KindNone {
		ok = !o.Panicked && o.Err != nil && !o.Two()
	} else {
		ok = !o.Panicked && o.Err == nil && o.Result.Kind == kind
	}
	if !ok {
		t.Fatalf("got %s; want %s", o, want)
		return
	}
	if kind != strategy.KindNone {
		if err := Validate(o.Result); err != nil {
			t.Errorf("got %s: %v", o, err)
		}
	}
}

// Success checks that the strategy succeeded and returns the user, then
// applies the checks in opts.
func (o Call[U]) Success(t testing.TB, opts ...Option) U {
	t.Helper()
	o.expect(t, strategy.KindSuccess, "success")
	o.apply(t, opts)
	return o.Result.User
}

// SuccessWith checks that the strategy succeeded with want, compared with
// [reflect.DeepEqual] (which follows pointers), then applies the checks in
// opts. It returns the Result for further checks.
func (o Call[U]) SuccessWith(t testing.TB, want U, opts ...Option) strategy.Result[U] {
	t.Helper()
	o.expect(t, strategy.KindSuccess, fmt.Sprintf("success (user %s)", formatUser(want)))
	if !reflect.DeepEqual(o.Result.User, want) {
		t.Errorf("got success (user %s); want success (user %s)", formatUser(o.Result.User), formatUser(want))
	}
	o.apply(t, opts)
	return o.Result
}

// Fail checks that the strategy failed with wantStatus, where a Result
// status of 0 counts as 401, then applies the checks in opts. It returns
// the Result for further checks.
func (o Call[U]) Fail(t testing.TB, wantStatus int, opts ...Option) strategy.Result[U] {
	t.Helper()
	want := fmt.Sprintf("fail (%d)", wantStatus)
	o.expect(t, strategy.KindFail, want)
	if got := o.Result.FailStatus(); got != wantStatus {
		t.Errorf("got %s; want %s", o, want)
	}
	o.apply(t, opts)
	return o.Result
}

// FailWithChallenge is [Call.Fail] that also checks the challenge,
// exactly.
func (o Call[U]) FailWithChallenge(t testing.TB, wantStatus int, wantChallenge string, opts ...Option) strategy.Result[U] {
	t.Helper()
	want := fmt.Sprintf("fail (%d, challenge %q)", wantStatus, wantChallenge)
	o.expect(t, strategy.KindFail, want)
	if o.Result.FailStatus() != wantStatus || o.Result.Challenge != wantChallenge {
		t.Errorf("got %s; want %s", o, want)
	}
	o.apply(t, opts)
	return o.Result
}

// Redirect checks that the strategy redirected to wantLocation, exactly,
// then applies the checks in opts. It returns the Result, whose
// RedirectStatus the test may check.
func (o Call[U]) Redirect(t testing.TB, wantLocation string, opts ...Option) strategy.Result[U] {
	t.Helper()
	want := fmt.Sprintf("redirect (%q)", wantLocation)
	o.expect(t, strategy.KindRedirect, want)
	if o.Result.Location != wantLocation {
		t.Errorf("got %s; want %s", o, want)
	}
	o.apply(t, opts)
	return o.Result
}

// Pass checks that the strategy passed.
func (o Call[U]) Pass(t testing.TB) {
	t.Helper()
	o.expect(t, strategy.KindPass, "pass")
}

// Error checks that the strategy returned an error, and nothing else (a
// zero Result), and returns it.
func (o Call[U]) Error(t testing.TB) error {
	t.Helper()
	o.expect(t, strategy.KindNone, "error")
	return o.Err
}

func (o Call[U]) apply(t testing.TB, opts []Option) {
	t.Helper()
	for _, opt := range opts {
		if opt.check == nil {
			continue
		}
		if err := opt.check(o.Result.Info, o.Result.Reason, o.Result.Header); err != nil {
			t.Errorf("%v (outcome %s)", err, o)
		}
	}
}

// Option is an extra check of an assertion method of [Call], on the
// parts of a Result that do not depend on the user type. Build one with
// [WantMessage], [WantReason], [WantHeader] or [WantScope].
type Option struct {
	check func(info strategy.Info, reason error, header http.Header) error
}

// WantMessage checks Info.Message, exactly.
func WantMessage(msg string) Option {
	return Option{check: func(info strategy.Info, _ error, _ http.Header) error {
		if info.Message != msg {
			return fmt.Errorf("got message %q; want %q", info.Message, msg)
		}
		return nil
	}}
}

// WantReason checks that Reason matches target with [errors.Is].
func WantReason(target error) Option {
	return Option{check: func(_ strategy.Info, reason error, _ http.Header) error {
		if !errors.Is(reason, target) {
			return fmt.Errorf("got reason %v; want %v", reason, target)
		}
		return nil
	}}
}

// WantHeader checks that the Result's Header holds value among the values
// of key.
func WantHeader(key, value string) Option {
	return Option{check: func(_ strategy.Info, _ error, h http.Header) error {
		if got := h.Values(key); !slices.Contains(got, value) {
			return fmt.Errorf("got header %s %q; want %q", http.CanonicalHeaderKey(key), got, value)
		}
		return nil
	}}
}

// WantScope checks Info.Scope, in order.
func WantScope(scope ...string) Option {
	return Option{check: func(info strategy.Info, _ error, _ http.Header) error {
		if !slices.Equal(info.Scope, scope) {
			return fmt.Errorf("got scope %q; want %q", info.Scope, scope)
		}
		return nil
	}}
}

// Validate reports what is wrong with a Result as an outcome: no outcome,
// an unknown kind, a fail whose status is not 0 or 4xx/5xx, a redirect
// without a location or whose status is not 0 or 3xx, a challenge that
// holds a control character (which would split the WWW-Authenticate
// header). It returns nil for a well-formed Result.
func Validate[U any](r strategy.Result[U]) error {
	switch r.Kind {
	case strategy.KindSuccess, strategy.KindPass:
	case strategy.KindFail:
		if r.Status != 0 && (r.Status < 400 || r.Status > 599) {
			return fmt.Errorf("fail status %d is not 0 or 4xx/5xx", r.Status)
		}
	case strategy.KindRedirect:
		if r.Location == "" {
			return errors.New("redirect without a location")
		}
		if r.Status != 0 && (r.Status < 300 || r.Status > 399) {
			return fmt.Errorf("redirect status %d is not 0 or 3xx", r.Status)
		}
	case strategy.KindNone:
		return errors.New("no outcome")
	default:
		return fmt.Errorf("unknown kind %d", r.Kind)
	}
	if strings.ContainsFunc(r.Challenge, isCTL) {
		return fmt.Errorf("challenge %q holds a control character", r.Challenge)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			if strings.ContainsFunc(k, isCTL) || strings.ContainsFunc(v, isCTL) {
				return fmt.Errorf("header %q: %q holds a control character", k, v)
			}
		}
	}
	return nil
}

// isCTL reports an ASCII control character other than horizontal tab.
func isCTL(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }
