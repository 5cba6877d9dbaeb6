package storetest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/storetest"
)

// envChild makes the test binary, run again by TestKitCatchesCookieStore,
// run the kit on a store that must fail it.
const envChild = "PASSPORT_STORETEST_CHILD"

// The kit fails a store that keeps sessions in the cookie: a copy of an
// old cookie still works, and a save of a copy brings the session back.
// The kit runs in a child process, whose failures are the point.
func TestKitCatchesCookieStore(t *testing.T) {
	if os.Getenv(envChild) == "1" {
		storetest.Run(t, func(t *testing.T) sessions.Store {
			key, err := session.GenerateKey()
			if err != nil {
				t.Fatal(err)
			}
			st, err := session.NewCookieStore(key)
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKitCatchesCookieStore$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the kit passed a cookie store; want it to fail:\n%s", out)
	}
	for _, want := range []string{
		"--- FAIL: TestKitCatchesCookieStore/FreshIDs/nok,_sealed_cookie_of_an_unknown_ID",
		"--- FAIL: TestKitCatchesCookieStore/RegenerateEndsTheOldSession/nok,_replayed_old_cookie_has_nothing",
		"--- FAIL: TestKitCatchesCookieStore/NoResurrection/nok,_save_after_a_concurrent_logout",
		"--- FAIL: TestKitCatchesCookieStore/NoResurrection/nok,_save_after_a_concurrent_login_(regenerate)",
		"--- PASS: TestKitCatchesCookieStore/ConcurrentSaves",
		"--- SKIP: TestKitCatchesCookieStore/UserSessions",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("got no %q in the kit's output; want it:\n%s", want, out)
		}
	}
}
