package jwt_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// The differential fuzz target feeds one input (a token, or a header and
// a payload that it signs; the keys, allowed algorithms, clock, leeway,
// required claims and token types) to the strategy and to golang-jwt's own
// ParseWithClaims configured with the same options, and requires the same
// verdict.
//
// The strategy is deliberately stricter in a documented list of ways; for
// a token golang-jwt accepts, the harness computes on its own which of
// them apply, and requires that the strategy refuses exactly when one
// does, with that check's description:
//
//	token too large             longer than MaxTokenBytes (8 KiB)
//	malformed token             CR or LF in the token (Go's base64 skips them);
//	                            exp, nbf or iat written as a JSON string
//	unsupported header          jku, x5u, jwk or x5c in the header
//	unsupported critical header crit in the header
//	wrong token type            typ not in TokenTypes
//	token lifetime too long     exp - iat, or exp - now - leeway, over MaxTokenLifetime
//
// and it accepts one thing golang-jwt does not know: the algorithm name
// "Ed25519" (RFC 9864). Such a token is compared with its twin, the same
// header with alg "EdDSA", signed with the same key, sent to golang-jwt
// with "Ed25519" mapped to "EdDSA" in the allow-list.

// diffAlgs are the algorithms the fuzzer picks the allow-list from, one
// bit of cfg each.
var diffAlgs = [...]string{"HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "EdDSA", "Ed25519"}

// diffEnv holds the keys, made once per process.
type diffEnv struct {
	secret, secret2 []byte // 64 bytes: long enough for every HS*
	rsa             *rsa.PrivateKey
	rsaDER          []byte // the RSA public key, PKIX DER: an "HMAC secret" of the confusion attack
	ec, ec2         *ecdsa.PrivateKey
	ed, ed2         ed25519.PrivateKey
}

// newDiffEnv makes the keys.
func newDiffEnv(t testing.TB) *diffEnv {
	k := newTestKeys(t)
	e := &diffEnv{rsa: k.rsa, ec: k.ec, ed: k.ed}
	e.secret = bytes.Repeat(k.secret, 2)
	e.secret2 = bytes.Repeat([]byte("another secret, not configured."), 3)[:64]
	var err error
	if e.rsaDER, err = x509.MarshalPKIXPublicKey(&k.rsa.PublicKey); err != nil {
		t.Fatal(err)
	}
	if e.ec2, err = jwt.GenerateECDSAKey(); err != nil {
		t.Fatal(err)
	}
	if e.ed2, err = jwt.GenerateEd25519Key(); err != nil {
		t.Fatal(err)
	}
	return e
}

// diffConfig is one configuration, decoded from the fuzzer's bits.
type diffConfig struct {
	algs        []string
	keys        []jwt.Key
	byKID       map[string]any // what the golang-jwt key function returns
	types       []string       // nil: the default
	noExpiry    bool
	issuer      string
	audience    []string
	now         time.Time
	leeway      time.Duration
	maxLifetime time.Duration // 0: default
}

// decodeConfig maps cfg, leeway and clock to a configuration.
//
//	cfg bits 0-7    the allow-list (diffAlgs), HS256 when empty
//	cfg bits 8-9    which key has the empty ID (hs, rsa, ec, ed)
//	cfg bits 10-11  TokenTypes: default, {at+jwt}, {at+jwt, JWT, ""}, {""}
//	cfg bit 12      AllowNoExpiry
//	cfg bit 13      Issuer set
//	cfg bit 14      Audience set
//	leeway bits 0-9 Leeway in seconds; bits 14-15 MaxTokenLifetime: default, 1h, off, 10m
//	clock           seconds from testNow
func decodeConfig(e *diffEnv, cfg uint16, leeway uint16, clock int32) diffConfig {
	var c diffConfig
	for i, a := range diffAlgs {
		if cfg&(1<<i) != 0 {
			c.algs = append(c.algs, a)
		}
	}
	if len(c.algs) == 0 {
		c.algs = []string{"HS256"}
	}
	empty := (cfg >> 8) & 3
	ids := [4]string{"hs", "rsa", "ec", "ed"}
	ids[empty] = ""
	has := func(fam ...string) bool {
		for _, a := range c.algs {
			if slices.Contains(fam, a) {
				return true
			}
		}
		return false
	}
	c.byKID = map[string]any{}
	add := func(id string, key any) {
		c.keys = append(c.keys, jwt.Key{ID: id, Key: key})
		c.byKID[id] = key
	}
	if has("HS256", "HS384", "HS512") {
		add(ids[0], e.secret)
	}
	if has("RS256", "PS256") {
		add(ids[1], &e.rsa.PublicKey)
	}
	if has("ES256") {
		add(ids[2], &e.ec.PublicKey)
	}
	if has("EdDSA", "Ed25519") {
		add(ids[3], e.ed.Public())
	}
	switch (cfg >> 10) & 3 {
	case 1:
		c.types = []string{"at+jwt"}
	case 2:
		c.types = []string{"at+jwt", "JWT", ""}
	case 3:
		c.types = []string{""}
	}
	c.noExpiry = cfg&(1<<12) != 0
	if cfg&(1<<13) != 0 {
		c.issuer = testIssuer
	}
	if cfg&(1<<14) != 0 {
		c.audience = []string{testAudience, "other-api"}
	}
	c.now = testNow.Add(time.Duration(clock) * time.Second)
	c.leeway = time.Duration(leeway&1023) * time.Second
	switch leeway >> 14 {
	case 1:
		c.maxLifetime = time.Hour
	case 2:
		c.maxLifetime = -1
	case 3:
		c.maxLifetime = 10 * time.Minute
	}
	return c
}

// strategy builds our strategy for c, reading the token from X-Tok as is.
func (c diffConfig) strategy(t *testing.T) *jwt.Strategy[string, *jwt.Claims] {
	s, err := jwt.New(jwt.Config[string, *jwt.Claims]{
		Extractor: func(r *http.Request) (string, error) {
			v := r.Header["X-Tok"]
			if len(v) == 0 || v[0] == "" {
				return "", strategy.ErrMissingCredentials
			}
			return v[0], nil
		},
		Algorithms:       c.algs,
		Keys:             c.keys,
		Issuer:           c.issuer,
		Audience:         c.audience,
		Leeway:           c.leeway,
		AllowNoExpiry:    c.noExpiry,
		TokenTypes:       c.types,
		MaxTokenLifetime: c.maxLifetime,
		Now:              func() time.Time { return c.now },
		Verify:           func(_ context.Context, cl *jwt.Claims) (string, error) { return cl.Subject, nil },
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// upstream parses tok with golang-jwt's ParseWithClaims and the options
// that New sets for c, allowing algs.
func (c diffConfig) upstream(tok string, algs []string) (*jwtlib.Token, *jwt.Claims, error) {
	opts := []jwtlib.ParserOption{
		jwtlib.WithValidMethods(algs),
		jwtlib.WithStrictDecoding(),
		jwtlib.WithLeeway(c.leeway),
		jwtlib.WithIssuedAt(),
		jwtlib.WithTimeFunc(func() time.Time { return c.now }),
	}
	if !c.noExpiry {
		opts = append(opts, jwtlib.WithExpirationRequired())
	}
	if c.issuer != "" {
		opts = append(opts, jwtlib.WithIssuer(c.issuer))
	}
	if len(c.audience) > 0 {
		opts = append(opts, jwtlib.WithAudience(c.audience...))
	}
	claims := &jwt.Claims{}
	token, err := jwtlib.NewParser(opts...).ParseWithClaims(tok, claims, func(t *jwtlib.Token) (any, error) {
		kid := ""
		if v, found := t.Header["kid"]; found {
			s, ok := v.(string)
			if !ok {
				return nil, errors.New("kid is not a string")
			}
			kid = s
		}
		key, ok := c.byKID[kid]
		if !ok {
			return nil, errors.New("unknown kid")
		}
		return key, nil
	})
	return token, claims, err
}

// stricter returns the descriptions of the strategy's documented stricter
// checks that apply to tok, which golang-jwt accepted with header and
// claims; size is the length the size cap applies to.
func (c diffConfig) stricter(t *testing.T, tok string, size int, header map[string]any, claims *jwt.Claims) []string {
	var out []string
	if size > 8192 {
		out = append(out, "token too large")
	}
	if strings.ContainsAny(tok, "\r\n") {
		out = append(out, "malformed token")
	}
	for _, name := range []string{"jku", "x5u", "jwk", "x5c"} {
		if _, found := header[name]; found {
			out = append(out, "unsupported header")
		}
	}
	if _, found := header["crit"]; found {
		out = append(out, "unsupported critical header")
	}
	types := c.types
	if types == nil {
		types = []string{"at+jwt", "JWT"}
	}
	typOK := false
	if v, found := header["typ"]; !found {
		typOK = slices.Contains(types, "")
	} else if s, ok := v.(string); ok {
		s = trimApplication(s)
		for _, want := range types {
			if want != "" && strings.EqualFold(trimApplication(want), s) {
				typOK = true
			}
		}
	}
	if !typOK {
		out = append(out, "wrong token type")
	}
	parts := strings.Split(strings.NewReplacer("\r", "", "\n", "").Replace(tok), ".")
	if len(parts) == 3 {
		payload, err := base64.RawURLEncoding.Strict().DecodeString(parts[1])
		if err != nil {
			t.Fatalf("golang-jwt accepted a payload that does not decode: %v", err)
		}
		if hasStringDate(t, payload) {
			out = append(out, "malformed token")
		}
	}
	maxLife := c.maxLifetime
	if maxLife == 0 {
		maxLife = 24 * time.Hour
	}
	if maxLife > 0 && claims.ExpiresAt != nil {
		exp := claims.ExpiresAt.Time
		if (claims.IssuedAt != nil && exp.Sub(claims.IssuedAt.Time) > maxLife) || exp.Sub(c.now) > maxLife+c.leeway {
			out = append(out, "token lifetime too long")
		}
	}
	return out
}

// trimApplication drops an "application/" prefix, in any letter case.
func trimApplication(s string) string {
	const prefix = "application/"
	if len(s) > len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):]
	}
	return s
}

// hasStringDate reports whether any member of the payload's top-level
// object (if it is one) whose name matches exp, nbf or iat the way encoding/json matches
// struct fields (ignoring letter case), including every duplicate, has a
// JSON string as its value.
func hasStringDate(t *testing.T, payload []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(payload))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false // null: golang-jwt keeps the empty claims
	}
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("payload: %v", err)
		}
		name, ok := tok.(string)
		if !ok {
			t.Fatalf("payload: member name %v", tok)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("payload: %v", err)
		}
		for _, date := range []string{"exp", "nbf", "iat"} {
			if strings.EqualFold(name, date) && len(v) > 0 && v[0] == '"' {
				found = true
			}
		}
	}
	return found
}

