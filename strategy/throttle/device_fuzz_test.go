package throttle

import (
	"bytes"
	"encoding/base64"
	"testing"
	"time"
)

// FuzzDeviceCookie feeds any cookie value and username to the parser: it
// must never panic, and only the value that was issued verifies. The seed
// corpus is in testdata/fuzz/FuzzDeviceCookie.
func FuzzDeviceCookie(f *testing.F) {
	f.Add("", "alice")
	f.Add("AQAAAABrFtXdsWxZhLL0bZmD6sBqIO4ChGFsaWNlQGV4YW1wbGUuY29t6Invjyo8KpRHYExdBnKEm6XgqfCByGtJ0cq-54jpTwM", "alice@example.com")
	f.Add(base64.RawURLEncoding.EncodeToString(make([]byte, deviceHeadLen+deviceMACLen)), "")
	f.Fuzz(func(t *testing.T, value, username string) {
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		d, err := NewDeviceCookies(DeviceCookieConfig{Key: bytes.Repeat([]byte{1}, 32), Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		issued, err := d.Issue(nil, username)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := d.parse(issued.Value, username); !ok {
			t.Fatalf("an issued cookie for %q does not verify", username)
		}
		if id, ok := d.parse(value, username); ok && value != issued.Value {
			// Only a value the key signed verifies; the fuzzer cannot know
			// the key, so a hit means the MAC check is broken — unless the
			// value is an old issue of the same key, which it cannot be.
			t.Errorf("forged value %q verified for %q as device %q", value, username, id)
		}
		if _, ok := d.parse(issued.Value, username+"x"); ok {
			t.Errorf("a cookie for %q verified for %q", username, username+"x")
		}
	})
}
