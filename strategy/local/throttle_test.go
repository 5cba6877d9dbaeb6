package local_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/throttle"
)

// fakeClock is a settable clock for MemoryThrottleConfig.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// throttled is a login server under test: a strategy with a MemoryThrottle
// on a fake clock.
type throttled struct {
	t     *testing.T
	v     *verifier
	s     *local.Strategy[string]
	clock *fakeClock
}

func newThrottled(t *testing.T, cfg throttle.MemoryConfig) *throttled {
	t.Helper()
	clock := newFakeClock()
	cfg.Now = clock.Now
	v := newVerifier()
	for i := range 30 {
		v.users[fmt.Sprintf("user%d", i)] = "pw"
	}
	s := newStrategy(t, local.Config[string]{Verify: v.verify, Throttle: throttle.NewMemory(cfg)})
	return &throttled{t: t, v: v, s: s, clock: clock}
}

// login posts a form from ip and returns the result.
func (th *throttled) login(ip, username, password string) strategy.Result[string] {
	th.t.Helper()
	r := formRequest("username=" + username + "&password=" + password)
	r.RemoteAddr = ip + ":41000"
	res, err := th.s.Authenticate(r)
	if err != nil {
		th.t.Fatalf("Authenticate: unexpected error %v", err)
	}
	return res
}

// want checks a result's kind, status and Retry-After ("" for none).
func want(t *testing.T, step string, res strategy.Result[string], kind strategy.Kind, status int, retryAfter string) {
	t.Helper()
	if res.Kind != kind {
		t.Fatalf("%s: kind: got %q; want %q (%+v)", step, res.Kind, kind, res)
	}
	if kind != strategy.KindFail {
		return
	}
	if got := res.FailStatus(); got != status {
		t.Fatalf("%s: status: got %d; want %d", step, got, status)
	}
	if got := res.Header.Get("Retry-After"); got != retryAfter {
		t.Fatalf("%s: Retry-After: got %q; want %q", step, got, retryAfter)
	}
	if status == http.StatusTooManyRequests {
		if !errors.Is(res.Reason, strategy.ErrThrottled) {
			t.Fatalf("%s: reason: got %v; want %v", step, res.Reason, strategy.ErrThrottled)
		}
		if got, w := res.Info.Message, strategy.MsgTooManyAttempts; got != w {
			t.Fatalf("%s: message: got %q; want %q", step, got, w)
		}
	}
}

func TestThrottledMessage(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want string
	}{
		{name: "ok, default", want: "Too many attempts. Try again later."},
		{name: "ok, configured", msg: "Too many tries. Wait a little.", want: "Too many tries. Wait a little."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier()
			s := newStrategy(t, local.Config[string]{
				Verify:           v.verify,
				Throttle:         throttle.NewMemory(throttle.MemoryConfig{AccountLimit: 1}),
				ThrottledMessage: tt.msg,
			})
			var res strategy.Result[string]
			for range 2 {
				r := formRequest("username=alice&password=wrong")
				r.RemoteAddr = "192.0.2.1:41000"
				var err error
				if res, err = s.Authenticate(r); err != nil {
					t.Fatal(err)
				}
			}
			if res.FailStatus() != http.StatusTooManyRequests {
				t.Fatalf("status: got %d; want 429", res.FailStatus())
			}
			if res.Info.Message != tt.want {
				t.Errorf("message: got %q; want %q", res.Info.Message, tt.want)
			}
		})
	}
}

