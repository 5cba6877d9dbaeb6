package local_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
)

// errDatabase stands for a fault of the app's store.
var errDatabase = errors.New("database down")

// Users the verifier refuses with a message of the app's
// (strategy.WithUserMessage), and those messages.
const (
	suspendedUser = "carol" // refused as suspended, whatever the password
	closedUser    = "dave"  // refused as unknown: the account was closed
	msgSuspended  = "Your account is suspended. Contact support to restore it."
	msgClosed     = "This account was closed. Register again to come back."
)

// verifier is a Verify callback over fixed users that counts its calls.
type verifier struct {
	users map[string]string // username → password
	calls atomic.Int64
	fault bool // answer every call with errDatabase
}

func newVerifier() *verifier {
	return &verifier{users: map[string]string{"alice": "s3cret", "bob": "hunter2"}}
}

func (v *verifier) verify(_ context.Context, username, password string) (string, error) {
	v.calls.Add(1)
	if v.fault {
		return "", errDatabase
	}
	want, ok := v.users[username]
	switch {
	case username == suspendedUser:
		return "", strategy.WithUserMessage(fmt.Errorf("test: %s is suspended: %w", username, strategy.ErrInvalidCredentials), msgSuspended)
	case username == closedUser:
		return "", strategy.WithUserMessage(strategy.ErrUserNotFound, msgClosed)
	case !ok:
		return "", strategy.ErrUserNotFound
	case want != password:
		return "", strategy.ErrInvalidCredentials
	default:
		return username, nil
	}
}

