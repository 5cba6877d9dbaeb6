package oauthtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
)

// authServer is the authorization server the fakes share: one-time
// authorization codes bound to a redirect URI and a PKCE S256 challenge,
// the faults of the token endpoint, and a record of what it was asked.
// [GitHub] (and through it [Google]) and [OIDC] embed it; its mu guards
// their own fields too.
type authServer struct {
	srv        *httptest.Server
	done       chan struct{} // closed by Close: stalled requests end
	closeOnce  sync.Once
	tokenCalls atomic.Int64

	mu          sync.Mutex
	fault       Fault
	requirePKCE bool
	codes       map[string]grant
	reusable    map[string]bool
	authorize   []url.Values
}

// grant is what an authorization code stands for.
type grant struct {
	redirectURI string
	challenge   string // S256 code challenge, if the request had one
	nonce       string
}

// init readies a zero authServer; the fake sets srv once it listens.
func (a *authServer) init() {
	a.done = make(chan struct{})
	a.codes = map[string]grant{}
	a.reusable = map[string]bool{}
}

// Close ends any stalled request and shuts the server down. It is
// idempotent.
func (a *authServer) Close() {
	a.closeOnce.Do(func() {
		close(a.done)
		a.srv.Close()
	})
}

// SetTokenFault makes the token endpoint misbehave from now on.
func (a *authServer) SetTokenFault(f Fault) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fault = f
}

// SetRequirePKCE makes the token endpoint refuse (invalid_grant) a code
// whose authorization request carried no S256 code_challenge, as an
// authorization server that enforces PKCE does. A verifier is always
// checked against a challenge that was sent.
func (a *authServer) SetRequirePKCE(on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requirePKCE = on
}

// TokenCalls returns how many requests reached the token endpoint.
func (a *authServer) TokenCalls() int { return int(a.tokenCalls.Load()) }

// AuthorizeRequests returns the query of every authorization request so
// far, oldest first.
func (a *authServer) AuthorizeRequests() []url.Values {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]url.Values, len(a.authorize))
	for i, q := range a.authorize {
		out[i] = cloneValues(q)
	}
	return out
}

// beginAuthorize records an authorization request and returns its
// redirect_uri; a request of another client or without an absolute
// redirect_uri is answered 400 and reported false.
func (a *authServer) beginAuthorize(w http.ResponseWriter, q url.Values, clientID string) (*url.URL, bool) {
	a.mu.Lock()
	a.authorize = append(a.authorize, cloneValues(q))
	a.mu.Unlock()
	if q.Get("client_id") != clientID {
		http.Error(w, "unknown client", http.StatusBadRequest)
		return nil, false
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !back.IsAbs() {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return nil, false
	}
	return back, true
}

// newCode returns a fresh authorization code for the request q, bound to
// back, its S256 challenge and its nonce.
func (a *authServer) newCode(back *url.URL, q url.Values) string {
	code := token("code-")
	gr := grant{redirectURI: back.String(), nonce: q.Get("nonce")}
	if q.Get("code_challenge_method") == "S256" {
		gr.challenge = q.Get("code_challenge")
	}
	a.mu.Lock()
	a.codes[code] = gr
	a.mu.Unlock()
	return code
}

// beginToken counts a token request, parses its form, serves the token
// fault and checks the client's credentials; it reports whether the
// request goes on (false: it was answered).
func (a *authServer) beginToken(w http.ResponseWriter, r *http.Request, clientID, clientSecret string) bool {
	a.tokenCalls.Add(1)
	a.mu.Lock()
	fault := a.fault
	a.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return false
	}
	if serveFault(w, r, fault, a.done) {
		return false
	}
	id, secret := clientCredentials(r)
	if id != clientID || subtle.ConstantTimeCompare([]byte(secret), []byte(clientSecret)) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return false
	}
	return true
}

// redeem uses up the request's code and checks its code_verifier and
// redirect_uri: the redirect_uri must be the authorization request's
// (strict), or may be left out (lax, as GitHub allows). A code that does
// not redeem is answered invalid_grant and reported false.
func (a *authServer) redeem(w http.ResponseWriter, r *http.Request, strict bool) (grant, bool) {
	code := r.PostForm.Get("code")
	a.mu.Lock()
	gr, ok := a.codes[code]
	delete(a.codes, code) // one use, even when the rest fails
	reusable, requirePKCE := a.reusable[code], a.requirePKCE
	if reusable {
		gr, ok = grant{}, true
	}
	a.mu.Unlock()
	ru := r.PostForm.Get("redirect_uri")
	redirectOK := ru == gr.redirectURI || (!strict && (ru == "" || gr.redirectURI == ""))
	if !ok || !checkVerifier(gr.challenge, r.PostForm.Get("code_verifier")) || !redirectOK ||
		(requirePKCE && gr.challenge == "" && !reusable) {
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return grant{}, false
	}
	return gr, true
}

// checkVerifier reports whether verifier answers an S256 challenge (any
// verifier, or none, when there was no challenge).
func checkVerifier(challenge, verifier string) bool {
	if challenge == "" {
		return true
	}
	if verifier == "" {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}