func TestThrottleAccount(t *testing.T) {
	const ip = "192.0.2.1"

	t.Run("nok, 11th wrong attempt is refused", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{})
		for i := range 10 {
			want(t, fmt.Sprintf("attempt %d", i+1), th.login(ip, "alice", "wrong"), strategy.KindFail, http.StatusUnauthorized, "")
		}
		want(t, "attempt 11", th.login(ip, "alice", "wrong"), strategy.KindFail, http.StatusTooManyRequests, "1")
		if got := th.v.calls.Load(); got != 10 {
			t.Errorf("Verify calls: got %d; want 10", got)
		}
	})

	t.Run("nok, right password while locked gets the same answer", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{})
		for range 10 {
			th.login(ip, "alice", "wrong")
		}
		wrong := th.login(ip, "alice", "wrong")
		right := th.login(ip, "alice", "s3cret")
		want(t, "right password", right, strategy.KindFail, http.StatusTooManyRequests, "1")
		if right.Info.Message != wrong.Info.Message || right.FailStatus() != wrong.FailStatus() ||
			right.Header.Get("Retry-After") != wrong.Header.Get("Retry-After") || right.Reason != wrong.Reason {
			t.Errorf("right password: got %+v; want the same as a wrong one %+v", right, wrong)
		}
		if got := th.v.calls.Load(); got != 10 {
			t.Errorf("Verify calls: got %d; want 10", got)
		}
	})

	t.Run("ok, lock expires after the delay", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{})
		for range 10 {
			th.login(ip, "alice", "wrong")
		}
		th.clock.Advance(999 * time.Millisecond)
		want(t, "before the end", th.login(ip, "alice", "s3cret"), strategy.KindFail, http.StatusTooManyRequests, "1")
		th.clock.Advance(time.Millisecond)
		want(t, "after the end", th.login(ip, "alice", "s3cret"), strategy.KindSuccess, 0, "")
	})

	t.Run("nok, delays double and are capped", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{MaxDelay: 10 * time.Second})
		for range 10 {
			th.login(ip, "alice", "wrong")
		}
		for _, d := range []string{"1", "2", "4", "8", "10", "10"} {
			want(t, "locked for "+d, th.login(ip, "alice", "wrong"), strategy.KindFail, http.StatusTooManyRequests, d)
			th.clock.Advance(10 * time.Second)
			// One attempt is allowed each time a lock ends.
			want(t, "after "+d, th.login(ip, "alice", "wrong"), strategy.KindFail, http.StatusUnauthorized, "")
		}
	})

	t.Run("ok, success resets the account", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{})
		for range 9 {
			th.login(ip, "alice", "wrong")
		}
		want(t, "right password", th.login(ip, "alice", "s3cret"), strategy.KindSuccess, 0, "")
		for i := range 10 {
			want(t, fmt.Sprintf("wrong %d after success", i+1), th.login(ip, "alice", "wrong"), strategy.KindFail, http.StatusUnauthorized, "")
		}
		want(t, "11th after success", th.login(ip, "alice", "wrong"), strategy.KindFail, http.StatusTooManyRequests, "1")
	})

	t.Run("ok, failures are forgotten after the window", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{})
		for range 9 {
			th.login(ip, "alice", "wrong")
		}
		th.clock.Advance(throttle.DefaultWindow)
		for i := range 10 {
			want(t, fmt.Sprintf("wrong %d in a new window", i+1), th.login(ip, "alice", "wrong"), strategy.KindFail, http.StatusUnauthorized, "")
		}
		want(t, "11th in the new window", th.login(ip, "alice", "wrong"), strategy.KindFail, http.StatusTooManyRequests, "1")
	})

	t.Run("nok, a lock is remembered for a window after it ends", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{})
		for range 10 {
			th.login(ip, "alice", "wrong")
		}
		th.clock.Advance(throttle.DefaultWindow - time.Second)
		// The first series started a window ago, but the lock ended less
		// than a window ago: one attempt, then a longer lock.
		want(t, "probe", th.login(ip, "alice", "wrong"), strategy.KindFail, http.StatusUnauthorized, "")
		want(t, "after the probe", th.login(ip, "alice", "wrong"), strategy.KindFail, http.StatusTooManyRequests, "2")
		th.clock.Advance(throttle.DefaultWindow + 2*time.Second)
		for i := range 10 {
			want(t, fmt.Sprintf("wrong %d after a quiet window", i+1), th.login(ip, "alice", "wrong"), strategy.KindFail, http.StatusUnauthorized, "")
		}
	})

	t.Run("ok, usernames are counted normalised", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{})
		for i := range 10 {
			name := []string{"alice", "Alice", "+ALICE+", "aLiCe"}[i%4]
			th.login(ip, name, "wrong")
		}
		want(t, "alice", th.login(ip, "alice", "s3cret"), strategy.KindFail, http.StatusTooManyRequests, "1")
	})

	t.Run("ok, other accounts are not locked", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{})
		for range 11 {
			th.login(ip, "alice", "wrong")
		}
		want(t, "bob from the same address", th.login(ip, "bob", "hunter2"), strategy.KindSuccess, 0, "")
	})

	t.Run("nok, a locked account is locked from every address", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{})
		for i := range 10 {
			th.login(fmt.Sprintf("198.51.100.%d", i), "alice", "wrong")
		}
		want(t, "alice from a new address", th.login("203.0.113.9", "alice", "s3cret"), strategy.KindFail, http.StatusTooManyRequests, "1")
	})
}

