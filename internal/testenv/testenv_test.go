package testenv

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// recorder stands in for a test: it records Skipf and Fatalf instead of
// stopping the goroutine, so the outcome can be asserted.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = true
	r.msg = fmt.Sprintf(format, args...)
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msg = fmt.Sprintf(format, args...)
}

// listening returns the address of a listener open for the test's life.
func listening(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// closedAddr returns an address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestServices(t *testing.T) {
	up, down := listening(t), closedAddr(t)
	tests := []struct {
		name        string
		env         map[string]string
		call        func(testing.TB) string
		want        string
		wantSkip    bool
		wantFail    bool
		wantMessage string
	}{
		{
			name: "ok, postgres reachable",
			env:  map[string]string{EnvPostgresDSN: "postgres://u@" + up + "/db?sslmode=disable", EnvRequireServices: ""},
			call: PostgresDSN,
			want: "postgres://u@" + up + "/db?sslmode=disable",
		},
		{
			name:        "nok, postgres down, skips",
			env:         map[string]string{EnvPostgresDSN: "postgres://u@" + down + "/db?sslmode=disable", EnvRequireServices: ""},
			call:        PostgresDSN,
			wantSkip:    true,
			wantMessage: "PostgreSQL is not reachable at " + down,
		},
		{
			name:        "nok, postgres down, required, fails",
			env:         map[string]string{EnvPostgresDSN: "postgres://u@" + down + "/db?sslmode=disable", EnvRequireServices: "1"},
			call:        PostgresDSN,
			wantFail:    true,
			wantMessage: "PASSPORT_REQUIRE_SERVICES=1 requires it",
		},
		{
			name:        "nok, postgres DSN does not parse, fails even when not required",
			env:         map[string]string{EnvPostgresDSN: "postgres://u@127.0.0.1:notaport/db", EnvRequireServices: ""},
			call:        PostgresDSN,
			wantFail:    true,
			wantMessage: "does not parse",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			rec := &recorder{TB: t}
			got := tt.call(rec)
			if got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			if rec.skipped != tt.wantSkip || rec.failed != tt.wantFail {
				t.Errorf("got skipped=%v failed=%v; want skipped=%v failed=%v (message %q)",
					rec.skipped, rec.failed, tt.wantSkip, tt.wantFail, rec.msg)
			}
			if !strings.Contains(rec.msg, tt.wantMessage) {
				t.Errorf("got message %q; want it to contain %q", rec.msg, tt.wantMessage)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		name string
		env  string
		call func(testing.TB) string
		want string
	}{
		{name: "ok, postgres default", env: EnvPostgresDSN, call: PostgresDSN, want: DefaultPostgresDSN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(tt.env, "")
			t.Setenv(EnvRequireServices, "")
			rec := &recorder{TB: t}
			got := tt.call(rec)
			if rec.skipped {
				// The default service is not running here: the default was
				// still the address tried.
				if !strings.Contains(rec.msg, "127.0.0.1:") {
					t.Errorf("got message %q; want the default address in it", rec.msg)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// TestStartRedis starts a server of the test's own, stalls, restarts and
// stops it, and checks each state from a client's side.
func TestStartRedis(t *testing.T) {
	r := StartRedis(t)
	if err := command(r.Addr, "SET k v"); err != nil {
		t.Fatal(err)
	}
	r.Pause()
	c, err := net.DialTimeout("tcp", r.Addr, time.Second)
	if err == nil { // the kernel still accepts; nobody answers
		_ = c.SetDeadline(time.Now().Add(200 * time.Millisecond))
		_, _ = c.Write([]byte("PING\r\n"))
		if _, err := c.Read(make([]byte, 16)); err == nil {
			t.Error("a paused server answered")
		}
		c.Close()
	}
	r.Resume()
	if err := ping(r.Addr); err != nil {
		t.Fatalf("after Resume: %v", err)
	}
	r.Restart(true)
	if err := command(r.Addr, "GET k"); err == nil || !strings.Contains(err.Error(), "$1") {
		t.Errorf("after Restart(true): GET k = %v; want the kept value", err)
	}
	r.Stop()
	if err := ping(r.Addr); err == nil {
		t.Error("a stopped server answered")
	}
	r.Stop() // idempotent
}

func TestRedisAddr(t *testing.T) {
	addr := listening(t)
	t.Setenv(EnvRedisAddr, addr)
	if got := RedisAddr(t); got != addr {
		t.Errorf("RedisAddr = %q; want %q", got, addr)
	}
	p1, p2 := KeyPrefix(t), KeyPrefix(t)
	if p1 == p2 || len(p1) > 32 || !strings.HasPrefix(p1, "pt:") || p1[:11] != p2[:11] {
		t.Errorf("KeyPrefix: %q, %q; want two distinct short prefixes that start alike for one test", p1, p2)
	}
}