// diffSign signs the header and payload: keySel 0 with the configured key
// of the algorithm's family, 1 with a key of that family that is not
// configured, 2 not at all (the signature is the payload's first bytes),
// 3 with the RSA public key's DER as an HMAC secret. corrupt flips one bit
// of the signature when it is not 0.
func diffSign(e *diffEnv, header, payload []byte, keySel, corrupt uint8) string {
	input := b64(header) + "." + b64(payload)
	var m map[string]any
	_ = json.Unmarshal(header, &m)
	alg, _ := m["alg"].(string)
	var (
		method jwtlib.SigningMethod
		key    any
	)
	if alg == "Ed25519" {
		method = ed25519Alias{}
	} else {
		method = jwtlib.GetSigningMethod(alg)
	}
	switch {
	case method == nil || method.Alg() == "none":
	case keySel%4 == 3:
		if strings.HasPrefix(alg, "HS") {
			key = e.rsaDER
		}
	case keySel%4 == 2:
	case strings.HasPrefix(alg, "HS"):
		key = e.secret
		if keySel%4 == 1 {
			key = e.secret2
		}
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		if keySel%4 == 0 {
			key = e.rsa
		}
	case alg == "ES256":
		key = e.ec
		if keySel%4 == 1 {
			key = e.ec2
		}
	case alg == "EdDSA", alg == "Ed25519":
		key = e.ed
		if keySel%4 == 1 {
			key = e.ed2
		}
	}
	var sig []byte
	if key != nil {
		sig, _ = method.Sign(input, key)
	}
	if sig == nil {
		sig = append([]byte("sig:"), payload[:min(len(payload), 16)]...)
	}
	if corrupt != 0 {
		bit := int(corrupt-1) % (8 * len(sig))
		sig[bit/8] ^= 1 << (bit % 8)
	}
	return input + "." + b64(sig)
}

