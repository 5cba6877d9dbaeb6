package redisstore_test

import (
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/sessions"
	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
	"github.com/gopassport/passport/session/storetest"
)

// startCluster runs a one-node Redis Cluster of the test's own, holding
// every slot: Redis refuses a script or transaction whose keys are in
// different slots (CROSSSLOT) there as on many nodes, and go-redis takes
// the ClusterClient path. It is killed when the test ends.
func startCluster(t *testing.T) *redis.ClusterClient {
	t.Helper()
	testenv.StartRedis(t).Stop() // skips (or fails) as the other outage tests do without redis-server
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("no redis-server on PATH")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
		"--cluster-config-file", filepath.Join(dir, "nodes.conf"), "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	node := redis.NewClient(&redis.Options{Addr: addr})
	defer node.Close()
	ctx := context.Background()
	// Polling a process we started, with a deadline.
	deadline := time.Now().Add(10 * time.Second)
	for node.Ping(ctx).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("cluster node did not answer PING within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := node.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err(); err != nil {
		t.Fatalf("CLUSTER ADDSLOTSRANGE: %v", err)
	}
	for {
		info, _ := node.ClusterInfo(ctx).Result()
		if strings.Contains(info, "cluster_state:ok") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster not ok within 10 s: %s", info)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{addr}, ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	return c
}

// The kit on Redis Cluster: no script or transaction spans two slots.
func TestStoreKitCluster(t *testing.T) {
	client := startCluster(t)
	clock := storetest.NewClock()
	storetest.RunWith(t, func(t *testing.T) sessions.Store {
		st, err := redisstore.New(client, redisstore.Config{Keys: [][]byte{newKey(t)}, KeyPrefix: shortPrefix(t), Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}, storetest.Config{Clock: clock})

	// A save of a logged-in session: the index, then the script.
	var n counter
	client.AddHook(&n)
	st, err := redisstore.New(client, redisstore.Config{Keys: [][]byte{newKey(t)}, KeyPrefix: shortPrefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: st}
	f.direct(t, map[any]any{session.UserKey: "alice"}, 3600, "") // warms the script cache
	n.reset()
	f.direct(t, map[any]any{session.UserKey: "alice"}, 3600, "")
	if got := n.trips.Load(); got != 2 {
		t.Errorf("got %d round trips for a new logged-in session on Cluster; want 2", got)
	}
}
