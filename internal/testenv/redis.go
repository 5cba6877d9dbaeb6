package testenv

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Environment variables read by the Redis helpers.
const (
	// EnvRedisAddr overrides [DefaultRedisAddr].
	EnvRedisAddr = "PASSPORT_TEST_REDIS_ADDR"
	// EnvRedisServer overrides the redis-server binary [StartRedis] runs
	// (default: redis-server on PATH).
	EnvRedisServer = "PASSPORT_TEST_REDIS_SERVER"
)

// DefaultRedisAddr is the shared test Redis when EnvRedisAddr is unset.
// Tests that use it give every key a prefix of their own ([KeyPrefix]);
// tests that break a server start their own with [StartRedis].
const DefaultRedisAddr = "127.0.0.1:6379"

// RedisAddr returns the address of the shared test Redis, after checking
// that it accepts TCP connections. When it does not, the test is skipped,
// or fails if PASSPORT_REQUIRE_SERVICES=1.
func RedisAddr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv(EnvRedisAddr)
	if addr == "" {
		addr = DefaultRedisAddr
	}
	if err := dial("tcp", addr); err != nil {
		unavailable(t, "Redis", addr, EnvRedisAddr, err)
		return ""
	}
	return addr
}

// KeyPrefix returns a key prefix that no other test (nor another run of
// this one) uses, short enough for any store's prefix limit:
// "pt:<8 hex digits of the test name's SHA-256>:<nanoseconds, base 36>:".
func KeyPrefix(t testing.TB) string {
	sum := sha256.Sum256([]byte(t.Name()))
	return "pt:" + hex.EncodeToString(sum[:4]) + ":" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
}

// Redis is a redis-server of the test's own, on a free loopback port, for
// tests that stop, stall and restart it (an outage must never touch the
// shared server). It writes to disk only when [Redis.Restart] is asked to
// keep its data.
type Redis struct {
	// Addr is "127.0.0.1:<port>"; it stays the same across restarts.
	Addr string

	t    testing.TB
	bin  string
	dir  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// StartRedis starts a redis-server for t on a free port and stops it when
// the test ends. Without a redis-server binary the test is skipped, or
// fails under PASSPORT_REQUIRE_SERVICES=1.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	bin := os.Getenv(EnvRedisServer)
	if bin == "" {
		bin = "redis-server"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		unavailable(t, "redis-server", bin, EnvRedisServer, err)
		return nil
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("testenv: finding a free port: %v", err)
	}
	r := &Redis{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), t: t, bin: path, dir: t.TempDir()}
	r.start()
	t.Cleanup(r.Stop)
	return r
}

// start runs the server and waits until it answers PING.
func (r *Redis) start() {
	r.t.Helper()
	_, port, _ := net.SplitHostPort(r.Addr)
	cmd := exec.Command(r.bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", r.dir, "--dbfilename", "dump.rdb", "--logfile", filepath.Join(r.dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("testenv: starting redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	r.mu.Lock()
	r.cmd, r.done = cmd, done
	r.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := ping(r.Addr); err == nil {
			return
		}
		select {
		case <-done:
			r.t.Fatalf("testenv: redis-server exited at start; see %s", filepath.Join(r.dir, "redis.log"))
		default:
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("testenv: redis-server on %s did not answer PING within 10 s", r.Addr)
		}
		time.Sleep(10 * time.Millisecond) // polling a process we started, not waiting on our code
	}
}

// Stop kills the server (SIGKILL: an outage, not a shutdown) and waits for
// it to exit. It is idempotent.
func (r *Redis) Stop() {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.cmd = nil
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGCONT) // a paused process dies too
	_ = cmd.Process.Kill()
	<-done
}

// Pause stalls the server with SIGSTOP: connections stay open and nothing
// answers, as with a hung server or a network partition.
func (r *Redis) Pause() { r.signal(syscall.SIGSTOP) }

// Resume lets a paused server go on with SIGCONT.
func (r *Redis) Resume() { r.signal(syscall.SIGCONT) }

func (r *Redis) signal(sig syscall.Signal) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		r.t.Fatalf("testenv: redis-server on %s is not running", r.Addr)
	}
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatalf("testenv: signalling redis-server: %v", err)
	}
}

// Restart stops the server and starts it again on the same port. With
// keepData the dataset is saved first (SAVE) and loaded by the new
// process, as a server that restarts with persistence does; without it the
// new server is empty.
func (r *Redis) Restart(keepData bool) {
	r.t.Helper()
	if keepData {
		if err := command(r.Addr, "SAVE"); err != nil {
			r.t.Fatalf("testenv: SAVE before restart: %v", err)
		}
	} else {
		_ = os.Remove(filepath.Join(r.dir, "dump.rdb"))
	}
	r.Stop()
	r.start()
}

// freePort returns a loopback TCP port that nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// ping sends PING and expects +PONG.
func ping(addr string) error { return command(addr, "PING") }

// command sends one inline command and expects a simple-string reply.
func command(addr, cmd string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := fmt.Fprintf(c, "%s\r\n", cmd); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+") {
		return fmt.Errorf("redis %s: %s", cmd, strings.TrimSpace(line))
	}
	return nil
}
