package strategytest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gopassport/passport/strategy"
)

// fakeTB is a testing.TB that records failures instead of failing the real
// test, so that the kit's own tests can check what the kit reports. Like
// package testing, its Fatal methods stop the calling goroutine with
// runtime.Goexit: run the code under test with runFake.
type fakeTB struct {
	testing.TB // the real test, for Name, Cleanup, TempDir and the like

	mu     sync.Mutex
	failed bool
	fatal  bool
	msgs   []string
}

func (f *fakeTB) record(fail, fatal bool, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = f.failed || fail
	f.fatal = f.fatal || fatal
	f.msgs = append(f.msgs, msg)
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Log(args ...any) { f.record(false, false, fmt.Sprint(args...)) }

func (f *fakeTB) Logf(format string, args ...any) {
	f.record(false, false, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Error(args ...any) { f.record(true, false, fmt.Sprint(args...)) }

func (f *fakeTB) Errorf(format string, args ...any) {
	f.record(true, false, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fail() { f.record(true, false, "Fail") }

func (f *fakeTB) FailNow() {
	f.record(true, true, "FailNow")
	runtime.Goexit()
}

func (f *fakeTB) Fatal(args ...any) {
	f.record(true, true, fmt.Sprint(args...))
	runtime.Goexit()
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.record(true, true, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (f *fakeTB) Skip(args ...any) {
	f.record(false, true, "Skip")
	runtime.Goexit()
}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.record(false, true, "Skip")
	runtime.Goexit()
}

func (f *fakeTB) SkipNow() {
	f.record(false, true, "Skip")
	runtime.Goexit()
}

func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

// output is everything recorded, one message a line.
func (f *fakeTB) output() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.msgs, "\n")
}

// runFake runs fn with a fresh fakeTB on its own goroutine, as package
// testing runs a test, and returns the fakeTB once fn returned or called a
// Fatal method.
func runFake(t *testing.T, fn func(tb testing.TB)) *fakeTB {
	t.Helper()
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

// fakeConformance runs the conformance suite with one fakeTB per subtest
// and returns them by subtest name.
func fakeConformance[U any](t *testing.T, newStrategy func(testing.TB) strategy.Strategy[U], cases ConformanceCases) map[string]*fakeTB {
	t.Helper()
	subs := make(map[string]*fakeTB)
	top := runFake(t, func(tb testing.TB) {
		conformance(tb, func(name string, f func(testing.TB)) {
			subs[name] = runFake(t, f)
		}, newStrategy, cases)
	})
	if top.Failed() {
		t.Fatalf("the suite itself failed: %s", top.output())
	}
	return subs
}
