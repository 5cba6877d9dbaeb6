// Package session manages login sessions over any gorilla/sessions Store.
//
// A [Manager] binds a [Session] to each request. The session is loaded
// lazily (a request for a static file never decodes a cookie nor reads the
// database), checked against idle and absolute timeouts kept inside it, and
// saved at most once per request, only when it changed, just before the
// response header is written.
//
// Security defaults: cookies are HttpOnly, SameSite=Lax, Path=/, Secure over
// TLS (or always, with Config.Secure), optionally "__Host-" prefixed.
// [Session.Regenerate] gives a session a new ID and deletes the old record,
// the defence against session fixation that passport's Login and Logout
// use. A session ID only ever comes out of a sealed cookie.
//
// [CookieStore] keeps the whole session in an AES-256-GCM sealed cookie and
// encodes values with a small binary codec rather than gob, several times
// cheaper per request. Its limit is that of every cookie store: a copied
// cookie stays valid until it expires. The session/sqlstore package keeps
// sessions server-side, so that logout ends them everywhere.
//
//	key, _ := session.GenerateKey() // keep it: sessions die with it
//	store, err := session.NewCookieStore(key)
//	if err != nil { ... }
//	mgr, err := session.New(session.Config{Store: store})
//	if err != nil { ... }
//	http.ListenAndServe(":8080", mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		s, _ := session.FromContext(r.Context())
//		s.Set("theme", "dark")
//	})))
package session
