// Package anonymous is the strategy that lets anyone in as a guest: it
// succeeds for every request with a guest user fixed at construction. Put
// it last in a route's list of strategies so that the route serves users
// who authenticated as themselves and everyone else as the guest, as
// passport-anonymous does for Passport.js (which passes instead; here the
// handler gets a user value either way).
//
//	type User struct {
//		ID    string
//		Guest bool
//	}
//
//	guest := &User{ID: "guest", Guest: true}
//	if err := auth.Use("anonymous", anonymous.New(guest)); err != nil {
//		log.Fatal(err)
//	}
//	// Last in the list, on a stateless route.
//	e.GET("/articles", list, auth.AuthenticateAny([]string{"apikey", "anonymous"}, passport.Stateless()).Middleware())
//
// See [Strategy] for the caveats: wrong credentials of the strategies
// before it become a guest too, and the guest value is shared by all
// requests.
package anonymous
