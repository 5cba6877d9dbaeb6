package main

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// The servers, in the order of every [3] array below.
const (
	passportJS = iota
	handWritten
	ours
)

var serverNames = [3]string{"Passport.js", "hand-written Go", "this library"}

// Sample is one measurement of one route on one server.
type Sample struct {
	RPS      float64       // requests per second
	P50, P99 time.Duration // latency percentiles
	CPU      float64       // server CPU (user + system) per request, µs
}

// RouteResult holds a route's samples: Rounds[i][server].
type RouteResult struct {
	Route  string // e.g. "GET /me"
	What   string // e.g. "session"
	Rounds [][3]Sample
}

// Profile is the pprof summary of one route on our server.
type Profile struct {
	Route   string
	Flat    string // go tool pprof -top
	Library string // go tool pprof -top -cum -show_from=passport
}

// Report is everything docs/benchmarks.md shows.
type Report struct {
	Date     string
	Command  string
	Machine  []string
	Versions []string
	Loader   string
	Rounds   int
	Duration time.Duration
	Conns    int
	Pinned   bool
	Routes   []RouteResult
	RSS      [3]float64 // peak resident set (VmHWM), MiB
	Profiles []Profile
	Notes    string `json:"-"` // kept from the previous file, between the notes markers
}

// stat is a median with its spread over rounds.
type stat struct{ med, lo, hi float64 }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func statOf(xs []float64) stat {
	if len(xs) == 0 {
		return stat{math.NaN(), math.NaN(), math.NaN()}
	}
	return stat{median(xs), slices.Min(xs), slices.Max(xs)}
}

func (r RouteResult) series(server int, f func(Sample) float64) []float64 {
	out := make([]float64, len(r.Rounds))
	for i, round := range r.Rounds {
		out[i] = f(round[server])
	}
	return out
}

// ratio is ours over another server, round by round.
func (r RouteResult) ratio(other int) stat {
	out := make([]float64, len(r.Rounds))
	for i, round := range r.Rounds {
		out[i] = round[ours].RPS / round[other].RPS
	}
	return statOf(out)
}

func rps(s Sample) float64 { return s.RPS }

// thousands writes n with comma separators: 44314 is "44,314".
func thousands(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s stat) String() string { return fmt.Sprintf("%.2f (%.2f–%.2f)", s.med, s.lo, s.hi) }

func ms(d float64) string { return fmt.Sprintf("%.2f", d/float64(time.Millisecond)) }

// Table renders the req/s table with the ratios.
func (rep Report) Table() string {
	var b strings.Builder
	b.WriteString("| route | Passport.js | hand-written Go | this library | ours / hand-written | ours / Passport.js |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rep.Routes {
		fmt.Fprintf(&b, "| `%s` (%s) | %s | %s | %s | %s | %s |\n", r.Route, r.What,
			thousands(median(r.series(passportJS, rps))), thousands(median(r.series(handWritten, rps))),
			thousands(median(r.series(ours, rps))), r.ratio(handWritten), r.ratio(passportJS))
	}
	return b.String()
}

// Details renders latency and CPU per request, each server's medians.
func (rep Report) Details() string {
	var b strings.Builder
	b.WriteString("| route | server | req/s (min–max) | p50 ms | p99 ms | server CPU µs/req |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|\n")
	for _, r := range rep.Routes {
		for s, name := range serverNames {
			st := statOf(r.series(s, rps))
			fmt.Fprintf(&b, "| `%s` | %s | %s (%s–%s) | %s | %s | %.1f |\n", r.Route, name,
				thousands(st.med), thousands(st.lo), thousands(st.hi),
				ms(median(r.series(s, func(x Sample) float64 { return float64(x.P50) }))),
				ms(median(r.series(s, func(x Sample) float64 { return float64(x.P99) }))),
				median(r.series(s, func(x Sample) float64 { return x.CPU })))
		}
	}
	return b.String()
}

func (rep Report) route(name string) (RouteResult, bool) {
	for _, r := range rep.Routes {
		if r.Route == name {
			return r, true
		}
	}
	return RouteResult{}, false
}