func newStrategy(t *testing.T, cfg local.Config[string]) *local.Strategy[string] {
	t.Helper()
	s, err := local.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// formRequest is a POST of an urlencoded body.
func formRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// jsonRequest is a POST of a JSON body.
func jsonRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// multipartRequest is a POST of a multipart form with the given fields, in
// order (a name may repeat).
func multipartRequest(t *testing.T, fields ...[2]string) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/login", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

func rawRequest(method, target, contentType, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func TestAuthenticate(t *testing.T) {
	longName := strings.Repeat("a", local.DefaultMaxUsernameBytes+1)
	maxName := strings.Repeat("a", local.DefaultMaxUsernameBytes)
	longPass := strings.Repeat("p", local.DefaultMaxPasswordBytes+1)
	maxPass := strings.Repeat("p", local.DefaultMaxPasswordBytes)

	tests := []struct {
		name        string
		cfg         local.Config[string] // Verify is set by the test
		req         func(t *testing.T) *http.Request
		wantKind    strategy.Kind
		wantUser    string
		wantStatus  int
		wantMessage string
		wantReason  []error // every one must match Result.Reason
		wantVerify  int64   // calls of Verify
	}{
		{
			name:       "ok, form credentials",
			req:        func(*testing.T) *http.Request { return formRequest("username=alice&password=s3cret") },
			wantKind:   strategy.KindSuccess,
			wantUser:   "alice",
			wantVerify: 1,
		},
		{
			name: "ok, multipart credentials",
			req: func(t *testing.T) *http.Request {
				return multipartRequest(t, [2]string{"username", "alice"}, [2]string{"other", "x"}, [2]string{"password", "s3cret"})
			},
			wantKind:   strategy.KindSuccess,
			wantUser:   "alice",
			wantVerify: 1,
		},
		{
			name:       "ok, JSON credentials",
			req:        func(*testing.T) *http.Request { return jsonRequest(`{"username":"alice","password":"s3cret"}`) },
			wantKind:   strategy.KindSuccess,
			wantUser:   "alice",
			wantVerify: 1,
		},
		{
			name: "ok, JSON with charset and other members",
			req: func(*testing.T) *http.Request {
				return rawRequest(http.MethodPost, "/login", "application/json; charset=utf-8",
					`{"remember":true,"username":"alice","meta":{"a":[1,2,{"b":null}]},"password":"s3cret"}`)
			},
			wantKind:   strategy.KindSuccess,
			wantUser:   "alice",
			wantVerify: 1,
		},
		{
			name: "ok, JSON with a +json media type and escapes",
			req: func(*testing.T) *http.Request {
				return rawRequest(http.MethodPost, "/login", "application/vnd.api+json", `{"\u0075sername":"\u0061lice","password":"s3cret"}`)
			},
			wantKind:   strategy.KindSuccess,
			wantUser:   "alice",
			wantVerify: 1,
		},
		{
			name: "ok, PUT form",
			req: func(*testing.T) *http.Request {
				return rawRequest(http.MethodPut, "/login", "application/x-www-form-urlencoded", "username=alice&password=s3cret")
			},
			wantKind:   strategy.KindSuccess,
			wantUser:   "alice",
			wantVerify: 1,
		},
		{
			name: "ok, custom field names in a form",
			cfg:  local.Config[string]{UsernameField: "email", PasswordField: "passwd"},
			req: func(*testing.T) *http.Request {
				return formRequest("email=alice&passwd=s3cret&username=bob&password=hunter2")
			},
			wantKind:   strategy.KindSuccess,
			wantUser:   "alice",
			wantVerify: 1,
		},
		{
			name:       "ok, custom field names in JSON",
			cfg:        local.Config[string]{UsernameField: "email", PasswordField: "passwd"},
			req:        func(*testing.T) *http.Request { return jsonRequest(`{"email":"bob","passwd":"hunter2"}`) },
			wantKind:   strategy.KindSuccess,
			wantUser:   "bob",
			wantVerify: 1,
		},
		{
			name:        "nok, custom field names but default ones sent",
			cfg:         local.Config[string]{UsernameField: "email"},
			req:         func(*testing.T) *http.Request { return formRequest("username=alice&password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name:       "ok, username at the limit reaches Verify",
			req:        func(*testing.T) *http.Request { return formRequest("username=" + maxName + "&password=x") },
			wantKind:   strategy.KindFail,
			wantStatus: http.StatusUnauthorized, wantMessage: "Incorrect credentials.",
			wantReason: []error{strategy.ErrInvalidCredentials, strategy.ErrUserNotFound},
			wantVerify: 1,
		},
		{
			name:       "ok, password at the limit reaches Verify",
			req:        func(*testing.T) *http.Request { return formRequest("username=alice&password=" + maxPass) },
			wantKind:   strategy.KindFail,
			wantStatus: http.StatusUnauthorized, wantMessage: "Incorrect credentials.",
			wantReason: []error{strategy.ErrInvalidCredentials},
			wantVerify: 1,
		},
		{
			name:       "ok, NUL and any bytes in a password reach Verify",
			req:        func(*testing.T) *http.Request { return formRequest("username=alice&password=a%00%FFb") },
			wantKind:   strategy.KindFail,
			wantStatus: http.StatusUnauthorized, wantMessage: "Incorrect credentials.",
			wantReason: []error{strategy.ErrInvalidCredentials},
			wantVerify: 1,
		},
		{
			name:        "nok, wrong password",
			req:         func(*testing.T) *http.Request { return formRequest("username=alice&password=nope") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "Incorrect credentials.",
			wantReason:  []error{strategy.ErrInvalidCredentials},
			wantVerify:  1,
		},
		{
			name:        "nok, unknown user looks like a wrong password",
			req:         func(*testing.T) *http.Request { return jsonRequest(`{"username":"mallory","password":"s3cret"}`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "Incorrect credentials.",
			wantReason:  []error{strategy.ErrInvalidCredentials, strategy.ErrUserNotFound},
			wantVerify:  1,
		},
		{
			name:        "nok, refusal with the app's message",
			req:         func(*testing.T) *http.Request { return formRequest("username=carol&password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: msgSuspended,
			wantReason:  []error{strategy.ErrInvalidCredentials},
			wantVerify:  1,
		},
		{
			name:        "nok, unknown user with the app's message",
			req:         func(*testing.T) *http.Request { return jsonRequest(`{"username":"dave","password":"s3cret"}`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: msgClosed,
			wantReason:  []error{strategy.ErrInvalidCredentials, strategy.ErrUserNotFound},
			wantVerify:  1,
		},
		{
			name:        "nok, the app's message wins over a custom failure message",
			cfg:         local.Config[string]{FailureMessage: "Wrong email or password."},
			req:         func(*testing.T) *http.Request { return formRequest("username=carol&password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: msgSuspended,
			wantReason:  []error{strategy.ErrInvalidCredentials},
			wantVerify:  1,
		},
		{
			name:        "nok, custom failure message",
			cfg:         local.Config[string]{FailureMessage: "Wrong email or password."},
			req:         func(*testing.T) *http.Request { return formRequest("username=alice&password=nope") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusUnauthorized,
			wantMessage: "Wrong email or password.",
			wantReason:  []error{strategy.ErrInvalidCredentials},
			wantVerify:  1,
		},
		{
			name:        "nok, missing username",
			req:         func(*testing.T) *http.Request { return formRequest("password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name:        "nok, missing password",
			req:         func(*testing.T) *http.Request { return jsonRequest(`{"username":"alice"}`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name:        "nok, empty password",
			req:         func(*testing.T) *http.Request { return formRequest("username=alice&password=") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name:        "nok, empty username in JSON",
			req:         func(*testing.T) *http.Request { return jsonRequest(`{"username":"","password":"s3cret"}`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name:        "nok, blank username",
			req:         func(*testing.T) *http.Request { return formRequest("username=+%20+&password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name:        "nok, custom bad request message",
			cfg:         local.Config[string]{BadRequestMessage: "Enter your email and password."},
			req:         func(*testing.T) *http.Request { return formRequest("") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Enter your email and password.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name: "nok, no content type",
			req: func(*testing.T) *http.Request {
				return rawRequest(http.MethodPost, "/login", "", "username=alice&password=s3cret")
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name: "nok, text body",
			req: func(*testing.T) *http.Request {
				return rawRequest(http.MethodPost, "/login", "text/plain", "username=alice&password=s3cret")
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name: "nok, unparsable content type",
			req: func(*testing.T) *http.Request {
				return rawRequest(http.MethodPost, "/login", "application/json; ;;", `{}`)
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name: "nok, credentials in the query string are ignored",
			req: func(*testing.T) *http.Request {
				return rawRequest(http.MethodPost, "/login?username=alice&password=s3cret", "application/x-www-form-urlencoded", "")
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name: "nok, GET with a query string",
			req: func(*testing.T) *http.Request {
				return rawRequest(http.MethodGet, "/login?username=alice&password=s3cret", "", "")
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name: "nok, GET with a form body",
			req: func(*testing.T) *http.Request {
				return rawRequest(http.MethodGet, "/login", "application/x-www-form-urlencoded", "username=alice&password=s3cret")
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name:        "nok, repeated username in a form",
			req:         func(*testing.T) *http.Request { return formRequest("username=alice&username=bob&password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, repeated password in a form",
			req:         func(*testing.T) *http.Request { return formRequest("username=alice&password=s3cret&password=x") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name: "nok, repeated password in multipart",
			req: func(t *testing.T) *http.Request {
				return multipartRequest(t, [2]string{"username", "alice"}, [2]string{"password", "s3cret"}, [2]string{"password", "s3cret"})
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name: "nok, repeated JSON member",
			req: func(*testing.T) *http.Request {
				return jsonRequest(`{"username":"mallory","username":"alice","password":"s3cret"}`)
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, JSON number",
			req:         func(*testing.T) *http.Request { return jsonRequest(`{"username":"alice","password":1234}`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, JSON null",
			req:         func(*testing.T) *http.Request { return jsonRequest(`{"username":"alice","password":null}`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, JSON array value",
			req:         func(*testing.T) *http.Request { return jsonRequest(`{"username":["alice"],"password":"s3cret"}`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, JSON object value",
			req:         func(*testing.T) *http.Request { return jsonRequest(`{"username":{"$ne":""},"password":"s3cret"}`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, JSON top-level array",
			req:         func(*testing.T) *http.Request { return jsonRequest(`[{"username":"alice","password":"s3cret"}]`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, truncated JSON",
			req:         func(*testing.T) *http.Request { return jsonRequest(`{"username":"alice","password":"s3cret"`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, data after the JSON object",
			req:         func(*testing.T) *http.Request { return jsonRequest(`{"username":"alice","password":"s3cret"} {}`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, empty JSON body",
			req:         func(*testing.T) *http.Request { return jsonRequest(``) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, bad escape in a form",
			req:         func(*testing.T) *http.Request { return formRequest("username=alice&password=%zz") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name: "nok, multipart without boundary",
			req: func(*testing.T) *http.Request {
				return rawRequest(http.MethodPost, "/login", "multipart/form-data", "--x\r\n")
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name: "nok, broken multipart",
			req: func(*testing.T) *http.Request {
				return rawRequest(http.MethodPost, "/login", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice")
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name: "nok, multipart password as a file",
			req: func(t *testing.T) *http.Request {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				_ = mw.WriteField("username", "alice")
				fw, err := mw.CreateFormFile("password", "pw.txt")
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.WriteString(fw, "s3cret")
				_ = mw.Close()
				r := httptest.NewRequest(http.MethodPost, "/login", &buf)
				r.Header.Set("Content-Type", mw.FormDataContentType())
				return r
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Missing credentials.",
			wantReason:  []error{strategy.ErrMissingCredentials},
		},
		{
			name:        "nok, username over the limit",
			req:         func(*testing.T) *http.Request { return formRequest("username=" + longName + "&password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name: "nok, password over the limit",
			req: func(*testing.T) *http.Request {
				return jsonRequest(`{"username":"alice","password":"` + longPass + `"}`)
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, password over a custom limit",
			cfg:         local.Config[string]{MaxPasswordBytes: 4},
			req:         func(*testing.T) *http.Request { return formRequest("username=alice&password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, username over a custom limit",
			cfg:         local.Config[string]{MaxUsernameBytes: 4},
			req:         func(*testing.T) *http.Request { return formRequest("username=alice&password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, NUL in a form username",
			req:         func(*testing.T) *http.Request { return formRequest("username=alice%00&password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, NUL in a JSON username",
			req:         func(*testing.T) *http.Request { return jsonRequest(`{"username":"al\u0000ice","password":"s3cret"}`) },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, newline in a username",
			req:         func(*testing.T) *http.Request { return formRequest("username=alice%0Aadmin&password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name:        "nok, invalid UTF-8 in a form username",
			req:         func(*testing.T) *http.Request { return formRequest("username=%FFalice%C0&password=s3cret") },
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name: "nok, invalid UTF-8 in a multipart username",
			req: func(t *testing.T) *http.Request {
				return multipartRequest(t, [2]string{"username", "\xffalice"}, [2]string{"password", "s3cret"})
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusBadRequest,
			wantMessage: "Malformed credentials.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name: "nok, body over MaxBodyBytes",
			cfg:  local.Config[string]{MaxBodyBytes: 64},
			req: func(*testing.T) *http.Request {
				return formRequest("username=alice&password=s3cret&pad=" + strings.Repeat("x", 100))
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusRequestEntityTooLarge,
			wantMessage: "Request body too large.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name: "nok, JSON body over the default limit",
			req: func(*testing.T) *http.Request {
				return jsonRequest(`{"username":"alice","password":"s3cret","pad":"` + strings.Repeat("x", local.DefaultMaxBodyBytes) + `"}`)
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusRequestEntityTooLarge,
			wantMessage: "Request body too large.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
		{
			name: "nok, body over the app's own limit",
			req: func(*testing.T) *http.Request {
				r := jsonRequest(`{"username":"alice","password":"s3cret"}`)
				r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 10)
				return r
			},
			wantKind:    strategy.KindFail,
			wantStatus:  http.StatusRequestEntityTooLarge,
			wantMessage: "Request body too large.",
			wantReason:  []error{strategy.ErrMalformedCredentials},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier()
			cfg := tt.cfg
			cfg.Verify = v.verify
			s := newStrategy(t, cfg)

			res, err := s.Authenticate(tt.req(t))
			if err != nil {
				t.Fatalf("Authenticate: unexpected error %v", err)
			}
			if res.Kind != tt.wantKind {
				t.Fatalf("kind: got %q; want %q (result %+v)", res.Kind, tt.wantKind, res)
			}
			if res.User != tt.wantUser {
				t.Errorf("user: got %q; want %q", res.User, tt.wantUser)
			}
			if tt.wantKind == strategy.KindFail {
				if got := res.FailStatus(); got != tt.wantStatus {
					t.Errorf("status: got %d; want %d", got, tt.wantStatus)
				}
				if res.Info.Message != tt.wantMessage {
					t.Errorf("message: got %q; want %q", res.Info.Message, tt.wantMessage)
				}
				if res.Challenge != "" {
					t.Errorf("challenge: got %q; want none", res.Challenge)
				}
				if res.Reason == nil {
					t.Errorf("reason: got nil; want a sentinel")
				}
			}
			for _, want := range tt.wantReason {
				if !errors.Is(res.Reason, want) {
					t.Errorf("reason: got %v; want it to match %v", res.Reason, want)
				}
			}
			if got := v.calls.Load(); got != tt.wantVerify {
				t.Errorf("Verify calls: got %d; want %d", got, tt.wantVerify)
			}
		})
	}
}

func TestAuthenticateVerifyFault(t *testing.T) {
	v := newVerifier()
	v.fault = true
	s := newStrategy(t, local.Config[string]{Verify: v.verify})
	res, err := s.Authenticate(formRequest("username=alice&password=s3cret"))
	if !errors.Is(err, errDatabase) {
		t.Fatalf("error: got %v; want %v", err, errDatabase)
	}
	if res.Kind != strategy.KindNone {
		t.Errorf("kind: got %q; want %q", res.Kind, strategy.KindNone)
	}
}

func TestAuthenticateBodyReadableAgain(t *testing.T) {
	v := newVerifier()
	s := newStrategy(t, local.Config[string]{Verify: v.verify})

	t.Run("ok, form parsed after the strategy", func(t *testing.T) {
		r := formRequest("username=alice&password=s3cret&remember=1")
		if res, err := s.Authenticate(r); err != nil || res.Kind != strategy.KindSuccess {
			t.Fatalf("Authenticate: got %q, %v; want success", res.Kind, err)
		}
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		if got := r.PostForm.Get("remember"); got != "1" {
			t.Errorf("remember: got %q; want %q", got, "1")
		}
	})
	t.Run("ok, JSON body read after the strategy", func(t *testing.T) {
		body := `{"username":"alice","password":"s3cret","remember":true}`
		r := jsonRequest(body)
		if res, err := s.Authenticate(r); err != nil || res.Kind != strategy.KindSuccess {
			t.Fatalf("Authenticate: got %q, %v; want success", res.Kind, err)
		}
		got, err := io.ReadAll(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != body {
			t.Errorf("body: got %q; want %q", got, body)
		}
	})
	t.Run("ok, multipart parsed after the strategy", func(t *testing.T) {
		r := multipartRequest(t, [2]string{"username", "alice"}, [2]string{"password", "s3cret"}, [2]string{"remember", "1"})
		if res, err := s.Authenticate(r); err != nil || res.Kind != strategy.KindSuccess {
			t.Fatalf("Authenticate: got %q, %v; want success", res.Kind, err)
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Fatal(err)
		}
		if got := r.FormValue("remember"); got != "1" {
			t.Errorf("remember: got %q; want %q", got, "1")
		}
	})
	t.Run("ok, form parsed by the app before", func(t *testing.T) {
		r := formRequest("username=alice&password=s3cret")
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		if res, err := s.Authenticate(r); err != nil || res.Kind != strategy.KindSuccess {
			t.Fatalf("Authenticate: got %q, %v; want success", res.Kind, err)
		}
	})
	t.Run("ok, multipart parsed by the app before", func(t *testing.T) {
		r := multipartRequest(t, [2]string{"username", "alice"}, [2]string{"password", "s3cret"})
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Fatal(err)
		}
		if res, err := s.Authenticate(r); err != nil || res.Kind != strategy.KindSuccess {
			t.Fatalf("Authenticate: got %q, %v; want success", res.Kind, err)
		}
	})
	t.Run("nok, form parsed by the app before with a query only", func(t *testing.T) {
		r := rawRequest(http.MethodPost, "/login?username=alice&password=s3cret", "application/x-www-form-urlencoded", "")
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		res, err := s.Authenticate(r)
		if err != nil || res.Kind != strategy.KindFail || !errors.Is(res.Reason, strategy.ErrMissingCredentials) {
			t.Fatalf("Authenticate: got %q, %v, %v; want a missing-credentials fail", res.Kind, res.Reason, err)
		}
	})
}

func TestNew(t *testing.T) {
	v := newVerifier()
	tests := []struct {
		name string
		cfg  local.Config[string]
	}{
		{name: "nok, no Verify", cfg: local.Config[string]{}},
		{name: "nok, same field twice", cfg: local.Config[string]{Verify: v.verify, UsernameField: "password"}},
		{name: "nok, negative username limit", cfg: local.Config[string]{Verify: v.verify, MaxUsernameBytes: -1}},
		{name: "nok, negative password limit", cfg: local.Config[string]{Verify: v.verify, MaxPasswordBytes: -1}},
		{name: "nok, negative body limit", cfg: local.Config[string]{Verify: v.verify, MaxBodyBytes: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := local.New(tt.cfg)
			if !errors.Is(err, local.ErrInvalidConfig) {
				t.Errorf("error: got %v; want %v", err, local.ErrInvalidConfig)
			}
			if s != nil {
				t.Errorf("strategy: got %v; want nil", s)
			}
		})
	}
	t.Run("ok, name", func(t *testing.T) {
		s := newStrategy(t, local.Config[string]{Verify: v.verify})
		if got := s.Name(); got != "local" {
			t.Errorf("Name: got %q; want %q", got, "local")
		}
	})
}

// TestAuthenticateFormValuesNotInQuery checks that a form body wins and the
// query string is never merged in, even for the other field.
func TestAuthenticateFormValuesNotInQuery(t *testing.T) {
	v := newVerifier()
	s := newStrategy(t, local.Config[string]{Verify: v.verify})
	q := url.Values{"password": {"s3cret"}}
	r := rawRequest(http.MethodPost, "/login?"+q.Encode(), "application/x-www-form-urlencoded", "username=alice")
	res, err := s.Authenticate(r)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != strategy.KindFail || !errors.Is(res.Reason, strategy.ErrMissingCredentials) {
		t.Errorf("got %q (%v); want a missing-credentials fail", res.Kind, res.Reason)
	}
	if got := v.calls.Load(); got != 0 {
		t.Errorf("Verify calls: got %d; want 0", got)
	}
}
