package strategytest

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/gopassport/passport/strategy"
)

// ConformanceCases are the strategy-specific requests of a [Conformance]
// run. All fields are optional, but a run without Bad or Good requests
// checks only hostile input.
type ConformanceCases struct {
	// Bad are requests with wrong or missing credentials: each must be a
	// fail (status 0 or 4xx) and never an error.
	Bad []Case
	// Good are requests with valid credentials: each must succeed.
	Good []Case
	// Hostile are extra garbage requests for this strategy, checked like
	// those of [HostileRequests]: any valid outcome and a nil error.
	Hostile []Case
	// Goroutines is how many goroutines send the requests at once in the
	// concurrency check. Optional; default 8.
	Goroutines int
}

// maxReports bounds the failures a conformance check reports one by one.
const maxReports = 20

// Conformance checks that a strategy keeps the contract of
// [strategy.Strategy] on any input. newStrategy builds a fresh strategy for
// each check (call t.Fatal in it if the strategy cannot be built). It runs
// these subtests:
//
//   - hostile: every request of [HostileRequests] and cases.Hostile gets a
//     well-formed outcome (see [Validate]) and a nil error, without a panic.
//   - bad: every cases.Bad request is a fail with status 0 or 4xx, never an
//     error.
//   - good: every cases.Good request succeeds.
//   - concurrent: the same requests sent from cases.Goroutines goroutines at
//     once get the same kinds of outcome. Run the tests with -race, which is
//     what catches the data races themselves.
//   - stable: nothing shared is changed by a request. On one strategy, the
//     good and bad requests are sent, then all the hostile ones, then the
//     good and bad requests again: the second outcomes must equal the first
//     (user, status, challenge, location, message, scopes, reason text,
//     headers; Info.Extra is not compared, so it may hold per-request data).
//     A strategy that counts failures (throttling) must be built by
//     newStrategy with limits high enough for this.
//
// In every check, the request the strategy saw must come back unchanged:
// method, URL, Host, RemoteAddr, RequestURI and every header. (Parsing the
// form, which fills r.Form, and reading the body are allowed.)
func Conformance[U any](t *testing.T, newStrategy func(t testing.TB) strategy.Strategy[U], cases ConformanceCases) {
	t.Helper()
	conformance(t, func(name string, f func(testing.TB)) {
		t.Run(name, func(t *testing.T) { f(t) })
	}, newStrategy, cases)
}

// expectation is what a conformance check accepts from a request.
type expectation int

const (
	anyOutcome  expectation = iota // hostile: any valid outcome, nil error
	wantFail                       // bad: a fail of status 0 or 4xx
	wantSuccess                    // good: a success
)

func (e expectation) String() string {
	switch e {
	case wantFail:
		return "fail (4xx)"
	case wantSuccess:
		return "success"
	default:
		return "an outcome and a nil error"
	}
}

// labelled is a case with what it must produce.
type labelled struct {
	Case
	want expectation
}

// conformance is [Conformance] with the subtest runner abstracted, so that
// the kit's own tests can run it against a recording testing.TB.
func conformance[U any](t testing.TB, run func(name string, f func(testing.TB)), newStrategy func(testing.TB) strategy.Strategy[U], cases ConformanceCases) {
	t.Helper()
	hostile := label(append(HostileRequests(), cases.Hostile...), anyOutcome)
	bad := label(cases.Bad, wantFail)
	good := label(cases.Good, wantSuccess)
	goroutines := cases.Goroutines
	if goroutines <= 0 {
		goroutines = 8
	}

	sequential := func(list []labelled) func(testing.TB) {
		return func(t testing.TB) {
			t.Helper()
			s := newStrategy(t)
			r := reporter{t: t}
			for _, c := range list {
				_, problem := check(s, c)
				r.report(problem)
			}
			r.done()
		}
	}
	run("hostile", sequential(hostile))
	run("bad", sequential(bad))
	run("good", sequential(good))

	run("concurrent", func(t testing.TB) {
		t.Helper()
		s := newStrategy(t)
		var (
			mu       sync.Mutex
			problems []string
			wg       sync.WaitGroup
		)
		for g := range goroutines {
			wg.Go(func() {
				var mine []string
				list := slices.Concat(good, bad)
				for i := g; i < len(hostile); i += goroutines {
					list = append(list, hostile[i])
				}
				for range 2 {
					for _, c := range list {
						if _, p := check(s, c); p != "" {
							mine = append(mine, fmt.Sprintf("goroutine %d: %s", g, p))
						}
					}
				}
				mu.Lock()
				problems = append(problems, mine...)
				mu.Unlock()
			})
		}
		wg.Wait()
		r := reporter{t: t}
		for _, p := range problems {
			r.report(p)
		}
		r.done()
	})

	run("stable", func(t testing.TB) {
		t.Helper()
		s := newStrategy(t)
		r := reporter{t: t}
		known := slices.Concat(good, bad)
		first := make([]Call[U], len(known))
		for i, c := range known {
			o, p := check(s, c)
			r.report(p)
			first[i] = o
		}
		for _, c := range hostile {
			check(s, c)
		}
		for i, c := range known {
			o, p := check(s, c)
			if p != "" {
				r.report(p + " (after the other requests)")
			} else if !sameOutcome(first[i], o) {
				r.report(fmt.Sprintf("%s: got %s after the other requests; want %s as at first", c.Name, o, first[i]))
			}
		}
		r.done()
	})
}

