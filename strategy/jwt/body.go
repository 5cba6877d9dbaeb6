package jwt

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
)

// tokenParams are the fields of a refresh or revocation request.
type tokenParams struct {
	RefreshToken string `json:"refresh_token"`
	Token        string `json:"token"` // RFC 7009's name for the token to revoke
	GrantType    string `json:"grant_type"`
}

// readRefreshToken reads the refresh token of a request: the refresh_token
// field of a JSON body or a form, or RFC 7009's token field when alt is
// "token"; with alt "refresh_token", a grant_type must be refresh_token.
// The body is already capped by the handler.
func readRefreshToken(r *http.Request, alt string) (string, error) {
	p, err := readTokenParams(r)
	if err != nil {
		return "", err
	}
	if alt == "refresh_token" && p.GrantType != "" && p.GrantType != "refresh_token" {
		return "", &TokenError{Status: http.StatusBadRequest, Code: "unsupported_grant_type", Description: "grant_type must be refresh_token"}
	}
	tok := p.RefreshToken
	if alt == "token" && p.Token != "" {
		if tok != "" {
			return "", &TokenError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "both token and refresh_token sent"}
		}
		tok = p.Token
	}
	if tok == "" {
		return "", &TokenError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "missing refresh_token"}
	}
	return tok, nil
}

// readTokenParams parses a JSON object or an application/x-www-form-urlencoded
// form; any other media type is a 415, a body over the limit a 413, and a
// malformed body or a field sent twice in a form a 400.
func readTokenParams(r *http.Request) (tokenParams, error) {
	var p tokenParams
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	switch mt {
	case "application/json":
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&p); err != nil {
			return p, bodyError(err, "malformed JSON body")
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return p, bodyError(err, "malformed JSON body")
		}
		return p, nil
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return p, bodyError(err, "malformed form")
		}
		for name, dst := range map[string]*string{"refresh_token": &p.RefreshToken, "token": &p.Token, "grant_type": &p.GrantType} {
			switch v := r.PostForm[name]; len(v) {
			case 0:
			case 1:
				*dst = v[0]
			default:
				return p, &TokenError{Status: http.StatusBadRequest, Code: "invalid_request", Description: name + " sent more than once"}
			}
		}
		return p, nil
	default:
		return p, &TokenError{Status: http.StatusUnsupportedMediaType, Code: "invalid_request",
			Description: "send application/json or application/x-www-form-urlencoded"}
	}
}

// bodyError is the refusal of a body that cannot be read: 413 when it is
// over the limit, else 400 with desc.
func bodyError(err error, desc string) *TokenError {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &TokenError{Status: http.StatusRequestEntityTooLarge, Code: "invalid_request", Description: "request body too large", Err: err}
	}
	return &TokenError{Status: http.StatusBadRequest, Code: "invalid_request", Description: desc, Err: err}
}
