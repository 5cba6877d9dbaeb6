package redisthrottle_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/redisthrottle"
)

// countingHook records the commands a client sends: one entry per round
// trip (a pipeline is one, listed as "pipeline").
type countingHook struct {
	mu   sync.Mutex
	sent []string
}

func (h *countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.mu.Lock()
		h.sent = append(h.sent, cmd.Name())
		h.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (h *countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.mu.Lock()
		h.sent = append(h.sent, "pipeline")
		h.mu.Unlock()
		return next(ctx, cmds)
	}
}

func (h *countingHook) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.sent
	h.sent = nil
	return s
}

// TestRoundTrips: Allow and Done are one EVALSHA each, for every kind of
// attempt and verdict; an attempt with nothing to count sends nothing. The
// first call after the server lost its scripts adds one EVAL.
func TestRoundTrips(t *testing.T) {
	c, prefix := sharedClient(t)
	hook := &countingHook{}
	c.AddHook(hook)
	th := newThrottle(t, c, redisthrottle.Config{KeyPrefix: prefix, AccountLimit: 1 << 20, IPLimit: 1 << 20, DeviceLimit: 1 << 20})
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil { // the connection's own commands
		t.Fatal(err)
	}
	hook.take()
	// Warm up: the script cache may not hold the scripts yet.
	attempt(t, th, throttle.Attempt{Username: "warm"}, throttle.VerdictAborted)
	warm := hook.take()
	if n := len(warm); n < 2 || n > 4 {
		t.Errorf("warm-up: got %v; want 2 EVALSHAs, with an EVAL each when the scripts were not loaded", warm)
	}

	tests := []struct {
		name    string
		att     throttle.Attempt
		verdict throttle.Verdict
	}{
		{"account and address, failure", throttle.Attempt{Username: "alice", IP: "192.0.2.1"}, throttle.VerdictFailure},
		{"account and address, success", throttle.Attempt{Username: "alice", IP: "192.0.2.1"}, throttle.VerdictSuccess},
		{"account only, aborted", throttle.Attempt{Username: "alice"}, throttle.VerdictAborted},
		{"address only, failure", throttle.Attempt{IP: "2001:db8::1"}, throttle.VerdictFailure},
		{"device, failure", throttle.Attempt{Username: "alice", IP: "192.0.2.1", Device: "d"}, throttle.VerdictFailure},
		{"device, success", throttle.Attempt{Username: "alice", IP: "192.0.2.1", Device: "d"}, throttle.VerdictSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if wait, err := th.Allow(ctx, tt.att); err != nil || wait != 0 {
				t.Fatalf("Allow: got %v, %v", wait, err)
			}
			if got := hook.take(); strings.Join(got, ",") != "evalsha" {
				t.Errorf("Allow sent %v; want [evalsha]", got)
			}
			if err := th.Done(ctx, tt.att, tt.verdict); err != nil {
				t.Fatal(err)
			}
			if got := hook.take(); strings.Join(got, ",") != "evalsha" {
				t.Errorf("Done sent %v; want [evalsha]", got)
			}
		})
	}
	t.Run("nothing to count", func(t *testing.T) {
		attempt(t, th, throttle.Attempt{}, throttle.VerdictFailure)
		if got := hook.take(); len(got) != 0 {
			t.Errorf("sent %v; want nothing", got)
		}
	})
}