func TestThrottleIP(t *testing.T) {
	const ip = "192.0.2.1"

	t.Run("nok, 101st failure from one address is refused", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{})
		// 100 failures over 20 accounts, 5 each: no account is locked.
		for i := range 100 {
			res := th.login(ip, fmt.Sprintf("user%d", i%20), "wrong")
			want(t, fmt.Sprintf("failure %d", i+1), res, strategy.KindFail, http.StatusUnauthorized, "")
		}
		want(t, "a fresh account", th.login(ip, "user25", "pw"), strategy.KindFail, http.StatusTooManyRequests, "1")
		want(t, "from another address", th.login("192.0.2.2", "user25", "pw"), strategy.KindSuccess, 0, "")
	})

	t.Run("ok, the address limit is far above the account limit", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{})
		for i := range 25 {
			th.login(ip, "alice", "wrong")
			th.clock.Advance(time.Duration(i) * time.Second)
		}
		want(t, "bob", th.login(ip, "bob", "hunter2"), strategy.KindSuccess, 0, "")
	})

	t.Run("nok, success does not reset the address", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{IPLimit: 3})
		th.login(ip, "user1", "wrong")
		th.login(ip, "user2", "wrong")
		want(t, "success", th.login(ip, "alice", "s3cret"), strategy.KindSuccess, 0, "")
		want(t, "third failure", th.login(ip, "user3", "wrong"), strategy.KindFail, http.StatusUnauthorized, "")
		want(t, "after three", th.login(ip, "bob", "hunter2"), strategy.KindFail, http.StatusTooManyRequests, "1")
	})

	t.Run("nok, IPv6 addresses count per /64", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{IPLimit: 3})
		for i := range 3 {
			th.login(fmt.Sprintf("[2001:db8:1:2::%x]", i+1), fmt.Sprintf("user%d", i), "wrong")
		}
		want(t, "same /64", th.login("[2001:db8:1:2:ffff::1]", "bob", "hunter2"), strategy.KindFail, http.StatusTooManyRequests, "1")
		want(t, "other /64", th.login("[2001:db8:1:3::1]", "bob", "hunter2"), strategy.KindSuccess, 0, "")
	})

	t.Run("ok, the address comes from the router", func(t *testing.T) {
		th := newThrottled(t, throttle.MemoryConfig{IPLimit: 2})
		for i := range 2 {
			r := formRequest(fmt.Sprintf("username=user%d&password=wrong", i))
			r = r.WithContext(strategy.WithClientIP(r.Context(), "203.0.113.7"))
			if _, err := th.s.Authenticate(r); err != nil {
				t.Fatal(err)
			}
		}
		r := formRequest("username=bob&password=hunter2")
		r.RemoteAddr = "203.0.113.7:5000"
		res, err := th.s.Authenticate(r)
		if err != nil {
			t.Fatal(err)
		}
		want(t, "same client address", res, strategy.KindFail, http.StatusTooManyRequests, "1")
	})
}

