package jwt

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	jwtlib "github.com/golang-jwt/jwt/v5"
)

// parse is golang-jwt's ParseWithClaims, step by step, with our key lookup
// and a pooled HMAC: golang-jwt decodes the token (ParseUnverified), the
// algorithm must be on the allow-list, the key is found (header rules,
// kid, family), the signature verified, and the claims validated by
// golang-jwt's Validator with the options of New. Errors wrap golang-jwt's
// sentinels as ParseWithClaims does.
func (s *Strategy[U, C]) parse(ctx context.Context, tok string, claims C) (*jwtlib.Token, error) {
	token, parts, err := s.parser.ParseUnverified(tok, claims)
	if err != nil {
		// golang-jwt does not know RFC 9864's "Ed25519": it stops after
		// decoding the header and claims, before the signature.
		if token == nil || token.Method != nil || parts == nil || !errors.Is(err, jwtlib.ErrTokenUnverifiable) ||
			token.Header["alg"] != algEd25519 {
			return token, err
		}
		token.Method = ed25519Method{}
		if token.Signature, err = s.parser.DecodeSegment(parts[2]); err != nil {
			return token, fmt.Errorf("jwt: could not base64 decode signature: %w: %w", jwtlib.ErrTokenMalformed, err)
		}
	} else if token.Method.Alg() == algEd25519 {
		token.Method = ed25519Method{} // whatever else registered the name
	}
	if err := checkNumericDates(s.parser, parts[1]); err != nil {
		return token, err
	}
	alg := token.Method.Alg()
	if !slices.Contains(s.algs, alg) {
		return token, fmt.Errorf("jwt: signing method %s is not allowed: %w", alg, jwtlib.ErrTokenSignatureInvalid)
	}
	key, vk, err := s.lookupKey(ctx, token)
	if err != nil {
		return token, fmt.Errorf("jwt: finding the key: %w: %w", jwtlib.ErrTokenUnverifiable, err)
	}
	// The signing input is the token up to its last dot: header "." claims.
	signing := tok[:len(parts[0])+1+len(parts[1])]
	switch have := key.(type) {
	case jwtlib.VerificationKeySet:
		// A JWK Set without kid: the first key that verifies wins.
		err = jwtlib.ErrTokenUnverifiable
		for _, k := range have.Keys {
			if err = token.Method.Verify(signing, token.Signature, k); err == nil {
				break
			}
		}
	default:
		if vk != nil && vk.fam == famHMAC {
			err = vk.verifyHMAC(alg, signing, token.Signature)
		} else {
			err = token.Method.Verify(signing, token.Signature, key)
		}
	}
	if err != nil {
		return token, fmt.Errorf("jwt: %w: %w", jwtlib.ErrTokenSignatureInvalid, err)
	}
	if err := s.validator.Validate(claims); err != nil {
		return token, fmt.Errorf("jwt: %w: %w", jwtlib.ErrTokenInvalidClaims, err)
	}
	if err := s.checkLifetime(claims); err != nil {
		return token, err
	}
	token.Valid = true
	return token, nil
}

// wellFormed checks the compact serialization before golang-jwt decodes
// it: three non-empty segments (the signature may not be empty either,
// since "none" is never accepted), and no CR or LF. The segments' alphabet
// is left to golang-jwt, which decodes each one as unpadded base64url
// (strictly: see WithStrictDecoding in New) and refuses padding, the
// standard alphabet and any other byte as a malformed token; only CR and
// LF would slip through, since Go's base64 decoders skip them. Every check
// here is a vectorized byte search, so it costs little on the hot path.
func wellFormed(tok string) bool {
	header, rest, ok := strings.Cut(tok, ".")
	if !ok || header == "" {
		return false
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || payload == "" || sig == "" || strings.IndexByte(sig, '.') >= 0 {
		return false
	}
	return strings.IndexByte(tok, '\n') < 0 && strings.IndexByte(tok, '\r') < 0
}
