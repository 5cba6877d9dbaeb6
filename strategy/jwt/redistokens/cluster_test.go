package redistokens_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/redistokens"
	"github.com/gopassport/passport/strategy/jwt/storetest"
)

// startCluster runs a one-node Redis Cluster of the test's own (cluster
// mode, all slots on the node) and returns its address; it is killed after
// the test. Skipped without a redis-server binary, as testenv.StartRedis.
func startCluster(t *testing.T) string {
	t.Helper()
	bin := os.Getenv(testenv.EnvRedisServer)
	if bin == "" {
		bin = "redis-server"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		if os.Getenv("PASSPORT_REQUIRE_SERVICES") == "1" {
			t.Fatalf("redis-server not found: %v", err)
		}
		t.Skipf("redis-server not found (%v); set %s", err, testenv.EnvRedisServer)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	dir := t.TempDir()
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
		"--cluster-config-file", filepath.Join(dir, "nodes.conf"), "--save", "", "--appendonly", "no",
		"--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	slotsAdded := false
	for {
		if !slotsAdded {
			slotsAdded = c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err() == nil
		} else if info, err := c.ClusterInfo(ctx).Result(); err == nil && strings.Contains(info, "cluster_state:ok") {
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cluster node on %s is not ready within 10 s; see %s", addr, filepath.Join(dir, "redis.log"))
		}
		time.Sleep(20 * time.Millisecond) // polling the server we started
	}
}

// TestCluster runs the suite and a rotation through a redis.ClusterClient:
// the scripts' keys, declared and read, are all in one slot.
func TestCluster(t *testing.T) {
	addr := startCluster(t)
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{addr}, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = cluster.Close() })
	storetest.Run(t, func(t *testing.T) jwt.Store {
		return newStore(t, cluster, redistokens.Config{KeyPrefix: shortPrefix(testenv.KeyPrefix(t)), Now: func() time.Time { return suiteBase }})
	})
	t.Run("ok, a prefix with a tag of its own", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t, cluster, redistokens.Config{KeyPrefix: "app1:{jwt}:"})
		secret, err := jwt.GenerateHMACSecret()
		if err != nil {
			t.Fatal(err)
		}
		iss, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: "https://issuer.test", Key: jwt.Key{Key: secret}, Store: s})
		if err != nil {
			t.Fatal(err)
		}
		p, err := iss.Issue(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := iss.Refresh(ctx, p.RefreshToken); err != nil {
			t.Fatal(err)
		}
		if _, err := iss.Refresh(ctx, p.RefreshToken); !errors.Is(err, jwt.ErrRefreshReused) {
			t.Errorf("reuse: got %v; want %v", err, jwt.ErrRefreshReused)
		}
	})
}
