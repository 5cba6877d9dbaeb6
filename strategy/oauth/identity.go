package oauth

import "github.com/markbates/goth"

// Identity is an account at a provider: the key under which an app keeps
// a linked sign-in. Two identities are the same account only when both
// fields match; an e-mail address is never an identity.
type Identity struct {
	// Provider is the strategy's identity provider name
	// (Config.IdentityProvider), such as "github".
	Provider string
	// Subject is the provider's stable ID of the account: the ID token's
	// sub for OpenID Connect, the numeric user ID for GitHub.
	Subject string
}

// IdentityOf returns the identity of a user a strategy passed to its
// VerifyFunc.
func IdentityOf(u goth.User) Identity {
	return Identity{Provider: u.Provider, Subject: u.UserID}
}

// String returns "provider:subject", for logs and messages. Store the two
// fields apart (a provider name may not contain ':', but a subject may).
func (i Identity) String() string { return i.Provider + ":" + i.Subject }
