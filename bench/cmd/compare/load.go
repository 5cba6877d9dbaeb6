package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// request is what the load sends to one route of one server.
type request struct {
	method, url, body string
	header            http.Header
	want              int // the status every answer must have
}

// loadResult is what a load run measured.
type loadResult struct {
	n        int
	elapsed  time.Duration
	p50, p99 time.Duration
	bad      int // answers with another status, and transport errors
}

// loader drives one request for a duration.
type loader interface {
	run(ctx context.Context, r request, conns int, d time.Duration) (loadResult, error)
	name() string
}

// goLoader is a closed-loop load generator on net/http with keep-alive:
// conns goroutines, each with its connection, send one request after the
// other.
type goLoader struct{}

func (goLoader) name() string { return "the driver's own Go load generator (net/http, keep-alive)" }

func (goLoader) run(ctx context.Context, r request, conns int, d time.Duration) (loadResult, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	lats := make([][]time.Duration, conns)
	bad := make([]int, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conns {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 1<<14)
			for ctx.Err() == nil {
				var body io.Reader
				if r.body != "" {
					body = strings.NewReader(r.body)
				}
				req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), r.method, r.url, body)
				if err != nil {
					bad[w]++
					return
				}
				req.Header = r.header.Clone()
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					bad[w]++
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(t0))
				if resp.StatusCode != r.want {
					bad[w]++
				}
			}
			lats[w] = lat
		})
	}
	wg.Wait()
	all := slices.Concat(lats...)
	slices.Sort(all)
	res := loadResult{n: len(all), elapsed: time.Since(start)}
	for _, b := range bad {
		res.bad += b
	}
	if len(all) > 0 {
		res.p50 = all[len(all)*50/100]
		res.p99 = all[min(len(all)*99/100, len(all)-1)]
	}
	return res, ctx.Err()
}

// wrkLoader runs wrk, one thread, under taskset on the load's CPU when
// pin is set.
type wrkLoader struct {
	path, dir, version string
	pin                bool
}

func (w wrkLoader) name() string { return "wrk (" + w.version + ", one thread)" }

// luaString quotes s for Lua.
func luaString(s string) string { return strconv.Quote(s) }

func (w wrkLoader) run(ctx context.Context, r request, conns int, d time.Duration) (loadResult, error) {
	var lua strings.Builder
	fmt.Fprintf(&lua, "wrk.method = %s\n", luaString(r.method))
	if r.body != "" {
		fmt.Fprintf(&lua, "wrk.body = %s\n", luaString(r.body))
	}
	for k, vs := range r.header {
		fmt.Fprintf(&lua, "wrk.headers[%s] = %s\n", luaString(k), luaString(strings.Join(vs, ", ")))
	}
	// wrk counts only statuses above 399 as errors; the script counts
	// every status other than the one wanted.
	fmt.Fprintf(&lua, `bad = 0
response = function(status, headers, body) if status ~= %d then bad = bad + 1 end end
`, r.want)
	// With one thread, the response callback's counter is in the thread
	// that done() cannot see: count it through the thread table.
	lua.WriteString(`local threads = {}
setup = function(t) table.insert(threads, t) end
done = function(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + (t:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), b + e.connect + e.read + e.write + e.timeout))
end
`)
	script := filepath.Join(w.dir, "wrk.lua")
	if err := os.WriteFile(script, []byte(lua.String()), 0o600); err != nil {
		return loadResult{}, err
	}
	args := []string{"-t1", "-c", strconv.Itoa(conns), "-d", fmt.Sprintf("%.0fs", d.Seconds()), "--timeout", "5s", "-s", script, r.url}
	name := w.path
	if w.pin {
		args = append([]string{"-c", "1", w.path}, args...)
		name = "taskset"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return loadResult{}, fmt.Errorf("compare: wrk: %w: %s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 6 && f[0] == "BENCH" {
			var v [5]int64
			for i := range v {
				if v[i], err = strconv.ParseInt(f[i+1], 10, 64); err != nil {
					return loadResult{}, fmt.Errorf("compare: wrk: %q: %w", line, err)
				}
			}
			return loadResult{n: int(v[0]), elapsed: time.Duration(v[1]) * time.Microsecond,
				p50: time.Duration(v[2]) * time.Microsecond, p99: time.Duration(v[3]) * time.Microsecond, bad: int(v[4])}, nil
		}
	}
	return loadResult{}, fmt.Errorf("compare: wrk printed no result: %s", out)
}
