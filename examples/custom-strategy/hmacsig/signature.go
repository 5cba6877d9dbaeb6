package hmacsig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gopassport/passport/strategy"
)

// Limits on what is read from the signature header. A header beyond them is
// malformed (400) before any secret is looked up.
const (
	// MaxSignatureHeaderBytes is the longest signature header accepted.
	MaxSignatureHeaderBytes = 1024
	// MaxSignatures is how many v1 signatures one header may carry: more
	// than one is how a sender rotates its secret, signing with the old and
	// the new one for a while.
	MaxSignatures = 8
	// maxElements bounds the comma-separated elements of a header,
	// unknown ones (such as a future "v2=") included.
	maxElements = 16
	// maxTimestampDigits is the longest decimal timestamp accepted; 19
	// digits cover every positive int64.
	maxTimestampDigits = 19
	// macHexLen is the length of a hex-encoded HMAC-SHA256.
	macHexLen = 2 * sha256.Size
)

// Sign returns the value of the signature header for body, sent at now with
// secret: "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">". Senders
// call it, and tests use it to build signed requests.
//
// The timestamp is part of what is signed, so a receiver can refuse old
// messages (see [Config.Tolerance]) without the sender being able to lie
// about their age.
func Sign(secret, body []byte, now time.Time) string {
	t := strconv.FormatInt(now.Unix(), 10)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac(secret, t, body))
}

// mac is HMAC-SHA256(secret, t + "." + body).
func mac(secret []byte, t string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(t))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// signature is a parsed signature header.
type signature struct {
	// t is the timestamp as sent: it is signed as it appears.
	t string
	// at is t as a time.
	at time.Time
	// macs are the decoded v1 signatures.
	macs [][]byte
}

// parseSignature reads a header of the form "t=<digits>,v1=<hex>[,v1=<hex>…]".
// Elements are separated by commas, with optional spaces around them; t
// must appear exactly once, v1 at least once and at most [MaxSignatures]
// times; elements with another key are ignored, as Stripe's scheme says,
// so that a sender may add newer schemes. Every error wraps
// [strategy.ErrMalformedCredentials] and never quotes the input.
func parseSignature(header string) (signature, error) {
	var sig signature
	if len(header) > MaxSignatureHeaderBytes {
		return sig, malformed("signature header too long")
	}
	elements := strings.Split(header, ",")
	if len(elements) > maxElements {
		return sig, malformed("too many elements")
	}
	seenT := false
	for _, el := range elements {
		key, value, ok := strings.Cut(strings.Trim(el, " \t"), "=")
		if !ok || key == "" {
			return sig, malformed("element without a key")
		}
		switch key {
		case "t":
			if seenT {
				return sig, malformed("repeated timestamp")
			}
			seenT = true
			at, err := parseTimestamp(value)
			if err != nil {
				return sig, err
			}
			sig.t, sig.at = value, at
		case "v1":
			if len(sig.macs) == MaxSignatures {
				return sig, malformed("too many signatures")
			}
			if len(value) != macHexLen {
				return sig, malformed("signature of the wrong length")
			}
			m, err := hex.DecodeString(value)
			if err != nil {
				return sig, malformed("signature not in hex")
			}
			sig.macs = append(sig.macs, m)
		}
	}
	switch {
	case !seenT:
		return sig, malformed("no timestamp")
	case len(sig.macs) == 0:
		return sig, malformed("no v1 signature")
	}
	return sig, nil
}

// parseTimestamp reads Unix seconds written as plain decimal digits: no
// sign, no spaces, no more than 19 digits.
func parseTimestamp(s string) (time.Time, error) {
	if s == "" || len(s) > maxTimestampDigits || strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		return time.Time{}, malformed("timestamp not in Unix seconds")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, malformed("timestamp out of range")
	}
	return time.Unix(n, 0), nil
}

// malformed is a parse error wrapping strategy.ErrMalformedCredentials.
func malformed(what string) error {
	return fmt.Errorf("hmacsig: %s: %w", what, strategy.ErrMalformedCredentials)
}

// validSender reports whether id can be a sender ID: 1 to
// [MaxSenderBytes] visible ASCII characters.
func validSender(id string) bool {
	if id == "" || len(id) > MaxSenderBytes {
		return false
	}
	for i := range len(id) {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}
