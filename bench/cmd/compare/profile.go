package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// profile takes a CPU profile of our server while the load runs.
func profile(ctx context.Context, ld loader, s *server, r request, c config, tmp string) (Profile, error) {
	type got struct {
		path string
		err  error
	}
	ch := make(chan got, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.pprof, int(c.profile.Seconds())))
		if err != nil {
			ch <- got{err: err}
			return
		}
		defer resp.Body.Close()
		path := filepath.Join(tmp, strings.NewReplacer(" ", "_", "/", "_").Replace(r.url)+".pprof")
		f, err := os.Create(path)
		if err == nil {
			_, err = io.Copy(f, resp.Body)
			f.Close()
		}
		ch <- got{path, err}
	}()
	if _, err := ld.run(ctx, r, c.conns, c.profile+time.Second); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return Profile{}, err
	}
	g := <-ch
	if g.err != nil {
		return Profile{}, g.err
	}
	flat, err := pprofTop(s.bin, g.path)
	if err != nil {
		return Profile{}, err
	}
	cum, err := pprofTop(s.bin, g.path, "-cum", "-show_from=github.com/gopassport/passport")
	return Profile{Flat: flat, Library: cum}, err
}

func pprofTop(bin, path string, extra ...string) (string, error) {
	args := append([]string{"tool", "pprof", "-top", "-nodecount=14"}, extra...)
	if len(extra) > 0 {
		args[3] = "-nodecount=30"
	}
	out, err := output("", "go", append(args, bin, path)...)
	if err != nil {
		return "", err
	}
	// Drop the header lines that name the temporary files.
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "File:") || strings.HasPrefix(l, "Build ID:") || strings.HasPrefix(l, "Time:") || strings.HasPrefix(l, "Type:") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n"), nil
}

func machine() []string {
	var out []string
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				out = append(out, fmt.Sprintf("CPU: %s, %d logical CPUs", strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":")), runtime.NumCPU()))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if l, _, ok := strings.Cut(string(b), "\n"); ok {
			f := strings.Fields(l)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				out = append(out, fmt.Sprintf("memory: %.1f GiB", kb/1024/1024))
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		out = append(out, "Linux "+strings.TrimSpace(string(b)))
	}
	return out
}

func versions(root, nodeDir string, ld loader) []string {
	out := []string{runtime.Version()}
	if v, err := output("", "node", "--version"); err == nil {
		out = append(out, "Node.js "+v)
	}
	if mods, err := output(root, "go", "list", "-m", "github.com/labstack/echo/v4", "github.com/gorilla/sessions", "github.com/golang-jwt/jwt/v5"); err == nil {
		out = append(out, strings.Split(mods, "\n")...)
	}
	var lock struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	if b, err := os.ReadFile(filepath.Join(nodeDir, "package-lock.json")); err == nil && json.Unmarshal(b, &lock) == nil {
		for _, p := range []string{"express", "express-session", "passport", "passport-local", "passport-jwt"} {
			out = append(out, p+" "+lock.Packages["node_modules/"+p].Version)
		}
	}
	out = append(out, "load: "+ld.name())
	return out
}
