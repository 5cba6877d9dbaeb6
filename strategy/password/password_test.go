package password_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/gopassport/passport/strategy/password"
)

// cheapHasher is a Hasher fast enough for tests that hash many times.
// Production code keeps the defaults.
func cheapHasher() *password.Hasher { return &password.Hasher{Memory: 64, Iterations: 1} }

func TestHash(t *testing.T) {
	hash, err := password.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	phcDefault := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phcDefault.MatchString(hash) {
		t.Errorf("hash: got %q; want the PHC format with m=19456,t=2,p=1", hash)
	}
	tests := []struct {
		name     string
		password string
		want     bool
	}{
		{name: "ok, same password", password: "correct horse", want: true},
		{name: "nok, other password", password: "correct horsE", want: false},
		{name: "nok, prefix", password: "correct hors", want: false},
		{name: "nok, empty", password: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := password.Check(hash, tt.password)
			if err != nil {
				t.Fatalf("CheckPassword: %v", err)
			}
			if ok != tt.want {
				t.Errorf("CheckPassword: got %v; want %v", ok, tt.want)
			}
		})
	}
	if password.NeedsRehash(hash) {
		t.Errorf("NeedsRehash(default hash): got true; want false")
	}
	again, err := password.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if again == hash {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
}

func TestHasher(t *testing.T) {
	h := &password.Hasher{Memory: 256, Iterations: 3, Parallelism: 2, SaltLength: 24, KeyLength: 48}
	hash, err := h.Hash("pässwörd")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=256,t=3,p=2\$[A-Za-z0-9+/]{32}\$[A-Za-z0-9+/]{64}$`)
	if !re.MatchString(hash) {
		t.Errorf("hash: got %q; want m=256,t=3,p=2 with a 24-byte salt and a 48-byte key", hash)
	}
	for _, tc := range []struct {
		password string
		want     bool
	}{{"pässwörd", true}, {"passwörd", false}} {
		ok, err := h.Check(hash, tc.password)
		if err != nil || ok != tc.want {
			t.Errorf("Check(%q): got %v, %v; want %v, nil", tc.password, ok, err, tc.want)
		}
	}
	// The default Hasher checks any hash within the limits.
	if ok, err := password.Check(hash, "pässwörd"); err != nil || !ok {
		t.Errorf("CheckPassword: got %v, %v; want true, nil", ok, err)
	}

	t.Run("nok, invalid parameters", func(t *testing.T) {
		for _, bad := range []password.Hasher{
			{Memory: 7},
			{Memory: 64, Parallelism: 9},
			{SaltLength: 7},
			{KeyLength: 15},
		} {
			if _, err := bad.Hash("x"); err == nil {
				t.Errorf("Hash with %+v: got nil error; want one", bad)
			}
		}
	})

	t.Run("ok, parameters above the limits are accepted for the Hasher's own hashes", func(t *testing.T) {
		big := &password.Hasher{Memory: 64, Iterations: 17}
		hash, err := big.Hash("x")
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := big.Check(hash, "x"); err != nil || !ok {
			t.Errorf("own Check: got %v, %v; want true, nil", ok, err)
		}
		if _, err := password.Check(hash, "x"); !errors.Is(err, password.ErrMalformedHash) {
			t.Errorf("default Check of t=17: got %v; want %v", err, password.ErrMalformedHash)
		}
	})
}

// TestCheckReference checks hashes made by the argon2 reference
// implementation (phc-winner-argon2's test vectors).
func TestCheckReference(t *testing.T) {
	tests := []struct {
		name string
		hash string
	}{
		{name: "ok, m=256 p=1", hash: "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"},
		{name: "ok, m=256 p=2", hash: "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc"},
		{name: "ok, m=65536", hash: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := password.Check(tt.hash, "password")
			if err != nil || !ok {
				t.Errorf("right password: got %v, %v; want true, nil", ok, err)
			}
			ok, err = password.Check(tt.hash, "passwore")
			if err != nil || ok {
				t.Errorf("wrong password: got %v, %v; want false, nil", ok, err)
			}
		})
	}
}

func TestCheckBcrypt(t *testing.T) {
	raw, err := bcrypt.GenerateFromPassword([]byte("hunter2"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	b := string(raw) // $2a$04$…
	tests := []struct {
		name     string
		hash     string
		password string
		want     bool
	}{
		{name: "ok, $2a$", hash: b, password: "hunter2", want: true},
		{name: "nok, $2a$ wrong password", hash: b, password: "hunter3", want: false},
		{name: "ok, $2b$", hash: "$2b$" + b[4:], password: "hunter2", want: true},
		{name: "ok, $2y$", hash: "$2y$" + b[4:], password: "hunter2", want: true},
		{name: "nok, $2y$ wrong password", hash: "$2y$" + b[4:], password: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := password.Check(tt.hash, tt.password)
			if err != nil {
				t.Fatalf("CheckPassword: %v", err)
			}
			if ok != tt.want {
				t.Errorf("CheckPassword: got %v; want %v", ok, tt.want)
			}
			if !password.NeedsRehash(tt.hash) {
				t.Errorf("NeedsRehash(bcrypt): got false; want true")
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	hash := func(h password.Hasher) string {
		t.Helper()
		s, err := h.Hash("pw")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cur := password.Hasher{Memory: 128, Iterations: 2, SaltLength: 16, KeyLength: 32}
	tests := []struct {
		name string
		hash string
		want bool
	}{
		{name: "ok, same parameters", hash: hash(cur), want: false},
		{name: "ok, stronger memory", hash: hash(password.Hasher{Memory: 256, Iterations: 2}), want: false},
		{name: "ok, more iterations", hash: hash(password.Hasher{Memory: 128, Iterations: 3}), want: false},
		{name: "ok, other parallelism", hash: hash(password.Hasher{Memory: 128, Iterations: 2, Parallelism: 2}), want: false},
		{name: "nok, less memory", hash: hash(password.Hasher{Memory: 64, Iterations: 2}), want: true},
		{name: "nok, fewer iterations", hash: hash(password.Hasher{Memory: 128, Iterations: 1}), want: true},
		{name: "nok, shorter salt", hash: hash(password.Hasher{Memory: 128, Iterations: 2, SaltLength: 8}), want: true},
		{name: "nok, shorter key", hash: hash(password.Hasher{Memory: 128, Iterations: 2, KeyLength: 16}), want: true},
		{name: "nok, bcrypt", hash: "$2a$04$abcdefghijklmnopqrstuuDbDRXQLUT1qMLu8IQ8ZAwVYDa7Xnf1.", want: true},
		{name: "nok, malformed", hash: "$argon2id$v=19$m=128", want: true},
		{name: "nok, empty", hash: "", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cur.NeedsRehash(tt.hash); got != tt.want {
				t.Errorf("NeedsRehash(%q): got %v; want %v", tt.hash, got, tt.want)
			}
		})
	}
	t.Run("nok, below the package defaults", func(t *testing.T) {
		if !password.NeedsRehash(hash(*cheapHasher())) {
			t.Errorf("NeedsRehash(m=64,t=1): got false; want true")
		}
	})
}

func TestCheckMalformed(t *testing.T) {
	const (
		salt = "c29tZXNhbHQ"                                 // "somesalt"
		key  = "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4" // 32 bytes
	)
	valid := "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + key
	if ok, err := password.Check(valid, "password"); err != nil || !ok {
		t.Fatalf("valid hash: got %v, %v; want true, nil", ok, err)
	}
	raw, err := bcrypt.GenerateFromPassword([]byte("password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	bcryptValid := string(raw)
	if ok, err := password.Check(bcryptValid, "password"); err != nil || !ok {
		t.Fatalf("valid bcrypt hash: got %v, %v; want true, nil", ok, err)
	}
	tests := []struct {
		name string
		hash string
	}{
		{name: "nok, empty", hash: ""},
		{name: "nok, plain text", hash: "password"},
		{name: "nok, argon2i", hash: "$argon2i$v=19$m=256,t=2,p=1$" + salt + "$" + key},
		{name: "nok, argon2d", hash: "$argon2d$v=19$m=256,t=2,p=1$" + salt + "$" + key},
		{name: "nok, version 16", hash: "$argon2id$v=16$m=256,t=2,p=1$" + salt + "$" + key},
		{name: "nok, no version", hash: "$argon2id$m=256,t=2,p=1$" + salt + "$" + key},
		{name: "nok, version with a leading zero", hash: "$argon2id$v=019$m=256,t=2,p=1$" + salt + "$" + key},
		{name: "nok, parameters out of order", hash: "$argon2id$v=19$t=2,m=256,p=1$" + salt + "$" + key},
		{name: "nok, missing parameter", hash: "$argon2id$v=19$m=256,t=2$" + salt + "$" + key},
		{name: "nok, extra parameter", hash: "$argon2id$v=19$m=256,t=2,p=1,keyid=x$" + salt + "$" + key},
		{name: "nok, leading zero", hash: "$argon2id$v=19$m=0256,t=2,p=1$" + salt + "$" + key},
		{name: "nok, plus sign", hash: "$argon2id$v=19$m=+256,t=2,p=1$" + salt + "$" + key},
		{name: "nok, negative", hash: "$argon2id$v=19$m=256,t=-2,p=1$" + salt + "$" + key},
		{name: "nok, empty parameter", hash: "$argon2id$v=19$m=,t=2,p=1$" + salt + "$" + key},
		{name: "nok, t=0", hash: "$argon2id$v=19$m=256,t=0,p=1$" + salt + "$" + key},
		{name: "nok, p=0", hash: "$argon2id$v=19$m=256,t=2,p=0$" + salt + "$" + key},
		{name: "nok, p over 255", hash: "$argon2id$v=19$m=4096,t=2,p=256$" + salt + "$" + key},
		{name: "nok, m below 8 per lane", hash: "$argon2id$v=19$m=15,t=2,p=2$" + salt + "$" + key},
		{name: "nok, 4 GiB of memory", hash: "$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key},
		{name: "nok, m over uint32", hash: "$argon2id$v=19$m=99999999999,t=2,p=1$" + salt + "$" + key},
		{name: "nok, a million iterations", hash: "$argon2id$v=19$m=256,t=1000000,p=1$" + salt + "$" + key},
		{name: "nok, padded salt", hash: "$argon2id$v=19$m=256,t=2,p=1$" + salt + "=$" + key},
		{name: "nok, URL-safe base64", hash: "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + strings.ReplaceAll(key, "/", "_")},
		{name: "nok, stray bits in base64", hash: "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHR$" + key},
		{name: "nok, short salt", hash: "$argon2id$v=19$m=256,t=2,p=1$c2FsdA$" + key},
		{name: "nok, short key", hash: "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$MKifhakDKOM"},
		{name: "nok, empty key", hash: "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$"},
		{name: "nok, no key", hash: "$argon2id$v=19$m=256,t=2,p=1$" + salt},
		{name: "nok, extra field", hash: valid + "$x"},
		{name: "nok, too long", hash: valid + strings.Repeat("A", 600)},
		{name: "nok, trailing space", hash: valid + " "},
		{name: "nok, bcrypt $2x$", hash: "$2x$" + bcryptValid[4:]},
		{name: "nok, bcrypt $2$", hash: "$2$04$" + bcryptValid[7:] + "x"},
		{name: "nok, bcrypt cost 31", hash: "$2a$31$" + bcryptValid[7:]},
		{name: "nok, bcrypt cost 17", hash: "$2a$17$" + bcryptValid[7:]},
		{name: "nok, bcrypt cost 03", hash: "$2a$03$" + bcryptValid[7:]},
		{name: "nok, bcrypt cost +4", hash: "$2a$+4$" + bcryptValid[7:]},
		{name: "nok, bcrypt truncated", hash: bcryptValid[:59]},
		{name: "nok, bcrypt too long", hash: bcryptValid + "."},
		{name: "nok, bcrypt bad character", hash: bcryptValid[:59] + "!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := password.Check(tt.hash, "password")
			if !errors.Is(err, password.ErrMalformedHash) {
				t.Errorf("error: got %v; want %v", err, password.ErrMalformedHash)
			}
			if ok {
				t.Errorf("ok: got true; want false")
			}
		})
	}
}

func BenchmarkHash(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := password.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	hash, err := password.Hash("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := password.Check(hash, "correct horse battery staple"); err != nil || !ok {
			b.Fatalf("CheckPassword: got %v, %v", ok, err)
		}
	}
}

func TestConstantTimeEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"s3cret", "s3cret", true},
		{"s3cret", "s3cre", false},
		{"s3cret", "s3cret\x00", false},
		{"s3cret", "S3cret", false},
		{"", "x", false},
		{strings.Repeat("a", 10000), strings.Repeat("a", 10000), true},
	}
	for _, tt := range tests {
		if got := password.ConstantTimeEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("ConstantTimeEqual(%.20q, %.20q): got %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
