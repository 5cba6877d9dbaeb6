package testenv

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Environment variables read by this package.
const (
	// EnvRequireServices, set to "1", makes an unreachable service fail the
	// test instead of skipping it.
	EnvRequireServices = "PASSPORT_REQUIRE_SERVICES"
	// EnvPostgresDSN overrides [DefaultPostgresDSN].
	EnvPostgresDSN = "PASSPORT_TEST_POSTGRES_DSN"
)

// DefaultPostgresDSN is the test server when EnvPostgresDSN is unset: the
// database "test" on the local server, user "postgres", trust
// authentication.
const DefaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// dialTimeout bounds the reachability check: local services answer at once.
const dialTimeout = 2 * time.Second

// PostgresDSN returns the DSN of the test PostgreSQL server, after checking
// that the server accepts TCP (or Unix socket) connections. When it does
// not, the test is skipped, or fails if PASSPORT_REQUIRE_SERVICES=1.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgresDSN)
	if dsn == "" {
		dsn = DefaultPostgresDSN
	}
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		// A DSN that does not parse is a mistake, never a reason to skip.
		t.Fatalf("testenv: %s does not parse: %v", EnvPostgresDSN, err)
		return ""
	}
	network, addr := "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	if strings.HasPrefix(cfg.Host, "/") {
		network, addr = "unix", filepath.Join(cfg.Host, ".s.PGSQL."+strconv.Itoa(int(cfg.Port)))
	}
	if err := dial(network, addr); err != nil {
		unavailable(t, "PostgreSQL", addr, EnvPostgresDSN, err)
		return ""
	}
	return dsn
}

func dial(network, addr string) error {
	c, err := net.DialTimeout(network, addr, dialTimeout)
	if err != nil {
		return err
	}
	return c.Close()
}

// unavailable skips t, or fails it when the environment requires services.
func unavailable(t testing.TB, service, addr, env string, err error) {
	t.Helper()
	if os.Getenv(EnvRequireServices) == "1" {
		t.Fatalf("testenv: %s is not reachable at %s (%v), and %s=1 requires it; start it or point %s elsewhere",
			service, addr, err, EnvRequireServices, env)
		return
	}
	t.Skipf("testenv: skipping, %s is not reachable at %s (%v); start it or point %s elsewhere (%s=1 makes this a failure)",
		service, addr, err, env, EnvRequireServices)
}
