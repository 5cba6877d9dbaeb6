package jwt

import (
	"encoding/json"
	"errors"
	"testing"
)

// refDates is the reference for stringDate: encoding/json itself decodes
// the three members, calling UnmarshalJSON for each occurrence.
type refDates struct {
	Exp refDate `json:"exp"`
	Nbf refDate `json:"nbf"`
	Iat refDate `json:"iat"`
}

type refDate struct{}

var errRefString = errors.New("string date")

func (*refDate) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return errRefString
	}
	return nil
}

// FuzzNumericDates compares the allocation-free scanner with encoding/json
// on every valid JSON object: both must find the same string dates.
func FuzzNumericDates(f *testing.F) {
	for _, s := range []string{
		`{"exp":1}`, `{"exp":"1"}`, `{"EXP":"1"}`, `{"\u0065xp":"1"}`, `{"e\u0058p":"1"}`,
		`{"exp":"1","exp":2}`, `{"x":{"exp":"1"}}`, `{"x":["exp","1"],"nbf":"2"}`, `{"iat" : "3"}`,
		`{"a":"\"exp\":\"1\"","b":1}`, `{"ex\\p":"1"}`, `{"exp":null}`, `null`, `{}`, `{"k":"\\","iat":"1"}`,
		`{"ſxp":"1"}`, "{\"\xffexp\":\"1\"}", `{"nbf":[1],"iat":{"a":"b"},"exp":true}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		var d refDates
		err := json.Unmarshal(b, &d)
		var ute *json.UnmarshalTypeError
		if err != nil && !errors.Is(err, errRefString) {
			if errors.As(err, &ute) {
				return // not an object: json refuses to decode it into a struct
			}
			t.Fatalf("reference: %v", err)
		}
		want := errors.Is(err, errRefString)
		if got := stringDate(b); got != want {
			t.Fatalf("stringDate(%q) = %v; encoding/json says %v", b, got, want)
		}
	})
}

func TestStringDateAllocations(t *testing.T) {
	b := []byte(`{"iss":"https://issuer.test","sub":"user-1","aud":["api"],"iat":1772600707,"exp":1772601367,"scope":"read write"}`)
	if n := testing.AllocsPerRun(100, func() { _ = stringDate(b) }); n != 0 {
		t.Errorf("got %v allocations; want 0", n)
	}
}