// FuzzDifferential compares the strategy with golang-jwt's ParseWithClaims.
// tok, when not empty, is sent as is; otherwise header and payload are
// signed by diffSign. See decodeConfig for cfg, leeway and clock.
func FuzzDifferential(f *testing.F) {
	e := newDiffEnv(f)
	hdr := `{"alg":"HS256","typ":"at+jwt"}`
	claims := `{"iss":"` + testIssuer + `","sub":"user-1","aud":"` + testAudience + `","iat":` + unix(testNow.Add(-time.Minute)) + `,"exp":` + unix(testNow.Add(10*time.Minute)) + `}`
	all := uint16(0xff) | 1<<13 | 1<<14
	f.Add("", hdr, claims, uint8(0), all, uint16(0), int32(0), uint8(0))
	f.Add("", `{"alg":"Ed25519","typ":"at+jwt"}`, claims, uint8(0), all, uint16(0), int32(0), uint8(0))
	f.Add("", `{"alg":"EdDSA"}`, claims, uint8(0), all|2<<10, uint16(30), int32(600), uint8(0))
	f.Add("", hdr, strings.Replace(claims, `"exp":`, `"exp":"`, 1)+`"`, uint8(0), all, uint16(0), int32(0), uint8(0))

	f.Fuzz(func(t *testing.T, tok, header, payload string, keySel uint8, cfg, leeway uint16, clock int32, corrupt uint8) {
		diffCheck(t, e, tok, header, payload, keySel, cfg, leeway, clock, corrupt)
	})
}

