package oauth

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// Limits on what a callback may carry.
const (
	// MaxCallbackBody bounds the body of a form_post callback.
	MaxCallbackBody = 64 << 10
	maxStateParam   = 512
	maxCodeParam    = 4096
)

var errMalformedCallback = errors.New("oauth: malformed callback parameters")

// callbackParams reads the parameters of a callback: the query of a GET,
// or for a POST with a form body (response_mode=form_post) the body when
// it carries any of state, code or error, else the query. The body is read
// at most once, up to MaxCallbackBody, and put back in r.Body; a form the
// app parsed before (r.PostForm) is read from there.
//
// A query or body that does not parse, a repeated state, code or error, or
// an oversized state or code is errMalformedCallback.
func callbackParams(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errMalformedCallback
	}
	if r.Method == http.MethodPost && isForm(r.Header.Get("Content-Type")) {
		body, err := postForm(r)
		if err != nil {
			return nil, err
		}
		if body.Has("state") || body.Has("code") || body.Has("error") {
			q = body
		}
	}
	for _, k := range [...]string{"state", "code", "error"} {
		if len(q[k]) > 1 {
			return nil, errMalformedCallback
		}
	}
	if len(q.Get("state")) > maxStateParam || len(q.Get("code")) > maxCodeParam {
		return nil, errMalformedCallback
	}
	return q, nil
}

func isForm(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// postForm reads the form body of r without ParseForm, which would also
// merge the query and keep no limit of ours.
func postForm(r *http.Request) (url.Values, error) {
	if r.PostForm != nil {
		return r.PostForm, nil
	}
	if r.Body == nil || r.Body == http.NoBody {
		return url.Values{}, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxCallbackBody+1))
	// Put back what was read, followed by what was not.
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
	if err != nil || len(b) > MaxCallbackBody {
		return nil, errMalformedCallback
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, errMalformedCallback
	}
	return v, nil
}
