package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedReport is a run with made-up numbers: two rounds, the four routes.
func fixedReport() Report {
	s := func(rps float64, p50, p99 time.Duration, cpu float64) Sample {
		return Sample{RPS: rps, P50: p50, P99: p99, CPU: cpu}
	}
	ms := time.Millisecond
	return Report{
		Date: "2026-12-08 00:00 UTC", Command: "go run ./bench/cmd/compare",
		Machine: []string{"CPU: Test CPU, 2 logical CPUs"}, Versions: []string{"go1.26.8", "express 4.22.3"},
		Loader: "wrk (4.1.0, one thread)", Rounds: 2, Duration: 5 * time.Second, Conns: 32, Pinned: true,
		Routes: []RouteResult{
			{Route: "GET /plain", What: "no auth: the limit", Rounds: [][3]Sample{
				{s(6000, 5*ms, 9*ms, 150), s(44000, ms/2, 2*ms, 20), s(46000, ms/2, 2*ms, 19)},
				{s(7000, 4*ms, 8*ms, 140), s(40000, ms/2, 3*ms, 21), s(44000, ms/2, 2*ms, 20)},
			}},
			{Route: "GET /me", What: "session", Rounds: [][3]Sample{
				{s(5000, 6*ms, 10*ms, 190), s(27000, ms, 3*ms, 35), s(34000, ms, 3*ms, 29)},
				{s(4800, 6*ms, 12*ms, 195), s(28000, ms, 3*ms, 34), s(33000, ms, 4*ms, 30)},
			}},
			{Route: "GET /api/me", What: "JWT HS256", Rounds: [][3]Sample{
				{s(1600, 19*ms, 30*ms, 600), s(26000, ms, 3*ms, 37), s(33000, ms, 3*ms, 30)},
				{s(1700, 18*ms, 28*ms, 590), s(26000, ms, 3*ms, 37), s(34000, ms, 3*ms, 29)},
			}},
			{Route: "POST /login", What: "trivial password check", Rounds: [][3]Sample{
				{s(3100, 10*ms, 20*ms, 320), s(31000, ms, 3*ms, 31), s(24000, ms, 4*ms, 42)},
				{s(3200, 10*ms, 19*ms, 310), s(31500, ms, 3*ms, 31), s(23500, ms, 4*ms, 41)},
			}},
		},
		RSS:      [3]float64{80, 20, 15.5},
		Profiles: []Profile{{Route: "GET /me", Flat: "flat listing", Library: "library listing"}},
		Notes:    "A note kept from run to run.\n",
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./bench/cmd/compare -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestMarkdownGolden(t *testing.T) { golden(t, "benchmarks.md.golden", fixedReport().Markdown()) }

func TestSVGGolden(t *testing.T) { golden(t, "benchmarks.svg.golden", fixedReport().SVG()) }

func TestTable(t *testing.T) {
	got := fixedReport().Table()
	for _, want := range []string{
		// Medians of two rounds, and the median of the rounds' ratios with their spread.
		"| `GET /plain` (no auth: the limit) | 6,500 | 42,000 | 45,000 | 1.07 (1.05–1.10) | 6.98 (6.29–7.67) |",
		"| `POST /login` (trivial password check) | 3,150 | 31,250 | 23,750 | 0.76 (0.75–0.77) | 7.54 (7.34–7.74) |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

func TestGoals(t *testing.T) {
	got := fixedReport().Goals()
	for _, want := range []string{
		"| `/plain` ours / hand-written | ≥ 0.97 | 1.07 (1.05–1.10) | yes |",
		"| `/me` / our own `/plain` | ≥ 0.85 | 0.74 (0.74–0.75) | no |",
		"| `/login` ours / hand-written | ≥ 1.00 | 0.76 (0.75–0.77) | no |",
		"| peak RSS ours / Passport.js | ≤ 0.20 | 0.19 (0.19–0.19) | yes |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("goals lack %q:\n%s", want, got)
		}
	}
}

func TestNotesKept(t *testing.T) {
	md := fixedReport().Markdown()
	if got := notesOf(md); got != "A note kept from run to run.\n" {
		t.Errorf("notesOf = %q", got)
	}
	if got := notesOf("no markers"); got != "" {
		t.Errorf("notesOf without markers = %q", got)
	}
}

func TestThousandsAndNiceStep(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {44314.4, "44,314"}, {1234567, "1,234,567"}} {
		if got := thousands(c.in); got != c.want {
			t.Errorf("thousands(%v) = %q; want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want float64 }{{9200, 10000}, {4100, 5000}, {1500, 2000}, {0, 1}} {
		if got := niceStep(c.in); got != c.want {
			t.Errorf("niceStep(%v) = %v; want %v", c.in, got, c.want)
		}
	}
}

func TestProcReaders(t *testing.T) {
	pid := os.Getpid()
	if _, err := cpuTime(pid); err != nil {
		t.Fatal(err)
	}
	rss, err := peakRSS(pid)
	if err != nil || rss <= 0 {
		t.Fatalf("peakRSS = %v, %v", rss, err)
	}
}

func TestDataRoundTrip(t *testing.T) {
	want := fixedReport()
	got, err := dataOf(want.Markdown())
	if err != nil {
		t.Fatal(err)
	}
	if got.Markdown() != want.Markdown() || got.SVG() != want.SVG() {
		t.Error("a report read back from its Markdown renders differently")
	}
	if _, err := dataOf("# no data\n"); err == nil {
		t.Error("dataOf without a data comment: no error")
	}
}
