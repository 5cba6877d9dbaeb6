package local

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gopassport/passport/strategy"
)

// credentials are a username and a password as the client sent them.
type credentials struct {
	username string
	password string
}

// bodyKind is the kind of body the credentials are read from.
type bodyKind uint8

const (
	bodyNone bodyKind = iota
	bodyForm
	bodyMultipart
	bodyJSON
)

// readCredentials reads the two fields from r's body. The errors wrap
// strategy.ErrMissingCredentials, strategy.ErrMalformedCredentials or an
// *http.MaxBytesError. It never reads the URL's query.
func readCredentials(r *http.Request, userField, passField string, maxBody int64) (credentials, error) {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return credentials{}, fmt.Errorf("local: no body in a %s request: %w", r.Method, strategy.ErrMissingCredentials)
	}
	kind, params := contentKind(r.Header.Get("Content-Type"))
	if kind == bodyNone {
		return credentials{}, fmt.Errorf("local: no form or JSON body: %w", strategy.ErrMissingCredentials)
	}

	// A form the app parsed already: its body is gone, its values are cached.
	if kind == bodyForm && r.PostForm != nil {
		return fromValues(r.PostForm, userField, passField)
	}
	if kind == bodyMultipart && r.MultipartForm != nil {
		return fromValues(r.MultipartForm.Value, userField, passField)
	}

	raw, err := readBody(r, maxBody)
	if err != nil {
		return credentials{}, err
	}
	switch kind {
	case bodyForm:
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			return credentials{}, fmt.Errorf("local: form: %w", strategy.ErrMalformedCredentials)
		}
		return fromValues(vals, userField, passField)
	case bodyMultipart:
		return fromMultipart(raw, params["boundary"], userField, passField)
	default:
		return fromJSON(raw, userField, passField)
	}
}

// contentKind classifies a Content-Type header value.
func contentKind(contentType string) (bodyKind, map[string]string) {
	if contentType == "" {
		return bodyNone, nil
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return bodyNone, nil
	}
	switch {
	case mt == "application/x-www-form-urlencoded":
		return bodyForm, params
	case mt == "multipart/form-data":
		return bodyMultipart, params
	case mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")):
		return bodyJSON, params
	default:
		return bodyNone, nil
	}
}

// readBody reads at most limit bytes of r's body and puts what it read back
// in r.Body, so that the app can read the body again.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, fmt.Errorf("local: body over %d bytes: %w: %w", mbe.Limit, strategy.ErrMalformedCredentials, mbe)
		}
		return nil, fmt.Errorf("local: reading body: %w", strategy.ErrMalformedCredentials)
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return raw, nil
}

// fromValues picks the two fields out of form values; a field given more
// than once is malformed, an absent one missing.
func fromValues(vals map[string][]string, userField, passField string) (credentials, error) {
	user, err := single(vals[userField], userField)
	if err != nil {
		return credentials{}, err
	}
	pass, err := single(vals[passField], passField)
	if err != nil {
		return credentials{}, err
	}
	return credentials{username: user, password: pass}, nil
}

// single returns the one value of a field.
func single(vs []string, field string) (string, error) {
	switch len(vs) {
	case 0:
		return "", fmt.Errorf("local: no %s: %w", field, strategy.ErrMissingCredentials)
	case 1:
		return vs[0], nil
	default:
		return "", fmt.Errorf("local: %s given more than once: %w", field, strategy.ErrMalformedCredentials)
	}
}

// fromMultipart reads the two fields from a multipart/form-data body held in
// raw. File parts are ignored.
func fromMultipart(raw []byte, boundary, userField, passField string) (credentials, error) {
	if boundary == "" {
		return credentials{}, fmt.Errorf("local: multipart without boundary: %w", strategy.ErrMalformedCredentials)
	}
	mr := multipart.NewReader(bytes.NewReader(raw), boundary)
	vals := make(map[string][]string, 2)
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return credentials{}, fmt.Errorf("local: multipart: %w", strategy.ErrMalformedCredentials)
		}
		name := p.FormName()
		if (name != userField && name != passField) || p.FileName() != "" {
			continue
		}
		// raw is bounded by MaxBodyBytes, so is every part.
		v, err := io.ReadAll(p)
		if err != nil {
			return credentials{}, fmt.Errorf("local: multipart: %w", strategy.ErrMalformedCredentials)
		}
		vals[name] = append(vals[name], string(v))
	}
	return fromValues(vals, userField, passField)
}

// fromJSON reads the two fields from a JSON object. Members are matched by
// exact name; other members are skipped; a repeated field, a value that is
// not a string (null included) or anything after the object is malformed.
func fromJSON(raw []byte, userField, passField string) (credentials, error) {
	malformed := fmt.Errorf("local: json: %w", strategy.ErrMalformedCredentials)
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return credentials{}, malformed
	}
	vals := make(map[string][]string, 2)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return credentials{}, malformed
		}
		key, ok := tok.(string)
		if !ok {
			return credentials{}, malformed
		}
		if key != userField && key != passField {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return credentials{}, malformed
			}
			continue
		}
		tok, err = dec.Token()
		if err != nil {
			return credentials{}, malformed
		}
		v, ok := tok.(string)
		if !ok {
			return credentials{}, fmt.Errorf("local: json %s is not a string: %w", key, strategy.ErrMalformedCredentials)
		}
		vals[key] = append(vals[key], v)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return credentials{}, malformed
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return credentials{}, malformed
	}
	return fromValues(vals, userField, passField)
}

// checkUsername refuses a username that is not valid UTF-8 or that holds a
// control character (NUL, newline, escape, …): no real username does, and
// they would end up in logs and database queries.
func checkUsername(username string) error {
	if !utf8.ValidString(username) {
		return fmt.Errorf("local: username is not valid UTF-8: %w", strategy.ErrMalformedCredentials)
	}
	if strings.ContainsFunc(username, unicode.IsControl) {
		return fmt.Errorf("local: control character in username: %w", strategy.ErrMalformedCredentials)
	}
	return nil
}