func TestThrottleVerifyFaultNotCounted(t *testing.T) {
	th := newThrottled(t, throttle.MemoryConfig{})
	th.v.fault = true
	for range 20 {
		r := formRequest("username=alice&password=wrong")
		if _, err := th.s.Authenticate(r); !errors.Is(err, errDatabase) {
			t.Fatalf("error: got %v; want %v", err, errDatabase)
		}
	}
	th.v.fault = false
	want(t, "after faults", th.login("192.0.2.1", "alice", "s3cret"), strategy.KindSuccess, 0, "")
}

func TestThrottleBadRequestsNotCounted(t *testing.T) {
	th := newThrottled(t, throttle.MemoryConfig{})
	for range 20 {
		th.login("192.0.2.1", "alice", "")
	}
	want(t, "after bad requests", th.login("192.0.2.1", "alice", "s3cret"), strategy.KindSuccess, 0, "")
}

// TestThrottleConcurrentAttempts checks that attempts in flight count
// against the failures left, so a burst cannot overrun the limit.
func TestThrottleConcurrentAttempts(t *testing.T) {
	clock := newFakeClock()
	th := throttle.NewMemory(throttle.MemoryConfig{AccountLimit: 2, Now: clock.Now})
	entered := make(chan struct{})
	release := make(chan struct{})
	verify := func(ctx context.Context, username, password string) (string, error) {
		if password == "block" {
			entered <- struct{}{}
			<-release
		}
		return "", strategy.ErrInvalidCredentials
	}
	s := newStrategy(t, local.Config[string]{Verify: verify, Throttle: th})
	login := func(password string) strategy.Result[string] {
		res, err := s.Authenticate(formRequest("username=alice&password=" + password))
		if err != nil {
			t.Errorf("Authenticate: %v", err)
		}
		return res
	}

	want(t, "first failure", login("wrong"), strategy.KindFail, http.StatusUnauthorized, "")
	done := make(chan strategy.Result[string])
	go func() { done <- login("block") }()
	<-entered
	// One failure left, and one attempt in flight: no room for another.
	want(t, "concurrent attempt", login("wrong"), strategy.KindFail, http.StatusTooManyRequests, "1")
	close(release)
	want(t, "blocked attempt", <-done, strategy.KindFail, http.StatusUnauthorized, "")
	want(t, "after the limit", login("wrong"), strategy.KindFail, http.StatusTooManyRequests, "1")
}

// faultyThrottle fails on Allow or on Done.
type faultyThrottle struct {
	allowErr, doneErr error
	outcomes          []throttle.Verdict
}

func (f *faultyThrottle) Allow(context.Context, throttle.Attempt) (time.Duration, error) {
	return 0, f.allowErr
}

func (f *faultyThrottle) Done(_ context.Context, _ throttle.Attempt, o throttle.Verdict) error {
	f.outcomes = append(f.outcomes, o)
	return f.doneErr
}