func label(cs []Case, want expectation) []labelled {
	out := make([]labelled, len(cs))
	for i, c := range cs {
		out[i] = labelled{Case: c, want: want}
	}
	return out
}

// snapshot is what a strategy must not change in the request it reads.
type snapshot struct {
	Method, URL, Host, RemoteAddr, RequestURI string
	Header                                    http.Header
}

func snap(r *http.Request) snapshot {
	return snapshot{
		Method: r.Method, URL: r.URL.String(), Host: r.Host, RemoteAddr: r.RemoteAddr,
		RequestURI: r.RequestURI, Header: r.Header.Clone(),
	}
}

// check runs one case against s and returns its outcome and what is wrong
// with it ("" when nothing is). It may run on any goroutine.
func check[U any](s strategy.Strategy[U], c labelled) (Call[U], string) {
	r := c.Request.Build()
	before := snap(r)
	o := invoke(s, r)
	switch {
	case o.Panicked:
		return o, fmt.Sprintf("%s: got %s; want %s\n%s", c.Name, o, c.want, o.Stack)
	case o.Err != nil || o.Result.Kind == strategy.KindNone:
		return o, fmt.Sprintf("%s: got %s; want %s", c.Name, o, c.want)
	}
	if err := Validate(o.Result); err != nil {
		return o, fmt.Sprintf("%s: got %s: %v", c.Name, o, err)
	}
	switch c.want {
	case wantFail:
		if o.Result.Kind != strategy.KindFail || o.Result.FailStatus() >= 500 {
			return o, fmt.Sprintf("%s: got %s; want %s", c.Name, o, c.want)
		}
	case wantSuccess:
		if o.Result.Kind != strategy.KindSuccess {
			return o, fmt.Sprintf("%s: got %s; want %s", c.Name, o, c.want)
		}
	}
	if after := snap(r); !reflect.DeepEqual(before, after) {
		return o, fmt.Sprintf("%s: the strategy changed the request: got %+v; want %+v", c.Name, after, before)
	}
	return o, ""
}

// sameOutcome compares two outcomes of the same request, ignoring
// Info.Extra and comparing reasons by their text.
func sameOutcome[U any](a, b Call[U]) bool {
	ra, rb := a.Result, b.Result
	return a.Panicked == b.Panicked &&
		(a.Err == nil) == (b.Err == nil) &&
		ra.Kind == rb.Kind &&
		reflect.DeepEqual(ra.User, rb.User) &&
		ra.Status == rb.Status &&
		ra.Challenge == rb.Challenge &&
		ra.Location == rb.Location &&
		ra.Info.Message == rb.Info.Message &&
		ra.Info.Type == rb.Info.Type &&
		slices.Equal(ra.Info.Scope, rb.Info.Scope) &&
		errText(ra.Reason) == errText(rb.Reason) &&
		reflect.DeepEqual(ra.Header, rb.Header)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// reporter reports the first maxReports problems one by one and counts the
// rest, so that a strategy that fails everything does not flood the log.
type reporter struct {
	t testing.TB
	n int
}

func (r *reporter) report(problem string) {
	if problem == "" {
		return
	}
	r.n++
	if r.n <= maxReports {
		r.t.Helper()
		r.t.Error(problem)
	}
}

func (r *reporter) done() {
	if r.n > maxReports {
		r.t.Helper()
		r.t.Errorf("and %d more problems", r.n-maxReports)
	}
}
