package strategytest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Case is a named request of a conformance run. Request is built afresh for
// every call, so one Case may run many times and from many goroutines.
type Case struct {
	Name    string
	Request *RequestBuilder
}

// mib is the size of the large bodies and headers of [HostileRequests].
const mib = 1 << 20

// HostileRequests returns the garbage, empty and oversized requests that
// [Conformance] sends: every common method, empty requests, 1 MiB headers
// and bodies, thousands of headers and cookies, invalid UTF-8 and NUL bytes,
// every common content type with a body that does not match it, repeated
// and broken credential fields in the query, form, JSON and multipart
// bodies, truncated bodies, odd peer addresses, and Authorization headers
// of every common scheme with broken values.
//
// A strategy must answer each with an outcome (whichever fits: a fail is
// usual, a pass or even a success may be right) and a nil error. The list
// is fresh for each call; strategy authors may append their own.
func HostileRequests() []Case {
	// The names under which strategies commonly look for credentials: each
	// is sent repeated, empty, oversized and broken.
	credentialFields := []string{
		"username", "password", "email", "token", "access_token", "refresh_token",
		"api_key", "apikey", "key", "code", "state", "client_id", "id_token",
	}
	var cs []Case
	add := func(name string, b *RequestBuilder) { cs = append(cs, Case{Name: name, Request: b}) }

	// Methods and empty requests.
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "X-UNKNOWN"} {
		add("empty "+m, NewRequest(m, "/"))
	}
	add("empty POST with form content type", NewRequest("POST", "/").Body("application/x-www-form-urlencoded", nil))
	add("empty POST with JSON content type", NewRequest("POST", "/").Body("application/json", nil))
	add("empty POST with multipart content type", NewRequest("POST", "/").Body("multipart/form-data; boundary=x", nil))
	add("absolute https target", NewRequest("GET", "https://example.com:8443/a/../b?x=1#frag"))

	// Peer addresses and hosts.
	for _, addr := range []string{"", "not-an-address", "[::1", "999.999.999.999:99999", "[::1]:0", "\x00:0", "192.0.2.1"} {
		add(fmt.Sprintf("remote address %q", addr), NewRequest("GET", "/").RemoteAddr(addr))
	}
	add("client IP garbage", NewRequest("GET", "/").ClientIP("\xff\x00 not an ip"))

	// Paths and queries.
	add("long path", NewRequest("GET", "/"+strings.Repeat("a/", 32<<10)))
	add("NUL in path", NewRequest("GET", "/%00/%ff"))
	add("bad query escapes", NewRequest("GET", "/?a=%zz&b=%&%=c"))
	add("semicolon query", NewRequest("GET", "/?a=1;b=2"))
	add("huge query", NewRequest("GET", "/?q="+strings.Repeat("x", mib)))
	add("many query fields", NewRequest("GET", "/?"+strings.Repeat("a=1&", 20000)))
	for _, f := range credentialFields {
		add("query "+f+" repeated", NewRequest("GET", "/").Query(url.Values{f: {"a", "b"}}))
		add("query "+f+" empty", NewRequest("GET", "/").Query(url.Values{f: {""}}))
		add("query "+f+" invalid UTF-8 and NUL", NewRequest("GET", "/?"+f+"=%ff%fe%00x"))
		add("query "+f+" oversized", NewRequest("GET", "/").Query(url.Values{f: {strings.Repeat("A", 64<<10)}}))
	}

	// Headers.
	big := strings.Repeat("A", mib)
	add("1 MiB Authorization Basic", NewRequest("GET", "/").Header("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(big[:mib*3/4]))))
	add("1 MiB Authorization Bearer", NewRequest("GET", "/").Header("Authorization", "Bearer "+big))
	add("1 MiB unknown header", NewRequest("GET", "/").Header("X-Junk", big))
	add("1 MiB X-API-Key", NewRequest("GET", "/").Header("X-API-Key", big))
	add("1 MiB cookie", NewRequest("GET", "/").Header("Cookie", "session="+big))
	many := NewRequest("GET", "/")
	for i := range 2000 {
		many.Header(fmt.Sprintf("X-Junk-%d", i), "x")
	}
	add("2000 headers", many)
	repeated := NewRequest("GET", "/")
	for range 100 {
		repeated.Header("Authorization", "Basic dTpw").Header("X-API-Key", "k")
	}
	add("100 Authorization headers", repeated)
	add("2000 cookies", NewRequest("GET", "/").Header("Cookie", strings.Repeat("c=v; ", 2000)))
	for _, c := range []string{"=;=;;;", "session=\x00\xff", "session", `session="unterminated`, "a=b=c=d"} {
		add(fmt.Sprintf("cookie %q", c), NewRequest("GET", "/").Header("Cookie", c))
	}
	for _, v := range []string{
		"", " ", "Basic", "Basic ", "basic Og==", "BASIC Og==", "Basic :", "Basic ====", "Basic !!!!",
		"Basic " + base64.StdEncoding.EncodeToString([]byte("\x00:\x00")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("\xff\xfe:\xff")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("no-colon")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte(":")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("user:pass\r\nX: y")),
		"Basic dXNlcjpwYXNz\x00", "Basic\x00dXNlcjpwYXNz", "Basic dXNlcjpwYXNz dXNlcjpwYXNz",
		"Bearer", "Bearer ", "Bearer a.b.c", "Bearer ..", "Bearer \xff\xfe", "Bearer " + strings.Repeat("e30.", 1000),
		`Digest username="x", realm="y", nonce="", response=""`, "Negotiate YII=", "ApiKey", "ApiKey \x00",
		"Token token=", "\x00", "\xff\xfe\xfd", "Básico ñ", "   ",
	} {
		add(fmt.Sprintf("Authorization %q", truncate(v)), NewRequest("GET", "/").Header("Authorization", v))
	}
	for _, v := range []string{"", "\x00", "\xff\xfe", " k ", "a b"} {
		add(fmt.Sprintf("X-API-Key %q", v), NewRequest("GET", "/").Header("X-API-Key", v))
	}
	add("invalid UTF-8 and NUL in many headers", NewRequest("GET", "/").
		Header("User-Agent", "\xff\x00").Header("Accept", "\xfe").Header("Origin", "\x00").
		Header("Referer", "http://\xff/").Header("X-Forwarded-For", "\x00, \xff, 1.2.3.4").
		Header("X-Real-Ip", "\xff").Header("Forwarded", "for=\"\x00\""))

	// Bodies of every content type: a garbage body under each type, a
	// 1 MiB well-formed body of the type, and broken ones.
	pattern := make([]byte, 256)
	for i := range pattern {
		pattern[i] = byte(i*7 + 3)
	}
	garbage := bytes.Repeat(pattern, mib/len(pattern))
	for _, ct := range []string{
		"application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin1",
		"application/json", "application/json; charset=utf-16", "application/vnd.api+json",
		"multipart/form-data; boundary=x", "multipart/form-data", "multipart/mixed; boundary=x",
		"text/plain", "text/html", "application/xml", "application/octet-stream",
		"application/grpc", "image/png", ";;;", "a/b; c=\"", "\xff/\x00",
	} {
		add(fmt.Sprintf("1 MiB garbage as %q", ct), NewRequest("POST", "/").Body(ct, garbage))
	}
	add("1 MiB garbage without content type", NewRequest("POST", "/").Body("", garbage))
	for _, f := range credentialFields {
		add("1 MiB form field "+f, NewRequest("POST", "/").Body("application/x-www-form-urlencoded", []byte(f+"="+big)))
	}
	add("1 MiB of form separators", NewRequest("POST", "/").Body("application/x-www-form-urlencoded", bytes.Repeat([]byte("&="), mib/2)))
	add("1 MiB JSON string", NewRequest("POST", "/").Body("application/json", []byte(`{"username":"`+big+`","password":"`+big[:1000]+`"}`)))
	add("1 MiB JSON nesting", NewRequest("POST", "/").Body("application/json", bytes.Repeat([]byte("["), mib)))
	add("1 MiB JSON object nesting", NewRequest("POST", "/").Body("application/json", bytes.Repeat([]byte(`{"a":`), mib/5)))
	add("1 MiB multipart field", NewRequest("POST", "/").Multipart(url.Values{"username": {big}, "password": {"x"}}))
	add("1 MiB multipart file", NewRequest("POST", "/").Multipart(nil, File{Field: "password", Name: "../../etc/passwd", Content: garbage}))
	for _, body := range []string{
		"", "&&&&=&==", "=", "%", "%zz=%zz", "a=1;b=2", "\x00=\x00", "\xff=\xfe",
	} {
		add(fmt.Sprintf("form %q", body), NewRequest("POST", "/").Body("application/x-www-form-urlencoded", []byte(body)))
	}
	for _, f := range credentialFields {
		add("form "+f+" repeated", NewRequest("POST", "/").Form(url.Values{f: {"a", "b"}}))
		add("form "+f+" invalid UTF-8 and NUL", NewRequest("POST", "/").Body("application/x-www-form-urlencoded", []byte(f+"=%ff%00%fe")))
		add("multipart "+f+" repeated", NewRequest("POST", "/").Multipart(url.Values{f: {"a", "b"}}))
	}
	for _, body := range []string{
		"", "null", "[]", "{", "}", `"string"`, "0", "1e999999", "-", "true", "{}",
		`{"username":1,"password":true}`, `{"username":null,"password":null}`,
		`{"username":["a","b"],"password":{"x":1}}`, `{"username":"a","username":"b","password":"x"}`,
		`{"username":"\u0000","password":"\ud800"}`, "{\"username\":\"\xff\xfe\",\"password\":\"\x00\"}",
		`{"username":"a","password":"b"} trailing`, `{"username":"a"}{"password":"b"}`, "\xef\xbb\xbf{}",
		`{"username":"` + strings.Repeat(`\\`, 1000) + `"}`,
	} {
		add(fmt.Sprintf("JSON %q", truncate(body)), NewRequest("POST", "/").Body("application/json", []byte(body)))
	}
	add("multipart truncated", NewRequest("POST", "/").Body("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice")))
	add("multipart without parts", NewRequest("POST", "/").Body("multipart/form-data; boundary=x", []byte("--x--\r\n")))
	add("multipart bad part header", NewRequest("POST", "/").Body("multipart/form-data; boundary=x", []byte("--x\r\n\x00\xff\r\n\r\nv\r\n--x--\r\n")))

	// Bodies that end in a read error, as when the client goes away.
	for _, ct := range []string{"application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=x"} {
		add(fmt.Sprintf("truncated stream as %q", ct), NewRequest("POST", "/").streamBody(ct, func() io.Reader {
			return io.MultiReader(strings.NewReader("username=alice&pass"), errReader{})
		}))
	}
	add("unknown-length 1 MiB form", NewRequest("POST", "/").streamBody("application/x-www-form-urlencoded", func() io.Reader {
		return io.LimitReader(repeatReader('a'), mib)
	}))
	return cs
}

// truncate shortens a value for a case name.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// errReader fails every read, like a connection reset mid-body.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// repeatReader yields one byte forever.
type repeatReader byte

func (b repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}
