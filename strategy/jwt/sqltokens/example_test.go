package sqltokens_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"

	_ "modernc.org/sqlite"

	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/sqltokens"
)

// An issuer whose refresh tokens live in SQLite.
func Example() {
	ctx := context.Background()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: each ":memory:" connection is its own database

	store, err := sqltokens.New(ctx, db, sqltokens.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close() // stops the background cleanup
	key, err := jwt.GenerateEd25519Key()
	if err != nil {
		log.Fatal(err)
	}
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{
		Issuer: "https://api.example.com",
		Key:    jwt.Key{ID: "ed-1", Key: key},
		Store:  store,
	})
	if err != nil {
		log.Fatal(err)
	}

	pair, err := iss.Issue(ctx, "user-42")
	if err != nil {
		log.Fatal(err)
	}
	if err := iss.Revoke(ctx, pair.RefreshToken); err != nil { // logout
		log.Fatal(err)
	}
	_, err = iss.Refresh(ctx, pair.RefreshToken)
	fmt.Println(errors.Is(err, jwt.ErrRefreshRevoked))
	// Output:
	// true
}
