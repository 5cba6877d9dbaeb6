// Command compare runs passport's published benchmark: the same app on this
// library (bench/server), written by hand on Echo, gorilla/sessions and
// golang-jwt (bench/peers/handrolled), and on Express with Passport.js
// (bench/peers/passportjs), on loopback, route by route in interleaved
// rounds, and writes docs/benchmarks.md and docs/benchmarks.svg.
//
//	go run ./bench/cmd/compare [-rounds 3] [-duration 4s] [-conns 32] [-store cookie] [-profile 3s] [-out docs]
//
// It builds the Go servers into a temporary directory, runs npm ci for the
// Node peer when its node_modules is missing, pins the servers to CPU 0 and
// the load to CPU 1 with taskset when there are two CPUs, uses wrk when it
// is installed and its own Go load generator otherwise, measures req/s,
// p50/p99 latency, server CPU per request (/proc/<pid>/stat) and peak RSS
// (VmHWM), prints a progress line per measurement and per round on stderr,
// and kills every process it started on exit, on error and on Ctrl-C.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type config struct {
	rounds            int
	duration, warmup  time.Duration
	profile           time.Duration
	conns             int
	store, out        string
	redisAddr, pgDSN  string
	noWrk, noPin      bool
	rerender          bool
	root              string
	args              []string
	serverStartBudget time.Duration
}

