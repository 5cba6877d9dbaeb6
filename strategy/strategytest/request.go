package strategytest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"

	"github.com/gopassport/passport/strategy"
)

// DefaultRemoteAddr is the RemoteAddr of a built request unless
// [RequestBuilder.RemoteAddr] sets another, the same as
// [net/http/httptest.NewRequest] uses (192.0.2.0/24 is TEST-NET-1).
const DefaultRemoteAddr = "192.0.2.1:1234"

// DefaultHost is the Host of a built request whose target is a path.
const DefaultHost = "example.com"

// RequestBuilder builds the *http.Request a test hands to a strategy, as the
// server would: a Body that is never nil, RequestURI, RemoteAddr and Host
// set, headers canonicalised. Start one with [NewRequest], chain the
// setters, and call [RequestBuilder.Build].
//
// The setters change the builder and return it. Build does not change it:
// once configured, a builder may be built many times, from many goroutines,
// and every request gets its own body reader, header map and context.
// A builder that must vary is copied with [RequestBuilder.Clone] first.
type RequestBuilder struct {
	method      string
	target      string
	query       []string // encoded query strings appended to the target's
	header      http.Header
	cookies     []*http.Cookie
	body        []byte
	bodyFunc    func() io.Reader // a body read as a stream (hostile requests)
	contentType string
	remoteAddr  string
	ctx         context.Context
	hooks       []func(context.Context) context.Context
	err         error
}

// NewRequest starts a request for method and target. target is a path with
// an optional query ("/login?next=%2F") or an absolute URL
// ("https://api.example.com/v1"); an https URL marks the request as
// received over TLS. A target that does not parse makes
// [RequestBuilder.Build] panic, as [net/http/httptest.NewRequest] does.
func NewRequest(method, target string) *RequestBuilder {
	return &RequestBuilder{
		method:     method,
		target:     target,
		header:     make(http.Header),
		remoteAddr: DefaultRemoteAddr,
	}
}

// Clone returns an independent copy of b, so that a base request can be
// varied per test case.
func (b *RequestBuilder) Clone() *RequestBuilder {
	c := *b
	c.query = slices.Clone(b.query)
	c.header = b.header.Clone()
	c.cookies = slices.Clone(b.cookies)
	c.hooks = slices.Clone(b.hooks)
	return &c
}

// Query appends values to the query of the target.
func (b *RequestBuilder) Query(values url.Values) *RequestBuilder {
	if len(values) > 0 {
		b.query = append(b.query, values.Encode())
	}
	return b
}

// Form sets the body to values, URL-encoded, with the Content-Type
// application/x-www-form-urlencoded. It replaces any body set before. The
// body is sent whatever the method, so a test can check that a strategy
// ignores a GET's body.
func (b *RequestBuilder) Form(values url.Values) *RequestBuilder {
	return b.Body("application/x-www-form-urlencoded", []byte(values.Encode()))
}

// File is a file part of a multipart body.
type File struct {
	// Field is the form field name.
	Field string
	// Name is the file name the client reports.
	Name string
	// ContentType is the part's Content-Type. Optional; default
	// application/octet-stream.
	ContentType string
	// Content is the file's content.
	Content []byte
}

// Multipart sets the body to a multipart/form-data message holding the
// fields (in key order) and then the files. It replaces any body set before.
func (b *RequestBuilder) Multipart(fields url.Values, files ...File) *RequestBuilder {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		for _, v := range fields[k] {
			if err := w.WriteField(k, v); err != nil {
				b.err = fmt.Errorf("multipart field %q: %w", k, err)
				return b
			}
		}
	}
	for _, f := range files {
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", multipart.FileContentDisposition(f.Field, f.Name))
		ct := f.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		part, err := w.CreatePart(h)
		if err == nil {
			_, err = part.Write(f.Content)
		}
		if err != nil {
			b.err = fmt.Errorf("multipart file %q: %w", f.Field, err)
			return b
		}
	}
	if err := w.Close(); err != nil {
		b.err = fmt.Errorf("multipart: %w", err)
		return b
	}
	return b.Body(w.FormDataContentType(), buf.Bytes())
}

// JSON sets the body to v encoded with [encoding/json], with the
// Content-Type application/json. It replaces any body set before. A v that
// does not encode makes [RequestBuilder.Build] panic; send invalid JSON with
// [RequestBuilder.Body].
func (b *RequestBuilder) JSON(v any) *RequestBuilder {
	data, err := json.Marshal(v)
	if err != nil {
		b.err = fmt.Errorf("JSON: %w", err)
		return b
	}
	return b.Body("application/json", data)
}

