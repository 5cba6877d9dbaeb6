package oauthtest

import (
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func (o *OIDC) handleDiscovery(w http.ResponseWriter, _ *http.Request) {
	base := o.Server.URL
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                o.Issuer(),
		"end_session_endpoint":                  o.EndSessionURL(),
		"authorization_endpoint":                base + "/authorize",
		"token_endpoint":                        base + "/token",
		"userinfo_endpoint":                     base + "/userinfo",
		"jwks_uri":                              base + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (o *OIDC) handleJWKS(w http.ResponseWriter, _ *http.Request) {
	pub := o.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": o.kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

func (o *OIDC) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, ok := o.beginAuthorize(w, q, o.ClientID)
	if !ok {
		return
	}
	if q.Get("response_type") != "code" {
		http.Error(w, "bad response type", http.StatusBadRequest)
		return
	}
	params := back.Query()
	params.Set("code", o.newCode(back, q))
	params.Set("state", q.Get("state"))
	back.RawQuery = params.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (o *OIDC) handleToken(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	idFault, user := o.idFault, o.user
	o.mu.Unlock()
	if !o.beginToken(w, r, o.ClientID, o.ClientSecret) {
		return
	}
	gr, ok := o.redeem(w, r, true)
	if !ok {
		return
	}
	access := token("at-")
	o.mu.Lock()
	o.tokens[access] = user.Subject
	o.mu.Unlock()
	resp := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 3600}
	if idFault != IDTokenMissing {
		idt, err := o.idToken(user, gr.nonce, access, idFault)
		if err != nil {
			oauthError(w, http.StatusInternalServerError, "server_error")
			return
		}
		resp["id_token"] = idt
	}
	writeJSON(w, http.StatusOK, resp)
}

// idToken signs an ID token for user with the fault asked for.
func (o *OIDC) idToken(user OIDCUser, nonce, access string, fault IDTokenFault) (string, error) {
	now := time.Now()
	claims := jwt.MapClaims{
		"iss":   o.Issuer(),
		"sub":   user.Subject,
		"aud":   o.ClientID,
		"iat":   now.Unix(),
		"exp":   now.Add(10 * time.Minute).Unix(),
		"email": user.Email,
		"name":  user.Name,
		"nonce": nonce,
	}
	switch fault {
	case IDTokenWrongNonce:
		claims["nonce"] = "not-" + nonce
	case IDTokenNoNonce:
		delete(claims, "nonce")
	case IDTokenWrongAudience:
		claims["aud"] = "someone-else"
	case IDTokenWrongIssuer:
		claims["iss"] = "https://issuer.invalid"
	case IDTokenExpired:
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	case IDTokenWrongAccessTokenHash:
		claims["at_hash"] = base64.RawURLEncoding.EncodeToString([]byte("not the hash of it"))
	case IDTokenOtherAuthorizedParty:
		claims["aud"] = []string{o.ClientID, "someone-else"}
		claims["azp"] = "someone-else"
	case IDTokenNoAuthorizedParty:
		claims["aud"] = []string{o.ClientID, "someone-else"}
	case IDTokenSharedAudience:
		claims["aud"] = []string{o.ClientID, "someone-else"}
		claims["azp"] = o.ClientID
	}
	if fault == IDTokenAlgNone {
		t := jwt.NewWithClaims(jwt.SigningMethodNone, claims)
		t.Header["kid"] = o.kid
		return t.SignedString(jwt.UnsafeAllowNoneSignatureType)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = o.kid
	key := o.key
	if fault == IDTokenBadSignature {
		key = o.otherKey
	}
	return t.SignedString(key)
}

func (o *OIDC) handleLogout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o.mu.Lock()
	o.logouts = append(o.logouts, cloneValues(q))
	o.mu.Unlock()
	back, err := url.Parse(q.Get("post_logout_redirect_uri"))
	if err != nil || !back.IsAbs() {
		_, _ = w.Write([]byte("signed out"))
		return
	}
	if st := q.Get("state"); st != "" {
		bq := back.Query()
		bq.Set("state", st)
		back.RawQuery = bq.Encode()
	}
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (o *OIDC) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	infoFault := o.infoFault
	o.mu.Unlock()
	if serveFault(w, r, infoFault, o.done) {
		return
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	o.mu.Lock()
	sub, known := o.tokens[tok]
	user := o.user
	o.mu.Unlock()
	if !ok || !strings.EqualFold(scheme, "Bearer") || !known {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sub": sub, "email": user.Email, "name": user.Name})
}