// Goals renders the goals of issue 12 against the run.
func (rep Report) Goals() string {
	var b strings.Builder
	b.WriteString("| goal | target | measured (median, min–max over rounds) | met |\n")
	b.WriteString("|---|---:|---:|:---:|\n")
	row := func(goal string, target float64, atMost bool, got stat) {
		met := got.med >= target
		op := "≥"
		if atMost {
			met, op = got.med <= target, "≤"
		}
		mark := "no"
		if met {
			mark = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s %.2f | %s | %s |\n", goal, op, target, got, mark)
	}
	if r, ok := rep.route("GET /plain"); ok {
		row("`/plain` ours / hand-written", 0.97, false, r.ratio(handWritten))
	}
	plain, okp := rep.route("GET /plain")
	if r, ok := rep.route("GET /me"); ok {
		if okp && len(plain.Rounds) == len(r.Rounds) {
			xs := make([]float64, len(r.Rounds))
			for i := range r.Rounds {
				xs[i] = r.Rounds[i][ours].RPS / plain.Rounds[i][ours].RPS
			}
			row("`/me` / our own `/plain`", 0.85, false, statOf(xs))
		}
		row("`/me` ours / hand-written", 1.35, false, r.ratio(handWritten))
		row("`/me` ours / Passport.js", 8, false, r.ratio(passportJS))
	}
	if r, ok := rep.route("GET /api/me"); ok {
		row("`/api/me` ours / hand-written", 1.3, false, r.ratio(handWritten))
		row("`/api/me` ours / Passport.js", 20, false, r.ratio(passportJS))
	}
	if r, ok := rep.route("POST /login"); ok {
		row("`/login` ours / hand-written", 1.0, false, r.ratio(handWritten))
		row("`/login` ours / Passport.js", 10, false, r.ratio(passportJS))
	}
	if rep.RSS[passportJS] > 0 {
		x := rep.RSS[ours] / rep.RSS[passportJS]
		row("peak RSS ours / Passport.js", 0.2, true, stat{x, x, x})
	}
	return b.String()
}

// Markdown renders docs/benchmarks.md.
func (rep Report) Markdown() string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("<!-- Generated by `go run ./bench/cmd/compare`; edit only between the notes markers, which a new run keeps. -->\n\n")
	fmt.Fprintf(&b, "passport against the same app written by hand (Echo v4, gorilla/sessions `CookieStore`, golang-jwt) "+
		"and against Passport.js (Express 4, express-session `MemoryStore`, passport 0.7), on loopback. "+
		"The three servers are in [bench/](../bench). Run of %s: %d interleaved rounds of %s per route and server, "+
		"%d connections, load from %s", rep.Date, rep.Rounds, rep.Duration, rep.Conns, rep.Loader)
	if rep.Pinned {
		b.WriteString("; the server pinned to CPU 0 and the load to CPU 1 with `taskset`")
	}
	b.WriteString(".\n\n")
	b.WriteString("## Requests per second\n\n")
	b.WriteString("Median over the rounds; a ratio is the median of the rounds' ratios, (min–max) its spread.\n\n")
	b.WriteString(rep.Table())
	b.WriteString("\n![requests per second by route and server](benchmarks.svg)\n\n")
	b.WriteString("## Latency and CPU\n\n")
	b.WriteString("Server CPU is user + system time of the server process (from `/proc/<pid>/stat`) over the requests it answered.\n\n")
	b.WriteString(rep.Details())
	fmt.Fprintf(&b, "\nPeak resident set under load (`VmHWM`): Passport.js %.1f MiB, hand-written Go %.1f MiB, this library %.1f MiB.\n\n",
		rep.RSS[passportJS], rep.RSS[handWritten], rep.RSS[ours])
	b.WriteString("## Goals (issue 12)\n\n")
	b.WriteString(rep.Goals())
	if notes := strings.Trim(rep.Notes, "\n"); notes != "" {
		b.WriteString("\n## Notes\n\n<!-- notes -->\n" + notes + "\n<!-- /notes -->\n")
	} else {
		b.WriteString("\n<!-- notes -->\n<!-- /notes -->\n")
	}
	if len(rep.Profiles) > 0 {
		b.WriteString("\n## Profiles of our server\n\n")
		b.WriteString("CPU profiles (`net/http/pprof`) of this library's server under the same load, one route at a time; first the whole process (`go tool pprof -top`, flat), then only the frames from passport's first frame down (`-top -cum -show_from=github.com/gopassport/passport`: the cum% of a function is its share of all the process's samples).\n")
		for _, p := range rep.Profiles {
			fmt.Fprintf(&b, "\n### `%s`\n\n```\n%s\n```\n\n```\n%s\n```\n", p.Route, strings.Trim(p.Flat, "\n"), strings.Trim(p.Library, "\n"))
		}
	}
	b.WriteString("\n## Machine and versions\n\n")
	for _, m := range rep.Machine {
		b.WriteString("- " + m + "\n")
	}
	for _, v := range rep.Versions {
		b.WriteString("- " + v + "\n")
	}
	b.WriteString("\n## Reproduce\n\n```sh\n" + rep.Command + "\n```\n\n")
	b.WriteString("It builds the two Go servers into a temporary directory, installs the Node peer's packages with `npm ci` " +
		"when `bench/peers/passportjs/node_modules` is missing, uses `wrk` when it is installed (else a Go load generator of its own), " +
		"and stops every process it started on exit, error or Ctrl-C. `go run ./bench/cmd/compare -h` lists the flags " +
		"(`-rounds`, `-duration`, `-conns`, `-store`, `-profile`, `-out`; `-rerender` rewrites this file and the chart from the data below, without a run). Ratios from one machine travel; absolute figures do not.\n")
	if data, err := json.Marshal(rep); err == nil {
		// The run's figures, for -rerender; JSON never holds "--".
		b.WriteString("\n<!-- data " + strings.ReplaceAll(string(data), "--", `\u002d\u002d`) + " -->\n")
	}
	return b.String()
}

