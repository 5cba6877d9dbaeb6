package oauthtest

import (
	"net/http"
	"sync"
	"testing"
)

// FaultLog wraps the app under test and records every request it answered
// with a 500: a fault of the app. (A 502 or 503 is a provider's outage,
// which a test that causes one asserts where it expects it.) Serve the
// app through it, and call [FaultLog.Check] at the end of the test. It is
// safe for concurrent use.
type FaultLog struct {
	next   http.Handler
	mu     sync.Mutex
	faults []string
}

// RecordFaults returns a FaultLog serving next.
func RecordFaults(next http.Handler) *FaultLog { return &FaultLog{next: next} }

// ServeHTTP serves r with the app and records a 500.
func (l *FaultLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	l.next.ServeHTTP(sw, r)
	if sw.status == http.StatusInternalServerError {
		l.mu.Lock()
		l.faults = append(l.faults, r.Method+" "+r.URL.Path)
		l.mu.Unlock()
	}
}

// Faults returns the requests answered with a 500 so far, as
// "METHOD /path", oldest first.
func (l *FaultLog) Faults() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.faults...)
}

// Check fails tb when a request was answered with a 500.
func (l *FaultLog) Check(tb testing.TB) {
	tb.Helper()
	if f := l.Faults(); len(f) > 0 {
		tb.Errorf("got 500 answers for %q; want none", f)
	}
}

// statusWriter records the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer below.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
