package session

import (
	"net/http"
	"testing"
)

// FuzzCountCookies checks the count of session cookies in a Cookie header
// against net/http's own parser: never fewer than net/http reads (so a
// second cookie that net/http would hand to a store is always seen), and
// never a panic.
func FuzzCountCookies(f *testing.F) {
	f.Add("passport=a; passport=b")
	f.Add("passport=a")
	f.Add(" passport=a ;passport= ; x=y")
	f.Add("passport")
	f.Add("a=b; passport=\"quoted\"; passport=c")
	f.Fuzz(func(t *testing.T, header string) {
		r := &http.Request{Header: http.Header{"Cookie": {header}}}
		got := countCookies(r, "passport")
		if want := len(r.CookiesNamed("passport")); got < want {
			t.Fatalf("%q: counted %d; net/http reads %d", header, got, want)
		}
	})
}
