package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
)

// A manager over Redis: log in, see the user on the next request, list and
// end the user's sessions. It needs a Redis on 127.0.0.1:6379, so it is
// compiled but not run.
func Example() {
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 []string{"127.0.0.1:6379"},
		ContextTimeoutEnabled: true, // lets Config.Timeout bound every call
	})
	defer client.Close()
	key, err := session.GenerateKey() // in production: a stable secret
	if err != nil {
		log.Fatal(err)
	}
	store, err := redisstore.New(client, redisstore.Config{Keys: [][]byte{key}, KeyPrefix: "example:session:"})
	if err != nil {
		log.Fatal(err)
	}
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	app := mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := session.FromContext(r.Context())
		if err := s.Load(); err != nil { // Redis is down: 503, nobody let in
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/login" {
			if err := s.Regenerate(); err != nil {
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
			s.Set(session.UserKey, "alice")
		}
		user, _ := s.Get(session.UserKey)
		fmt.Fprintf(w, "hello %s", user)
	}))

	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/login", nil))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	w = httptest.NewRecorder()
	app.ServeHTTP(w, r)
	fmt.Println(w.Body.String())

	ctx := context.Background()
	records, err := store.ListUserSessions(ctx, "alice")
	if err != nil {
		log.Fatal(err)
	}
	for _, rec := range records {
		fmt.Println(rec.Handle != "", rec.IP) // a handle, never the ID
	}
	n, err := store.DeleteUserSessions(ctx, "alice", "") // log out everywhere
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "ended")
}
