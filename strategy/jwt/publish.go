package jwt

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/MicahParks/jwkset"
)

// MarshalJWKS returns the public halves of keys as a JWK Set document
// (RFC 7517): EC keys as kty "EC", Ed25519 keys as kty "OKP" (RFC 8037),
// RSA keys as kty "RSA", each with its kid, its alg when set and use
// "sig". Private material is never included. HMAC secrets cannot be
// published and are refused.
func MarshalJWKS(keys ...Key) ([]byte, error) {
	set := jwkset.JWKSMarshal{Keys: make([]jwkset.JWKMarshal, 0, len(keys))}
	for _, k := range keys {
		if _, secret := k.Key.([]byte); secret {
			return nil, fmt.Errorf("jwt: key %q: HMAC secrets are never published", k.ID)
		}
		pub, _, err := publicKey(k.Key)
		if err != nil {
			return nil, fmt.Errorf("jwt: key %q: %w", k.ID, err)
		}
		alg := k.Algorithm
		if alg == algEd25519 {
			// jwkset does not know RFC 9864's name yet and writes
			// "EdDSA", which verifiers (ours too) take for the same
			// algorithm on an Ed25519 key.
			alg = ""
		}
		jwk, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{
				ALG: jwkset.ALG(alg),
				KID: k.ID,
				USE: jwkset.UseSig,
			},
		})
		if err != nil {
			return nil, fmt.Errorf("jwt: key %q: %w", k.ID, err)
		}
		set.Keys = append(set.Keys, jwk.Marshal())
	}
	return json.Marshal(set)
}

// JWKSHandler returns an [http.Handler] that serves the JWK Set of keys
// (see [MarshalJWKS]) to GET and HEAD requests, as application/json with
// a Cache-Control of five minutes. The document is built once.
func JWKSHandler(keys ...Key) (http.Handler, error) {
	doc, err := MarshalJWKS(keys...)
	if err != nil {
		return nil, err
	}
	return jwksHandler(doc), nil
}

// jwksHandler serves a prepared JWK Set document.
type jwksHandler []byte

// ServeHTTP serves the document.
func (d jwksHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Content-Length", strconv.Itoa(len(d)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(d)
}

// JWKSHandler returns an [http.Handler] serving [Issuer.MarshalJWKS], for a route
// such as /.well-known/jwks.json.
func (i *Issuer) JWKSHandler() (http.Handler, error) {
	doc, err := i.MarshalJWKS()
	if err != nil {
		return nil, err
	}
	return jwksHandler(doc), nil
}
