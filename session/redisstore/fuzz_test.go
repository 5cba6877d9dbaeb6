package redisstore_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
)

// FuzzNew feeds arbitrary session cookies to New: none was sealed by the
// store's key, so every one must give a new anonymous session without
// reaching Redis (the client points nowhere: a read would be an error).
func FuzzNew(f *testing.F) {
	key := newKey(f)
	seal := func(k []byte, name, data string) string {
		c, err := session.NewCodec(k)
		if err != nil {
			f.Fatal(err)
		}
		v, err := c.Seal(name, []byte(data))
		if err != nil {
			f.Fatal(err)
		}
		return v
	}
	f.Add("")
	f.Add("not-a-cookie")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add(seal(newKey(f), "passport", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
	f.Add(seal(key, "other", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
	f.Add(seal(key, "passport", "} {x"))

	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, ContextTimeoutEnabled: true})
	f.Cleanup(func() { client.Close() })
	st, err := redisstore.New(client, redisstore.Config{Keys: [][]byte{key}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, value string) {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		r.Header.Set("Cookie", "passport="+value)
		sess, err := st.New(r, "passport")
		if err != nil {
			t.Fatalf("got error %v; want none (Redis must not be asked)", err)
		}
		if sess == nil || !sess.IsNew || sess.ID != "" || len(sess.Values) != 0 {
			t.Fatalf("got %+v; want a new empty session", sess)
		}
		if st.OpenCookie("passport", value) == nil {
			t.Fatalf("got OpenCookie nil for a cookie the store never sealed; want an error")
		}
	})
}
