package sqlthrottle_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
	"testing"

	sqlite "modernc.org/sqlite"

	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/sqlthrottle"
)

// counter records the statements sent to the database, one entry per
// round trip, by wrapping the driver's connections.
type counter struct {
	mu   sync.Mutex
	sent []string
}

func (c *counter) add(q string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, strings.Fields(q)[0])
}

func (c *counter) take() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := strings.Join(c.sent, ",")
	c.sent = nil
	return s
}

type countingConnector struct {
	dsn string
	c   *counter
}

func (cc countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := (&sqlite.Driver{}).Open(cc.dsn)
	if err != nil {
		return nil, err
	}
	return countingConn{conn.(sqliteConn), cc.c}, nil
}

func (cc countingConnector) Driver() driver.Driver { return &sqlite.Driver{} }

type sqliteConn interface {
	driver.Conn
	driver.ExecerContext
	driver.QueryerContext
	driver.ConnBeginTx
}

type countingConn struct {
	sqliteConn
	c *counter
}

func (cc countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	cc.c.add(q)
	return cc.sqliteConn.ExecContext(ctx, q, args)
}

func (cc countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	cc.c.add(q)
	return cc.sqliteConn.QueryContext(ctx, q, args)
}

// TestRoundTrips: Allow is BEGIN IMMEDIATE, one INSERT that creates and
// locks the records, one INSERT that writes them, COMMIT, for one record or
// two; a refused Allow rolls back after the lock; Done writes what is left
// and deletes what is empty (at most one statement each); an attempt with
// nothing to count sends nothing. PostgreSQL runs the same statements
// between BEGIN and COMMIT.
func TestRoundTrips(t *testing.T) {
	c := &counter{}
	db := sql.OpenDB(countingConnector{dsn: sqliteDSN(t.TempDir() + "/rt.db"), c: c})
	t.Cleanup(func() { _ = db.Close() })
	th := newThrottle(t, db, sqlthrottle.Config{CleanupInterval: -1, AccountLimit: 2, IPLimit: 1 << 20, DeviceLimit: 1 << 20})
	ctx := context.Background()
	c.take()
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	tests := []struct {
		name    string
		att     throttle.Attempt
		verdict throttle.Verdict
		allow   string
		done    string
	}{
		{"account and address, failure", alice, throttle.VerdictFailure,
			"BEGIN,INSERT,INSERT,COMMIT", "BEGIN,INSERT,INSERT,COMMIT"},
		{"account and address, success: the account's row deleted", alice, throttle.VerdictSuccess,
			"BEGIN,INSERT,INSERT,COMMIT", "BEGIN,INSERT,INSERT,DELETE,COMMIT"},
		{"account only, aborted: the row deleted", throttle.Attempt{Username: "bob"}, throttle.VerdictAborted,
			"BEGIN,INSERT,INSERT,COMMIT", "BEGIN,INSERT,DELETE,COMMIT"},
		{"address only, failure", throttle.Attempt{IP: "2001:db8::1"}, throttle.VerdictFailure,
			"BEGIN,INSERT,INSERT,COMMIT", "BEGIN,INSERT,INSERT,COMMIT"},
		{"device, failure", throttle.Attempt{Username: "alice", Device: "d"}, throttle.VerdictFailure,
			"BEGIN,INSERT,INSERT,COMMIT", "BEGIN,INSERT,INSERT,COMMIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if wait, err := th.Allow(ctx, tt.att); err != nil || wait != 0 {
				t.Fatalf("Allow: got %v, %v", wait, err)
			}
			if got := c.take(); got != tt.allow {
				t.Errorf("Allow sent %s; want %s", got, tt.allow)
			}
			if err := th.Done(ctx, tt.att, tt.verdict); err != nil {
				t.Fatal(err)
			}
			if got := c.take(); got != tt.done {
				t.Errorf("Done sent %s; want %s", got, tt.done)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		carol := throttle.Attempt{Username: "carol"}
		fail(t, th, carol)
		fail(t, th, carol)
		c.take()
		if wait := allow(t, th, carol); wait == 0 {
			t.Fatal("Allow: allowed; want refused")
		}
		if got, want := c.take(), "BEGIN,INSERT,ROLLBACK"; got != want {
			t.Errorf("refused Allow sent %s; want %s", got, want)
		}
	})
	t.Run("nothing to count", func(t *testing.T) {
		attempt(t, th, throttle.Attempt{}, throttle.VerdictFailure)
		if got := c.take(); got != "" {
			t.Errorf("sent %s; want nothing", got)
		}
	})
}