// diffCheck runs one input of FuzzDifferential and returns the strategy's
// verdict and its error_description.
func diffCheck(t *testing.T, e *diffEnv, tok, header, payload string, keySel uint8, cfg, leeway uint16, clock int32, corrupt uint8) (bool, string) {
	t.Helper()
	c := decodeConfig(e, cfg, leeway, clock)
	structured := tok == ""
	if structured {
		tok = diffSign(e, []byte(header), []byte(payload), keySel, corrupt)
	}
	s := c.strategy(t)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header["X-Tok"] = []string{tok}
	res, err := s.Authenticate(r)
	if err != nil {
		t.Fatalf("Authenticate returned a fault: %v", err)
	}
	if res.Kind != strategy.KindSuccess && res.Kind != strategy.KindFail {
		t.Fatalf("got kind %q", res.Kind)
	}
	ours := res.Kind == strategy.KindSuccess
	_, desc, _ := strings.Cut(res.Challenge, `error_description="`)
	desc = strings.TrimSuffix(desc, `"`)

	upTok, upClaims, upErr := c.upstream(tok, c.algs)
	if upTok != nil && upTok.Header["alg"] == "Ed25519" {
		// golang-jwt does not know the name: compare with the twin.
		if !structured {
			if ours {
				t.Fatalf("accepted a raw Ed25519 token that has no twin to compare with: %q", tok)
			}
			return ours, desc
		}
		twinHeader := make(map[string]any, len(upTok.Header))
		for k, v := range upTok.Header {
			twinHeader[k] = v
		}
		twinHeader["alg"] = "EdDSA"
		hb, err := json.Marshal(twinHeader)
		if err != nil {
			t.Fatal(err)
		}
		compared := diffSign(e, hb, []byte(payload), keySel, corrupt)
		algs := []string{} // not nil: golang-jwt allows every algorithm for a nil list
		for _, a := range c.algs {
			switch a {
			case "EdDSA":
			case "Ed25519":
				algs = append(algs, "EdDSA")
			default:
				algs = append(algs, a)
			}
		}
		upTok, upClaims, upErr = c.upstream(compared, algs)
	}

	if upErr != nil {
		if ours {
			t.Fatalf("accepted a token that golang-jwt refuses (%v): %q", upErr, tok)
		}
		return ours, desc
	}
	extra := c.stricter(t, tok, len(tok), upTok.Header, upClaims)
	switch {
	case len(extra) == 0 && !ours:
		t.Fatalf("refused (%q) a token that golang-jwt accepts and no stricter check applies to: %q", desc, tok)
	case len(extra) > 0 && ours:
		t.Fatalf("accepted a token that the stricter checks %q refuse: %q", extra, tok)
	case len(extra) > 0 && !slices.Contains(extra, desc):
		t.Fatalf("refused with %q; want one of the stricter checks %q: %q", desc, extra, tok)
	case ours && res.User != upClaims.Subject:
		t.Fatalf("got subject %q; golang-jwt read %q", res.User, upClaims.Subject)
	}
	return ours, desc
}

