package anonymous

import (
	"net/http"

	"github.com/gopassport/passport/strategy"
)

// Strategy succeeds for every request with the guest user it was given, so
// that a route can serve both users who sent credentials and those who did
// not, with a user value either way. It reads nothing from the request.
//
// Register it last in a route's list of strategies. Strategies are tried in
// order and the first success wins: placed before another strategy,
// anonymous would answer every request and the credentials would never be
// checked. Placed last, it still turns every fail of the strategies before
// it into a guest success, wrong credentials included; a client sending a
// bad key is then served as a guest, not told 401. A route that must refuse
// wrong credentials should not use anonymous.
//
// Use it on stateless routes (passport.Stateless()): logging the guest into
// a session would make every visitor's session hold the guest.
//
// A Strategy is safe for concurrent use. Every request gets the same guest
// value: if U is a pointer or holds maps or slices, treat the guest as
// read-only, since a handler changing it changes it for all requests.
type Strategy[U any] struct {
	guest U
}

var _ strategy.Strategy[string] = (*Strategy[string])(nil)

// New returns a strategy that authenticates every request as guest.
func New[U any](guest U) *Strategy[U] {
	return &Strategy[U]{guest: guest}
}

// Name returns "anonymous", the name the strategy is usually registered
// under.
func (s *Strategy[U]) Name() string { return "anonymous" }

// Guest returns the guest user, so that a handler can tell a guest from a
// user who logged in (for a comparable U, user == s.Guest()).
func (s *Strategy[U]) Guest() U { return s.guest }

// Authenticate returns a success with the guest user, whatever r holds. It
// never fails and never returns an error.
func (s *Strategy[U]) Authenticate(*http.Request) (strategy.Result[U], error) {
	return strategy.Success(s.guest, strategy.Info{}), nil
}
