package strategy

import "net/http"

// Strategy authenticates a request. It is the one interface a plugin author
// implements.
//
// Authenticate reads r (its context carries the deadline, the session and
// the user already logged in) and returns exactly one outcome. The error is
// only for faults of the server: it becomes a 500 and its text is logged,
// never shown. Wrong, missing or malformed credentials are a [Fail] result.
//
// Implementations must be safe for concurrent use by many requests, must not
// panic on any input, and must not change shared state because of a request
// except through the app's own callbacks (stores, counters).
type Strategy[U any] interface {
	Authenticate(r *http.Request) (Result[U], error)
}

// Func adapts an ordinary function to [Strategy], as [http.HandlerFunc] does
// for handlers.
type Func[U any] func(r *http.Request) (Result[U], error)

// Authenticate calls f(r).
func (f Func[U]) Authenticate(r *http.Request) (Result[U], error) { return f(r) }

// Namer is an optional interface: a strategy that implements it suggests the
// name it is usually registered under, such as "local" or "jwt".
type Namer interface {
	Name() string
}