// TestDifferentialHarness checks the harness itself on inputs whose
// verdicts are known, so that a harness that compares nothing cannot pass:
// each of the documented stricter checks, the Ed25519 twin, and the
// refusals both sides share.
func TestDifferentialHarness(t *testing.T) {
	e := newDiffEnv(t)
	iat, exp := unix(testNow.Add(-time.Minute)), unix(testNow.Add(10*time.Minute))
	claims := `{"iss":"` + testIssuer + `","sub":"user-1","aud":"` + testAudience + `","iat":` + iat + `,"exp":` + exp + `}`
	all := uint16(0xff) | 1<<13 | 1<<14
	tests := []struct {
		name            string
		tok             string
		header, payload string
		keySel          uint8
		cfg, leeway     uint16
		corrupt         uint8
		desc            string // "" for success
	}{
		{name: "ok, HS256", header: `{"alg":"HS256","typ":"at+jwt"}`, payload: claims, cfg: all},
		{name: "ok, RS256 by kid", header: `{"alg":"RS256","typ":"JWT","kid":"rsa"}`, payload: claims, cfg: all},
		{name: "ok, ES256 by kid", header: `{"alg":"ES256","typ":"JWT","kid":"ec"}`, payload: claims, cfg: all},
		{name: "ok, Ed25519 (twin)", header: `{"alg":"Ed25519","typ":"at+jwt","kid":"ed"}`, payload: claims, cfg: all},
		{name: "ok, no typ when allowed", header: `{"alg":"HS256"}`, payload: claims, cfg: all | 2<<10},
		{name: "nok, Ed25519 not allowed (twin)", header: `{"alg":"Ed25519","typ":"at+jwt"}`, payload: claims, cfg: 1<<6 | 3<<8, desc: "unsupported algorithm"},
		{name: "nok, corrupted signature", header: `{"alg":"HS256","typ":"at+jwt"}`, payload: claims, cfg: all, corrupt: 9, desc: "invalid signature"},
		{name: "nok, HS256 with the RSA public key", header: `{"alg":"HS256","typ":"at+jwt","kid":"rsa"}`, payload: claims, cfg: all, keySel: 3, desc: "unknown key"},
		{name: "nok, stricter: exp string", header: `{"alg":"HS256","typ":"at+jwt"}`, payload: strings.Replace(claims, `"exp":`+exp, `"exp":"`+exp+`"`, 1), cfg: all, desc: "malformed token"},
		{name: "nok, stricter: no typ", header: `{"alg":"HS256"}`, payload: claims, cfg: all, desc: "wrong token type"},
		{name: "nok, stricter: crit", header: `{"alg":"HS256","typ":"at+jwt","crit":["exp"]}`, payload: claims, cfg: all, desc: "unsupported critical header"},
		{name: "nok, stricter: jku", header: `{"alg":"HS256","typ":"at+jwt","jku":"https://evil.test/"}`, payload: claims, cfg: all, desc: "unsupported header"},
		{name: "nok, stricter: lifetime", header: `{"alg":"HS256","typ":"at+jwt"}`, payload: strings.Replace(claims, exp, unix(testNow.Add(48*time.Hour)), 1), cfg: all, desc: "token lifetime too long"},
		{name: "nok, stricter: size", header: `{"alg":"HS256","typ":"at+jwt","pad":"` + strings.Repeat("x", 9000) + `"}`, payload: claims, cfg: all, desc: "token too large"},
		{name: "nok, expired", header: `{"alg":"HS256","typ":"at+jwt"}`, payload: strings.Replace(claims, exp, unix(testNow.Add(-time.Hour)), 1), cfg: all, desc: "token expired"},
		{name: "nok, raw garbage", tok: "thisisnotreallyajwt", cfg: all, desc: "malformed token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, desc := diffCheck(t, e, tt.tok, tt.header, tt.payload, tt.keySel, tt.cfg, tt.leeway, 0, tt.corrupt)
			if tt.desc == "" {
				if !ok {
					t.Fatalf("refused with %q; want success", desc)
				}
				return
			}
			if ok || desc != tt.desc {
				t.Fatalf("got ok=%v %q; want a refusal with %q", ok, desc, tt.desc)
			}
		})
	}
}