// SVG renders a grouped bar chart of the median req/s.
func (rep Report) SVG() string {
	const (
		width, height          = 760, 350
		left, right, top, base = 70, 20, 64, 290
		barW, gap              = 44, 8
	)
	colors := [3]string{"#d9a441", "#7f8c8d", "#2a7ab0"}
	maxV := 0.0
	for _, r := range rep.Routes {
		for s := range 3 {
			maxV = max(maxV, median(r.series(s, rps)))
		}
	}
	step := niceStep(maxV / 5)
	top5 := step * math.Ceil(maxV/step)
	if top5 == 0 {
		top5 = 1
	}
	y := func(v float64) float64 { return base - v/top5*float64(base-top) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14" font-weight="bold">Requests per second (median of %d rounds, higher is better)</text>`+"\n", left, rep.Rounds)
	for v := 0.0; v <= top5+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#dddddd"/>`+"\n", left, y(v), width-right, y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y(v)+4, thousands(v))
	}
	for s, name := range serverNames {
		x := left + s*160
		fmt.Fprintf(&b, `<rect x="%d" y="30" width="12" height="12" fill="%s"/><text x="%d" y="40">%s</text>`+"\n", x, colors[s], x+16, name)
	}
	groupW := float64(width-left-right) / float64(max(len(rep.Routes), 1))
	for i, r := range rep.Routes {
		gx := float64(left) + float64(i)*groupW + (groupW-float64(3*barW+2*gap))/2
		for s := range 3 {
			v := median(r.series(s, rps))
			x := gx + float64(s*(barW+gap))
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s %s: %s req/s</title></rect>`+"\n",
				x, y(v), barW, float64(base)-y(v), colors[s], serverNames[s], r.Route, thousands(v))
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>`+"\n", x+barW/2, y(v)-4, thousands(v))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", float64(left)+float64(i)*groupW+groupW/2, base+18, r.Route)
		cx := float64(left) + float64(i)*groupW + groupW/2
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="11" fill="#555555">ours / hand-written %.2f</text>`+"\n", cx, base+34, r.ratio(handWritten).med)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="11" fill="#555555">ours / Passport.js %.1f</text>`+"\n", cx, base+48, r.ratio(passportJS).med)
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333333"/>`+"\n", left, base, width-right, base)
	b.WriteString("</svg>\n")
	return b.String()
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// notesOf returns what an earlier docs/benchmarks.md holds between the
// notes markers.
func notesOf(md string) string {
	_, after, ok := strings.Cut(md, "<!-- notes -->\n")
	if !ok {
		return ""
	}
	notes, _, ok := strings.Cut(after, "<!-- /notes -->")
	if !ok {
		return ""
	}
	return notes
}

// dataOf returns the report an earlier docs/benchmarks.md was rendered from.
func dataOf(md string) (Report, error) {
	var rep Report
	_, after, ok := strings.Cut(md, "\n<!-- data ")
	if !ok {
		return rep, fmt.Errorf("compare: no data comment")
	}
	data, _, ok := strings.Cut(after, " -->")
	if !ok {
		return rep, fmt.Errorf("compare: unterminated data comment")
	}
	if err := json.Unmarshal([]byte(data), &rep); err != nil {
		return rep, fmt.Errorf("compare: data comment: %w", err)
	}
	rep.Notes = notesOf(md)
	return rep, nil
}
