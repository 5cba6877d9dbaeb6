package oauthtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
)

// Fault is how a fake token endpoint misbehaves.
type Fault int

const (
	// NoFault: the token endpoint answers as the provider would.
	NoFault Fault = iota
	// Fault500: 500 Internal Server Error with an HTML body.
	Fault500
	// FaultStall: no answer at all until the client gives up (or the fake
	// is closed): tests a client timeout.
	FaultStall
	// FaultMalformedJSON: 200 with a JSON content type and a truncated
	// body.
	FaultMalformedJSON
	// FaultNoAccessToken: 200 with well-formed JSON that holds no
	// access_token.
	FaultNoAccessToken
)

// String names the fault as test names do: "token endpoint 500".
func (f Fault) String() string {
	switch f {
	case Fault500:
		return "token endpoint 500"
	case FaultStall:
		return "token endpoint stalls"
	case FaultMalformedJSON:
		return "token endpoint malformed JSON"
	case FaultNoAccessToken:
		return "token endpoint without access_token"
	default:
		return "no fault"
	}
}

// serveFault answers a token request with f and reports whether it did
// (false for NoFault). A stall lasts until the request's context ends or
// done is closed.
func serveFault(w http.ResponseWriter, r *http.Request, f Fault, done <-chan struct{}) bool {
	switch f {
	case Fault500:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<html><body>Internal Server Error</body></html>"))
	case FaultStall:
		select {
		case <-r.Context().Done():
		case <-done:
		}
	case FaultMalformedJSON:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token": "gho_trunc`))
	case FaultNoAccessToken:
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "bearer"})
	default:
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

// token returns a random opaque token with prefix.
func token(prefix string) string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// clientCredentials reads the client's ID and secret from HTTP Basic
// authentication (URL-encoded, RFC 6749 2.3.1) or from the form.
func clientCredentials(r *http.Request) (id, secret string) {
	if u, p, ok := r.BasicAuth(); ok {
		return unescape(u), unescape(p)
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
}