// Body sets the raw body and its Content-Type (none when contentType is
// empty). It replaces any body set before. The slice is kept, not copied:
// do not change it afterwards.
func (b *RequestBuilder) Body(contentType string, body []byte) *RequestBuilder {
	b.body = body
	b.bodyFunc = nil
	b.contentType = contentType
	return b
}

// streamBody sets a body read from a fresh reader for every built request,
// with an unknown length, as a chunked upload has.
func (b *RequestBuilder) streamBody(contentType string, body func() io.Reader) *RequestBuilder {
	b.body = nil
	b.bodyFunc = body
	b.contentType = contentType
	return b
}

// Header adds the header key: value. Calling it twice with the same key
// sends the header twice, so tests can send a repeated Authorization header.
// A Content-Type set here wins over the one of [RequestBuilder.Form],
// [RequestBuilder.JSON] and the like.
func (b *RequestBuilder) Header(key, value string) *RequestBuilder {
	b.header.Add(key, value)
	return b
}

// Cookie adds a cookie to the Cookie header. Its value is sanitized as by
// [http.Request.AddCookie]; send a raw Cookie header with
// [RequestBuilder.Header] to test garbage.
func (b *RequestBuilder) Cookie(c *http.Cookie) *RequestBuilder {
	b.cookies = append(b.cookies, c)
	return b
}

// RemoteAddr sets the peer address, "ip:port". Default [DefaultRemoteAddr].
// It may be set to anything, even "", to test how a strategy copes.
func (b *RequestBuilder) RemoteAddr(addr string) *RequestBuilder {
	b.remoteAddr = addr
	return b
}

// ClientIP sets the client address that [strategy.ClientIP] reports, as
// passport does from Echo's RealIP.
func (b *RequestBuilder) ClientIP(ip string) *RequestBuilder {
	return b.WithContext(func(ctx context.Context) context.Context {
		return strategy.WithClientIP(ctx, ip)
	})
}

// Context sets the base context of the request. Default
// [context.Background]; tests usually pass t.Context().
func (b *RequestBuilder) Context(ctx context.Context) *RequestBuilder {
	b.ctx = ctx
	return b
}

// WithContext adds a hook that derives the request's context, applied in
// the order added on top of the base context at every Build. It is how
// values are put where a strategy reads them: the user already logged in
// ([LoggedInAs]), the client IP, and the session of package session.
// Because a builder may be built from many goroutines, hooks must be safe
// for concurrent use.
func (b *RequestBuilder) WithContext(hook func(context.Context) context.Context) *RequestBuilder {
	if hook != nil {
		b.hooks = append(b.hooks, hook)
	}
	return b
}

// LoggedInAs returns a context hook for [RequestBuilder.WithContext] under
// which [strategy.CurrentUser] reports user as logged in, as passport sets
// it for a request with a session.
func LoggedInAs[U any](user U) func(context.Context) context.Context {
	return func(ctx context.Context) context.Context {
		return strategy.WithUserLoader(ctx, func(context.Context) (U, bool, error) {
			return user, true, nil
		})
	}
}

// Build returns a new request. It panics if a setter was given something it
// could not encode or the target does not parse: these are mistakes in the
// test, reported as [net/http/httptest.NewRequest] reports them.
func (b *RequestBuilder) Build() *http.Request {
	if b.err != nil {
		panic("strategytest: " + b.err.Error())
	}
	u, err := url.ParseRequestURI(b.target)
	if err != nil {
		panic(fmt.Sprintf("strategytest: target %q: %v", b.target, err))
	}
	if len(b.query) > 0 {
		parts := b.query
		if u.RawQuery != "" {
			parts = append([]string{u.RawQuery}, parts...)
		}
		u.RawQuery = strings.Join(parts, "&")
		u.ForceQuery = false
	}
	r := &http.Request{
		Method:     b.method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     b.header.Clone(),
		Host:       u.Host,
		RemoteAddr: b.remoteAddr,
		RequestURI: u.RequestURI(),
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if r.Host == "" {
		r.Host = DefaultHost
	}
	if u.IsAbs() {
		r.RequestURI = u.String()
	}
	if u.Scheme == "https" {
		r.TLS = &tls.ConnectionState{Version: tls.VersionTLS13, HandshakeComplete: true, ServerName: r.Host}
	}
	for _, c := range b.cookies {
		r.AddCookie(c)
	}
	if b.contentType != "" && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", b.contentType)
	}
	switch {
	case b.bodyFunc != nil:
		r.Body = io.NopCloser(b.bodyFunc())
		r.ContentLength = -1
	case len(b.body) > 0:
		body := b.body
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	default:
		r.Body = http.NoBody
		r.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
	}
	ctx := b.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	for _, hook := range b.hooks {
		ctx = hook(ctx)
	}
	return r.WithContext(ctx)
}