func main() {
	var c config
	flag.IntVar(&c.rounds, "rounds", 3, "interleaved rounds")
	flag.DurationVar(&c.duration, "duration", 4*time.Second, "load per route, server and round")
	flag.DurationVar(&c.warmup, "warmup", 500*time.Millisecond, "load per route and server before the rounds, not measured")
	flag.DurationVar(&c.profile, "profile", 3*time.Second, "CPU profile of our server per authenticated route after the rounds (0: none)")
	flag.IntVar(&c.conns, "conns", 32, "concurrent keep-alive connections")
	flag.StringVar(&c.store, "store", "cookie", "our server's session store: cookie, sqlite, postgres or redis")
	flag.StringVar(&c.redisAddr, "redis-addr", "127.0.0.1:6379", "Redis address for -store redis")
	flag.StringVar(&c.pgDSN, "postgres-dsn", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL DSN for -store postgres")
	flag.StringVar(&c.out, "out", "docs", "directory of benchmarks.md and benchmarks.svg, relative to the module root ('-': print the Markdown on stdout)")
	flag.BoolVar(&c.noWrk, "no-wrk", false, "use the Go load generator even when wrk is installed")
	flag.BoolVar(&c.noPin, "no-pin", false, "do not pin with taskset")
	flag.BoolVar(&c.rerender, "rerender", false, "rewrite benchmarks.md and benchmarks.svg from the data of the last run in benchmarks.md, without running")
	flag.Parse()
	c.args = os.Args[1:]
	c.serverStartBudget = 20 * time.Second
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p := &procs{}
	err := run(ctx, c, p)
	p.killAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// server is one running server.
type server struct {
	name, base string
	cmd        *exec.Cmd
	log        string
	cookie     string // the Cookie header after login
	pprof      string // our server's pprof address
	bin        string
}

func logf(format string, a ...any) { fmt.Fprintf(os.Stderr, "compare: "+format+"\n", a...) }

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func output(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

func run(ctx context.Context, c config, p *procs) error {
	if runtime.GOOS != "linux" {
		return errors.New("needs Linux (/proc for CPU time and RSS)")
	}
	gomod, err := output("", "go", "env", "GOMOD")
	if err != nil || gomod == "" || gomod == os.DevNull {
		return fmt.Errorf("run from inside the passport module: %v", err)
	}
	c.root = filepath.Dir(gomod)
	if c.rerender {
		return rerender(filepath.Join(c.root, c.out))
	}
	tmp, err := os.MkdirTemp("", "passport-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	_, tasksetErr := exec.LookPath("taskset")
	pin := !c.noPin && tasksetErr == nil && runtime.NumCPU() >= 2
	if pin {
		// The driver, its load generator threads and wrk on CPU 1.
		if _, err := output("", "taskset", "-a", "-p", "-c", "1", strconv.Itoa(os.Getpid())); err != nil {
			logf("not pinned: %v", err)
			pin = false
		}
	}
	var ld loader = goLoader{}
	if path, err := exec.LookPath("wrk"); err == nil && !c.noWrk {
		v, _ := exec.Command(path, "-v").CombinedOutput()
		ld = wrkLoader{path: path, dir: tmp, version: strings.Fields(string(v) + " wrk")[1], pin: pin}
	}

	// Build the Go servers and install the Node peer at the same time.
	nodeDir := filepath.Join(c.root, "bench", "peers", "passportjs")
	steps := map[string]*exec.Cmd{
		"build bench/server":           exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(tmp, "ours"), "./bench/server"),
		"build bench/peers/handrolled": exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(tmp, "handrolled"), "./bench/peers/handrolled"),
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules")); err != nil {
		steps["npm ci"] = exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	}
	errs := make(chan error, len(steps))
	for name, cmd := range steps {
		cmd.Dir = c.root
		if name == "npm ci" {
			cmd.Dir = nodeDir
		}
		logf("%s", name)
		go func() {
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("%s: %w: %s", name, err, out)
				return
			}
			errs <- nil
		}()
	}
	for range steps {
		if err := <-errs; err != nil {
			return err
		}
	}

	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	secretHex := hex.EncodeToString(secret)
	token, err := mintToken(secret)
	if err != nil {
		return err
	}
	var servers [3]*server
	pprofAddr, err := freeAddr()
	if err != nil {
		return err
	}
	specs := [3]struct {
		name string
		argv []string
	}{
		passportJS:  {"passportjs", []string{"node", filepath.Join(nodeDir, "server.js"), "--jwt-secret", secretHex, "--addr"}},
		handWritten: {"handrolled", []string{filepath.Join(tmp, "handrolled"), "-jwt-secret", secretHex, "-addr"}},
		ours: {"ours", []string{filepath.Join(tmp, "ours"), "-jwt-secret", secretHex, "-store", c.store,
			"-redis-addr", c.redisAddr, "-postgres-dsn", c.pgDSN, "-pprof", pprofAddr, "-addr"}},
	}
	for i, sp := range specs {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		argv := append(sp.argv, addr)
		if pin {
			argv = append([]string{"taskset", "-c", "0"}, argv...)
		}
		s := &server{name: sp.name, base: "http://" + addr, log: filepath.Join(tmp, sp.name+".log"), bin: sp.argv[0]}
		if i == ours {
			s.pprof = pprofAddr
		}
		logFile, err := os.Create(s.log)
		if err != nil {
			return err
		}
		s.cmd = exec.Command(argv[0], argv[1:]...)
		s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
		err = p.start(s.cmd)
		logFile.Close()
		if err != nil {
			return fmt.Errorf("start %s: %w", sp.name, err)
		}
		servers[i] = s
	}
	for _, s := range servers {
		if err := s.ready(ctx, c.serverStartBudget); err != nil {
			return err
		}
		if err := s.login(ctx); err != nil {
			return err
		}
		if err := s.check(ctx, token); err != nil {
			return err
		}
	}
	logf("servers up; load from %s, pinned %v", ld.name(), pin)

	routes := []struct {
		route, what string
		req         func(s *server) request
	}{
		{"GET /plain", "no auth: the limit", func(s *server) request {
			return request{method: "GET", url: s.base + "/plain", header: http.Header{}, want: 200}
		}},
		{"GET /me", "session", func(s *server) request {
			return request{method: "GET", url: s.base + "/me", header: http.Header{"Cookie": {s.cookie}}, want: 200}
		}},
		{"GET /api/me", "JWT HS256", func(s *server) request {
			return request{method: "GET", url: s.base + "/api/me", header: http.Header{"Authorization": {"Bearer " + token}}, want: 200}
		}},
		{"POST /login", "trivial password check", func(s *server) request {
			return request{method: "POST", url: s.base + "/login", body: "username=alice&password=secret",
				header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, want: 302}
		}},
	}
	rep := Report{
		Date: time.Now().UTC().Format("2006-01-02 15:04 MST"), Loader: ld.name(), Rounds: c.rounds,
		Duration: c.duration, Conns: c.conns, Pinned: pin, Command: "go run ./bench/cmd/compare " + strings.Join(c.args, " "),
	}
	rep.Command = strings.TrimSpace(rep.Command)
	for _, r := range routes {
		rep.Routes = append(rep.Routes, RouteResult{Route: r.route, What: r.what, Rounds: make([][3]Sample, c.rounds)})
	}
	if c.warmup > 0 {
		logf("warm-up, %s per route and server", c.warmup)
		for _, r := range routes {
			for _, s := range servers {
				if _, err := ld.run(ctx, r.req(s), c.conns, c.warmup); err != nil && ctx.Err() != nil {
					return ctx.Err()
				}
			}
		}
	}
	for round := range c.rounds {
		for ri, r := range routes {
			// Rotate the servers' order from round to round and route to route.
			for k := range 3 {
				si := (k + round + ri) % 3
				s := servers[si]
				smp, err := measure(ctx, ld, s, r.req(s), c.conns, c.duration)
				if err != nil {
					return fmt.Errorf("round %d, %s on %s: %w", round+1, r.route, s.name, err)
				}
				rep.Routes[ri].Rounds[round][si] = smp
				logf("round %d/%d  %-12s %-11s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %6.1f µs CPU/req",
					round+1, c.rounds, r.route, s.name, smp.RPS, float64(smp.P50)/1e6, float64(smp.P99)/1e6, smp.CPU)
			}
		}
		var parts []string
		for _, rr := range rep.Routes {
			x := rr.Rounds[round]
			parts = append(parts, fmt.Sprintf("%s ours/hw %.2f ours/pjs %.1f", rr.Route, x[ours].RPS/x[handWritten].RPS, x[ours].RPS/x[passportJS].RPS))
		}
		logf("round %d/%d done: %s", round+1, c.rounds, strings.Join(parts, "; "))
	}
	for i, s := range servers {
		if rep.RSS[i], err = peakRSS(s.cmd.Process.Pid); err != nil {
			return err
		}
	}
	if c.profile > 0 {
		for _, r := range routes[1:] {
			prof, err := profile(ctx, ld, servers[ours], r.req(servers[ours]), c, tmp)
			if err != nil {
				return fmt.Errorf("profile %s: %w", r.route, err)
			}
			prof.Route = r.route
			rep.Profiles = append(rep.Profiles, prof)
			logf("profiled %s", r.route)
		}
	}
	rep.Machine = machine()
	rep.Versions = versions(c.root, nodeDir, ld)
	if c.out == "-" {
		fmt.Print(rep.Markdown())
		return nil
	}
	dir := filepath.Join(c.root, c.out)
	mdPath := filepath.Join(dir, "benchmarks.md")
	if old, err := os.ReadFile(mdPath); err == nil {
		rep.Notes = notesOf(string(old))
	}
	if err := os.WriteFile(mdPath, []byte(rep.Markdown()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "benchmarks.svg"), []byte(rep.SVG()), 0o644); err != nil {
		return err
	}
	fmt.Print(rep.Table())
	logf("wrote %s and benchmarks.svg", mdPath)
	return nil
}

// rerender rewrites dir's benchmarks.md and benchmarks.svg from the data
// the Markdown holds.
func rerender(dir string) error {
	md, err := os.ReadFile(filepath.Join(dir, "benchmarks.md"))
	if err != nil {
		return err
	}
	rep, err := dataOf(string(md))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "benchmarks.md"), []byte(rep.Markdown()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "benchmarks.svg"), []byte(rep.SVG()), 0o644)
}

// measure runs the load on one server and reads its CPU time around it.
func measure(ctx context.Context, ld loader, s *server, r request, conns int, d time.Duration) (Sample, error) {
	pid := s.cmd.Process.Pid
	cpu0, err := cpuTime(pid)
	if err != nil {
		return Sample{}, err
	}
	res, err := ld.run(ctx, r, conns, d)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return Sample{}, err
	}
	if ctx.Err() != nil {
		return Sample{}, ctx.Err()
	}
	cpu1, err := cpuTime(pid)
	if err != nil {
		return Sample{}, err
	}
	if res.n == 0 {
		return Sample{}, errors.New("no answer")
	}
	if res.bad*100 > res.n {
		return Sample{}, fmt.Errorf("%d of %d answers were not %d (server log: %s)", res.bad, res.n, r.want, tail(s.log))
	}
	return Sample{
		RPS: float64(res.n) / res.elapsed.Seconds(), P50: res.p50, P99: res.p99,
		CPU: float64(cpu1-cpu0) / float64(time.Microsecond) / float64(res.n),
	}, nil
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
