package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
)

// A "your devices" page: list the user's sessions, mark the current one,
// end the others.
func ExampleStore_ListUserSessions() {
	ctx := context.Background()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	key, _ := session.GenerateKey()
	store, err := sqlstore.New(ctx, db, sqlstore.Config{Keys: [][]byte{key}})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// Two logins of alice, from two browsers.
	var current string
	for _, ua := range []string{"Laptop", "Phone"} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("User-Agent", ua)
		sess, _ := store.New(r, "passport")
		sess.Values[session.UserKey] = "alice"
		if err := store.Save(r, httptest.NewRecorder(), sess); err != nil {
			log.Fatal(err)
		}
		current = session.Handle(sess.ID) // the phone's, in the end
	}

	list, err := store.ListUserSessions(ctx, "alice")
	if err != nil {
		log.Fatal(err)
	}
	for _, rec := range list {
		fmt.Println(rec.UserAgent, rec.IP, rec.Handle == current)
	}
	n, err := store.DeleteUserSessions(ctx, "alice", current)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ended", n)
	// Unordered output:
	// Laptop 192.0.2.1 false
	// Phone 192.0.2.1 true
	// ended 1
}
