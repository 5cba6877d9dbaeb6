package main

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
)

// Messages the pages show. Tests look for them.
const (
	msgPasswordsDiffer = "The passwords entered do not match."
	msgEmailTaken      = "That email address is already registered."
	msgSecretWordP     = "Sorry, your secret word can't start with P."
	msgSecretWordEmpty = "The secret word can't be empty."
	msgSecretWordLong  = "The secret word can't be longer than 100 characters."
	msgSecretWordBad   = "The secret word can't contain control characters."
	msgSecretWordSet   = "The secret word was changed."
	msgAccountCreated  = "Your account has been created."
)

// Page titles.
const (
	registerFormTitle   = "Register"
	logonFormTitle      = "Log on"
	secretWordPageTitle = "Secret word"
)

// maxSecretWordRunes bounds the secret word.
const maxSecretWordRunes = 100

// home is GET /: links to log on and register, or who is logged on, with
// the sign-in providers linked to them and buttons to link the others.
func (a *app) home(c echo.Context) error {
	u, ok, err := a.auth.LoadUser(c)
	if err != nil {
		return err
	}
	p := a.newPage(c, "Home")
	if ok {
		if p.Identities, p.LinkButtons, err = a.socialAccount(c.Request().Context(), u); err != nil {
			return err
		}
	}
	return a.render(c, http.StatusOK, "index", p)
}

// registerForm is GET /sessions/register.
func (a *app) registerForm(c echo.Context) error {
	return a.render(c, http.StatusOK, "register", a.newPage(c, registerFormTitle))
}

// register is POST /sessions/register: validate, create the user with an
// argon2id hash, log in (a new session) and go home. Invalid input renders
// the form again with a 400, keeping the name and email, never the
// password.
func (a *app) register(c echo.Context) error {
	form := registration{
		Name:      c.FormValue("name"),
		Email:     c.FormValue("email"),
		Password:  c.FormValue("password"),
		Password1: c.FormValue("password1"),
	}
	fieldErrs, formErrs := form.validate()
	if len(fieldErrs) == 0 && len(formErrs) == 0 {
		hash, err := a.hashPassword(form.Password)
		if err != nil {
			return err
		}
		name, email := strings.TrimSpace(form.Name), strings.TrimSpace(form.Email)
		user, created, err := a.users.create(c.Request().Context(), name, email, hash)
		if err != nil {
			return err
		}
		if created {
			if err := a.auth.Login(c, user); err != nil {
				return err
			}
			if s, ok := passport.SessionFrom(c); ok {
				s.AddFlash("info", msgAccountCreated)
			}
			return c.Redirect(http.StatusFound, "/")
		}
		formErrs = append(formErrs, msgEmailTaken)
	}
	p := a.newPage(c, registerFormTitle)
	p.Form = registration{Name: printable(form.Name), Email: printable(form.Email)}
	p.FieldErrors = fieldErrs
	p.Errors = formErrs
	return a.render(c, http.StatusBadRequest, "register", p)
}

// logonForm is GET /sessions/logon, with the "Sign in with …" buttons of
// the providers; its POST is logon. After a failed logon the e-mail field
// shows the address tried, once: it is taken out of the session here.
func (a *app) logonForm(c echo.Context) error {
	p := a.newPage(c, logonFormTitle)
	p.SocialButtons = a.social.buttons()
	if s, ok := passport.SessionFrom(c); ok {
		if email, ok := s.Get(logonEmailKey); ok {
			p.Form.Email = email
			s.Delete(logonEmailKey)
		}
	}
	return a.render(c, http.StatusOK, "logon", p)
}

// logonEmailKey is the session value that carries the e-mail address of a
// failed logon back to the form. A session value, not a query parameter
// (which would reach the access logs, the history and Referer headers),
// nor a flash (flashes survive a login by design).
const logonEmailKey = "logonEmail"

// maxEmailLen is the e-mail fields' maxlength.
const maxEmailLen = 254

// logon is POST /sessions/logon: passport's Authenticate route with the
// local strategy (authenticate), after keeping the e-mail address typed in
// the session. A successful login clears the session's values, and with
// them the address, so it stays only after a failure (a wrong password or
// a throttled attempt), until the form shows it. An address longer than
// the field allows, which no browser sends from the form, is not kept.
func (a *app) logon(authenticate echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s, ok := passport.SessionFrom(c); ok {
			email := strings.TrimSpace(printable(c.FormValue("email")))
			if email != "" && utf8.RuneCountInString(email) <= maxEmailLen {
				s.Set(logonEmailKey, email)
			} else {
				s.Delete(logonEmailKey)
			}
		}
		return authenticate(c)
	}
}

// logoff is POST /sessions/logoff: the session is ended server-side and
// the browser goes home.
func (a *app) logoff(c echo.Context) error {
	if err := a.auth.Logout(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, "/")
}

// secretWord is GET /secretWord (logged in only): the word kept in the
// session.
func (a *app) secretWord(c echo.Context) error {
	p := a.newPage(c, secretWordPageTitle)
	p.SecretWord = defaultSecretWord
	if s, ok := passport.SessionFrom(c); ok {
		if w, ok := s.Get(secretWordKey); ok {
			p.SecretWord = w
		}
	}
	return a.render(c, http.StatusOK, "secret", p)
}

// setSecretWord is POST /secretWord (logged in only): change the word,
// unless it starts with a P, then back to the page with a flash message.
func (a *app) setSecretWord(c echo.Context) error {
	s, ok := passport.SessionFrom(c)
	if !ok {
		return echo.NewHTTPError(http.StatusInternalServerError)
	}
	word := strings.TrimSpace(c.FormValue("secretWord"))
	if msg := checkSecretWord(word); msg != "" {
		s.AddFlash("error", msg)
	} else {
		s.Set(secretWordKey, word)
		s.AddFlash("info", msgSecretWordSet)
	}
	return c.Redirect(http.StatusFound, "/secretWord")
}

// checkSecretWord returns why word cannot be the secret word, or "".
func checkSecretWord(word string) string {
	switch {
	case word == "":
		return msgSecretWordEmpty
	case !utf8.ValidString(word) || strings.ContainsFunc(word, unicode.IsControl):
		return msgSecretWordBad
	case utf8.RuneCountInString(word) > maxSecretWordRunes:
		return msgSecretWordLong
	case word[0] == 'p' || word[0] == 'P':
		return msgSecretWordP
	}
	return ""
}

// printable returns s as valid UTF-8 without control characters, to show
// back in a form.
func printable(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}
