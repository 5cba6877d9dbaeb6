package strategy

import "context"

// The message catalogue: every text the module shows to an end user, as
// the fail messages of its strategies ([Info.Message]), the flashes the
// root package writes and the labels of its error page. Each constant is
// both the English text and the message ID a [Translator] is given,
// gettext-style. The IDs with a %d are translated first and formatted
// after, so a translation keeps the %d. [Messages] lists them all.
//
// A status title (such as "Too Many Requests") is Go's
// [net/http.StatusText] of the code and is translated under that text; it
// is not in the catalogue.
const (
	// MsgIncorrectCredentials is local's 401 for a wrong username or
	// password (the same for both).
	MsgIncorrectCredentials = "Incorrect credentials."
	// MsgMissingCredentials is local's 400 for a missing or empty field.
	MsgMissingCredentials = "Missing credentials."
	// MsgMalformedCredentials is the 400 of local and basic for
	// credentials that cannot be read.
	MsgMalformedCredentials = "Malformed credentials."
	// MsgRequestTooLarge is local's 413 for a body over its limit.
	MsgRequestTooLarge = "Request body too large."
	// MsgTooManyAttempts is the 429 of a throttled attempt (local, basic,
	// apikey).
	MsgTooManyAttempts = "Too many attempts. Try again later."
	// MsgAuthenticationRequired is basic's 401 for a request without
	// credentials.
	MsgAuthenticationRequired = "Authentication required."
	// MsgInvalidUsernameOrPassword is basic's 401 for wrong credentials.
	MsgInvalidUsernameOrPassword = "Invalid username or password."
	// MsgNotAllowed is the 403 of basic and apikey for a user who may not
	// use the route.
	MsgNotAllowed = "Not allowed."
	// MsgAPIKeyRequired is apikey's 401 for a request without a key.
	MsgAPIKeyRequired = "API key required."
	// MsgMalformedAPIKey is apikey's 400 for a key that cannot be read.
	MsgMalformedAPIKey = "Malformed API key."
	// MsgInvalidAPIKey is apikey's 401 for an unknown key.
	MsgInvalidAPIKey = "Invalid API key."
	// MsgMissingToken is jwt's 401 for a request without a token.
	MsgMissingToken = "Missing token."
	// MsgInvalidToken is jwt's 401 for a token it refused.
	MsgInvalidToken = "Invalid token."
	// MsgMalformedRequest is jwt's 400 for a request it cannot read.
	MsgMalformedRequest = "Malformed request."
	// MsgInsufficientScope is jwt's 403 for a token without the scope the
	// route needs.
	MsgInsufficientScope = "Insufficient scope."
	// MsgSignInFailed is oauth's fail of a sign-in with a provider. It does
	// not name the provider: the page around it does.
	MsgSignInFailed = "Could not sign in. Please try again."
	// MsgSignInCancelled is oauth's fail when the user cancelled at the
	// provider.
	MsgSignInCancelled = "Sign-in was cancelled."
	// MsgPleaseLogIn is the flash RequireLogin leaves for the login page.
	MsgPleaseLogIn = "Please log in to see that page."
	// MsgBack is the label of the error page's link back.
	MsgBack = "Back"
	// MsgTryAgainIn1Second is the error page's wait of one second.
	MsgTryAgainIn1Second = "Try again in 1 second."
	// MsgTryAgainInSeconds is the error page's wait of %d seconds (2–59).
	MsgTryAgainInSeconds = "Try again in %d seconds."
	// MsgTryAgainIn1Minute is the error page's wait of one minute
	// (60–90 seconds).
	MsgTryAgainIn1Minute = "Try again in 1 minute."
	// MsgTryAgainInMinutes is the error page's wait of %d minutes.
	MsgTryAgainInMinutes = "Try again in %d minutes."
)

// Messages returns every message ID of the catalogue, in the order they
// are declared, as a new slice on each call. An app checks with it that
// its translation table misses none:
//
//	for _, id := range strategy.Messages() {
//		if _, ok := french[id]; !ok {
//			t.Errorf("no French for %q", id)
//		}
//	}
func Messages() []string {
	return []string{
		MsgIncorrectCredentials,
		MsgMissingCredentials,
		MsgMalformedCredentials,
		MsgRequestTooLarge,
		MsgTooManyAttempts,
		MsgAuthenticationRequired,
		MsgInvalidUsernameOrPassword,
		MsgNotAllowed,
		MsgAPIKeyRequired,
		MsgMalformedAPIKey,
		MsgInvalidAPIKey,
		MsgMissingToken,
		MsgInvalidToken,
		MsgMalformedRequest,
		MsgInsufficientScope,
		MsgSignInFailed,
		MsgSignInCancelled,
		MsgPleaseLogIn,
		MsgBack,
		MsgTryAgainIn1Second,
		MsgTryAgainInSeconds,
		MsgTryAgainIn1Minute,
		MsgTryAgainInMinutes,
	}
}

// Translator returns the app's text for a message ID: one of the
// catalogue's ([Messages]), a status title, or a text of the app's own
// (a flash option's, a [WithUserMessage]'s), which is then an ID of the
// app's catalogue. It returns message itself when it has no translation.
// ctx is the request's context: it carries what the app needs to pick the
// language (a value its middleware set from Accept-Language or the user's
// settings). A Translator is called concurrently and must not keep ctx.
type Translator func(ctx context.Context, message string) string

// Translate returns t's text for message: message itself when t is nil or
// gives an empty text, so that a page never shows a blank message.
func (t Translator) Translate(ctx context.Context, message string) string {
	if t == nil || message == "" {
		return message
	}
	if s := t(ctx, message); s != "" {
		return s
	}
	return message
}