func TestThrottleFaults(t *testing.T) {
	errStore := errors.New("store down")
	tests := []struct {
		name     string
		throttle *faultyThrottle
		password string
		wantErr  bool
		wantDone []throttle.Verdict
	}{
		{name: "nok, Allow fails", throttle: &faultyThrottle{allowErr: errStore}, password: "s3cret", wantErr: true},
		{name: "nok, Done fails after a success", throttle: &faultyThrottle{doneErr: errStore}, password: "s3cret", wantErr: true, wantDone: []throttle.Verdict{throttle.VerdictSuccess}},
		{name: "nok, Done fails after a failure", throttle: &faultyThrottle{doneErr: errStore}, password: "wrong", wantErr: true, wantDone: []throttle.Verdict{throttle.VerdictFailure}},
		{name: "ok, outcome success", throttle: &faultyThrottle{}, password: "s3cret", wantDone: []throttle.Verdict{throttle.VerdictSuccess}},
		{name: "ok, outcome failure", throttle: &faultyThrottle{}, password: "wrong", wantDone: []throttle.Verdict{throttle.VerdictFailure}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier()
			s := newStrategy(t, local.Config[string]{Verify: v.verify, Throttle: tt.throttle})
			res, err := s.Authenticate(formRequest("username=alice&password=" + tt.password))
			if tt.wantErr {
				if !errors.Is(err, errStore) {
					t.Fatalf("error: got %v; want %v", err, errStore)
				}
				if res.Kind != strategy.KindNone {
					t.Errorf("kind: got %q; want %q", res.Kind, strategy.KindNone)
				}
			} else if err != nil {
				t.Fatalf("error: got %v; want nil", err)
			}
			if fmt.Sprint(tt.throttle.outcomes) != fmt.Sprint(tt.wantDone) {
				t.Errorf("outcomes: got %v; want %v", tt.throttle.outcomes, tt.wantDone)
			}
		})
	}

	t.Run("ok, a panicking Verify reports aborted", func(t *testing.T) {
		ft := &faultyThrottle{}
		verify := func(context.Context, string, string) (string, error) { panic("boom") }
		s := newStrategy(t, local.Config[string]{Verify: verify, Throttle: ft})
		func() {
			defer func() { _ = recover() }()
			_, _ = s.Authenticate(formRequest("username=alice&password=x"))
		}()
		if fmt.Sprint(ft.outcomes) != fmt.Sprint([]throttle.Verdict{throttle.VerdictAborted}) {
			t.Errorf("outcomes: got %v; want [aborted]", ft.outcomes)
		}
	})
}

