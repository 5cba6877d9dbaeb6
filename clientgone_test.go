package passport_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/session"
)

// ctxStore fails its saves with the request's context error once the
// request is cancelled, as a SQL or Redis store does.
type ctxStore struct{ sessions.Store }

func (s ctxStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if err := r.Context().Err(); err != nil {
		return err
	}
	return s.Store.Save(r, w, sess)
}

// TestClientGoneIsNotAFault: a login whose client hung up before the
// session was saved is logged once, below ERROR, and answered 499.
func TestClientGoneIsNotAFault(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	mgr, err := session.New(session.Config{Store: ctxStore{testCookieStore(t)}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.auth, err = passport.New(passport.Config[*user]{
		Sessions:     mgr,
		Logger:       logger,
		DisableAudit: true,
		Serialize:    func(u *user) (string, error) { return u.ID, nil },
		Deserialize:  func(_ context.Context, id string) (*user, error) { return f.users[id], nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.auth.Use("header", f.byHeader()); err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = passport.ErrorHandler(passport.ErrorHandlerConfig{Logger: logger})
	e.Use(f.auth.Session())
	e.POST("/login", f.auth.Authenticate("header", passport.SuccessRedirect("/")).Handler())
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client is gone before the login is saved
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/login", nil)
	req.Header.Set("X-User", "1")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != passport.StatusClientClosedRequest {
		t.Errorf("status %d; want 499", rec.Code)
	}
	if len(rec.Result().Cookies()) != 0 {
		t.Errorf("cookies %v; want none", rec.Result().Cookies())
	}
	out := logs.String()
	if strings.Contains(out, "level=ERROR") {
		t.Errorf("logged at ERROR:\n%s", out)
	}
	if n := strings.Count(out, "the client went away"); n != 1 {
		t.Errorf("logged the client going away %d times; want once:\n%s", n, out)
	}
}
