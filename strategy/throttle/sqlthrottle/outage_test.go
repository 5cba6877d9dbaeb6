package sqlthrottle_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/sqlthrottle"
)

const outageTimeout = 300 * time.Millisecond

// proxy forwards a loopback port to the test PostgreSQL, so that a test
// can take the database away from a pool: Close closes the port (and every
// connection through it), Stall stops forwarding bytes.
type proxy struct {
	l       net.Listener
	target  string
	mu      sync.Mutex
	conns   []net.Conn
	stalled chan struct{} // closed while forwarding
	wg      sync.WaitGroup
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{l: l, target: target, stalled: make(chan struct{})}
	close(p.stalled)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, s)
		go p.pipe(s, c)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			gate := p.stalled
			p.mu.Unlock()
			<-gate
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				_ = dst.Close()
			}
			return
		}
	}
}

// Stall stops forwarding until Close.
func (p *proxy) Stall() {
	p.mu.Lock()
	p.stalled = make(chan struct{})
	p.mu.Unlock()
}

// Close closes the port and every connection through it. Idempotent.
func (p *proxy) Close() {
	_ = p.l.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
	select {
	case <-p.stalled:
	default:
		close(p.stalled)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// proxied returns a Throttle whose pool reaches PostgreSQL through a proxy
// of the test's own, and the proxy.
func proxied(t *testing.T, cfg sqlthrottle.Config) (*sqlthrottle.Throttle, *proxy) {
	t.Helper()
	fx := postgresFixture(t)
	dsn := fx.dsn
	pc, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, net.JoinHostPort(pc.Host, itoa(pc.Port)))
	db := open(t, "pgx", replaceHost(t, dsn, p.l.Addr().String()))
	return newThrottle(t, db, fx.config(cfg)), p
}

// TestOutage: a PostgreSQL whose port closed, or that stopped answering,
// makes Allow and Done fail with strategy.ErrUnavailable within Timeout
// (the login answers 503, nobody is let in).
func TestOutage(t *testing.T) {
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	tests := []struct {
		name   string
		break_ func(p *proxy)
	}{
		{"nok, port closed", (*proxy).Close},
		{"nok, server stalled", (*proxy).Stall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th, p := proxied(t, sqlthrottle.Config{Timeout: outageTimeout})
			wantWait(t, "before the outage", fail(t, th, alice), 0)
			tt.break_(p)
			ctx := context.Background()
			start := time.Now()
			wait, err := th.Allow(ctx, alice)
			took := time.Since(start)
			if !errors.Is(err, strategy.ErrUnavailable) || wait != 0 {
				t.Errorf("Allow: got %v, %v; want an error wrapping ErrUnavailable", wait, err)
			}
			start = time.Now()
			err2 := th.Done(ctx, alice, throttle.VerdictFailure)
			took2 := time.Since(start)
			if !errors.Is(err2, strategy.ErrUnavailable) {
				t.Errorf("Done: got %v; want an error wrapping ErrUnavailable", err2)
			}
			for op, d := range map[string]time.Duration{"Allow": took, "Done": took2} {
				if d > outageTimeout+200*time.Millisecond {
					t.Errorf("%s took %v; want within Timeout %v", op, d, outageTimeout)
				}
			}
			t.Logf("Allow failed in %v (%v), Done in %v", took, err, took2)
		})
	}
}

// TestFailOpen: with FailOpen, a database out of reach lets attempts
// through and drops their outcomes, logging each at Error level with the
// cause; a cancelled caller does not fail open.
func TestFailOpen(t *testing.T) {
	var logs bytes.Buffer
	th, p := proxied(t, sqlthrottle.Config{FailOpen: true, Timeout: outageTimeout, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	wantWait(t, "while up", fail(t, th, alice), 0)
	if logs.Len() != 0 {
		t.Fatalf("logged while up: %s", logs.String())
	}
	p.Close()
	ctx := context.Background()
	if wait, err := th.Allow(ctx, alice); err != nil || wait != 0 {
		t.Errorf("Allow: got %v, %v; want allowed", wait, err)
	}
	if err := th.Done(ctx, alice, throttle.VerdictFailure); err != nil {
		t.Errorf("Done: got %v; want nil", err)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d log lines; want 2:\n%s", len(lines), logs.String())
	}
	for i, op := range []string{"allow", "done"} {
		for _, want := range []string{"level=ERROR", `msg="sqlthrottle: database unavailable, failing open"`, "op=" + op, "err="} {
			if !strings.Contains(lines[i], want) {
				t.Errorf("line %d %q: want %q", i, lines[i], want)
			}
		}
	}
	t.Run("nok, a caller's cancelled context does not fail open", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		logs.Reset()
		if _, err := th.Allow(ctx, alice); !errors.Is(err, context.Canceled) || errors.Is(err, strategy.ErrUnavailable) {
			t.Errorf("Allow: got %v; want context.Canceled, not ErrUnavailable", err)
		}
		if logs.Len() != 0 {
			t.Errorf("logged %s; want nothing", logs.String())
		}
	})
}

// TestFault: a fault no retry would change (the table gone) is a plain
// error, not ErrUnavailable, and never fails open.
func TestFault(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fx fixture) {
		db := fx.connect(t)
		var logs bytes.Buffer
		th := newThrottle(t, db, fx.config(sqlthrottle.Config{FailOpen: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
		if _, err := db.ExecContext(context.Background(), `DROP TABLE "`+fx.table+`"`); err != nil {
			t.Fatal(err)
		}
		alice := throttle.Attempt{Username: "alice"}
		wait, err := th.Allow(context.Background(), alice)
		if err == nil || errors.Is(err, strategy.ErrUnavailable) || wait != 0 {
			t.Errorf("Allow: got %v, %v; want a fault, not ErrUnavailable", wait, err)
		}
		if err := th.Done(context.Background(), alice, throttle.VerdictFailure); err == nil || errors.Is(err, strategy.ErrUnavailable) {
			t.Errorf("Done: got %v; want a fault, not ErrUnavailable", err)
		}
		if logs.Len() != 0 {
			t.Errorf("logged %s; want nothing", logs.String())
		}
	})
}

// TestSQLiteBusy: a SQLite database held by another writer past
// busy_timeout is unavailable, not a fault.
func TestSQLiteBusy(t *testing.T) {
	path := t.TempDir() + "/busy.db"
	db := open(t, "sqlite", "file:"+path+"?_pragma=busy_timeout(50)&_pragma=journal_mode(WAL)")
	th := newThrottle(t, db, sqlthrottle.Config{CleanupInterval: -1, Timeout: outageTimeout})
	other := open(t, "sqlite", "file:"+path+"?_pragma=busy_timeout(50)&_pragma=journal_mode(WAL)")
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := th.Allow(context.Background(), throttle.Attempt{Username: "alice"}); !errors.Is(err, strategy.ErrUnavailable) {
		t.Errorf("Allow while another writer holds the database: got %v; want ErrUnavailable", err)
	}
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if wait := allow(t, th, throttle.Attempt{Username: "alice"}); wait != 0 {
		t.Errorf("after the writer left: got wait %v; want allowed", wait)
	}
}