func TestMemoryThrottle(t *testing.T) {
	ctx := context.Background()

	t.Run("ok, entries expire", func(t *testing.T) {
		clock := newFakeClock()
		mt := throttle.NewMemory(throttle.MemoryConfig{Now: clock.Now})
		for i := range 5 {
			a := throttle.Attempt{Username: fmt.Sprintf("u%d", i), IP: "192.0.2.1"}
			if _, err := mt.Allow(ctx, a); err != nil {
				t.Fatal(err)
			}
			if err := mt.Done(ctx, a, throttle.VerdictFailure); err != nil {
				t.Fatal(err)
			}
		}
		if got := mt.Len(); got != 6 {
			t.Fatalf("Len: got %d; want 6", got)
		}
		clock.Advance(throttle.DefaultWindow)
		if _, err := mt.Allow(ctx, throttle.Attempt{Username: "x"}); err != nil {
			t.Fatal(err)
		}
		if err := mt.Done(ctx, throttle.Attempt{Username: "x"}, throttle.VerdictSuccess); err != nil {
			t.Fatal(err)
		}
		if got := mt.Len(); got != 0 {
			t.Errorf("Len after the window: got %d; want 0", got)
		}
	})

	t.Run("ok, successes leave nothing behind", func(t *testing.T) {
		mt := throttle.NewMemory(throttle.MemoryConfig{})
		for i := range 50 {
			a := throttle.Attempt{Username: fmt.Sprintf("u%d", i), IP: "192.0.2.1"}
			if _, err := mt.Allow(ctx, a); err != nil {
				t.Fatal(err)
			}
			if err := mt.Done(ctx, a, throttle.VerdictSuccess); err != nil {
				t.Fatal(err)
			}
		}
		if got := mt.Len(); got != 0 {
			t.Errorf("Len: got %d; want 0", got)
		}
	})

	t.Run("ok, the table is bounded and keeps locked entries", func(t *testing.T) {
		clock := newFakeClock()
		mt := throttle.NewMemory(throttle.MemoryConfig{AccountLimit: 2, MaxEntries: 6, Now: clock.Now})
		victim := throttle.Attempt{Username: "victim"}
		for range 2 {
			if _, err := mt.Allow(ctx, victim); err != nil {
				t.Fatal(err)
			}
			if err := mt.Done(ctx, victim, throttle.VerdictFailure); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 200 {
			a := throttle.Attempt{Username: fmt.Sprintf("flood%d", i), IP: fmt.Sprintf("198.51.100.%d", i%250)}
			if wait, err := mt.Allow(ctx, a); err != nil || wait > 0 {
				t.Fatalf("Allow %d: got %v, %v; want allowed", i, wait, err)
			}
			if err := mt.Done(ctx, a, throttle.VerdictFailure); err != nil {
				t.Fatal(err)
			}
			if got := mt.Len(); got > 6 {
				t.Fatalf("Len: got %d; want at most 6", got)
			}
		}
		wait, err := mt.Allow(ctx, victim)
		if err != nil {
			t.Fatal(err)
		}
		if wait != time.Second {
			t.Errorf("victim wait: got %v; want %v", wait, time.Second)
		}
	})

	t.Run("ok, an attempt never reported is dropped after the window", func(t *testing.T) {
		clock := newFakeClock()
		mt := throttle.NewMemory(throttle.MemoryConfig{AccountLimit: 1, Now: clock.Now})
		a := throttle.Attempt{Username: "alice"}
		if wait, err := mt.Allow(ctx, a); err != nil || wait != 0 {
			t.Fatalf("first Allow: got %v, %v", wait, err)
		}
		if wait, _ := mt.Allow(ctx, a); wait == 0 {
			t.Fatalf("second Allow while one in flight: got allowed; want refused")
		}
		clock.Advance(throttle.DefaultWindow)
		if wait, err := mt.Allow(ctx, a); err != nil || wait != 0 {
			t.Errorf("Allow after the window: got %v, %v; want allowed", wait, err)
		}
	})

	t.Run("nok, unknown outcome", func(t *testing.T) {
		mt := throttle.NewMemory(throttle.MemoryConfig{})
		if err := mt.Done(ctx, throttle.Attempt{Username: "a"}, throttle.Verdict(0)); err == nil {
			t.Errorf("Done: got nil; want an error")
		}
	})

	t.Run("ok, a lock is never longer than MaxDelay", func(t *testing.T) {
		clock := newFakeClock()
		mt := throttle.NewMemory(throttle.MemoryConfig{Now: clock.Now})
		a := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
		for i := range 200 {
			wait, err := mt.Allow(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			if wait > throttle.DefaultMaxDelay {
				t.Fatalf("attempt %d: wait %v over %v", i, wait, throttle.DefaultMaxDelay)
			}
			if wait > 0 {
				clock.Advance(wait)
				continue
			}
			if err := mt.Done(ctx, a, throttle.VerdictFailure); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("ok, concurrent use", func(t *testing.T) {
		mt := throttle.NewMemory(throttle.MemoryConfig{MaxEntries: 50})
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 200 {
					a := throttle.Attempt{Username: fmt.Sprintf("u%d", i%60), IP: fmt.Sprintf("192.0.2.%d", g)}
					wait, err := mt.Allow(ctx, a)
					if err != nil {
						t.Error(err)
						return
					}
					if wait > 0 {
						continue
					}
					o := []throttle.Verdict{throttle.VerdictFailure, throttle.VerdictSuccess, throttle.VerdictAborted}[i%3]
					if err := mt.Done(ctx, a, o); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if got := mt.Len(); got > 50 {
			t.Errorf("Len: got %d; want at most 50", got)
		}
	})
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[throttle.Verdict]string{
		throttle.VerdictFailure: "failure", throttle.VerdictSuccess: "success", throttle.VerdictAborted: "aborted", 0: "unknown",
	} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d): got %q; want %q", o, got, want)
		}
	}
}
