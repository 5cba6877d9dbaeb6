package main

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the registration form.
const (
	maxNameRunes     = 100
	maxEmailBytes    = 254 // RFC 5321's longest forward path, less the brackets
	minPasswordRunes = 8
	maxPasswordBytes = 1024 // well under the local strategy's 4096, so every password can log on
)

// Messages of the registration form, per field.
const (
	msgNameRequired  = "Name is required."
	msgNameLong      = "Name must be at most 100 characters."
	msgNameInvalid   = "Name can't contain control, invisible or text-direction characters."
	msgEmailRequired = "Email is required."
	msgEmailLong     = "Email must be at most 254 characters."
	msgEmailInvalid  = "Enter a valid email address, such as name@example.com."
	msgPasswordShort = "Password must be at least 8 characters."
	msgPasswordLong  = "Password must be at most 1024 characters."
)

// registration is the registration form as submitted.
type registration struct {
	Name      string
	Email     string
	Password  string
	Password1 string
}

// validate checks the form. fields maps a field name ("name", "email",
// "password") to its message; form lists messages about the form as a
// whole (the passwords differ). Both empty: the form is valid, and the
// trimmed name and email are fit to store.
func (f registration) validate() (fields map[string]string, form []string) {
	fields = map[string]string{}
	name := strings.TrimSpace(f.Name)
	switch {
	case name == "":
		fields["name"] = msgNameRequired
	case !utf8.ValidString(name) || strings.ContainsFunc(name, hiddenRune):
		fields["name"] = msgNameInvalid
	case utf8.RuneCountInString(name) > maxNameRunes:
		fields["name"] = msgNameLong
	}
	email := strings.TrimSpace(f.Email)
	switch {
	case email == "":
		fields["email"] = msgEmailRequired
	case len(email) > maxEmailBytes:
		fields["email"] = msgEmailLong
	case !validEmail(email):
		fields["email"] = msgEmailInvalid
	}
	switch {
	case len(f.Password) > maxPasswordBytes:
		fields["password"] = msgPasswordLong
	case utf8.RuneCountInString(f.Password) < minPasswordRunes:
		fields["password"] = msgPasswordShort
	}
	if f.Password != f.Password1 {
		form = append(form, msgPasswordsDiffer)
	}
	return fields, form
}

// hiddenRune reports a character that hides or reorders text: a control,
// a format character (zero-width, soft hyphen) or a bidi control such as
// U+202E RIGHT-TO-LEFT OVERRIDE, which would make a name display as
// something else.
func hiddenRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Bidi_Control, r)
}

// validEmail reports whether email is a bare address (no display name, no
// angle brackets) that net/mail parses, printable UTF-8 with a domain, and
// that has an account key (no format or bidi characters, a domain IDNA
// accepts).
func validEmail(email string) bool {
	if _, err := accountKey(email); err != nil {
		return false
	}
	if !utf8.ValidString(email) || strings.ContainsFunc(email, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return false
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Name != "" || addr.Address != email {
		return false
	}
	at := strings.LastIndexByte(email, '@')
	return at > 0 && at < len(email)-1
}
